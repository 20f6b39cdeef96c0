"""Checkers for lesson 00 (welcome): counting branches, and the Bayes limit."""

from __future__ import annotations

import numpy as np

from ..data import Y_RANGE, inverted_sine_log_prob, wave
from ._core import CheckResult, as_float, expect_close, require_answer, run_check


def true_branch_count(x0: float) -> int:
    """How many y in [-10, 10] satisfy wave(y) = x0 (the noise-free branches at x0)."""
    t = np.linspace(*Y_RANGE, 400_001)
    above = wave(t) >= x0  # not np.sign: a root that falls exactly on a grid point would count twice
    return int(np.count_nonzero(above[1:] != above[:-1]))


def check_branch_count(x0: float, answer) -> CheckResult:
    """Exercise 1: the number of branches of the noise-free inverted sine at x = x0."""

    def test(problems):
        require_answer(answer, "`n_branches`")
        number = as_float(answer, "n_branches", problems)
        if number is None:
            return
        expected = true_branch_count(x0)
        if number != int(number):
            problems.append(f"n_branches should be a whole number of branches, got {number}")
        elif int(number) != expected:
            direction = "too many" if number > expected else "too few"
            problems.append(
                f"at x = {x0:g} you counted {int(number)} branches, {direction}. Count the places where "
                "wave(y) - x0 changes sign on a fine grid of y in [-10, 10] (where wave(y) >= x0 flips)."
            )

    return run_check(f"Branches at x = {x0:g}", test)


def check_bayes_limit(x, y, answer, noise: float = 1.0) -> CheckResult:
    """Exercise 2: the Bayes-limit NLL, -mean log p(y | x), of the held-out inverted-sine data (x, y)."""

    def test(problems):
        require_answer(answer, "`bayes_nll`")
        expected = float(-inverted_sine_log_prob(x, y, noise=noise).mean())
        number = as_float(answer, "bayes_nll", problems)
        if number is None:
            return
        if abs(number + expected) < 1e-3:
            problems.append("bayes_nll has the wrong sign: the NLL is minus the mean log-density.")
        elif abs(number - float(-inverted_sine_log_prob(x, y, noise=noise).sum())) < 1e-2 * len(x):
            problems.append("bayes_nll looks like a sum over samples; take the mean instead.")
        else:
            expect_close(
                number,
                expected,
                "bayes_nll",
                problems,
                tol=1e-3,
                hint="Use ml.data.inverted_sine_log_prob(x, y, noise=1.0) on the held-out data.",
            )

    return run_check("Bayes limit", test)
