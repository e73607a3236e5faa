"""Course operations: the ``bertcourse`` command's verbs, the course job, benchmark helpers.

The top floor of the house: it may import :mod:`autograder` and :mod:`bertcourse`;
neither imports it. Instructors and CI install it (``pip install ./instructor``);
students never need it.
"""
