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
    CaseCalls,
    CheckResult,
    Refused,
    as_float,
    call_student,
    expect_function,
    expect_shape,
    run_check,
    show_pair,
    tensors_close,
)

SAFE_MIN_SCALE = 1e-3
"""The σ floor the safe NLL of exercise 3 must use: σ = softplus(raw) + SAFE_MIN_SCALE."""

TEMPERED_TOL = 1e-4
"""Absolute and relative, on each log-weight. The nearest slip, π^T instead of π^(1/T), differs by 20 or more
at T = 0.25, 0.5, 2 and 3 (at T = 1 the two agree, and so are right alike); the others (weights for log-weights,
no renormalisation) by 0.1 or more. float32 log_softmax is exact to about 1e-6."""

FRACTION_TOL = 1e-6
"""Absolute. The nearest slip, leaving out the values exactly on the interval's ends, changes the share by one
value in N = 7, 0.14; one value in N = 400 is 0.0025. Any correct count divided by N is exact to 1e-7."""

NLL_TOL = 1e-4
"""Absolute and relative. The nearest slips with a finite result, no floor or a floor of 1e-4 instead of 1e-3,
move the NLL by 1.0e-3 or more on every case (0.015 on the ordinary one); the sum instead of the mean
multiplies it by N. float32 rounding is about 1e-6."""

