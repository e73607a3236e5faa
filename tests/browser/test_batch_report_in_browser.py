"""The instructor's batch report, opened in headless Chromium.

A small class of real course submissions (each lesson's solution, its known wrong variants,
the blank release and one unreadable notebook) is graded with ``grade_submissions``; the
report it writes is opened from disk and must show, for every lesson graded, its section
with both plots drawn (embedded PNGs that decode), and the ungradable submissions.
The screenshot goes to ``test-artifacts/browser/batch_report.png``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Fast lessons to grade (00: about 0.1 s a submission; 02: about 2 s, with counterexamples).
LESSONS = ["00_quickstart", "02_zero_shot"]
PER_LESSON = 6


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from autograder.batch import grade_submissions
    from autograder.sample_batch import synthesise

    folder = tmp_path_factory.mktemp("class")
    synthesise(LESSONS, folder, n=PER_LESSON)
    out = folder / "results"
    batch = grade_submissions(submissions=folder / "submitted", out_dir=out, progress=False)
    assert batch.report == out / "batch_report.html"
    return batch.report


def test_every_lesson_has_its_section_and_plots(
    graded_class: Path, chromium_page: Any, screenshot_dir: Path
) -> None:
    page = chromium_page
    page.goto(graded_class.as_uri())
    page.wait_for_load_state("load")
    assert page.title() == "Batch report"
    for lesson in LESSONS:
        section = page.locator(f"section#lesson-{lesson}")
        assert section.count() == 1, f"no section for {lesson}"
        assert section.locator("h2").inner_text() == lesson
        plots = section.locator("img.plot")
        assert plots.count() == 2
        for index in range(2):
            drawn = plots.nth(index).evaluate("img => img.complete && img.naturalWidth > 100")
            assert drawn, f"{lesson}: plot {index} did not render"
        assert section.locator("table.exercises tr").count() >= 2
        assert section.locator("table.checks tr").count() >= 2
        # The nav links to it.
        assert page.locator(f'nav a[href="#lesson-{lesson}"]').count() == 1
    ungradable = page.locator("section#ungradable")
    text = ungradable.inner_text()
    broken = f"student{PER_LESSON - 1:02d}"
    assert text.count(broken) == len(LESSONS) and "could not be graded" in text
    page.screenshot(path=str(screenshot_dir / "batch_report.png"), full_page=True)
