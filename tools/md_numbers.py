"""List the numbers in a lesson's Markdown that no output of the executed notebook shows.

The course's rule: every number or comparison written in a lesson's Markdown is printed
by a cell, or is marked as a published figure with its source. This module is the
automatic half of that rule. It reads an *executed* notebook (outputs included) and
returns each number of its Markdown that is

- not printed in any cell output (rounding allowed: "0.26" matches a printed 0.2553,
  "72 %" matches 0.7201 or 72.01, "110M" matches 109,482,240),
- not a constant of the lesson's code (``-100``, ``max_length=128``: the lesson sets it),
- not in a paragraph that names its source (``Source:``, ``et al.``, a link, ``arXiv``,
  "Ettinger, 2020"),
- not in a concept question (the premises and options of a question are not claims),
- not a small whole number (0 to 12: counts, exercise numbers, points),
- not part of a name (``IOB2``, ``CoNLL-2003``, ``F1``, ``v1.1``, ``top-5``),
- and not in the lesson's list of reviewed numbers (a number with the reason it may
  stand, e.g. a definition such as "BERT reads at most 512 tokens").

It cannot tell whether a comparison in words ("errors sit next to the diagonal") is
true; it makes sure the figures are there to check it against. Command line, for
authors (lists, for review, what the CI test would reject)::

    python -m tools.md_numbers course_outputs/executed/*.ipynb
"""

from __future__ import annotations

import html
import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import nbformat

#: Whole numbers up to this are counts, exercise numbers and points: not checked.
SMALL_INTEGER = 12

#: A paragraph (or table row, or list item) that carries one of these cites its figures:
#: "source:", "et al.", a link, an arXiv id, or an author-year citation ("Ettinger, 2020").
SOURCE_MARKER = re.compile(
    r"(?i:\bsources?\s*:|\bet al\.|https?://|\barxiv\b|\(published\b)"
    r"|\b[A-Z][^\W\d_]+,\s(?:19|20)\d\d\b",
)

#: A concept-question cell ("**Q1.**", "### Question 2", "### Concept check"): its
#: numbers are the premises and options of a question, not claims about a run.
QUESTION = re.compile(
    r"^\s*(?:\*\*Q\d+\.?\*\*|#+\s*Question\s+\d+|#+\s*Concept checks?\b)", re.MULTILINE
)

# A number that is not glued to a word on its left (IOB2, CoNLL-2003, v1.1, top-5,
# -100) and ends at a word boundary, optionally followed by a percent sign or a unit
# of thousands (k), millions (M) or billions (B).
_NUMBER = re.compile(
    r"(?<![\w.\-/])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<unit>\s?%|[kMB](?![\w]))?(?![\w]|\.\d)"
)
_SCALE = {"k": 1e3, "M": 1e6, "B": 1e9}
_FENCE = re.compile(r"```.*?```", re.DOTALL)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_TAG = re.compile(r"<[^>]+>")
# Numbers in outputs and code: anything that parses, glued to words or not.
_ANY_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?(?:[eE][-+]?\d+)?")


@dataclass(frozen=True)
class MarkdownNumber:
    """A number written in a Markdown cell that nothing in the notebook supports.

    Attributes:
        cell: index of the Markdown cell in the notebook.
        text: the number as written (``"0.26"``, ``"72 %"``, ``"110M"``).
        line: the Markdown line it stands in, for the reviewer.
    """

    cell: int
    text: str
    line: str

    def __str__(self) -> str:
        return f"cell {self.cell}: {self.text!r} in: {self.line.strip()}"


@dataclass(frozen=True)
class _Written:
    text: str
    value: float
    decimals: int
    percent: bool
    scale: float


def _blocks(markdown: str) -> list[str]:
    """Paragraphs (a list with its paragraph) and table rows: what a source marker covers."""
    markdown = _FENCE.sub(" ", markdown)
    blocks: list[str] = []
    for paragraph in re.split(r"\n\s*\n", markdown):
        lines = paragraph.splitlines()
        rows = [line for line in lines if line.lstrip().startswith("|")]
        # Each row of a table is a fact of its own, with its own source (or none).
        blocks.extend(rows)
        rest = [line for line in lines if not line.lstrip().startswith("|")]
        if rest:
            blocks.append("\n".join(rest))
    return blocks


