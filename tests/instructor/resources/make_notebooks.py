"""Write the toy lesson's source notebook and the hostile submissions derived from it.

Run from the repository root: ``PYTHONPATH=. python tests/instructor/resources/make_notebooks.py``.
The notebooks are committed; this script documents how each one was made.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from tools.nbauthor import Notebook

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "solutions" / "toy_lesson" / "toy_lesson.ipynb"
HOSTILE = HERE / "hostile"

MACRO_F1 = '''
def macro_f1(preds, labels):
    """Macro-averaged F1 of integer predictions against integer labels."""
    ### BEGIN SOLUTION
    classes = sorted(set(preds) | set(labels))
    scores = []
    for c in classes:
        tp = sum(p == c and t == c for p, t in zip(preds, labels))
        fp = sum(p == c and t != c for p, t in zip(preds, labels))
        fn = sum(p != c and t == c for p, t in zip(preds, labels))
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return sum(scores) / len(scores)
    ### END SOLUTION
'''

TOKENIZE = '''
def tokenize_function(batch):
    """Tokenize a batch of texts, truncating to 32 tokens."""
    ### BEGIN SOLUTION
    return tokenizer(batch["text"], truncation=True, max_length=32)
    ### END SOLUTION
'''

N_TOKENS = '''
def n_tokens(tok, text):
    """The number of token ids ``tok`` gives ``text``, special tokens included."""
    ### BEGIN SOLUTION
    return len(tok(text)["input_ids"])
    ### END SOLUTION
'''


def source_notebook() -> Notebook:
    nb = Notebook()
    nb.markdown("# Toy lesson\nA two-exercise lesson for the autograder's tests.")
    nb.readonly("setup", "import bertcourse as bc\ntokenizer = bc.load_tokenizer()")
    nb.markdown("## Exercise 1: macro F1")
    nb.solution("macro_f1", MACRO_F1)
    nb.tests(
        "macro_f1_tests",
        points=3,
        source="""
    assert abs(macro_f1([0, 1], [0, 1]) - 1.0) < 1e-9
    ### BEGIN HIDDEN TESTS
    assert abs(macro_f1([0, 0, 3], [0, 0, 1]) - 0.3333333333) < 1e-6  # SECRET-HIDDEN-MARKER
    ### END HIDDEN TESTS
    """,
    )
    nb.markdown("## Exercise 2: tokenize")
    nb.solution("tokenize_function", TOKENIZE)
    nb.tests(
        "tokenize_function_tests",
        points=2,
        source="""
    out = tokenize_function({"text": ["Hello"]})
    assert "input_ids" in out
    ### BEGIN HIDDEN TESTS
    long_ids = tokenize_function({"text": ["word " * 100]})["input_ids"][0]
    assert len(long_ids) == 32  # SECRET-HIDDEN-MARKER
    ### END HIDDEN TESTS
    """,
    )
    nb.markdown("## A training cell (grading must never run it)")
    nb.code("import time\ntime.sleep(3600)  # stands in for trainer.train()")
    nb.markdown("## Exercise 3: count tokens")
    nb.solution("n_tokens", N_TOKENS)
    nb.tests(
        "n_tokens_tests",
        points=1,
        source="""
    assert n_tokens(tokenizer, "hi") == 3
    """,
    )
    return nb


def _cells(nb: dict) -> dict[str, dict]:
    return {
        c["metadata"]["nbgrader"]["grade_id"]: c
        for c in nb["cells"]
        if "nbgrader" in c.get("metadata", {})
    }


def _with_solution(nb: dict, grade_id: str, source: str) -> dict:
    out = copy.deepcopy(nb)
    _cells(out)[grade_id]["source"] = source.strip("\n")
    return out


def hostile(solution: dict) -> dict[str, dict | str]:
    """name -> notebook (dict) or raw file text. Each breaks one thing; the rest is correct."""
    f1 = "def macro_f1(preds, labels):\n"
    cases: dict[str, dict | str] = {}
    cases["corrupted_json"] = json.dumps(solution)[:-200]
    cases["not_a_notebook"] = json.dumps({"hello": "world"})
    missing = copy.deepcopy(solution)
    missing["cells"] = [
        c
        for c in missing["cells"]
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") != "macro_f1"
    ]
    cases["missing_cell"] = missing
    duplicated = copy.deepcopy(solution)
    index = next(
        i
        for i, c in enumerate(duplicated["cells"])
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "macro_f1"
    )
    wrong = copy.deepcopy(duplicated["cells"][index])
    wrong["source"] = f1 + "    return 0.0"
    # the correct copy comes last, so (like running the notebook) it counts
    duplicated["cells"].insert(index, wrong)
    cases["duplicated_cell"] = duplicated
    reordered = copy.deepcopy(solution)
    reordered["cells"].reverse()
    cases["reordered_cells"] = reordered
    retyped = copy.deepcopy(solution)
    cell = _cells(retyped)["macro_f1"]
    cell["cell_type"] = "markdown"
    cell.pop("outputs", None)
    cell.pop("execution_count", None)
    cases["markdown_cell"] = retyped
    cases["syntax_error"] = _with_solution(solution, "macro_f1", f1 + "    return (1 +")
    cases["sys_exit"] = _with_solution(solution, "macro_f1", "import sys\nsys.exit(0)")
    cases["os_exit_in_call"] = _with_solution(
        solution, "macro_f1", f1 + "    import os\n    os._exit(3)"
    )
    cases["infinite_loop_cell"] = _with_solution(solution, "macro_f1", "while True:\n    pass")
    cases["infinite_loop_call"] = _with_solution(
        solution, "macro_f1", f1 + "    while True:\n        pass"
    )
    cases["memory_bomb"] = _with_solution(
        solution, "macro_f1", f1 + "    x = bytearray(50 * 2**30)\n    return 1.0"
    )
    cases["memory_bomb_list"] = _with_solution(solution, "macro_f1", "junk = [0] * (10**10)")
    cases["monkeypatch_sklearn"] = _with_solution(
        solution,
        "macro_f1",
        """
