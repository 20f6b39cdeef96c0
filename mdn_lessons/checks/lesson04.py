"""Checkers for lesson 04, the Mixture Density Network built by hand.

* :func:`check_mixture_from_heads` — the three heads' raw outputs turned into a valid mixture: log_softmax for
  the weights, the means as they are, softplus plus a floor for the scales.
* :func:`check_log_sigma_gradient` — why σ widens and then tightens: d NLL / d log σ = 1 - z², by autograd.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ._core import (
    CaseCalls,
    CheckResult,
    as_float,
    call_student,
    expect_function,
    expect_shape,
    run_check,
    show_pair,
    tensors_close,
)

MIN_SCALE = 1e-3
"""The σ floor the lesson's heads add after softplus."""

HEADS_TOL = 1e-4
"""Absolute and relative, on every output. The nearest slip is a floor other than 1e-3 (none at all, or 1e-4):
at a raw scale of -200 it changes σ by 9e-4 or more; a tenth of the missing floor is 1e-4, and float32 rounding
of log_softmax and softplus is about 1e-6."""

GRADIENT_TOL = 1e-3
"""Absolute and relative. The nearest slip on the cases, d/dσ instead of d/d(log σ), differs by 0.5 or more
(for σ = 0.5, 3 and 4), the flipped sign by 2|1 - z²| ≥ 1.5; float32 autograd is exact to about 1e-6."""

GRADIENT_CASES = ((10.0, 0.0, 1.0), (0.5, 0.0, 1.0), (3.0, 1.0, 0.5), (2.0, 2.0, 3.0), (-4.0, 2.0, 4.0))
"""(y, mu, sigma) points where the student's gradient is compared with 1 - z²: the lesson's own two (10 σ and
0.5 σ from the mean) first, then fresh ones."""

STUB = "not attempted yet: {} still returns nothing; fill in its body."


def _head_outputs() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Raw outputs of three heads for N = 5 inputs and K = 4 components, with extremes in the last rows.

    Row 3 has logits 400 apart (log of softmax underflows to -inf there) and raw scales of -200 and 100
    (softplus alone gives σ = 0 for the first; exp overflows float32 for the second).
    """
    generator = torch.Generator().manual_seed(404)
    logits = 2 * torch.randn(5, 4, generator=generator)
    means = 3 * torch.randn(5, 4, generator=generator)
    raw_scales = torch.randn(5, 4, generator=generator)
    logits[3] = torch.tensor([0.0, 200.0, -200.0, 50.0])
    raw_scales[3] = torch.tensor([-200.0, 100.0, 0.0, 5.0])
    return logits, means, raw_scales


def _fresh_head_outputs() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Ordinary raw outputs for N = 7 inputs and K = 2 components: another shape, so nothing is hard-wired."""
    generator = torch.Generator().manual_seed(414)
    return tuple(scale * torch.randn(7, 2, generator=generator) for scale in (1.5, 2.0, 1.0))


def _scale_problem(scales: torch.Tensor, raw_scales: torch.Tensor) -> str:
    """Name the slip in the scales (N, K, 1), given the raw outputs (N, K)."""
    softplus = F.softplus(raw_scales.double()).unsqueeze(-1)
    if not bool(torch.isfinite(scales).all()):
        return (
            "some scales are inf or NaN: exp(100) overflows float32. Use F.softplus, which grows "
            "linearly instead of exponentially."
        )
    floor = scales - softplus
    if tensors_close(floor, floor.flatten()[:1].expand_as(floor).clone(), atol=HEADS_TOL, rtol=0):
        used = float(floor.flatten()[0])
        if abs(used) <= HEADS_TOL:
            return (
                "the scales have no floor: softplus(-200) is 0 and log σ is -inf. Add the small floor, "
                f"F.softplus(scale_outputs) + {MIN_SCALE:g}."
            )
        return f"the scales use a floor of {used:.4g}; they should be F.softplus(scale_outputs) + {MIN_SCALE:g}."
    if bool((scales <= 0).any()):
        return (
            "some scales are 0 or negative; a standard deviation must be positive: "
            f"F.softplus(scale_outputs) + {MIN_SCALE:g}."
        )
    return f"scales should be F.softplus(scale_outputs) + {MIN_SCALE:g}, with shape (N, K, 1)."


