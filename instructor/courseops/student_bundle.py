"""``bertcourse release --student-bundle DIR``: everything a student gets, and nothing more.

The bundle is a folder (optionally zipped) an instructor can publish: the release
notebooks, the helper library as a wheel, the environment files, JupyterLab settings for
the student's side of nbgrader, and a student README. It never holds ``solutions/``, the
grader or its checks; :func:`find_answers` proves it by looking for every solution line,
hidden test line and answer key of ``solutions/`` in every file of the bundle and inside
the wheel.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course_layout import RELEASE_DIR, REPO_ROOT, SOLUTIONS_DIR
from autograder.exceptions import ReleaseError

#: Evidence is a run of this many consecutive code lines of a solution or hidden test
#: (one line alone, such as ``max_length=max_length,``, is too common), or one answer key.
RUN_LINES = 3
_ANSWER_KEY = re.compile(r"^\s*ANSWER_\w+\s*=")
_REGION = re.compile(
    r"### BEGIN (SOLUTION|HIDDEN TESTS)\n(.*?)### END \1", flags=re.DOTALL | re.MULTILINE
)
#: Text that only the instructors' side holds.
_INSTRUCTOR_MARKERS = (
    "BEGIN SOLUTION",
    "END SOLUTION",
    "BEGIN HIDDEN TESTS",
    "END HIDDEN TESTS",
    "from autograder",
    "import autograder",
    "LESSON = Lesson(",
)


@dataclass
class StudentBundle:
    """What :func:`build_student_bundle` wrote.

    Attributes:
        folder: the bundle's folder.
        wheel: the helper library's wheel inside it.
        files: every file of the bundle, relative to ``folder``.
        archive: the zip of the folder, when one was asked for.
    """

    folder: Path
    wheel: Path
    files: list[str] = field(default_factory=list)
    archive: Path | None = None


STUDENT_README = """# Fine-tuning BERT: the course, for students

This folder is everything you need: the lessons (`notebooks/`), the course's helper
library (`wheels/`, installed below) and the settings JupyterLab uses for the course.

## Install (once)

```bash
python3 -m venv .venv && . .venv/bin/activate     # Python 3.11 or newer
pip install -c constraints.txt -r requirements.txt
```

(`constraints.txt` pins the CPU build of PyTorch; leave it out on a machine with a GPU
build already installed. With conda: `conda env create -f environment.yml`, then the
`pip install` line above inside it.)

## Work

```bash
./start-lab.sh            # JupyterLab on notebooks/, offline and in fast mode
```

1. Open `notebooks/<lesson>/<lesson>.ipynb`.
2. Replace each `raise NotImplementedError()` under `# YOUR CODE HERE` with your answer.
3. **Run > Run All Cells.** A test cell below an exercise that shows no output has
   passed; an `AssertionError` says which check failed.
4. **Validate** (notebook toolbar) runs the notebook from the top in a fresh kernel and
   lists the test cells that fail. Hidden tests run only when your instructor grades.
5. Submit the notebook as your instructor tells you (nbgrader's Assignments list, or the
   `.ipynb` file).

