"""JupyterLab settings for the course, read by ``./course lab`` (and the browser test).

``./course lab`` puts this folder on ``JUPYTER_CONFIG_PATH``: it adds to a student's own
``~/.jupyter`` settings instead of replacing them (what the course sets here comes first).
"""

import os
import sys

c = get_config()  # noqa: F821 - provided by Jupyter when it loads this file

# nbgrader's student side: the Validate button (runs the notebook's visible tests) and the
# Assignments list. pip enables them when it installs nbgrader; the course does not rely on
# that. The formgrader and course list are the instructors' side (editing solutions/).
c.ServerApp.jpserver_extensions.update(
    {
        "nbgrader.server_extensions.validate_assignment": True,
        "nbgrader.server_extensions.assignment_list": True,
        "nbgrader.server_extensions.formgrader": True,
        "nbgrader.server_extensions.course_list": True,
        # Validate's dialog with a first line that counts the failures (the module says how).
        "bertcourse.validate_summary": True,
    }
)

# The course runs offline: no news feed, no update check (both would call out to the web).
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"

# Open on the student's lessons.
c.LabApp.default_url = "/lab/tree/notebooks"
# Lessons run on the kernel of the environment that runs JupyterLab (the course's venv).
c.MappingKernelManager.default_kernel_name = "python3"

# Containers and course machines often run as root; Jupyter refuses root without this.
c.ServerApp.allow_root = hasattr(os, "geteuid") and os.geteuid() == 0
# Without a display (a server, a container) there is no browser to open: the URL is printed.
c.ServerApp.open_browser = sys.platform in {"darwin", "win32"} or bool(
    os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
)
