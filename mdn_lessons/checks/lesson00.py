"""Checkers for lesson 00 (welcome): counting branches, and the Bayes limit."""

from __future__ import annotations

import math

import numpy as np

from ..data import Y_RANGE, inverted_sine, inverted_sine_log_prob, wave
from ._core import CheckResult, Refused, as_float, require_answer, run_check, show_pair

BAYES_TOLERANCE = 0.01
"""Nats, absolute. The nearest slip, the same mean over the lesson's 2000 training points instead of the 5000
held-out ones, lies 0.028 away (the noise level 0.5 or 2 instead of 1, 0.3 or more); a third of that is 0.01.
So the value printed in the lesson, 1.33, is accepted: it is the number the exercise asks for, rounded."""
LESSON_TRAINING_DATA = {"n": 2000, "noise": 1.0, "seed": 0}
"""The lesson's training points, ``ml.data.inverted_sine(n=2000, noise=1.0, seed=0)``: the usual wrong data."""


def true_branch_count(x0: float) -> int:
    """How many y in [-10, 10] satisfy wave(y) = x0 (the noise-free branches at x0)."""
    t = np.linspace(*Y_RANGE, 400_001)
    above = wave(t) >= x0  # not np.sign: a root that falls exactly on a grid point would count twice
    return int(np.count_nonzero(above[1:] != above[:-1]))


def _whole_number(answer, what: str, problems: list[str]) -> int | None:
    """``answer`` as an int (a Python, NumPy or one-element tensor whole number), or None with a problem."""
    if isinstance(answer, (int, np.integer)) and not isinstance(answer, (bool, np.bool_)):
        return int(answer)  # exact, however large: 10**400 is simply too many branches
    number = as_float(answer, what, problems)
    if number is None:
        return None
    if number != int(number):
        problems.append(f"{what} should be a whole number of branches, got {number}")
        return None
    return int(number)


def check_branch_count(x0: float, answer) -> CheckResult:
    """Exercise 1: the number of branches of the noise-free inverted sine at x = x0."""

    def test(problems):
        expected = true_branch_count(x0)
        require_answer(answer, "`n_branches`")
        count = _whole_number(answer, "n_branches", problems)
        if count is None:
            return
        if count != expected:
            digits = len(str(abs(count)))
            counted = f"{count} branches" if digits <= 12 else f"far too many branches (a number with {digits} digits)"
            direction = "" if digits > 12 else (", too many" if count > expected else ", too few")
            problems.append(
                f"at x = {x0:g} you counted {counted}{direction}. Count the places where "
                "wave(y) - x0 changes sign on a fine grid of y in [-10, 10] (where wave(y) >= x0 flips)."
            )

    return run_check(f"Branches at x = {x0:g}", test)


def _training_nll(noise: float) -> float:
    """The Bayes-limit NLL of the lesson's training points (the slip of using them instead of the test points)."""
    x_train, y_train = inverted_sine(**LESSON_TRAINING_DATA)
    return float(-inverted_sine_log_prob(x_train, y_train, noise=noise).double().mean())


def check_bayes_limit(x, y, answer, noise: float = 1.0) -> CheckResult:
    """Exercise 2: the Bayes-limit NLL, -mean log p(y | x), of the held-out inverted-sine data (x, y)."""

    def test(problems):
        # The answer is a value, not code: check its type first, since the exact density takes a second.
        require_answer(answer, "`bayes_nll_yours`")
        if callable(answer):
            raise Refused("bayes_nll_yours should be a number, not a function: call it and keep the number.")
        number = as_float(answer, "bayes_nll_yours", problems)
        if number is None:
            return
        log_prob = inverted_sine_log_prob(x, y, noise=noise).double()
        expected = float(-log_prob.mean())
        summed = float(-log_prob.sum())
        if abs(number - expected) <= BAYES_TOLERANCE:
            return
        shown, wanted = show_pair(number, expected, BAYES_TOLERANCE)
        text = f"bayes_nll_yours is {shown}, expected about {wanted} (within {BAYES_TOLERANCE:g})"
        if abs(number + expected) <= BAYES_TOLERANCE:
            problems.append(f"{text}: bayes_nll_yours has the wrong sign; the NLL is minus the mean log-density.")
        elif math.isclose(number, summed, rel_tol=1e-3):  # the sum is len(x) times larger: no other slip nearby
            problems.append(f"{text}: bayes_nll_yours looks like a sum over samples; take the mean instead.")
        elif abs(number - _training_nll(noise)) <= 1e-3:  # not coarser: 1.3 typed is as near the test value
            problems.append(f"{text}: that is the NLL of the training points (x, y); use the held-out x_test, y_test.")
        else:
            problems.append(
                f"{text}. Use ml.data.inverted_sine_log_prob(x_test, y_test, noise=1.0) on the held-out data, "
                "and take minus its mean."
            )

    return run_check("Bayes limit", test)
