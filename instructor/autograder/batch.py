"""Grade a folder of submissions in parallel and write results, gradebook and feedback."""

from __future__ import annotations

import concurrent.futures
import concurrent.futures.process
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.api import Lesson
from autograder.batch_report import write_batch_report
from autograder.exceptions import LessonChecksError, SubmissionLayoutError
from autograder.lessons_loader import available_lessons, load_lesson
from autograder.notebook import NotebookUnreadable, grade_ids, read_cells
from autograder.provenance import plan_regrade, provenance_of
from autograder.report import write_feedback, write_gradebook
from autograder.results import BatchResult, NotebookResult, safe_name, save_result
from autograder.runner import grade_notebook
from autograder.sandbox import SandboxLimits, default_isolation


@dataclass(frozen=True)
class Submission:
    """One notebook to grade.

    Attributes:
        student: the student id.
        notebook: the notebook's name (file stem).
        path: the ``.ipynb`` file.
        lesson_id: the assignment it was submitted to (nbgrader layout), else ``None``.
    """

    student: str
    notebook: str
    path: Path
    lesson_id: str | None


def _notebooks(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.glob("*.ipynb") if p.is_file() and ".ipynb_checkpoints" not in p.parts
    )


def discover(root: Path, *, lesson: str | None = None) -> list[Submission]:
    """Find the submissions under ``root``.

    Args:
        root: nbgrader's ``submitted/`` folder (or a course folder holding one), or a plain
            folder of notebooks (one per student, student = file stem).
        lesson: keep only this lesson's assignment (nbgrader layout).

    Returns:
        The submissions, sorted by student and notebook.

    Raises:
        SubmissionLayoutError: ``root`` holds no notebooks in either layout.
    """
    if not root.is_dir():
        raise SubmissionLayoutError(f"{root} is not a folder of submissions")
    if (root / "submitted").is_dir():
        root = root / "submitted"
    plain = _notebooks(root)
    if plain:
        return [Submission(p.stem, p.stem, p, lesson) for p in plain]
    found = []
    for student_dir in sorted(
        p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")
    ):
        for assignment_dir in sorted(p for p in student_dir.iterdir() if p.is_dir()):
            if lesson is not None and assignment_dir.name != lesson:
                continue
            for path in _notebooks(assignment_dir):
                found.append(Submission(student_dir.name, path.stem, path, assignment_dir.name))
    if not found:
        raise SubmissionLayoutError(
            f"{root} holds neither notebooks (*.ipynb) nor nbgrader's "
            "<student>/<assignment>/<notebook>.ipynb folders"
            + (f" for lesson {lesson!r}" if lesson else "")
        )
    return found


def _detect_lesson(path: Path, candidates: dict[str, Lesson]) -> str | None:
    """The lesson whose grade_ids the notebook shares most (``None`` when none match)."""
    try:
        ids = grade_ids(read_cells(path))
    except NotebookUnreadable:
        return None
    best, best_overlap = None, 0
    for lesson_id, lesson in candidates.items():
        expected = {c.grade_id for c in lesson.reference if c.grade_id} | set(lesson.exercises())
        overlap = len(ids & expected)
        if overlap > best_overlap:
            best, best_overlap = lesson_id, overlap
    return best


def _ungradable(submission: Submission, lesson_id: str | None, why: str) -> NotebookResult:
    return NotebookResult(
        student=submission.student,
        notebook=submission.notebook,
        lesson=lesson_id,
        path=str(submission.path),
        problems=[why],
        status="ungradable",
    )


@dataclass(frozen=True)
class _Job:
    submission: Submission
    lesson_id: str | None
    problem: str | None
    checks_dir: Path | None
    solutions_dir: Path | None
    forbidden: list[Path]
    limits: SandboxLimits | None
    out_dir: Path
    isolation: str


