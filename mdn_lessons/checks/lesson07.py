"""Checkers for lesson 07 (MDN-RNN): the true shares of the futures, and reading a probability off a mixture."""

from __future__ import annotations

import math

import numpy as np
import torch

from ..mixture import MixtureParams
from ._core import (
    CaseCalls,
    CheckResult,
    as_float,
    as_tensor,
    call_student,
    expect_function,
    run_check,
    show_difference,
    show_pair,
    tensors_close,
)

_SHARE_CASES = ((16, 0.7, 0.2), (5, 0.5, 0.1), (40, 0.9, 0.05), (1, 0.3, 1.0))
"""(n_steps, p_up, branch_prob): the lesson's own question first, then fresh ones."""

SHARE_TOL = 1e-6
"""Absolute and relative, on each share. The nearest slip, (1 - h)^(n-1) or (1 - h)^(n+1) for the flat share,
moves it by 0.0056 or more on the first three cases; float32 arithmetic on the shares is exact to 1e-7."""

PROB_TOL = 1e-4
"""Absolute, on each probability. The nearest slip, the variance σ² where σ belongs, moves some probability
on every case by 0.04 or more; float32 sums of K terms of ndtr are exact to about 1e-7."""

STUB = "not attempted yet: the value returned by `{}` is still `...`/None; fill in the exercise cell."


def _true_shares(n_steps: int, p_up: float, branch_prob: float) -> tuple[float, float, float]:
    still_flat = (1 - branch_prob) ** n_steps
    return p_up * (1 - still_flat), (1 - p_up) * (1 - still_flat), still_flat


def _three_numbers(answer, call: str, problems: list[str]) -> list[float] | None:
    """(up, down, flat) from a tuple, list, tensor or array of three numbers, or None with a problem."""
    if isinstance(answer, (torch.Tensor, np.ndarray)):
        size = answer.size if isinstance(answer, np.ndarray) else answer.numel()
        if size != 3:
            problems.append(f"{call} should return three numbers (up, down, flat), got shape {tuple(answer.shape)}")
            return None
        answer = list(answer.reshape(-1))
    if isinstance(answer, dict) or not isinstance(answer, (tuple, list)) or len(answer) != 3:
        shown = repr(answer) if isinstance(answer, (tuple, list)) else f"a {type(answer).__name__}"
        problems.append(f"{call} should return three numbers (up, down, flat), in that order, got {shown:.80}")
        return None
    numbers = [as_float(value, f"{call}[{i}]", problems) for i, value in enumerate(answer)]
    return None if None in numbers else numbers


def check_true_shares(true_shares) -> CheckResult:
    """Exercise 1: ``true_shares(n_steps, p_up, branch_prob)`` -> (up, down, flat) after n_steps from a flat start."""

    def test(problems: list[str]) -> None:
        if not expect_function(true_shares, "true_shares", problems):
            return
        expected_values = [_true_shares(*case) for case in _SHARE_CASES]
        calls = CaseCalls(
            true_shares,
            [dict(zip(("n_steps", "p_up", "branch_prob"), case, strict=True)) for case in _SHARE_CASES],
            name="true_shares",
            stub_message=STUB.format("true_shares"),
        )
        for index, expected in enumerate(expected_values):
            call = calls[index]
            numbers = _three_numbers(call.result, call.text, problems)
            if numbers is None:
                return
            found = []
            if abs(sum(numbers) - 1) > SHARE_TOL:
                found.append(
                    f"{call.text} returned shares that add up to {sum(numbers):.6f}; up + down + flat must be 1."
                )
            hints = (
                "It must have branched (probability 1 - flat share), and then gone up (probability p_up).",
                "",
                "A curve is still flat if it did not branch at any of the n_steps steps: (1 - h) ** n.",
            )
            for index in (2, 0, 1):
                name = ("up", "down", "flat")[index]
                value, wanted = numbers[index], expected[index]
                if not math.isclose(value, wanted, rel_tol=SHARE_TOL, abs_tol=SHARE_TOL):
                    shown, wanted_text = show_pair(value, wanted, SHARE_TOL)
                    found.append(
                        f"the {name} share of {call.text} is {shown}, expected about {wanted_text} "
                        f"(within {SHARE_TOL:g})." + (f" {hints[index]}" if hints[index] else "")
                    )
            if found:
                if calls.same_elsewhere(index):
                    found.insert(
                        0,
                        f"{call.text} returned the same shares as for another case: compute them from the "
                        "arguments n_steps, p_up and branch_prob.",
                    )
                problems.extend(found)
                return

    return run_check("Exercise 1 (true shares of the futures)", test)


