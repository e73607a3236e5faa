"""What the first code cell of every lesson calls."""

from __future__ import annotations

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
    return current


#: How the test cells under the exercises report, printed by :func:`setup_lesson`.
TESTS_NOTE = (
    "[bertcourse] test cells: no output means the test passed; an AssertionError says "
    "what to fix. Hidden tests run only when the course grades your notebook."
)
