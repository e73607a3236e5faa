"""What the first code cell of every lesson calls."""

from __future__ import annotations

from typing import Any

from bertcourse.config import Settings, seed_everything, settings
from bertcourse.hub import hub_reachable
from bertcourse.quiet import quiet_libraries


def setup_lesson(seed: int | None = None) -> Settings:
    """Quiet library noise, seed everything, print the settings and how tests report.

    Args:
        seed: overrides ``BERTCOURSE_SEED`` for this lesson.

    Returns:
        The settings in force.
    """
    quiet_libraries()
    used_seed = seed_everything(seed)
    current = settings()
    budget = current.budget
    hub = "reachable" if hub_reachable() else "out of reach (offline defaults serve)"
    print(
        f"[bertcourse] mode={current.mode} device={current.device} seed={used_seed} "
        f"model={current.model_name} train/eval={budget.n_train}/{budget.n_eval} "
        f"epochs={budget.epochs} max_length={budget.max_length} Hub {hub}"
    )
    # A passing assert prints nothing; students otherwise wait for a message that never comes.
    print(TESTS_NOTE)
    _short_traceback_for_unanswered_exercises()
    return current


def _short_traceback_for_unanswered_exercises() -> None:
    """In a notebook, an exercise left as ``raise NotImplementedError()`` reads as such.

    Without this, a later cell that calls the function through a library (``Dataset.map``,
    the Trainer) ends in a traceback of 60 to 100 lines through the library's code.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - the course always has IPython
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return  # a plain interpreter (the grader's worker): the ordinary traceback is right
    shell.set_custom_exc((NotImplementedError,), _not_implemented_handler)


def not_answered_message(traceback: Any) -> str:
    """The one-paragraph message for a ``NotImplementedError`` raised by an exercise.

    Args:
        traceback: the exception's traceback.

    Returns:
        Which function is not written yet (the innermost frame that raised), and the fix.
    """
    frame = traceback
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    name = frame.tb_frame.f_code.co_name if frame is not None else "an exercise"
    where = f"`{name}`" if name not in {"<module>", "an exercise"} else "an exercise above"
    return (
        f"NotImplementedError: {where} is not answered yet. Replace "
        "`raise NotImplementedError()` under `# YOUR CODE HERE` with your answer, run that "
        "cell, then run this cell again."
    )


def _not_implemented_handler(
    shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: int | None = None
) -> list[str]:
    message = not_answered_message(tb)
    # The structured traceback is what the notebook shows in place of the full one.
    return [message]


#: How the test cells under the exercises report, printed by :func:`setup_lesson`.
TESTS_NOTE = (
    "[bertcourse] test cells: no output means the test passed; an AssertionError says "
    "what to fix. Hidden tests run only when the course grades your notebook."
)
