"""nbgrader configuration of the course: nbgrader's folders mapped onto this repository.

* ``solutions/<lesson>/<lesson>.ipynb`` is nbgrader's *source* (instructor version);
* ``notebooks/<lesson>/`` is nbgrader's *release* (students' version, generated: run
  ``bertcourse release``, never edit by hand);
* assignments are the lesson ids; ``submitted/``, ``autograded/``, ``feedback/`` and
  ``gradebook.db`` are nbgrader's working state (git-ignored); ``artifacts/<student>``
  holds the models a student's lessons saved during ``nbgrader autograde``.

Feedback never shows hidden tests: their source is removed and the outputs of the cells
that held them (a failed hidden test's traceback quotes the test) are replaced by a note.
"""

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    GetGrades,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)

from autograder.nbgrader_cycle import PinnedExecute
from autograder.nbgrader_plugins import ClearHiddenTestOutputs, FeedbackClearHiddenTests
from bertcourse.timing import CELL_TIMEOUT_S

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

# release_assignment, fetch_assignment, submit and collect need a course id.
c.CourseDirectory.course_id = "bertcourse"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# Each lesson is one notebook named after it.
c.CourseDirectory.notebook_id = "*"
# Lessons ship small helper files next to the notebook; nothing big belongs there.
c.CourseDirectory.max_file_size = 10_000

c.GenerateFeedback.preprocessors = [
    GetGrades,
    ClearHiddenTestOutputs,
    FeedbackClearHiddenTests,
    CSSHTMLHeaderPreprocessor,
]

# nbgrader stops a cell after 30 s by default; a lesson's fine-tuning cell takes longer on
# a laptop CPU, so `nbgrader validate` / `autograde` would cut it off (jupyter/ sets the
# same limit for the JupyterLab Validate button).
c.Execute.timeout = CELL_TIMEOUT_S

# autograde runs every submission with the course's grading settings (fast mode, offline)
# and gives each student their own artifacts folder (<course>/artifacts/<student>), so
# lessons 08 and 09 load the student's own models (autograder/nbgrader_cycle.py).
c.Autograde.autograde_preprocessors = [
    PinnedExecute,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]
