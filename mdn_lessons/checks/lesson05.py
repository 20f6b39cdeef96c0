"""Checkers for lesson 05, using and judging an MDN.

* :func:`check_tempered_log_weights` — a temperature for the mixture weights, π_k^(1/T) renormalised,
  computed in log space so that tiny weights do not turn into log 0.
* :func:`check_fraction_inside` — coverage from PIT values: how often the truth lies in a central interval.
* :func:`check_safe_mixture_nll` — a mixture NLL from raw network outputs that cannot become NaN.
"""

from __future__ import annotations

import math

import torch

from ..mixture import mixture_log_prob
from ._core import (
    CheckResult,
    NotAttempted,
    as_float,
    expect_function,
    expect_shape,
    is_stub,
    run_check,
    tensors_close,
)

SAFE_MIN_SCALE = 1e-3
"""The σ floor the safe NLL of exercise 3 must use: σ = softplus(raw) + SAFE_MIN_SCALE."""


def _returned(value, name: str):
    if is_stub(value):
        raise NotAttempted(f"not attempted yet: {name} still returns nothing; fill in its body.")
    return value


def _tempered_cases() -> list[tuple[torch.Tensor, float]]:
    g = torch.Generator().manual_seed(505)
    ordinary = torch.log_softmax(2 * torch.randn(6, 4, generator=g), dim=1)
    # One weight of e^-300: fine as a log-weight, but exp() turns it into exactly 0 in float32.
    extreme = torch.log_softmax(torch.tensor([[0.0, -300.0, -1.0], [-300.0, 0.0, -300.0]]), dim=1)
    return [(ordinary, 0.25), (ordinary, 1.0), (ordinary, 3.0), (extreme, 0.5), (extreme, 2.0)]


def check_tempered_log_weights(tempered_log_weights) -> CheckResult:
    """Exercise 1: ``tempered_log_weights(log_weights, temperature)`` maps (N, K) log-weights to the (N, K)
    log-weights of π_k^(1/T) / Σ_j π_j^(1/T)."""

    def test(problems: list[str]) -> None:
        if not expect_function(tempered_log_weights, "tempered_log_weights", problems):
            return
        for log_weights, temperature in _tempered_cases():
            answer = _returned(tempered_log_weights(log_weights.clone(), temperature), "tempered_log_weights")
            if not expect_shape(answer, tuple(log_weights.shape), f"the result at T = {temperature}", problems):
                return
            expected = torch.log_softmax(log_weights / temperature, dim=1)
            if tensors_close(answer, expected, atol=1e-4, rtol=1e-4):
                continue
            answer = answer.detach().float()
            where = f"at T = {temperature}"
            if not bool(torch.isfinite(answer).all()):
                problems.append(
                    f"{where} some results are -inf or NaN. A weight of e^-300 is 0 after exp(), and log(0) = -inf: "
                    "stay in log space, where π^(1/T) is log_weights / T, and renormalise with torch.log_softmax."
                )
            elif tensors_close(answer, expected.exp(), atol=1e-4, rtol=1e-4):
                problems.append(f"{where} you returned the weights themselves; return their logarithms.")
            elif tensors_close(answer, log_weights / temperature, atol=1e-4, rtol=1e-4):
                problems.append(
                    f"{where} the weights do not sum to 1: dividing by T is only half of it; renormalise "
                    "(torch.log_softmax does both)."
                )
            elif tensors_close(answer, torch.log_softmax(log_weights * temperature, dim=1), atol=1e-4, rtol=1e-4):
                problems.append(f"{where} you raised π to the power T; the tempered weights are π^(1/T).")
            else:
                worst = float((answer - expected).abs().max())
                problems.append(
                    f"{where} your log-weights differ from log_softmax(log_weights / T) by up to {worst:.3g}."
                )
            return

    return run_check("tempered mixture weights", test)


def _pit_cases() -> list[tuple[torch.Tensor, float]]:
    g = torch.Generator().manual_seed(515)
    uniform = torch.rand(400, generator=g)
    skewed = torch.rand(300, generator=g) ** 2
    edges = torch.tensor([0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0])
    return [(uniform, 0.5), (uniform, 0.9), (skewed, 0.5), (skewed, 0.8), (edges, 0.5), (edges, 0.9)]


