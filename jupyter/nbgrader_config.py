"""nbgrader settings that JupyterLab's Validate button needs (``./course lab``).

Validate runs the whole lesson in a fresh kernel. nbgrader stops a cell after 30 s by
default, and a lesson's fine-tuning cell takes longer than that on a laptop CPU.
The course's own ``nbgrader_config.py`` (in the folder JupyterLab starts in) is read
after this file, and its settings win.
"""

from bertcourse.timing import CELL_TIMEOUT_S

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

# Seconds per cell (the course's one per-cell limit).
c.Execute.timeout = CELL_TIMEOUT_S

# Validate's dialog shows each failing test cell's traceback in full (60 to 100 lines when
# a library call fails). IPython's "Minimal" exception mode keeps one line: the exception
# and its message, which is where the course's tests put their hint. Only the kernel
# that Validate starts gets it; tracebacks in the student's own notebook are unchanged.
c.Execute.extra_arguments = ["--InteractiveShell.xmode=Minimal"]
