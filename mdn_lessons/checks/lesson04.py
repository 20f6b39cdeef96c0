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
    CheckResult,
    NotAttempted,
    as_float,
    expect_function,
    expect_shape,
    is_stub,
    run_check,
    tensors_close,
)

MIN_SCALE = 1e-3
"""The σ floor the lesson's heads add after softplus."""

GRADIENT_CASES = ((10.0, 0.0, 1.0), (0.5, 0.0, 1.0), (3.0, 1.0, 0.5), (2.0, 2.0, 3.0), (-4.0, 2.0, 4.0))
"""(y, mu, sigma) points where the student's gradient is compared with 1 - z²."""


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


def check_mixture_from_heads(mixture_from_heads) -> CheckResult:
    """Exercise 1: ``mixture_from_heads(logits, mean_outputs, scale_outputs)``, each (N, K), returns
    ``(log_weights (N, K), means (N, K, 1), scales (N, K, 1))``: log_softmax of the logits, the mean outputs,
    and softplus of the scale outputs plus 1e-3."""

    def test(problems: list[str]) -> None:
        if not expect_function(mixture_from_heads, "mixture_from_heads", problems):
            return
        logits, means, raw_scales = _head_outputs()
        answer = mixture_from_heads(logits.clone(), means.clone(), raw_scales.clone())
        if is_stub(answer):
            raise NotAttempted("not attempted yet: mixture_from_heads still returns nothing; fill in its body.")
        if not isinstance(answer, (tuple, list)) or len(answer) != 3:
            problems.append("return three tensors, (log_weights, means, scales), e.g. as ml.MixtureParams(...).")
            return
        log_weights, answer_means, scales = answer
        n, k = logits.shape
        for name, tensor in (("means", answer_means), ("scales", scales)):
            if isinstance(tensor, torch.Tensor) and tuple(tensor.shape) == (n, k):
                problems.append(
                    f"{name} has shape (N, K) = {(n, k)}; a mixture wants (N, K, D) with D = 1 here: "
                    "add the last dimension with .unsqueeze(-1)."
                )
                return
        shapes_ok = [
            expect_shape(log_weights, (n, k), "log_weights", problems),
            expect_shape(answer_means, (n, k, 1), "means", problems),
            expect_shape(scales, (n, k, 1), "scales", problems),
        ]
        if not all(shapes_ok):
            return
        log_weights, answer_means, scales = (t.detach().float() for t in (log_weights, answer_means, scales))

        expected_log_weights = torch.log_softmax(logits, dim=1)
        if not tensors_close(log_weights, expected_log_weights, atol=1e-4, rtol=1e-4):
            if tensors_close(log_weights, expected_log_weights.exp(), atol=1e-4, rtol=1e-4):
                problems.append("log_weights holds the weights π themselves; return their logarithm (log_softmax).")
            elif not bool(torch.isfinite(log_weights).all()):
                problems.append(
                    "log_weights has -inf or NaN where one logit is far below the largest: log(softmax(...)) "
                    "underflows to log(0). Use torch.log_softmax(logits, dim=1), which never does."
                )
            else:
                problems.append("log_weights should be torch.log_softmax(logits, dim=1): its exp sums to 1 per row.")

        if not tensors_close(answer_means, means.unsqueeze(-1), atol=1e-4, rtol=1e-4):
            problems.append("means should be the mean head's outputs unchanged (any real number is a valid mean).")

        expected_scales = (F.softplus(raw_scales) + MIN_SCALE).unsqueeze(-1)
        if not tensors_close(scales, expected_scales, atol=1e-4, rtol=1e-4):
            if not bool(torch.isfinite(scales).all()):
                problems.append(
                    "some scales are inf or NaN: exp(100) overflows float32. Use F.softplus, which grows "
                    "linearly instead of exponentially."
                )
            elif bool((scales <= 0).any()) or tensors_close(
                scales, F.softplus(raw_scales).unsqueeze(-1), atol=1e-4, rtol=1e-4
            ):
                problems.append(
                    "without a floor, softplus(-200) is 0 and log σ is -inf: add the small floor, "
                    f"F.softplus(scale_outputs) + {MIN_SCALE:g}."
                )
            else:
                problems.append(f"scales should be F.softplus(scale_outputs) + {MIN_SCALE:g}, with shape (N, K, 1).")

    return run_check("the three heads", test)


def check_log_sigma_gradient(nll_gradient_wrt_log_sigma) -> CheckResult:
    """Exercise 2: ``nll_gradient_wrt_log_sigma(y, mu, sigma)`` returns d/d(log σ) of -log N(y; μ, σ²), a float.

    The exact value is 1 - z² with z = (y - μ) / σ.
    """

    def test(problems: list[str]) -> None:
        if not expect_function(nll_gradient_wrt_log_sigma, "nll_gradient_wrt_log_sigma", problems):
            return
        for y, mu, sigma in GRADIENT_CASES:
            answer = nll_gradient_wrt_log_sigma(y, mu, sigma)
            if is_stub(answer):
                raise NotAttempted(
                    "not attempted yet: nll_gradient_wrt_log_sigma still returns nothing; fill in its body."
                )
            where = f"nll_gradient_wrt_log_sigma(y={y:g}, mu={mu:g}, sigma={sigma:g})"
            number = as_float(answer, where, problems)
            if number is None:
                return
            z = (y - mu) / sigma
            expected = 1 - z * z
            if math.isclose(number, expected, rel_tol=1e-3, abs_tol=1e-3):
                continue
            if math.isclose(number, -expected, rel_tol=1e-3, abs_tol=1e-3):
                problems.append(
                    f"{where} has the wrong sign: that is the gradient of the log-likelihood; the NLL is its negative."
                )
            elif math.isclose(number, expected / sigma, rel_tol=1e-3, abs_tol=1e-3):
                problems.append(
                    f"{where} is the derivative with respect to σ, (1 - z²)/σ. Make log σ the tensor with "
                    "requires_grad=True and build σ from it with .exp()."
                )
            else:
                problems.append(
                    f"{where} is {number:.4g}, expected {expected:.4g}: d/d(log σ) of log σ + z²/2 is 1 - z²."
                )
            return

    return run_check("gradient of the NLL with respect to log σ", test)