def check_fraction_inside(fraction_inside) -> CheckResult:
    """Exercise 2: ``fraction_inside(u, level)`` is the share of PIT values u (N,) inside the central
    interval [(1 - level)/2, (1 + level)/2], a number in [0, 1] (endpoints count as inside)."""

    def test(problems: list[str]) -> None:
        if not expect_function(fraction_inside, "fraction_inside", problems):
            return
        for u, level in _pit_cases():
            answer = _returned(fraction_inside(u.clone(), level), "fraction_inside")
            value = as_float(answer, f"fraction_inside(u, {level})", problems)
            if value is None:
                return
            low, high = (1 - level) / 2, (1 + level) / 2
            expected = float(((u >= low) & (u <= high)).float().mean())
            if math.isclose(value, expected, abs_tol=1e-6):
                continue
            count = float(((u >= low) & (u <= high)).sum())
            where = f"for level {level} (N = {len(u)})"
            if math.isclose(value, count, abs_tol=1e-6):
                problems.append(f"{where} you returned the count {value:.0f}; divide by N for a fraction.")
            elif math.isclose(value, 1 - expected, abs_tol=1e-6):
                problems.append(f"{where} you returned the share OUTSIDE the interval; the inside share is 1 minus it.")
            elif math.isclose(value, float((u <= level).float().mean()), abs_tol=1e-6):
                problems.append(
                    f"{where} you counted u ≤ level, a one-sided interval; the central interval runs from "
                    "(1 - level)/2 to (1 + level)/2."
                )
            elif math.isclose(value, float(((u > low) & (u < high)).float().mean()), abs_tol=1e-6):
                problems.append(
                    f"{where} values exactly on the interval's ends should count as inside (use >= and <=)."
                )
            else:
                problems.append(f"{where} the share is {value:.4g}; expected {expected:.4g}.")
            return

    return run_check("coverage from PIT values", test)


def _nll_cases() -> list[tuple[str, tuple[torch.Tensor, ...]]]:
    g = torch.Generator().manual_seed(525)
    n, k = 8, 3
    ordinary = (
        torch.randn(n, k, generator=g),
        3 * torch.randn(n, k, 1, generator=g),
        torch.randn(n, k, 1, generator=g),
        3 * torch.randn(n, 1, generator=g),
    )
    # Extremes a network can produce after a bad step: a logit gap of 200 (softmax gives exactly 0), a raw
    # scale of -200 (exp gives σ = 0) and one of +100 (exp overflows to inf).
    logits = torch.tensor([[0.0, 200.0, 0.0], [-200.0, 0.0, 5.0]])
    means = torch.tensor([[[0.0], [20.0], [1.0]], [[0.0], [3.0], [-4.0]]])
    raw = torch.tensor([[[-200.0], [0.0], [100.0]], [[0.5], [-200.0], [100.0]]])
    y = torch.tensor([[0.0], [3.0]])
    return [("extreme outputs", (logits, means, raw, y)), ("ordinary outputs", ordinary)]


def _reference_nll(logits, means, raw_scales, y) -> torch.Tensor:
    scales = torch.nn.functional.softplus(raw_scales) + SAFE_MIN_SCALE
    return -mixture_log_prob(torch.log_softmax(logits, dim=1), means, scales, y).mean()


def check_safe_mixture_nll(safe_mixture_nll) -> CheckResult:
    """Exercise 3: ``safe_mixture_nll(logits, means, raw_scales, y)`` is the mean NLL with weights
    log_softmax(logits) and σ = softplus(raw_scales) + 1e-3; its value and gradients must stay finite for
    any raw outputs. Shapes: logits (N, K), means and raw_scales (N, K, 1), y (N, 1)."""

    def test(problems: list[str]) -> None:
        if not expect_function(safe_mixture_nll, "safe_mixture_nll", problems):
            return
        for label, case in _nll_cases():
            inputs = [t.clone().requires_grad_(i in (0, 2)) for i, t in enumerate(case)]
            answer = _returned(safe_mixture_nll(*inputs), "safe_mixture_nll")
            if not isinstance(answer, torch.Tensor) or answer.numel() != 1:
                problems.append(
                    f"safe_mixture_nll should return a one-number tensor (the mean NLL), got {answer!r:.80}"
                )
                return
            expected = _reference_nll(*case)
            value = float(answer.detach())
            if not math.isfinite(value):
                problems.append(
                    f"on {label} the NLL is {value}. Check the three usual suspects: torch.log_softmax(logits) "
                    "instead of log(softmax), softplus(raw) + 1e-3 instead of exp(raw), and logsumexp over "
                    "components (ml.losses.mixture_log_prob does that part for you)."
                )
                return
            if not answer.requires_grad:
                problems.append(
                    "the result is not connected to the inputs (no gradient); compute it with torch operations."
                )
                return
            logits, _, raw_scales, _ = inputs
            answer.backward()
            grads = [t.grad for t in (logits, raw_scales)]
            if any(g is None or not bool(torch.isfinite(g).all()) for g in grads):
                problems.append(
                    f"on {label} the NLL is finite but its gradient is NaN or inf, so the next training step "
                    "would fill the network with NaN. The usual cause is log(softmax(...)): a weight of exactly "
                    "0 has log -inf and derivative 1/0. Use torch.log_softmax."
                )
                return
            if not math.isclose(value, float(expected), rel_tol=1e-4, abs_tol=1e-4):
                problems.append(
                    f"on {label} your NLL is {value:.5g}, expected {float(expected):.5g}. Use weights "
                    f"log_softmax(logits) and σ = softplus(raw_scales) + {SAFE_MIN_SCALE:g}, "
                    "and average over the N samples."
                )
                return

    return run_check("a mixture NLL that cannot become NaN", test)
