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