import numpy as np
import sklearn.metrics
sklearn.metrics.f1_score = lambda *a, **k: 0.5
np.allclose = lambda *a, **k: True
np.isclose = lambda *a, **k: True
import math
math.isclose = lambda *a, **k: True
def macro_f1(preds, labels):
    return 0.5
""",
    )
    cases["lying_result"] = _with_solution(
        solution,
        "macro_f1",
        """
class Liar(float):
    def __eq__(self, other):
        return True
    __hash__ = float.__hash__
    def __sub__(self, other):
        return 0.0
    def __abs__(self):
        return 0.0
def macro_f1(preds, labels):
    return Liar(0.123)
""",
    )
    cases["garbage_result"] = _with_solution(solution, "macro_f1", f1 + "    return open")
    cases["read_tests"] = _with_solution(
        solution,
        "macro_f1",
        """
import glob, os
import bertcourse
repo = os.path.dirname(os.path.dirname(bertcourse.__file__))
stolen = []
for pattern in ["autograder/lessons/*.py", "autograder/*.py", "tests/**/*.py",
                "tests/**/*.ipynb", "solutions/**/*.ipynb"]:
    for path in glob.glob(os.path.join(repo, pattern), recursive=True)[:3]:
        try:
            stolen.append(open(path).read()[:100])
        except Exception as error:
            stolen.append(type(error).__name__)
try:
    stolen.append(os.listdir(os.path.join(repo, "tests")))
except Exception as error:
    stolen.append(type(error).__name__)
def macro_f1(preds, labels):
    raise RuntimeError("LEAK " + repr(stolen)[:3000])
""",
    )
    # Only touches folders named for this test (never other files on a shared machine).
    cases["overwrite_results"] = _with_solution(
        solution,
        "macro_f1",
        """
import os
def _wreck():
    for root in ["/tmp", os.path.expanduser("~"), os.getcwd() + "/.."]:
        for dirpath, dirnames, filenames in os.walk(root):
            if "autograder-hostile-target" not in dirpath:
                continue
            for name in filenames:
                try:
                    with open(os.path.join(dirpath, name), "w") as f:
                        f.write("student,notebook,total,max\\nhacker,x,999,1\\n")
                except Exception:
                    pass
_wreck()
"""
        + MACRO_F1.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", ""),
    )
    cases["spawn_process"] = _with_solution(
        solution,
        "macro_f1",
        """
import subprocess
try:
    subprocess.run(["echo", "hi"])
except PermissionError as error:
    blocked = str(error)
def macro_f1(preds, labels):
    import os
    os.system("echo hi")
    return 1.0
""",
    )
    cases["print_megabytes"] = _with_solution(
        solution,
        "macro_f1",
        """
print("x" * 50_000_000)
import sys
sys.stdout.write("y" * 10_000_000)
"""
        + MACRO_F1.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", "")
        + """
_original = macro_f1
def macro_f1(preds, labels):
    print("z" * 5_000_000)
    return _original(preds, labels)
""",
    )
    cases["kill_parent"] = _with_solution(
        solution,
        "macro_f1",
        """
import os, signal
try:
    os.kill(os.getppid(), signal.SIGKILL)
except Exception:
    pass
"""
        + MACRO_F1.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", ""),
    )
    return cases


def main() -> None:
    source_notebook().write(SOURCE)
    solution = json.loads(SOURCE.read_text())
    HOSTILE.mkdir(parents=True, exist_ok=True)
    for old in HOSTILE.glob("*.ipynb"):
        old.unlink()
    for name, notebook in hostile(solution).items():
        text = notebook if isinstance(notebook, str) else json.dumps(notebook, indent=1) + "\n"
        (HOSTILE / f"{name}.ipynb").write_text(text)
    print(f"wrote {SOURCE} and {len(list(HOSTILE.glob('*.ipynb')))} hostile notebooks")


if __name__ == "__main__":
    main()