STUB = "not attempted yet: {} still returns nothing; fill in its body."


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
        cases = _tempered_cases()
        expected_values = [torch.log_softmax(log_weights.double() / t, dim=1) for log_weights, t in cases]
        calls = CaseCalls(
            tempered_log_weights,
            [{"log_weights": log_weights, "temperature": t} for log_weights, t in cases],
            name="tempered_log_weights",
            stub_message=STUB.format("tempered_log_weights"),
        )
        for index, ((log_weights, temperature), expected) in enumerate(zip(cases, expected_values, strict=True)):
            answer = calls[index].result
            shape = tuple(log_weights.shape)
            if not expect_shape(answer, shape, f"the result at T = {temperature}", problems, returned=True):
                return
            answer = answer.detach().double()
            if tensors_close(answer, expected, atol=TEMPERED_TOL, rtol=TEMPERED_TOL):
                continue
            where = f"at T = {temperature}"
            if not bool(torch.isfinite(answer).all()):
                problems.append(
                    f"{where} some results are -inf or NaN. A weight of e^-300 is 0 after exp(), and log(0) = -inf: "
                    "stay in log space, where π^(1/T) is log_weights / T, and renormalise with torch.log_softmax."
                )
            elif tensors_close(answer, expected.exp(), atol=TEMPERED_TOL, rtol=TEMPERED_TOL):
                problems.append(f"{where} you returned the weights themselves; return their logarithms.")
            elif tensors_close(answer, log_weights.double() / temperature, atol=TEMPERED_TOL, rtol=TEMPERED_TOL):
                problems.append(
                    f"{where} the weights do not sum to 1: dividing by T is only half of it; renormalise "
                    "(torch.log_softmax does both)."
                )
            elif tensors_close(
                answer,
                torch.log_softmax(log_weights.double() * temperature, dim=1),
                atol=TEMPERED_TOL,
                rtol=TEMPERED_TOL,
            ):
                problems.append(f"{where} you raised π to the power T; the tempered weights are π^(1/T).")
            elif calls.same_elsewhere(index):
                problems.append(
                    f"{where} you returned the same log-weights as for another case: compute them from the "
                    "arguments log_weights and temperature."
                )
            else:
                worst = float((answer - expected).abs().max())
                problems.append(
                    f"{where} your log-weights differ from log_softmax(log_weights / T) by up to {worst:.3g} "
                    f"(within {TEMPERED_TOL:g} is right)."
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
        cases = _pit_cases()
        # Expected values come first, from the checker's own copies; then the student's function on copies.
        expected_values = [float(((u >= (1 - lv) / 2) & (u <= (1 + lv) / 2)).double().mean()) for u, lv in cases]
        calls = CaseCalls(
            fraction_inside,
            [{"u": u, "level": level} for u, level in cases],
            name="fraction_inside",
            stub_message=STUB.format("fraction_inside"),
        )
        for index, (u, level) in enumerate(cases):
            low, high = (1 - level) / 2, (1 + level) / 2
            expected = expected_values[index]
            count = float(((u >= low) & (u <= high)).sum())
            one_sided = float((u <= level).double().mean())
            strict = float(((u > low) & (u < high)).double().mean())
            value = as_float(calls[index].result, f"fraction_inside(u, {level})", problems)
            if value is None:
                return
            if math.isclose(value, expected, abs_tol=FRACTION_TOL):
                continue
            where = f"for level {level} (N = {len(u)})"
            if math.isclose(value, count, abs_tol=FRACTION_TOL):
                problems.append(f"{where} you returned the count {value:.0f}; divide by N for a fraction.")
            elif math.isclose(value, 1 - expected, abs_tol=FRACTION_TOL):
                problems.append(f"{where} you returned the share OUTSIDE the interval; the inside share is 1 minus it.")
            elif math.isclose(value, one_sided, abs_tol=FRACTION_TOL):
                problems.append(
                    f"{where} you counted u ≤ level, a one-sided interval; the central interval runs from "
                    "(1 - level)/2 to (1 + level)/2."
                )
            elif math.isclose(value, strict, abs_tol=FRACTION_TOL):
                problems.append(
                    f"{where} values exactly on the interval's ends should count as inside (use >= and <=)."
                )
            elif calls.same_elsewhere(index):
                problems.append(
                    f"{where} you returned {value:.6g}, the same share as for another case; expected "
                    f"{expected:.6g}. Compute it from the arguments u and level."
                )
            else:
                problems.append(f"{where} the share is {value:.6g}; expected {expected:.6g} (within {FRACTION_TOL:g}).")
            return

    return run_check("coverage from PIT values", test)


def _nll_cases() -> list[tuple[str, tuple[torch.Tensor, ...]]]:
    """(label, (logits (N, K), means (N, K, 1), raw_scales (N, K, 1), y (N, 1))): one extreme at a time, so
    that a failure points at its cause, then ordinary outputs."""
    g = torch.Generator().manual_seed(525)
    n, k = 8, 3
    ordinary = (
        torch.randn(n, k, generator=g),
        3 * torch.randn(n, k, 1, generator=g),
        torch.randn(n, k, 1, generator=g),
        3 * torch.randn(n, 1, generator=g),
    )
    means = torch.tensor([[[0.0], [20.0], [1.0]], [[0.0], [3.0], [-4.0]]])
    y = torch.tensor([[0.0], [3.0]])
    plain_logits = torch.tensor([[0.5, -0.3, 0.0], [0.2, 0.1, -0.4]])
    plain_raw = torch.tensor([[[0.3], [-0.5], [0.8]], [[0.5], [0.0], [-1.0]]])
    # Extremes a network can produce after a bad step: a raw scale of +100 (exp overflows to inf), one of -200
    # (exp and softplus give σ = 0) and a logit gap of 200 (softmax gives a weight of exactly 0).
    large_raw = torch.tensor([[[0.3], [-0.5], [100.0]], [[0.5], [100.0], [-1.0]]])
    small_raw = torch.tensor([[[-200.0], [-0.5], [0.8]], [[0.5], [-200.0], [-1.0]]])
    far_logits = torch.tensor([[0.0, 200.0, 0.0], [-200.0, 0.0, 5.0]])
    return [
        ("raw scales of +100", (plain_logits, means, large_raw, y)),
        ("raw scales of -200", (plain_logits, means, small_raw, y)),
        ("logits 200 apart", (far_logits, means, plain_raw, y)),
        ("ordinary outputs", ordinary),
    ]


def _reference_nll(logits, means, raw_scales, y) -> float:
    scales = torch.nn.functional.softplus(raw_scales.double()) + SAFE_MIN_SCALE
    return float(
        -mixture_log_prob(torch.log_softmax(logits.double(), dim=1), means.double(), scales, y.double()).mean()
    )


def _nll_slips(logits, means, raw_scales, y) -> dict[str, float]:
    """The NLL each usual slip gives on these outputs, keyed by the sentence that names it."""
    logits, means, raw_scales, y = (t.double() for t in (logits, means, raw_scales, y))
    log_weights = torch.log_softmax(logits, dim=1)
    softplus = torch.nn.functional.softplus(raw_scales)

    def nll(log_weights, scales) -> float:
        return float(-mixture_log_prob(log_weights, means, scales, y).mean())

    right = nll(log_weights, softplus + SAFE_MIN_SCALE)
    return {
        "That is the sum over the samples: average over the N samples instead.": len(y) * right,
        "σ has no floor: use softplus(raw) + 1e-3, so that σ never reaches 0.": nll(log_weights, softplus),
        "σ = exp(raw) + 1e-3 overflows for large raw outputs: use softplus(raw) + 1e-3.": nll(
            log_weights, raw_scales.exp() + SAFE_MIN_SCALE
        ),
        "the sign is flipped: the NLL is minus the mean log-likelihood.": -right,
    }


SUSPECTS = (
    "Check the three usual suspects: torch.log_softmax(logits) instead of log(softmax), softplus(raw) + 1e-3 "
    "instead of exp(raw), and logsumexp over components (ml.losses.mixture_log_prob does that part for you)."
)


def _cause(label: str) -> str:
    """The usual cause of a NaN or inf on the case ``label``, in words."""
    if label == "raw scales of +100":
        return "exp(100) overflows float32 to inf, so σ = inf: use softplus(raw) + 1e-3, which grows linearly."
    if label == "raw scales of -200":
        return "softplus(-200) and exp(-200) are 0 in float32, so σ = 0 and log σ = -inf: add the floor, + 1e-3."
    if label == "logits 200 apart":
        return (
            "softmax gives a weight of exactly 0 there, and log(0) = -inf with derivative 1/0: use "
            "torch.log_softmax(logits, dim=1)."
        )
    return ""


def check_safe_mixture_nll(safe_mixture_nll) -> CheckResult:
    """Exercise 3: ``safe_mixture_nll(logits, means, raw_scales, y)`` is the mean NLL with weights
    log_softmax(logits) and σ = softplus(raw_scales) + 1e-3; its value and gradients must stay finite for
    any raw outputs. Shapes: logits (N, K), means and raw_scales (N, K, 1), y (N, 1)."""

    def test(problems: list[str]) -> None:
        if not expect_function(safe_mixture_nll, "safe_mixture_nll", problems):
            return
        for label, case in _nll_cases():
            expected = _reference_nll(*case)
            arguments = dict(zip(("logits", "means", "raw_scales", "y"), case, strict=True))
            arguments["logits"] = arguments["logits"].clone().requires_grad_()
            arguments["raw_scales"] = arguments["raw_scales"].clone().requires_grad_()
            call = call_student(
                safe_mixture_nll, arguments, name="safe_mixture_nll", stub_message=STUB.format("safe_mixture_nll")
            )
            answer = call.result
            if not isinstance(answer, torch.Tensor) or answer.numel() != 1 or not answer.is_floating_point():
                shown = (
                    f"shape {tuple(answer.shape)}, dtype {answer.dtype}"
                    if isinstance(answer, torch.Tensor)
                    else type(answer).__name__
                )
                problems.append(f"safe_mixture_nll should return a one-number tensor (the mean NLL), got {shown}")
                return
            value = float(answer.detach().double().reshape(-1)[0])
            if not math.isfinite(value):
                problems.append(f"on {label} the NLL is {value}. {_cause(label)} {SUSPECTS}")
                return
            inputs = {name: call.inputs[name] for name in ("logits", "raw_scales")}
            if any(tensor.grad is not None for tensor in inputs.values()):
                raise Refused(
                    "safe_mixture_nll calls .backward() itself: a loss function should only return the loss; the "
                    "training step calls .backward() on it (twice would raise, or add the gradients up)."
                )
            if not answer.requires_grad:
                problems.append(
                    "the result is not connected to the inputs (no gradient); compute it with torch operations, "
                    "without .detach(), .item() or torch.tensor(...) on the way."
                )
                return
            try:
                grads = torch.autograd.grad(answer.reshape(()), list(inputs.values()), allow_unused=True)
            except RuntimeError as error:
                problems.append(f"computing the gradient of your result raised RuntimeError: {error}")
                return
            for (name, _), grad in zip(inputs.items(), grads, strict=True):
                if grad is None:
                    problems.append(
                        f"the NLL does not depend on {name} through autograd (no gradient reaches it): "
                        f"compute with {name} itself, not {name}.detach() or a copy made with torch.tensor(...)."
                    )
                    return
                if not bool(torch.isfinite(grad).all()):
                    cause = _cause(label) or (
                        "The usual cause is log(softmax(...)) for the logits, or exp(raw) for the scales."
                    )
                    problems.append(
                        f"on {label} the NLL is finite but its gradient is NaN or inf (with respect to {name}), so "
                        f"the next training step would fill the network with NaN. {cause} {SUSPECTS}"
                    )
                    return
            if not math.isclose(value, expected, rel_tol=NLL_TOL, abs_tol=NLL_TOL):
                shown, wanted = show_pair(value, expected, NLL_TOL)
                slip = next(
                    (
                        text
                        for text, result in _nll_slips(*case).items()
                        if math.isclose(value, result, rel_tol=NLL_TOL, abs_tol=NLL_TOL)
                    ),
                    f"Use weights log_softmax(logits) and σ = softplus(raw_scales) + {SAFE_MIN_SCALE:g}, "
                    "and average over the N samples.",
                )
                problems.append(f"on {label} your NLL is {shown}, expected {wanted} (within {NLL_TOL:g}). {slip}")
                return

    return run_check("a mixture NLL that cannot become NaN", test)
