"""Checkers for lesson 01 (P and Q): the Gaussian NLL by hand, a Monte-Carlo KL estimate, NLL and units.

Each checker compares with the package's own numbers and, when an answer is wrong, names the usual slip
it matches (a flipped sign, a sum instead of a mean, a missing constant, ...).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ..mixture import LOG_SQRT_2PI
from ..true_distributions import cross_entropy, entropy, gaussian_mixture, kl_divergence, skewed_p
from ._core import (
    CaseCalls,
    CheckResult,
    Refused,
    as_float,
    close_numbers,
    expect_function,
    require_answer,
    run_check,
    show_pair,
    typed_half_unit,
)

KL_Q = (0.0, 1.5)
"""The (mean, std) of the poor Gaussian Q whose KL(P‖Q) exercise 2 estimates."""
KL_TOLERANCE = 0.006
"""Nats. The nearest slip, Q built with σ = 2.25 (1.5², or 1.5 × 1.5 typed twice), gives 0.6776 against the true
0.6669, 0.0107 away; the estimate from the lesson's 100 000 samples has a standard error of 0.0017, so 0.006
(3.5 standard errors, about half the distance to that slip) accepts any honest estimate and refuses the slip."""
NLL_TOLERANCE = 1e-4
"""Relative and absolute, on each NLL. The nearest slip on the first case that separates it (2σ for 2σ², log σ²
for log σ, a missing ½) lies 0.11 or more away; float32 sums of 50 terms drift by about 1e-6, so 1e-4 sits
between them with room on both sides."""
UNIT_TOLERANCE = 1e-3
"""Nats. The nearest slips (log₁₀ 100 = 2 and log 1000 = 6.91) lie 2.3 or more from log 100 = 4.6052; an answer
computed with ml.gaussian_nll in float32 is within 1e-5. Since the exercise asks to work it out on paper, a value
typed with two or more significant digits is also accepted when log 100 rounds to it (4.6, 4.61)."""
CM_PER_M = 100.0


def _matching_slip(value: float, slips: dict[str, float], tol: float) -> str | None:
    """The description of the first slip whose result ``value`` reproduces (within ``tol``), if any."""
    for description, result in slips.items():
        if close_numbers(value, result, tol):
            return description
    return None


def _nll_cases() -> list[tuple[torch.Tensor, float, float]]:
    """(y (N,), mean, std): ordinary samples first, then a single point, then a narrow Q with a negative NLL.

    The first case has a mean and std far from 0 and 1, so that a function returning 0 is not mistaken for
    one that only forgets the ½·log 2π (which is all the NLL of y = μ = 0, σ = 1 consists of).
    """
    rng = np.random.default_rng(101)
    return [
        (torch.tensor(rng.normal(1.5, 0.7, size=50), dtype=torch.float32), 1.2, 0.8),
        (torch.tensor([0.0]), 0.0, 1.0),
        (torch.tensor([2.0, 2.1, 1.9, 2.05]), 2.0, 0.05),  # a narrow Q: the NLL is negative
        (torch.tensor(rng.normal(-3.0, 2.0, size=17), dtype=torch.float32), -2.5, 1.3),
    ]


def _reference_nll(y: torch.Tensor, mean: float, std: float) -> float:
    z2 = ((y.double() - mean) / std) ** 2
    return float((0.5 * z2).mean()) + math.log(std) + LOG_SQRT_2PI


def _nll_slips(y: torch.Tensor, mean: float, std: float, expected: float) -> dict[str, float]:
    z2 = ((y.double() - mean) / std) ** 2
    return {
        "the sign is flipped: that is the average log-likelihood; the NLL is its negative.": -expected,
        "it is the sum over the samples; average it (divide by the number of samples).": len(y) * expected,
        "the constant ½·log(2π) ≈ 0.919 is missing.": expected - LOG_SQRT_2PI,
        "it uses log σ² where the formula has log σ (the log of the std, not of the variance).": expected
        + math.log(std),
        "the squared distance is divided by 2σ instead of 2σ² (σ is the std; square it).": float((z2 * std / 2).mean())
        + math.log(std)
        + LOG_SQRT_2PI,
        "the squared distance is not halved: it is (y-μ)²/(2σ²), not (y-μ)²/σ².": expected + float((0.5 * z2).mean()),
    }


def check_average_nll(average_nll) -> CheckResult:
    """Exercise 1: ``average_nll(y, mean, std)`` returns the mean of -log N(y_n; mean, std²) over a 1-D tensor y."""

    def test(problems: list[str]) -> None:
        if not expect_function(average_nll, "average_nll", problems, "average_nll(y, mean, std)"):
            return
        cases = _nll_cases()
        expected_values = [_reference_nll(y, mean, std) for y, mean, std in cases]
        calls = CaseCalls(
            average_nll,
            [{"y": y, "mean": mean, "std": std} for y, mean, std in cases],
            name="average_nll",
            stub_message="not attempted yet: average_nll still returns nothing; fill in its body.",
        )
        for index, ((y, mean, std), expected) in enumerate(zip(cases, expected_values, strict=True)):
            call = calls[index]
            value = as_float(call.result, call.text, problems)
            if value is None:
                return
            if close_numbers(value, expected, NLL_TOLERANCE):
                continue
            where = f"for y of {len(y)} value(s), mean={mean}, std={std}"
            shown, wanted = show_pair(value, expected, NLL_TOLERANCE)
            slip = _matching_slip(value, _nll_slips(y, mean, std, expected), NLL_TOLERANCE)
            if slip:
                problems.append(f"average_nll is {shown} {where}, expected {wanted}: {slip}")
            elif calls.same_elsewhere(index):
                problems.append(
                    f"average_nll is {shown} {where}, expected {wanted}: it returns the same number as for "
                    "another case. Compute it from the arguments y, mean and std, not from notebook variables."
                )
            else:
                problems.append(
                    f"average_nll is {shown} {where}, expected {wanted}. Compare each term with "
                    "½((y-μ)/σ)² + log σ + ½ log(2π), averaged over the samples."
                )
            return

    return run_check("Exercise 1: the average NLL of a Gaussian", test)


def check_kl_estimate(kl_estimate) -> CheckResult:
    """Exercise 2: a Monte-Carlo estimate of KL(P‖Q) for lesson 01's P and Q = N(0, 1.5²), in nats."""

    def test(problems: list[str]) -> None:
        p, q = skewed_p(), gaussian_mixture([1.0], [KL_Q[0]], [KL_Q[1]])
        exact = kl_divergence(p, q)
        require_answer(kl_estimate, "kl_estimate")
        if callable(kl_estimate):
            raise Refused("kl_estimate should be a number, not a function: call it and keep the number.")
        value = as_float(kl_estimate, "kl_estimate", problems)
        if value is None:
            return
        if abs(value - exact) <= KL_TOLERANCE:
            return
        slips = {
            "the sign is flipped: average log p(y) − log q(y), not log q(y) − log p(y).": -exact,
            "that is Q's expected NLL E_P[−log q]; subtract the entropy H(P) (the average of −log p(y)).": (
                cross_entropy(p, q)
            ),
            "that is the entropy of P (the average of −log p(y)); the KL is Q's average NLL minus it.": entropy(p),
            "that is KL(Q‖P), the other direction: average over samples of P (y_big), not of Q.": kl_divergence(q, p),
            "that is the KL for Q = N(0, 2.25²): Q's std is 1.5 (its variance is 2.25).": kl_divergence(
                p, gaussian_mixture([1.0], [KL_Q[0]], [KL_Q[1] ** 2])
            ),
            "that is the KL for Q = N(0, 1): Q's std is 1.5.": kl_divergence(p, gaussian_mixture([1.0], [0.0], [1.0])),
        }
        slip = _matching_slip(value, slips, KL_TOLERANCE)
        shown, wanted = show_pair(value, exact, KL_TOLERANCE)
        text = f"kl_estimate is {shown}, but KL(P‖Q) is {wanted} (an estimate from y_big lands within {KL_TOLERANCE})"
        if slip:
            problems.append(f"{text}: {slip}")
        elif value < 0:
            problems.append(f"{text}: a KL divergence is never negative; check the sign of log p − log q.")
        else:
            problems.append(f"{text}. Average log p(y) − log q(y) over the samples y_big drawn from P.")

    return run_check("Exercise 2: estimate KL(P‖Q) by Monte Carlo", test)