Set `BERTCOURSE_MODE=full` for the original material's budget (a GPU helps), and
`BERTCOURSE_OFFLINE=0` to let lessons use the Hugging Face Hub.
"""

START_LAB = """#!/usr/bin/env bash
# JupyterLab on the lessons, with the course's settings added to your own.
set -euo pipefail
cd "$(dirname "$0")"
export BERTCOURSE_MODE=${BERTCOURSE_MODE:-fast}
export BERTCOURSE_OFFLINE=${BERTCOURSE_OFFLINE:-1}
export HF_HUB_DISABLE_TELEMETRY=1
export JUPYTER_CONFIG_PATH="$PWD/jupyter${JUPYTER_CONFIG_PATH:+:$JUPYTER_CONFIG_PATH}"
exec jupyter lab "$@"
"""

JUPYTER_SERVER_CONFIG = '''"""JupyterLab settings for students (start-lab.sh adds this folder)."""

import os
import sys

c = get_config()  # noqa: F821 - provided by Jupyter when it loads this file

# nbgrader's student side only: Validate and the Assignments list. The formgrader and the
# course list are the instructors'.
c.ServerApp.jpserver_extensions.update(
    {
        "nbgrader.server_extensions.validate_assignment": True,
        "nbgrader.server_extensions.assignment_list": True,
        "nbgrader.server_extensions.formgrader": False,
        "nbgrader.server_extensions.course_list": False,
        # Validate's dialog starts with a count of the failing test cells.
        "bertcourse.validate_summary": True,
    }
)
# The course runs offline: no news feed, no update check.
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
c.LabApp.default_url = "/lab/tree/notebooks"
c.ServerApp.allow_root = hasattr(os, "geteuid") and os.geteuid() == 0
c.ServerApp.open_browser = sys.platform != "linux" or bool(os.environ.get("DISPLAY"))
'''

PAGE_CONFIG = {
    "disabledExtensions": {
        "@jupyterlab/apputils-extension:announcements": True,
        # The instructors' panels of nbgrader.
        "@jupyter/nbgrader:create-assignment": True,
        "@jupyter/nbgrader:formgrader": True,
        "@jupyter/nbgrader:course-list": True,
    }
}


def _code_lines(text: str) -> list[str]:
    """The lines that carry code: stripped, without blanks and comments."""
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _statement(line: str) -> bool:
    """A line that does something, not one argument of a call (``stride=stride,``)."""
    return not line.endswith((",", "(", "[", "{")) and line not in (")", "]", "}", "):")


def _runs(lines: list[str]) -> set[tuple[str, ...]]:
    """Runs of :data:`RUN_LINES` lines with at least three statements in them: a block of
    keyword arguments that every Hugging Face example passes is no one's answer."""
    runs = set()
    for i in range(len(lines) - RUN_LINES + 1):
        run = tuple(lines[i : i + RUN_LINES])
        if sum(_statement(line) for line in run) >= 2:
            runs.add(run)
    return runs


def _solution_evidence(solutions_dir: Path, release_dir: Path) -> dict[object, str]:
    """Text that gives an answer away -> where it comes from.

    Every run of :data:`RUN_LINES` code lines of a solution or hidden-test region, and
    every answer key (``ANSWER_Q1 = ...``) there, that the student's own notebook does not
    contain.
    """
    evidence: dict[object, str] = {}
    for source in sorted(solutions_dir.glob("*/*.ipynb")):
        released = release_dir / source.parent.name / source.name
        shown_lines: set[str] = set()
        shown_runs: set[tuple[str, ...]] = set()
        if released.is_file():
            for cell in json.loads(released.read_text(encoding="utf-8"))["cells"]:
                lines = _code_lines("".join(cell["source"]))
                shown_lines |= set(lines)
                shown_runs |= _runs(lines)
        for cell in json.loads(source.read_text(encoding="utf-8"))["cells"]:
            text = "".join(cell["source"])
            for kind, region in _REGION.findall(text + "\n"):
                where = f"{source.name}: {kind.lower()}"
                lines = _code_lines(region)
                for run in _runs(lines) - shown_runs:
                    evidence.setdefault(run, where)
                for line in lines:
                    if _ANSWER_KEY.match(line) and line not in shown_lines:
                        evidence.setdefault(line, where)
    return evidence


def _texts(folder: Path) -> list[tuple[str, str]]:
    """(name, text) of every file in ``folder``, and of every file inside its wheels."""
    texts = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = str(path.relative_to(folder))
        if path.suffix in (".whl", ".zip"):
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    data = archive.read(member)
                    texts.append((f"{name}!{member}", data.decode("utf-8", "replace")))
        else:
            texts.append((name, path.read_bytes().decode("utf-8", "replace")))
    return texts


def find_answers(
    folder: Path, *, solutions_dir: Path = SOLUTIONS_DIR, release_dir: Path = RELEASE_DIR
) -> list[str]:
    """Everything in ``folder`` (and its wheels) that a student must not have.

    Args:
        folder: a student bundle (or any folder meant for students).
        solutions_dir: the source notebooks whose answers must not appear.
        release_dir: the release notebooks (their own lines are not evidence).

    Returns:
        One line per finding (``file: what``); empty when the folder is clean.
    """
    evidence = _solution_evidence(solutions_dir, release_dir)
    findings = []
    for name, text in _texts(folder):
        if "/autograder/" in f"/{name}" or "courseops/" in name:
            findings.append(f"{name}: a file of the instructors' packages")
        for marker in _INSTRUCTOR_MARKERS:
            if marker in text:
                findings.append(f"{name}: contains {marker!r}")
        for found in _runs(_code_lines(text)) & evidence.keys():
            findings.append(f"{name}: text of {evidence[found]}: {found[0][:60]!r}...")
        for key in (k for k in evidence if isinstance(k, str) and k in text):
            findings.append(f"{name}: text of {evidence[key]}: {key!r}")
    return findings


