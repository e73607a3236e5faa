"""Mutation testing: the operators make one small change each, and the toy checks bite."""

from __future__ import annotations

import ast

import pytest

from courseops.mutation import generate_mutants, mutation_report

SOURCE = '''
def ratio(values, limit):
    """Not part of the solution: left alone."""
    total = 1 + 2
    ### BEGIN SOLUTION
    kept = [v for v in values[1:] if v < limit and not v == 0]
    scale(kept, limit)
    return sum(kept) / len(kept)
    ### END SOLUTION
'''


def test_each_mutant_is_one_change_inside_the_solution_region() -> None:
    mutants = generate_mutants(SOURCE, cell="ratio")
    described = {m.description.split(": ", 1)[1] for m in mutants}
    expected = {
        "Lt -> LtE",
        "Eq -> NotEq",
        "And -> Or",
        "not x -> x",
        "Div -> Mult",
        "slice start + 1",
        "first two arguments swapped",
        "Expr dropped",
        "Assign dropped",
        "return None",
        "1 -> 2",
    }
    assert expected <= described, expected - described
    assert len({m.source for m in mutants}) == len(mutants)
    original = ast.unparse(ast.parse(SOURCE))
    for mutant in mutants:
        compile(mutant.source, "<mutant>", "exec")
        assert mutant.source != original
        # "total = 1 + 2" sits outside the region: never mutated.
        assert "total = 1 + 2" in mutant.source, mutant.key
    assert generate_mutants("x = 1\n", cell="none") == []


@pytest.mark.slow
def test_the_toy_checks_kill_a_sample_of_mutants(toy_lesson) -> None:
    report = mutation_report(toy_lesson, sample=3, cells=["macro_f1"], equivalent={})
    (item,) = report.exercises
    assert item.total == 3 and item.killed >= 2, item
    text = report.render()
    assert "| macro_f1 | 3 |" in text


@pytest.mark.slow
def test_in_process_grading_kills_what_the_sandboxed_grader_kills(toy_lesson) -> None:
    kwargs = {"sample": 3, "cells": ["macro_f1"], "equivalent": {}}
    sandboxed = mutation_report(toy_lesson, **kwargs)
    in_process = mutation_report(toy_lesson, in_process=True, **kwargs)
    assert [(e.cell, e.killed, e.survived) for e in in_process.exercises] == [
        (e.cell, e.killed, e.survived) for e in sandboxed.exercises
    ]
    assert in_process.exercises[0].killed > 0