def _grade_job(job: _Job) -> NotebookResult:
    """Grade one submission and write its result (runs in a pool process)."""
    submission = job.submission
    lesson = None
    try:
        if job.problem is not None or job.lesson_id is None:
            result = _ungradable(submission, job.lesson_id, job.problem or "no lesson")
        else:
            lesson = load_lesson(
                job.lesson_id, checks_dir=job.checks_dir, solutions_dir=job.solutions_dir
            )
            result = grade_notebook(
                path=submission.path,
                lesson=lesson,
                student=submission.student,
                notebook=submission.notebook,
                forbidden=job.forbidden,
                limits=job.limits,
                isolation=job.isolation,
            )
    except Exception as error:  # noqa: BLE001 - a grader bug must not stop the batch
        result = _ungradable(
            submission,
            job.lesson_id,
            f"Internal grader error ({type(error).__name__}); ask your instructor to look at it.",
        )
        result.detail = traceback.format_exc()[-4000:]  # instructors only
    result.provenance = provenance_of(submission.path, lesson).to_dict()
    save_result(result, job.out_dir)
    return result


def _refuse_shared_result_files(found: list[Submission]) -> None:
    """Stop before grading when two submissions would write one result file.

    :func:`autograder.results.safe_name` is one-to-one, so this only fires on a bug; a
    result silently replacing a classmate's is the one outcome that must never happen.
    """
    seen: dict[tuple[str, str], Submission] = {}
    for submission in found:
        key = (safe_name(submission.student), safe_name(submission.notebook))
        if key in seen:
            raise SubmissionLayoutError(
                f"{seen[key].path} and {submission.path} would share one result file: "
                "rename one of them"
            )
        seen[key] = submission


def _grade_in_pool(
    jobs: list[_Job], workers: int, results: dict[Submission, NotebookResult], bar: Any
) -> None:
    """Grade ``jobs`` in a process pool; a pool process that dies costs one retry.

    A student cannot reach the pool (its code runs in the OS sandbox), but the machine
    can still kill a pool process (out of memory): the jobs it held are graded again in
    a fresh pool, and recorded as ungradable if that one breaks too.
    """
    pending = list(jobs)
    for _attempt in range(2):
        # Processes, not threads: check modules may import libraries lazily, and first
        # imports (transformers) are not thread-safe.
        with _process_pool(workers) as pool:
            futures = {pool.submit(_grade_job, job): job for job in pending}
            broken: list[_Job] = []
            for future in concurrent.futures.as_completed(futures):
                job = futures[future]
                try:
                    results[job.submission] = future.result()
                except concurrent.futures.process.BrokenProcessPool:
                    broken.append(job)
                    continue
                if bar is not None:
                    bar.update(1)
        pending = broken
        if not pending:
            return
    for job in pending:
        result = _ungradable(
            job.submission,
            job.lesson_id,
            "The grader's process stopped twice while grading this notebook (out of "
            "memory?); ask your instructor to grade it again.",
        )
        save_result(result, job.out_dir)
        results[job.submission] = result
        if bar is not None:
            bar.update(1)


def _process_pool(workers: int) -> concurrent.futures.ProcessPoolExecutor:
    import multiprocessing

    return concurrent.futures.ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn")
    )