def _build_wheel(target: Path, readme: str) -> Path:
    """Build the helper library's wheel from a clean copy (no build files in the repo)."""
    with tempfile.TemporaryDirectory(prefix="bertcourse-wheel-") as temporary:
        source = Path(temporary) / "src"
        source.mkdir()
        for name in ("pyproject.toml", "LICENSE"):
            shutil.copy2(REPO_ROOT / name, source / name)
        (source / "README.md").write_text(readme, encoding="utf-8")
        shutil.copytree(
            REPO_ROOT / "bertcourse",
            source / "bertcourse",
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(target)]
        # No build isolation: the course's environment has setuptools, and a classroom
        # machine may have no package index to fetch it from.
        done = subprocess.run(
            [*command, "--no-build-isolation", str(source)], capture_output=True, text=True
        )
        if done.returncode != 0:
            done = subprocess.run([*command, str(source)], capture_output=True, text=True)
        if done.returncode != 0:
            raise ReleaseError(
                f"building the bertcourse wheel failed: {done.stderr.strip()[-800:]}"
            )
    wheels = sorted(target.glob("bertcourse-*.whl"))
    if not wheels:
        raise ReleaseError(f"pip wrote no bertcourse wheel into {target}")
    return wheels[-1]


def _environment_file(wheel: Path) -> str:
    text = (REPO_ROOT / "environment.yml").read_text(encoding="utf-8")
    return text.replace("      - -e .\n", "")


def build_student_bundle(
    *, folder: Path, release_dir: Path = RELEASE_DIR, archive: bool = False
) -> StudentBundle:
    """Write the student bundle into ``folder`` and prove it holds no answer.

    Args:
        folder: where to write it; must not exist yet or be empty (nothing an
            instructor made is overwritten).
        release_dir: the release notebooks (``notebooks/``, as ``bertcourse release``
            generated them).
        archive: also write ``<folder>.zip``.

    Returns:
        What was written.

    Raises:
        ReleaseError: ``folder`` holds files, the release is missing, the wheel does not
            build, or the bundle would contain an answer (the bundle is then removed).
    """
    if folder.exists() and any(folder.iterdir()):
        raise ReleaseError(f"{folder} is not empty: choose a new folder for the bundle")
    if not any(release_dir.glob("*/*.ipynb")):
        raise ReleaseError(f"no release notebooks in {release_dir}: run `bertcourse release`")
    folder.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copytree(
            release_dir,
            folder / "notebooks",
            ignore=shutil.ignore_patterns(
                ".ipynb_checkpoints", "__pycache__", ".release-manifest.json"
            ),
        )
        wheel = _build_wheel(folder / "wheels", STUDENT_README)
        (folder / "README.md").write_text(STUDENT_README, encoding="utf-8")
        shutil.copy2(REPO_ROOT / "LICENSE", folder / "LICENSE")
        shutil.copy2(REPO_ROOT / "constraints.txt", folder / "constraints.txt")
        (folder / "environment.yml").write_text(_environment_file(wheel), encoding="utf-8")
        (folder / "requirements.txt").write_text(
            f"# pip install -c constraints.txt -r requirements.txt\n./wheels/{wheel.name}[lab]\n",
            encoding="utf-8",
        )
        start = folder / "start-lab.sh"
        start.write_text(START_LAB, encoding="utf-8")
        start.chmod(0o755)
        jupyter = folder / "jupyter"
        (jupyter / "labconfig").mkdir(parents=True)
        (jupyter / "jupyter_server_config.py").write_text(JUPYTER_SERVER_CONFIG)
        (jupyter / "labconfig" / "page_config.json").write_text(
            json.dumps(PAGE_CONFIG, indent=2) + "\n"
        )
        shutil.copy2(REPO_ROOT / "jupyter" / "nbgrader_config.py", jupyter / "nbgrader_config.py")
        findings = find_answers(folder, release_dir=release_dir)
        if findings:
            raise ReleaseError(
                "the student bundle would give answers away:\n  " + "\n  ".join(findings[:20])
            )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    bundle = StudentBundle(
        folder=folder,
        wheel=wheel,
        files=sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()),
    )
    if archive:
        bundle.archive = Path(shutil.make_archive(str(folder), "zip", folder))
    return bundle
