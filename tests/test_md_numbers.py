"""tools.md_numbers: numbers in a lesson's Markdown must be printed or cited."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tools.md_numbers import has_outputs, unsupported_numbers, written_numbers


def _notebook(markdown: str, printed: str = "", code: str = "print(x)") -> nbformat.NotebookNode:
    cell = new_code_cell(code)
    if printed:
        cell.outputs = [new_output("stream", name="stdout", text=printed)]
    return new_notebook(cells=[cell, new_markdown_cell(markdown)])


def _texts(notebook: nbformat.NotebookNode, reviewed: tuple[str, ...] = ()) -> list[str]:
    return [problem.text for problem in unsupported_numbers(notebook, reviewed)]


def test_a_number_no_output_shows_is_listed_with_its_cell_and_line() -> None:
    nb = _notebook("The model reaches 0.72 accuracy.", printed="accuracy 0.655")
    problems = unsupported_numbers(nb)
    assert [(p.cell, p.text) for p in problems] == [(1, "0.72")]
    assert "reaches 0.72" in problems[0].line


def test_printed_numbers_match_as_the_markdown_rounds_them() -> None:
    printed = "accuracy 0.2553 | within one star: 0.7201 | parameters 109,482,240"
    nb = _notebook("0.26 and 0.255, 72 % and 72%, 109M and 109,482,240.", printed=printed)
    assert _texts(nb) == []
    assert _texts(_notebook("0.27", printed=printed)) == ["0.27"]
    assert _texts(_notebook("73 %", printed=printed)) == ["73 %"]
    assert _texts(_notebook("110M", printed=printed)) == ["110M"]


def test_constants_of_the_code_are_supported() -> None:
    nb = _notebook("Labels of -100 and windows of 384 tokens.", code="stride, size = 128, 384")
    assert _texts(nb) == []


def test_a_block_that_names_its_source_is_not_checked() -> None:
    text = (
        "bert-base has 110M parameters (source: Devlin et al., 2019).\n\n"
        "- bert-large: 340M, see https://arxiv.org/abs/1810.04805\n"
        "- bert-base: 12 layers of width 768\n\n"
        "| bert-large | 1024 | Devlin et al., 2019 |\n"
        "| the stand-in | 22.7M | |\n\n"
        "The stand-in is 6 layers of width 384."
    )
    assert _texts(_notebook(text)) == ["22.7M", "384"]


def test_names_small_counts_code_and_links_are_not_numbers() -> None:
    text = (
        "Lesson 5, exercise 2 (3 points): IOB2 tags of CoNLL-2003, F1 and top-5 in "
        "SQuAD v1.1; `max_length=256` in code."
    )
    assert written_numbers(text) == []
    assert [t for t, _ in written_numbers("a 768-wide vector, 12 layers, 13 heads")] == [
        "768",
        "13",
    ]


def test_reviewed_numbers_are_accepted_by_their_written_form() -> None:
    nb = _notebook("BERT reads at most 512 tokens.")
    assert _texts(nb) == ["512"]
    assert _texts(nb, reviewed=("512",)) == []


def test_has_outputs_tells_an_executed_notebook_from_a_source_one() -> None:
    assert not has_outputs(_notebook("x"))
    assert has_outputs(_notebook("x", printed="1"))


def test_author_year_citations_source_a_block_and_questions_are_not_claims() -> None:
    cited = "Masked LMs ignore negation in 9 of 10 pairs (Ettinger, 2020)."
    assert written_numbers(cited) == []
    assert written_numbers("Source: the card. 512 tokens") == []
    question = "**Q2.** On a set where 90 % are 5 stars:\n\n- a) accuracy 0.90"
    assert written_numbers(question) == []
    assert [t for t, _ in written_numbers("On this set 90 % are 5 stars.")] == ["90 %"]
