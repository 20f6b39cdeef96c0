"""Checkers for lesson 01 (P and Q): the Gaussian NLL by hand, a Monte-Carlo KL estimate, NLL and units.

Each checker compares with the package's own numbers and, when an answer is wrong, names the usual slip
it matches (a flipped sign, a sum instead of a mean, a missing constant, ...).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ..losses import gaussian_nll
from ..mixture import LOG_SQRT_2PI
from ..true_distributions import cross_entropy, entropy, gaussian_mixture, kl_divergence, skewed_p
from ._core import CheckResult, as_float, expect_function, require_answer, run_check

KL_Q = (0.0, 1.5)
"""The (mean, std) of the poor Gaussian Q whose KL(P‖Q) exercise 2 estimates."""
KL_TOLERANCE = 0.02
"""With 100 000 samples the Monte-Carlo estimate has a standard error near 0.002 nats."""
CM_PER_M = 100.0


def _matching_slip(value: float, slips: dict[str, float], tol: float = 1e-3) -> str | None:
    """The description of the first slip whose result ``value`` reproduces (within ``tol``), if any."""
    for description, result in slips.items():
        if math.isfinite(result) and math.isclose(value, result, rel_tol=tol, abs_tol=tol):
            return description
    return None


def _nll_cases() -> list[tuple[torch.Tensor, float, float]]:
    rng = np.random.default_rng(101)
    return [
        (torch.tensor([0.0]), 0.0, 1.0),
        (torch.tensor(rng.normal(1.5, 0.7, size=50), dtype=torch.float32), 1.2, 0.8),
        (torch.tensor([2.0, 2.1, 1.9, 2.05]), 2.0, 0.05),  # a narrow Q: the NLL is negative
    ]


def check_average_nll(average_nll) -> CheckResult:
    """Exercise 1: ``average_nll(y, mean, std)`` returns the mean of -log N(y_n; mean, std²) over a 1-D tensor y."""

    def test(problems: list[str]) -> None:
        if not expect_function(average_nll, "average_nll", problems, "average_nll(y, mean, std)"):
            return
        for y, mean, std in _nll_cases():
            answer = average_nll(y.clone(), mean, std)
            require_answer(answer, "the value average_nll returns")
            value = as_float(answer, f"average_nll(y, {mean}, {std})", problems)
            if value is None:
                return
            expected = float(gaussian_nll(torch.tensor(mean), torch.tensor(std), y))
            if math.isclose(value, expected, rel_tol=1e-4, abs_tol=1e-4):
                continue
            z2 = ((y.double() - mean) / std) ** 2
            n = len(y)
            slips = {
                "the sign is flipped: that is the average log-likelihood; the NLL is its negative.": -expected,
                "it is the sum over the samples; average it (divide by the number of samples).": n * expected,
                "the constant ½·log(2π) ≈ 0.919 is missing.": expected - LOG_SQRT_2PI,
                "it uses log σ² where the formula has log σ (the log of the std, not of the variance).": expected
                + math.log(std),
                "the squared distance is divided by 2σ instead of 2σ² (σ is the std; square it).": float(
                    (z2 * std / 2).mean()
                )
                + math.log(std)
                + LOG_SQRT_2PI,
            }
            slip = _matching_slip(value, slips)
            where = f"for y of {n} value(s), mean={mean}, std={std}"
            if slip:
                problems.append(f"average_nll is {value:.4f} {where}, expected {expected:.4f}: {slip}")
            else:
                problems.append(
                    f"average_nll is {value:.4f} {where}, expected {expected:.4f}. Compare each term with "
                    "½((y-μ)/σ)² + log σ + ½ log(2π), averaged over the samples."
                )
            return

    return run_check("Exercise 1: the average NLL of a Gaussian", test)


def check_kl_estimate(kl_estimate) -> CheckResult:
    """Exercise 2: a Monte-Carlo estimate of KL(P‖Q) for lesson 01's P and Q = N(0, 1.5²), in nats."""

    def test(problems: list[str]) -> None:
        require_answer(kl_estimate, "kl_estimate")
        value = as_float(kl_estimate, "kl_estimate", problems)
        if value is None:
            return
        p, q = skewed_p(), gaussian_mixture([1.0], [KL_Q[0]], [KL_Q[1]])
        exact = kl_divergence(p, q)
        if abs(value - exact) <= KL_TOLERANCE:
            return
        slips = {
            "the sign is flipped: average log p(y) − log q(y), not log q(y) − log p(y).": -exact,
            "that is Q's expected NLL E_P[−log q]; subtract the entropy H(P) (the average of −log p(y)).": (
                cross_entropy(p, q)
            ),
            "that is the entropy of P (the average of −log p(y)); the KL is Q's average NLL minus it.": entropy(p),
            "that is KL(Q‖P), the other direction: average over samples of P (y_big), not of Q.": kl_divergence(q, p),
        }
        slip = _matching_slip(value, slips, tol=KL_TOLERANCE)
        text = (
            f"kl_estimate is {value:.4f}, but KL(P‖Q) is {exact:.4f} "
            f"(an estimate from y_big lands within {KL_TOLERANCE})"
        )
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
        require_answer(nll_change, "nll_change")
        value = as_float(nll_change, "nll_change", problems)
        if value is None:
            return
        expected = math.log(CM_PER_M)
        if math.isclose(value, expected, rel_tol=1e-3, abs_tol=1e-3):
            return
        slips = {
            "the sign is flipped: in centimetres the values spread 100× wider, every density is 100× lower, "
            "so the NLL goes up.": -expected,
            "the change is additive on the log scale: densities shrink by a factor 100, so the NLL grows by "
            "log 100.": CM_PER_M,
            "the densities shrink by 100, but the NLL is a log: it changes by log 100, not by a factor.": 1 / CM_PER_M,
            "that is log₁₀(100); the NLL uses the natural log (nats).": math.log10(CM_PER_M),
            "the NLL does depend on the units: a density is probability per unit of y, so changing the unit "
            "rescales every density.": 0.0,
        }
        slip = _matching_slip(value, slips)
        text = f"nll_change is {value:.4f}, expected {expected:.4f}"
        problems.append(
            f"{text}: {slip}" if slip else f"{text}. How does N(100·y; 100·μ, (100·σ)²) compare with N(y; μ, σ²)?"
        )

    return run_check("Exercise 3: NLL and units", test)