def written_numbers(markdown: str) -> list[tuple[str, str]]:
    """The numbers a Markdown text states, with the line each stands in.

    Args:
        markdown: one Markdown cell's source.

    Returns:
        ``(number as written, line)`` pairs, leaving out code, link targets, numbers
        that are part of a name, small whole numbers and every number of a block that
        names its source, and everything in a concept-question cell.
    """
    found: list[tuple[str, str]] = []
    if QUESTION.search(markdown):
        return found
    for block in _blocks(markdown):
        if SOURCE_MARKER.search(block):
            continue
        for line in block.splitlines():
            prose = _TAG.sub(" ", _LINK_TARGET.sub("]", _CODE_SPAN.sub(" ", line)))
            prose = html.unescape(prose)
            for match in _NUMBER.finditer(prose):
                written = _parse(match)
                if written.percent or written.scale != 1 or written.decimals:
                    found.append((written.text, line))
                elif written.value > SMALL_INTEGER:
                    found.append((written.text, line))
    return found


def _parse(match: re.Match[str]) -> _Written:
    number = match.group("num").replace(",", "")
    unit = (match.group("unit") or "").strip()
    decimals = len(number.split(".")[1]) if "." in number else 0
    return _Written(
        text=match.group(0),
        value=float(number),
        decimals=decimals,
        percent=unit == "%",
        scale=_SCALE.get(unit, 1.0),
    )


def _numbers_in(text: str) -> set[float]:
    return {float(m.group(0).replace(",", "")) for m in _ANY_NUMBER.finditer(text)}


def _output_text(output: Mapping) -> str:
    if output.get("output_type") == "stream":
        return str(output.get("text", ""))
    data = output.get("data", {})
    parts = []
    for mime in ("text/plain", "text/markdown", "text/html"):
        if mime in data:
            text = data[mime]
            parts.append("".join(text) if isinstance(text, list) else str(text))
    return _TAG.sub(" ", "\n".join(parts))


def _supported(written: _Written, printed: set[float]) -> bool:
    """Whether a printed value, rounded as the Markdown rounds it, gives the written one."""
    half_step = 0.5 * 10.0**-written.decimals * written.scale + 1e-9
    want = written.value * written.scale
    for value in printed:
        shown = [value, value * 100] if written.percent else [value]
        if any(abs(want - candidate) <= half_step for candidate in shown):
            return True
    return False


def unsupported_numbers(
    notebook: nbformat.NotebookNode | Mapping, reviewed: Iterable[str] = ()
) -> list[MarkdownNumber]:
    """The numbers in ``notebook``'s Markdown that nothing supports.

    Args:
        notebook: an executed notebook (with outputs), as read by ``nbformat``.
        reviewed: numbers, as written, that a reviewer accepted for this lesson
            (definitions and the like; each with its reason where the list is kept).

    Returns:
        One :class:`MarkdownNumber` per unsupported occurrence, in notebook order.
    """
    cells = notebook["cells"]
    printed: set[float] = set()
    constants: set[float] = set()
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        constants |= _numbers_in(_source(cell))
        for output in cell.get("outputs", []):
            printed |= _numbers_in(_output_text(output))
    accepted = set(reviewed)
    problems: list[MarkdownNumber] = []
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        for text, line in written_numbers(_source(cell)):
            if text in accepted:
                continue
            match = _NUMBER.search(text)
            assert match is not None  # the text came from the same pattern
            written = _parse(match)
            if _supported(written, printed) or _supported(written, constants):
                continue
            problems.append(MarkdownNumber(cell=index, text=text, line=line))
    return problems


def _source(cell: Mapping) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def has_outputs(notebook: nbformat.NotebookNode | Mapping) -> bool:
    """Whether the notebook was executed (some code cell has an output)."""
    return any(cell.get("outputs") for cell in notebook["cells"] if cell["cell_type"] == "code")


def load_reviewed(path: Path) -> dict[str, dict[str, str]]:
    """The reviewed numbers: ``{lesson id: {number as written: why it may stand}}``."""
    return json.loads(path.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    """List the unsupported numbers of executed notebooks; exit 1 when there are any."""
    paths = [Path(p) for p in (sys.argv[1:] if argv is None else argv)]
    usage = "usage: python -m tools.md_numbers EXECUTED.ipynb ..."
    if not paths or any(str(p) in ("-h", "--help") for p in paths):
        print(usage, file=sys.stderr)
        return 0 if paths else 2
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"no such notebook: {', '.join(missing)}\n{usage}", file=sys.stderr)
        return 2
    reviewed_path = Path(__file__).with_name("md_numbers_reviewed.json")
    reviewed = load_reviewed(reviewed_path) if reviewed_path.is_file() else {}
    total = 0
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        if not has_outputs(notebook):
            print(f"{path}: no outputs (execute it first, e.g. `bertcourse run {path.stem}`)")
            continue
        problems = unsupported_numbers(notebook, reviewed.get(path.stem, {}))
        total += len(problems)
        for problem in problems:
            print(f"{path.stem}: {problem}")
    print(f"{total} number(s) in Markdown with no output and no source")
    return 1 if total else 0


if __name__ == "__main__":
    raise SystemExit(main())
