"""Checkers for lesson 07 (MDN-RNN): the true shares of the futures, and reading a probability off a mixture."""

from __future__ import annotations

import torch

from ..mixture import MixtureParams
from ._core import CheckResult, as_float, expect_close, expect_function, require_answer, run_check

_SHARE_CASES = ((16, 0.7, 0.2), (5, 0.5, 0.1), (40, 0.9, 0.05), (1, 0.3, 1.0))


def _true_shares(n_steps: int, p_up: float, branch_prob: float) -> tuple[float, float, float]:
    still_flat = (1 - branch_prob) ** n_steps
    return p_up * (1 - still_flat), (1 - p_up) * (1 - still_flat), still_flat


def check_true_shares(true_shares) -> CheckResult:
    """Exercise 1: ``true_shares(n_steps, p_up, branch_prob)`` -> (up, down, flat) after n_steps from a flat start."""

    def test(problems: list[str]) -> None:
        if not expect_function(true_shares, "true_shares", problems):
            return
        for n_steps, p_up, branch_prob in _SHARE_CASES:
            answer = true_shares(n_steps, p_up, branch_prob)
            require_answer(answer, "the value returned by `true_shares`")
            call = f"true_shares({n_steps}, {p_up}, {branch_prob})"
            if not isinstance(answer, (tuple, list)) or len(answer) != 3:
                problems.append(f"{call} should return three numbers (up, down, flat), got {answer!r}")
                return
            numbers = [as_float(value, f"{call}[{i}]", problems) for i, value in enumerate(answer)]
            if None in numbers:
                return
            if abs(sum(numbers) - 1) > 1e-6:
                problems.append(
                    f"{call} returned shares that add up to {sum(numbers):.4g}; up + down + flat must be 1."
                )
            up, down, flat = _true_shares(n_steps, p_up, branch_prob)
            before = len(problems)
            expect_close(
                numbers[2],
                flat,
                f"the flat share of {call}",
                problems,
                tol=1e-6,
                hint="A curve is still flat if it did not branch at any of the n_steps steps: (1 - h) ** n.",
            )
            expect_close(
                numbers[0],
                up,
                f"the up share of {call}",
                problems,
                tol=1e-6,
                hint="It must have branched (probability 1 - flat share), and then gone up (probability p_up).",
            )
            expect_close(numbers[1], down, f"the down share of {call}", problems, tol=1e-6)
            if len(problems) > before:
                return

    return run_check("Exercise 1 (true shares of the futures)", test)


def _test_mixture() -> tuple[MixtureParams, list[float]]:
    generator = torch.Generator().manual_seed(7)
    log_weights = torch.log_softmax(torch.randn(4, 3, generator=generator), dim=1)
    log_weights[0] = torch.log(torch.tensor([0.8, 0.14, 0.06]))
    means = torch.randn(4, 3, 1, generator=generator) * 0.3
    means[0, :, 0] = torch.tensor([0.0, 0.25, -0.25])
    scales = 0.02 + torch.rand(4, 3, 1, generator=generator) * 0.2
    return MixtureParams(log_weights, means, scales), [0.125, 0.0, -0.1]


def _prob_above(params: MixtureParams, threshold: float) -> torch.Tensor:
    z = (threshold - params.means[..., 0]) / params.scales[..., 0]
    return (params.log_weights.exp() * torch.special.ndtr(-z)).sum(dim=1)


def check_prob_above(prob_above) -> CheckResult:
    """Exercise 2: ``prob_above(params, threshold)`` -> (N,) P(y > threshold) under each 1-D mixture."""

    def test(problems: list[str]) -> None:
        if not expect_function(prob_above, "prob_above", problems):
            return
        params, thresholds = _test_mixture()
        for threshold in thresholds:
            answer = prob_above(params, threshold)
            require_answer(answer, "the value returned by `prob_above`")
            answer = torch.as_tensor(answer, dtype=torch.float32).detach().reshape(-1)
            if answer.shape != (4,):
                problems.append(
                    f"prob_above(params, {threshold}) should return one probability per mixture, shape (4,), "
                    f"got {answer.numel()} value(s)"
                )
                return
            expected = _prob_above(params, threshold)
            if not torch.allclose(answer, expected, atol=1e-4):
                worst = int((answer - expected).abs().argmax())
                hint = (
                    " Each component contributes π_k · P(N(μ_k, σ_k²) > threshold)"
                    " = π_k · (1 - Φ((threshold - μ_k) / σ_k)); torch.special.ndtr is Φ."
                )
                if float(answer[worst]) > 1 or float(answer[worst]) < 0:
                    hint = " A probability must lie between 0 and 1." + hint
                problems.append(
                    f"prob_above(params, {threshold})[{worst}] is {float(answer[worst]):.4f}, expected "
                    f"{float(expected[worst]):.4f}.{hint}"
                )
                return

    return run_check("Exercise 2 (probability of going up next)", test)
