"""The student's JupyterLab, end to end in headless Chromium.

A student opens the quickstart lesson from ``notebooks/``, fills its exercises, runs it
top to bottom (Run > Run All Cells) in fast mode, sees progress bars drawn as widgets and a
plot, sees the exercise's visible test pass, breaks the answer and sees the test fail, then
presses nbgrader's Validate and reads the failure in its dialog.

The test costs two runs of the lesson: Run All, and Validate (nbgrader runs the saved
notebook again, top to bottom, in a fresh kernel). ``BERTCOURSE_BROWSER_TIMEOUT`` (seconds,
default 900) bounds each. Screenshots of each stage go to ``test-artifacts/browser/``.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LESSON_TIMEOUT = float(os.environ.get("BERTCOURSE_BROWSER_TIMEOUT", "900"))
#: What nbgrader leaves in a solution cell of the student release.
PLACEHOLDER = "raise NotImplementedError()"
RIGHT = "return np.asarray(logits).argmax(axis=-1)"
WRONG = "return np.asarray(logits).argmin(axis=-1)"  # runs, but picks the smallest logit
STDERR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
#: The status bar's kernel item once the lesson's kernel has started and is waiting.
KERNEL_IDLE = re.compile(r"Python 3 \(ipykernel\)\s*\|\s*Idle")
#: ipywidgets 8's progress bar (tqdm.auto in a notebook: an HBox with a FloatProgress).
PROGRESS_WIDGET = ".jp-OutputArea-output .widget-hprogress"


class Screenshots:
    """Saves full-page screenshots, one per stage, into ``test-artifacts/browser/``."""

    def __init__(self, page: Any, folder: Path) -> None:
        self.page = page
        self.folder = folder
        for old in folder.glob("*.png"):  # a stale 99_failure.png would mislead
            old.unlink()

    def __call__(self, name: str) -> None:
        self.page.screenshot(path=str(self.folder / f"{name}.png"), full_page=True)


def code_cell(page: Any, text: str, offset: int = 0, timeout: float = 60.0) -> Any:
    """The notebook's code cell whose source contains ``text`` (exactly one).

    ``offset=-1`` gives the code cell before it (an answer cell, found by its test).

    Off-screen cells are in the page but not laid out, so the match is on the editors'
    ``textContent`` (Playwright's text matching skips what is not rendered).
    """
    cells = page.locator(".jp-Notebook .jp-CodeCell")
    deadline = time.monotonic() + timeout
    while True:
        sources = cells.evaluate_all(
            "els => els.map(e => e.querySelector('.jp-InputArea-editor')?.textContent ?? '')"
        )
        found = [i for i, source in enumerate(sources) if text in source]
        if len(found) == 1:
            return cells.nth(found[0] + offset)
        if time.monotonic() > deadline:  # the editors fill in as the notebook renders
            raise AssertionError(f"expected one code cell containing {text!r}, found {found}")
        time.sleep(0.5)


def cell_source(cell: Any) -> str:
    """A cell's source as the editor shows it (one ``.cm-line`` per line)."""
    return "\n".join(cell.locator(".cm-content .cm-line").all_text_contents())


def set_source(page: Any, cell: Any, source: str) -> None:
    """Replace a cell's source the way a student does: select all in its editor, type."""
    cell.scroll_into_view_if_needed()
    cell.locator(".cm-content").click()
    page.keyboard.press("ControlOrMeta+A")
    # insert_text types the text in one input event: no auto-indent or auto-closed brackets.
    page.keyboard.insert_text(source)
    page.keyboard.press("Escape")  # command mode
    assert cell_source(cell) == source, f"the editor did not take the new source:\n{source}"


def replace_placeholder(page: Any, cell: Any, answer: str) -> Any:
    """Fill a solution cell: its placeholder line becomes ``answer``."""
    lines = cell_source(cell).split("\n")
    index = next(i for i, line in enumerate(lines) if PLACEHOLDER in line)
    indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
    lines[index] = indent + answer
    lines = [line for line in lines if line.strip() != "# YOUR CODE HERE"]
    set_source(page, cell, "\n".join(lines))
    return cell


def prompts(page: Any) -> list[str]:
    """The input prompts of all code cells: ``[3]:``, ``[*]:`` (running) or ``[ ]:``."""
    return [
        text.strip()
        for text in page.locator(".jp-Notebook .jp-CodeCell .jp-InputPrompt").all_text_contents()
    ]


def kernel_states(lab: Any) -> list[str]:
    return [kernel["execution_state"] for kernel in lab.api("/api/kernels")]


def wait_until_idle(page: Any, lab: Any, *, started: float, what: str) -> None:
    """Wait until no cell is queued or running and the kernel is idle, for three polls in a row.

    Args:
        page: the browser page.
        lab: the JupyterLab server (its REST API tells the kernel's state).
        started: ``time.monotonic()`` when the run began (the wait ends LESSON_TIMEOUT after).
        what: the run, for the timeout message.
    """
    quiet = 0
    while quiet < 3:
        if time.monotonic() - started > LESSON_TIMEOUT:
            raise AssertionError(
                f"{what} still running after {LESSON_TIMEOUT:.0f} s (BERTCOURSE_BROWSER_TIMEOUT); "
                f"prompts: {prompts(page)}"
            )
        states = kernel_states(lab)
        if not states or "dead" in states:
            raise AssertionError(f"the lesson's kernel died during {what} (out of memory?)")
        busy = any("*" in prompt for prompt in prompts(page)) or states != ["idle"]
        quiet = 0 if busy else quiet + 1
        time.sleep(1.0)


def execution_count(cell: Any) -> str:
    return cell.locator(".jp-InputPrompt").text_content().strip()


def run_cell(page: Any, cell: Any) -> None:
    """Select a cell and run it (Shift+Enter), as a student does."""
    cell.scroll_into_view_if_needed()
    cell.locator(".jp-InputPrompt").click()  # selects the cell, command mode
    page.keyboard.press("Shift+Enter")


def stderr_texts(locator: Any) -> list[str]:
    """The text of every stderr or error output under ``locator``."""
    return [text.strip() for text in locator.locator(STDERR).all_text_contents()]


def saved_outputs(path: Path) -> list[dict[str, Any]]:
    """The outputs of every code cell of the notebook as saved on disk."""
    notebook = json.loads(path.read_text())
    return [
        output
        for cell in notebook["cells"]
        if cell["cell_type"] == "code"
        for output in cell.get("outputs", [])
    ]


def save(page: Any) -> None:
    """Save the notebook (Ctrl+S) and wait until its tab is no longer marked as changed."""
    page.locator(".jp-Notebook .jp-CodeCell .jp-InputPrompt").first.click()  # command mode
    page.keyboard.press("ControlOrMeta+S")
    page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty").wait_for(state="detached")


def test_student_runs_and_validates_the_quickstart(
    chromium_page: Any, jupyterlab: Any, screenshot_dir: Path
) -> None:
    # chromium_page comes first: where Chromium cannot start, the test skips before
    # JupyterLab is started for nothing.
    page = chromium_page
    lab = jupyterlab
    shot = Screenshots(page, screenshot_dir)
    lesson = lab.lesson
    try:
        # 1. The course opens on notebooks/; the student walks to the lesson and opens it.
        page.goto(lab.url("/lab/tree/notebooks"), wait_until="domcontentloaded", timeout=120_000)
        listing = page.locator(".jp-DirListing-content")
        lesson_dir = listing.locator(".jp-DirListing-item", has_text=lesson)
        lesson_dir.wait_for(timeout=120_000)
        shot("01_file_browser_notebooks")
        lesson_dir.dblclick()
        listing.locator(".jp-DirListing-item", has_text=f"{lesson}.ipynb").dblclick()
        page.locator(".jp-Notebook .jp-CodeCell").first.wait_for()
        # The kernel of the course's environment starts and settles (the status bar says so).
        page.locator(".jp-StatusBar-Item", has_text=KERNEL_IDLE).wait_for(timeout=120_000)
        assert page.locator(".validate-button").is_visible(), "no nbgrader Validate button"
        # The instructors' nbgrader tools stay out of the student's lab.
        # (nbgrader's create-assignment plugin adds a right-hand panel with this id.)
        assert page.locator("#nbgrader-create_assignemnt").count() == 0, "Create Assignment shows"
        shot("02_lesson_open")

        # 2. Fill the exercises: the right answer, and the concept check.
        exercise = replace_placeholder(page, code_cell(page, "def predicted_labels"), RIGHT)
        # The concept check's answer cell comes before its test (it holds only the placeholder).
        concept = code_cell(page, 'answer_problem("ANSWER_PADDING"', offset=-1)
        replace_placeholder(page, concept, 'ANSWER_PADDING = "b"')
        exercise.scroll_into_view_if_needed()
        shot("03_exercise_filled")

        # 3. Run > Run All Cells, and wait for the lesson to finish.
        started = time.monotonic()
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        wait_until_idle(page, lab, started=started, what="Run All Cells")
        run_all_seconds = time.monotonic() - started
        not_run = [p for p in prompts(page) if not re.fullmatch(r"\[\d+\]:", p)]
        assert not not_run, f"cells left unexecuted after Run All: {prompts(page)}"

        # What the student sees: no error and no stray stderr (warnings, raw text bars).
        notebook = page.locator(".jp-Notebook")
        # The first cell tells the student that a silent test cell has passed.
        setup_text = code_cell(page, "bc.setup_lesson()").text_content()
        assert "no output means the test passed" in setup_text, setup_text[:500]
        noise = stderr_texts(notebook)
        assert not noise, "the lesson shows errors or stderr output:\n" + "\n---\n".join(noise)
        # The progress bars are widgets, drawn and finished; the plot is an image.
        bars = notebook.locator(PROGRESS_WIDGET)
        assert bars.count() >= 1, "no progress bar widget rendered (tqdm fell back to text?)"
        training = code_cell(page, "trainer.train()")
        training.locator(PROGRESS_WIDGET).first.scroll_into_view_if_needed()
        shot("04_training_progress_widget")
        plots = notebook.locator(".jp-OutputArea-output img")
        assert plots.count() >= 1, "no plot rendered"
        plots.first.scroll_into_view_if_needed()
        assert plots.first.evaluate("img => img.naturalWidth") > 100, "the plot image is empty"
        shot("05_plot")
        tests = code_cell(page, "assert predicted_labels(")
        assert re.fullmatch(r"\[\d+\]:", execution_count(tests))
        assert not stderr_texts(tests), "the visible test of a right answer failed"
        tests.scroll_into_view_if_needed()
        shot("06_visible_test_passes")

        # The saved notebook says the same (outputs typed by nbformat, not by CSS).
        save(page)
        outputs = saved_outputs(lab.notebook)
        errors = [o for o in outputs if o["output_type"] == "error"]
        stderr = [o["text"] for o in outputs if o.get("name") == "stderr"]
        assert not errors, f"error outputs in the saved lesson: {errors}"
        assert not stderr, f"stderr in the saved lesson: {stderr}"
        kinds = {key for o in outputs for key in o.get("data", {})}
        assert {"image/png", "application/vnd.jupyter.widget-view+json"} <= kinds, kinds

        # 4. A wrong answer: rerun the exercise and its test; the test fails.
        set_source(page, exercise, cell_source(exercise).replace(RIGHT, WRONG))
        before = execution_count(tests)
        started = time.monotonic()
        run_cell(page, exercise)
        run_cell(page, tests)
        wait_until_idle(page, lab, started=started, what="the exercise and its test")
        assert execution_count(tests) != before, "the test cell did not run again"
        failure = stderr_texts(tests)
        assert failure and "AssertionError" in failure[0], f"the test did not fail: {failure}"
        tests.scroll_into_view_if_needed()
        shot("07_wrong_answer_test_fails")

        # 5. Validate (saves, then nbgrader runs the lesson in a fresh kernel).
        started = time.monotonic()
        page.locator(".validate-button").click()
        # While nbgrader runs the lesson the button says so (its label, not just greyed out).
        page.wait_for_function(
            "() => document.querySelector('.validate-button')?.textContent?.includes('Validating')",
            timeout=60_000,
        )
        dialog = page.locator(".jp-Dialog")
        dialog.wait_for(timeout=LESSON_TIMEOUT * 1000)
        title = dialog.locator(".jp-Dialog-header").text_content().strip()
        message = dialog.locator("#validation-message")
        body = dialog.locator(".jp-Dialog-body").text_content()
        validate_seconds = time.monotonic() - started
        shot("08_validate_dialog")
        assert title == "Validation Results", f"Validate answered {title!r}: {body[:2000]}"
        assert "validation-failed" in (message.get_attribute("class") or ""), body[:2000]
        assert "The following cell failed" in body
        # The course's server extension (bertcourse.validate_summary) counts the failures first.
        assert re.search(r"1 of \d+ test cells? fails: \w+", body), body[:2000]
        assert "assert predicted_labels(" in body and "AssertionError" in body, body[:2000]
        # Only that test: the concept check's answer ("b") passes its visible test.
        assert "ANSWER_PADDING" not in body, body[:2000]
        dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
        print(f"Run All Cells took {run_all_seconds:.0f} s, Validate {validate_seconds:.0f} s")
    except Exception:
        shot("99_failure")
        print(lab.log_tail())
        raise