def _heads_problems(answer, logits, means, raw_scales) -> list[str]:
    """Everything wrong with one answer of mixture_from_heads on these raw outputs."""
    if isinstance(answer, dict) or not isinstance(answer, (tuple, list)) or len(answer) != 3:
        return ["return three tensors, (log_weights, means, scales), e.g. as ml.MixtureParams(...)."]
    log_weights, answer_means, scales = answer
    n, k = logits.shape
    for name, tensor in (("means", answer_means), ("scales", scales)):
        if isinstance(tensor, torch.Tensor) and tuple(tensor.shape) == (n, k):
            return [
                f"{name} has shape (N, K) = {(n, k)}; a mixture wants (N, K, D) with D = 1 here: "
                "add the last dimension with .unsqueeze(-1)."
            ]
    shape_problems: list[str] = []
    shapes_ok = [
        expect_shape(log_weights, (n, k), "log_weights", shape_problems, returned=True),
        expect_shape(answer_means, (n, k, 1), "means", shape_problems, returned=True),
        expect_shape(scales, (n, k, 1), "scales", shape_problems, returned=True),
    ]
    if not all(shapes_ok):
        return shape_problems
    log_weights, answer_means, scales = (t.detach().double() for t in (log_weights, answer_means, scales))
    problems = []
    expected_log_weights = torch.log_softmax(logits.double(), dim=1)
    if not tensors_close(log_weights, expected_log_weights, atol=HEADS_TOL, rtol=HEADS_TOL):
        if tensors_close(log_weights, expected_log_weights.exp(), atol=HEADS_TOL, rtol=HEADS_TOL):
            problems.append("log_weights holds the weights π themselves; return their logarithm (log_softmax).")
        elif not bool(torch.isfinite(log_weights).all()):
            problems.append(
                "log_weights has -inf or NaN where one logit is far below the largest: log(softmax(...)) "
                "underflows to log(0). Use torch.log_softmax(logits, dim=1), which never does."
            )
        elif tensors_close(log_weights, torch.log_softmax(logits.double(), dim=0), atol=HEADS_TOL, rtol=HEADS_TOL):
            problems.append(
                "log_weights is normalised over the N inputs (dim=0); normalise over the K components, dim=1."
            )
        else:
            problems.append("log_weights should be torch.log_softmax(logits, dim=1): its exp sums to 1 per row.")
    if not tensors_close(answer_means, means.double().unsqueeze(-1), atol=HEADS_TOL, rtol=HEADS_TOL):
        problems.append("means should be the mean head's outputs unchanged (any real number is a valid mean).")
    expected_scales = (F.softplus(raw_scales.double()) + MIN_SCALE).unsqueeze(-1)
    if not tensors_close(scales, expected_scales, atol=HEADS_TOL, rtol=HEADS_TOL):
        problems.append(_scale_problem(scales, raw_scales))
    return problems


def check_mixture_from_heads(mixture_from_heads) -> CheckResult:
    """Exercise 1: ``mixture_from_heads(logits, mean_outputs, scale_outputs)``, each (N, K), returns
    ``(log_weights (N, K), means (N, K, 1), scales (N, K, 1))``: log_softmax of the logits, the mean outputs,
    and softplus of the scale outputs plus 1e-3. Tried on extreme outputs, then on ordinary ones of another
    shape."""

    def test(problems: list[str]) -> None:
        if not expect_function(mixture_from_heads, "mixture_from_heads", problems):
            return
        for label, (logits, means, raw_scales) in (
            ("", _head_outputs()),
            ("on fresh outputs (N = 7, K = 2): ", _fresh_head_outputs()),
        ):
            call = call_student(
                mixture_from_heads,
                {"logits": logits, "mean_outputs": means, "scale_outputs": raw_scales},
                name="mixture_from_heads",
                stub_message=STUB.format("mixture_from_heads"),
            )
            found = _heads_problems(call.result, logits, means, raw_scales)
            if found:
                problems.extend(label + problem for problem in found)
                return

    return run_check("the three heads", test)


def check_log_sigma_gradient(nll_gradient_wrt_log_sigma) -> CheckResult:
    """Exercise 2: ``nll_gradient_wrt_log_sigma(y, mu, sigma)`` returns d/d(log σ) of -log N(y; μ, σ²), a float.

    The exact value is 1 - z² with z = (y - μ) / σ.
    """

    def test(problems: list[str]) -> None:
        if not expect_function(nll_gradient_wrt_log_sigma, "nll_gradient_wrt_log_sigma", problems):
            return
        calls = CaseCalls(
            nll_gradient_wrt_log_sigma,
            [{"y": y, "mu": mu, "sigma": sigma} for y, mu, sigma in GRADIENT_CASES],
            name="nll_gradient_wrt_log_sigma",
            stub_message=STUB.format("nll_gradient_wrt_log_sigma"),
            none_hint="If you returned log_sigma.grad: it stays None until you call .backward() on the NLL.",
            raise_hints={
                "'NoneType' object has no attribute": "log_sigma.grad is None until you call .backward() "
                "on the NLL, so call it before reading the gradient.",
                "does not require grad": "make log σ a tensor with requires_grad=True and build σ from it "
                "with .exp(), so that the NLL depends on it.",
            },
        )
        for index, (y, mu, sigma) in enumerate(GRADIENT_CASES):
            z = (y - mu) / sigma
            expected = 1 - z * z
            call = calls[index]
            where = f"nll_gradient_wrt_log_sigma(y={y:g}, mu={mu:g}, sigma={sigma:g})"
            number = as_float(call.result, where, problems)
            if number is None:
                return
            if math.isclose(number, expected, rel_tol=GRADIENT_TOL, abs_tol=GRADIENT_TOL):
                continue
            shown, wanted = show_pair(number, expected, GRADIENT_TOL)
            if math.isclose(number, -expected, rel_tol=GRADIENT_TOL, abs_tol=GRADIENT_TOL):
                problems.append(
                    f"{where} has the wrong sign: that is the gradient of the log-likelihood; the NLL is its negative."
                )
            elif math.isclose(number, expected / sigma, rel_tol=GRADIENT_TOL, abs_tol=GRADIENT_TOL):
                problems.append(
                    f"{where} is the derivative with respect to σ, (1 - z²)/σ. Make log σ the tensor with "
                    "requires_grad=True and build σ from it with .exp()."
                )
            elif calls.same_elsewhere(index):
                problems.append(
                    f"{where} is {shown}, expected {wanted}: the same number as for another point. Compute it "
                    "from the arguments y, mu and sigma."
                )
            else:
                problems.append(
                    f"{where} is {shown}, expected {wanted} (within {GRADIENT_TOL:g}): d/d(log σ) of "
                    "log σ + z²/2 is 1 - z²."
                )
            return

    return run_check("gradient of the NLL with respect to log σ", test)