def check_unit_change(nll_change) -> CheckResult:
    """Exercise 3: how much the best average NLL changes (in nats) when metres become centimetres."""

    def test(problems: list[str]) -> None:
        expected = math.log(CM_PER_M)
        require_answer(nll_change, "nll_change")
        if callable(nll_change):
            raise Refused("nll_change should be a number, not a function: call it and keep the number.")
        value = as_float(nll_change, "nll_change", problems)
        if value is None:
            return
        if close_numbers(value, expected, UNIT_TOLERANCE):
            return
        half_unit = typed_half_unit(value, min_significant=2)
        if half_unit is not None and abs(value - expected) <= half_unit * (1 + 1e-9):
            return  # typed from a worked-out log 100 = 4.605..., e.g. 4.6
        slips = {
            "the sign is flipped: in centimetres the values spread 100× wider, every density is 100× lower, "
            "so the NLL goes up.": -expected,
            "the change is additive on the log scale: densities shrink by a factor 100, so the NLL grows by "
            "log 100.": CM_PER_M,
            "the densities shrink by 100, but the NLL is a log: it changes by log 100, not by a factor.": 1 / CM_PER_M,
            "that is log₁₀(100); the NLL uses the natural log (nats).": math.log10(CM_PER_M),
            "that is log 1000, the factor for kilometres; a metre is 100 centimetres.": math.log(1000.0),
            "the NLL does depend on the units: a density is probability per unit of y, so changing the unit "
            "rescales every density.": 0.0,
        }
        slip = _matching_slip(value, slips, UNIT_TOLERANCE)
        shown, wanted = show_pair(value, expected, UNIT_TOLERANCE)
        text = (
            f"nll_change is {shown}, expected {wanted} (within {UNIT_TOLERANCE:g}, or typed with at least two "
            "significant digits, e.g. 4.6)"
        )
        problems.append(
            f"{text}: {slip}" if slip else f"{text}. How does N(100·y; 100·μ, (100·σ)²) compare with N(y; μ, σ²)?"
        )

    return run_check("Exercise 3: NLL and units", test)
