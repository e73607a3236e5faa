"""Check modules, one per lesson: ``<lesson_id>.py`` defining one ``Lesson`` (see the README).

Loaded by path (lesson ids start with digits), never imported as a package module.
"""