def grade_submissions(
    *,
    submissions: Path,
    out_dir: Path,
    workers: int = 1,
    lesson: str | None = None,
    checks_dir: Path | None = None,
    solutions_dir: Path | None = None,
    limits: SandboxLimits | None = None,
    progress: bool = True,
    unsandboxed: bool = False,
    isolation: str | None = None,
    regrade: bool = False,
) -> BatchResult:
    """Grade every submission under ``submissions`` and write the results into ``out_dir``.

    Each result is written (atomically) as soon as it is ready, so a crash later in the
    batch loses nothing; ``gradebook.csv`` and the feedback are then rebuilt from all the
    result files in ``out_dir`` (re-running is idempotent).

    Args:
        submissions: nbgrader ``submitted/`` tree or a plain folder of notebooks.
        out_dir: the results folder (created).
        workers: notebooks graded at the same time (each in its own sandbox worker).
        lesson: grade only this lesson (and use it for plain folders).
        checks_dir: folder of check modules (default ``autograder/lessons``).
        solutions_dir: folder of source notebooks (default ``solutions``).
        limits: worker resource limits (default: per lesson).
        progress: show a tqdm progress bar with the time left.
        unsandboxed: where no OS sandbox is available, grade anyway with resource limits
            and audit hooks only (for code you trust: a submission could then read what
            the grader's user can read).
        isolation: force ``"os"`` or ``"process"`` (benchmarks compare the two); ``None``
            chooses as ``unsandboxed`` says.
        regrade: grade again only the submissions whose provenance changed (new or edited
            submission, edited checks, other grader or library versions); keep the rest.

    Returns:
        The batch's results and the paths written.

    Raises:
        SandboxUnavailable: no OS sandbox here and ``unsandboxed`` is false (said before
            any submission runs).
        SubmissionLayoutError: ``submissions`` holds no notebooks.
    """
    isolation = isolation or default_isolation(trusted=unsandboxed)
    if isolation != "os":
        print(
            "warning: grading WITHOUT the OS sandbox: submissions can read and write what "
            "this user can, and reach the network",
            file=sys.stderr,
        )
    found = discover(submissions, lesson=lesson)
    _refuse_shared_result_files(found)
    out_dir.mkdir(parents=True, exist_ok=True)
    lessons: dict[str, Lesson] = {}
    load_errors: dict[str, str] = {}

    def get_lesson(lesson_id: str) -> Lesson | None:
        if lesson_id not in lessons and lesson_id not in load_errors:
            try:
                lessons[lesson_id] = load_lesson(
                    lesson_id, checks_dir=checks_dir, solutions_dir=solutions_dir
                )
            except LessonChecksError as error:
                load_errors[lesson_id] = str(error)
        return lessons.get(lesson_id)

    candidates: dict[str, Lesson] = {}
    if any(s.lesson_id is None for s in found):
        for lesson_id in available_lessons(checks_dir):
            loaded = get_lesson(lesson_id)
            if loaded is not None:
                candidates[lesson_id] = loaded
    for submission in found:  # import check modules here, not in the worker threads
        if submission.lesson_id is not None:
            get_lesson(submission.lesson_id)

    forbidden = [submissions.resolve(), out_dir.resolve()]
    jobs = []
    for submission in found:
        lesson_id = submission.lesson_id or _detect_lesson(submission.path, candidates)
        problem = None
        if lesson_id is None:
            problem = (
                "The notebook does not look like any lesson (no known grade_ids): "
                "grade it with --lesson ID, or check it is a lesson notebook."
            )
        elif get_lesson(lesson_id) is None:
            problem = f"No checks for lesson {lesson_id!r}: {load_errors.get(lesson_id, '')}"
        jobs.append(
            _Job(
                submission,
                lesson_id,
                problem,
                checks_dir,
                solutions_dir,
                forbidden,
                limits,
                out_dir,
                isolation,
            )
        )

    results: dict[Submission, NotebookResult] = {}
    plan = None
    if regrade:  # keep the stored results that are still current, grade the rest
        plan = plan_regrade(out_dir, jobs, get_lesson)
        results.update(plan.kept(jobs))
        jobs = [j for j in jobs if j.submission not in results]
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(jobs), unit="notebook", desc="grading", smoothing=0.1)
    try:
        if workers <= 1:
            for job in jobs:
                results[job.submission] = _grade_job(job)
                if bar is not None:
                    bar.update(1)
        else:
            _grade_in_pool(jobs, workers, results, bar)
    finally:
        if bar is not None:
            bar.close()
        gradebook = write_gradebook(out_dir)
        feedback = write_feedback(out_dir)
    report = write_batch_report(out_dir)
    return BatchResult(
        results=[results[s] for s in found if s in results],
        out_dir=out_dir,
        gradebook=gradebook,
        feedback=feedback,
        report=report.html,
        regrade=None
        if plan is None
        else plan.report([results[j.submission] for j in jobs if j.submission in results]),
    )