def _test_mixtures() -> list[tuple[MixtureParams, list[float]]]:
    """(params, thresholds): four mixtures of three components, then six fresh ones of two components."""
    generator = torch.Generator().manual_seed(7)
    log_weights = torch.log_softmax(torch.randn(4, 3, generator=generator), dim=1)
    log_weights[0] = torch.log(torch.tensor([0.8, 0.14, 0.06]))
    means = torch.randn(4, 3, 1, generator=generator) * 0.3
    means[0, :, 0] = torch.tensor([0.0, 0.25, -0.25])
    scales = 0.02 + torch.rand(4, 3, 1, generator=generator) * 0.2
    fresh = torch.Generator().manual_seed(17)
    fresh_params = MixtureParams(
        torch.log_softmax(torch.randn(6, 2, generator=fresh), dim=1),
        torch.randn(6, 2, 1, generator=fresh),
        0.3 + torch.rand(6, 2, 1, generator=fresh),
    )
    return [(MixtureParams(log_weights, means, scales), [0.125, 0.0, -0.1]), (fresh_params, [0.4, -0.7])]


def _prob_above(params: MixtureParams, threshold: float) -> torch.Tensor:
    params = MixtureParams(*(t.double() for t in params))
    z = (threshold - params.means[..., 0]) / params.scales[..., 0]
    return (params.log_weights.exp() * torch.special.ndtr(-z)).sum(dim=1)


def check_prob_above(prob_above) -> CheckResult:
    """Exercise 2: ``prob_above(params, threshold)`` -> (N,) P(y > threshold) under each 1-D mixture."""

    def test(problems: list[str]) -> None:
        if not expect_function(prob_above, "prob_above", problems):
            return
        passed_before = False
        for params, thresholds in _test_mixtures():
            n = params.log_weights.shape[0]
            for threshold in thresholds:
                expected = _prob_above(params, threshold)
                call = call_student(
                    prob_above,
                    {"params": params, "threshold": threshold},
                    name="prob_above",
                    stub_message=STUB.format("prob_above"),
                )
                answer = call.result
                if isinstance(answer, torch.Tensor) and answer.numel() == n:
                    answer = answer.reshape(-1)
                answer = as_tensor(answer, (n,), f"{call.text} (one probability per mixture)", problems, returned=True)
                if answer is None:
                    return
                if tensors_close(answer, expected, atol=PROB_TOL, rtol=0):
                    passed_before = True
                    continue
                hint = (
                    " Each component contributes π_k · P(N(μ_k, σ_k²) > threshold)"
                    " = π_k · (1 - Φ((threshold - μ_k) / σ_k)); torch.special.ndtr is Φ."
                )
                if bool(((answer < -PROB_TOL) | (answer > 1 + PROB_TOL)).any()):
                    hint = " A probability must lie between 0 and 1." + hint
                if passed_before:
                    hint += " It was right on other mixtures: use the argument params, not notebook variables."
                problems.append(
                    f"{call.text}: {show_difference(answer, expected, PROB_TOL)}, expected within {PROB_TOL:g}.{hint}"
                )
                return

    return run_check("Exercise 2 (probability of going up next)", test)
