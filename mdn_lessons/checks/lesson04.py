"""Checkers for lesson 04, the Mixture Density Network the student builds.

* :func:`check_mixture_from_heads` — the net's raw outputs turned into a mixture: log-softmax for the
  log-weights, the means as they are, and a positive map for σ of the student's choosing (exp or softplus,
  with or without a small floor).
* :func:`check_mixture_nll` — the mean negative log-likelihood of y under the mixture, from weight logits,
  means and scales: log-softmax, Gaussian log-density, logsumexp over the K components, mean over the N samples.
* :func:`check_responsibilities` — γ_nk, the posterior of component k given y_n (EM's E-step), from which
  the NLL's gradients follow.

:func:`yours_or_packaged` hands the lesson's training loop the student's function once its check passes, and
the package's own version (with a printed line saying so) until then, so that the lesson always runs.
"""

from __future__ import annotations

import contextlib
import io
import math

import torch
import torch.nn.functional as F

from ..mixture import LOG_SQRT_2PI, MixtureParams
from ._core import (
    CheckResult,
    StudentCall,
    call_student,
    expect_function,
    expect_shape,
    run_check,
    show_difference,
    show_pair,
    tensors_close,
)

STUB = "not attempted yet: {} still returns nothing; fill in its body."

# ---------------------------------------------------------------------------------- the package's versions


def packaged_mixture_from_heads(logits, mean_outputs, scale_outputs):
    """The course's map (as in ``ml.MDN``): log_softmax, the means as they are, σ = softplus(c) + 0.001.

    logits, mean_outputs, scale_outputs: (N, K) -> MixtureParams(log_weights (N, K), means and scales (N, K, 1)).
    """
    scales = F.softplus(scale_outputs) + 1e-3
    return MixtureParams(torch.log_softmax(logits, dim=1), mean_outputs.unsqueeze(-1), scales.unsqueeze(-1))


def packaged_mixture_nll(logits, means, scales, y):
    """Mean NLL of y (N, 1) under weights log_softmax(logits (N, K)), means and scales (N, K, 1): a scalar tensor."""
    return -_log_likelihoods(logits, means, scales, y).mean()


def packaged_responsibilities(log_weights, means, scales, y):
    """γ (N, K): the posterior probability of each component given y (N, 1), computed in log space."""
    return torch.softmax(_joint_log_prob(log_weights, means, scales, y), dim=1)


def _joint_log_prob(logits, means, scales, y):
    """log π_nk + log N(y_n; μ_nk, σ_nk²), (N, K); the weights normalised with log_softmax."""
    log_density = (-0.5 * ((y.unsqueeze(1) - means) / scales) ** 2 - torch.log(scales) - LOG_SQRT_2PI).sum(-1)
    return torch.log_softmax(logits, dim=1) + log_density


def _log_likelihoods(logits, means, scales, y):
    """log p(y_n) for each sample, (N,)."""
    return torch.logsumexp(_joint_log_prob(logits, means, scales, y), dim=1)


PACKAGED = {
    "mixture_from_heads": packaged_mixture_from_heads,
    "mixture_nll": packaged_mixture_nll,
    "responsibilities": packaged_responsibilities,
}


def yours_or_packaged(name: str, function):
    """``function`` if its checker passes, else the package's version of ``name``, with a line saying which.

    name: ``"mixture_from_heads"``, ``"mixture_nll"`` or ``"responsibilities"``. The check runs quietly; the
    lesson never stops on an unfinished exercise.
    """
    if name not in PACKAGED:
        raise ValueError(f"name must be one of {sorted(PACKAGED)}, got {name!r}")
    check = {
        "mixture_from_heads": check_mixture_from_heads,
        "mixture_nll": check_mixture_nll,
        "responsibilities": check_responsibilities,
    }[name]
    with contextlib.redirect_stdout(io.StringIO()):
        passed = check(function).passed
    if passed:
        print(f"{name}: yours")
        return function
    print(f"{name}: the package's version (yours does not pass its check yet)")
    return PACKAGED[name]


# ------------------------------------------------------------------------------ exercise 1: the three heads

HEADS_TOL = 1e-4
"""Absolute and relative, on log-weights, means and on σ against the map the checker recognised. The nearest
slips differ far more: log(softmax) gives -inf, normalising over N instead of K changes log-weights by 0.1 or
more on these cases, a floor read wrongly shifts σ by the floor itself; float32 rounding is about 1e-6."""

MAX_FLOOR = 0.01
"""The largest smallest-σ allowed (in standard deviations of y, the heads' units). The inverted sine's steepest
branches are about 0.03 standard deviations of y wide: a floor must stay well below that."""

MIN_REACH = 10.0
"""σ at a raw output of +30 must reach at least this: a map bounded near 1 (a sigmoid) cannot widen."""

PROBE = torch.linspace(-30.0, 30.0, 25)
"""Raw scale outputs on which the student's σ map is measured (0 among them)."""

KNOWN_MAPS = {"softplus": F.softplus, "exp": torch.exp}


def _head_outputs() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Raw outputs of three heads for N = 5 inputs and K = 4 components, with extremes in row 3.

    Row 3 has logits up to 400 apart (log of softmax underflows to -inf there) and raw scales of ±30.
    """
    generator = torch.Generator().manual_seed(404)
    logits = 2 * torch.randn(5, 4, generator=generator)
    means = 3 * torch.randn(5, 4, generator=generator)
    raw_scales = torch.randn(5, 4, generator=generator)
    logits[3] = torch.tensor([0.0, 200.0, -200.0, 50.0])
    raw_scales[3] = torch.tensor([-30.0, 30.0, 0.0, 5.0])
    return logits, means, raw_scales


def _fresh_head_outputs() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Ordinary raw outputs for N = 7 inputs and K = 2 components: another shape, so nothing is hard-wired."""
    generator = torch.Generator().manual_seed(414)
    return tuple(scale * torch.randn(7, 2, generator=generator) for scale in (1.5, 2.0, 1.0))


def _probe_outputs() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """N = 25, K = 3: every row holds the same raw scale in its three columns, rows run over :data:`PROBE`."""
    generator = torch.Generator().manual_seed(424)
    logits = torch.randn(25, 3, generator=generator)
    means = torch.randn(25, 3, generator=generator)
    return logits, means, PROBE.unsqueeze(1).repeat(1, 3)


def recognise_scale_map(raw: torch.Tensor, scales: torch.Tensor) -> tuple[str, float] | None:
    """(name, floor) if scales = map(raw) + floor for softplus or exp, within :data:`HEADS_TOL`; else None.

    raw: raw outputs, any shape; scales: the σ computed from them, the same shape (float64 compared).
    """
    raw, scales = raw.double(), scales.double()
    for name, function in KNOWN_MAPS.items():
        mapped = function(raw)
        floor = float((scales - mapped).flatten()[torch.argmin(raw.flatten())])
        if tensors_close(scales, mapped + floor, atol=HEADS_TOL, rtol=HEADS_TOL):
            return name, max(floor, 0.0)
    return None


def describe_scale_map(recognised: tuple[str, float] | None) -> str:
    """'softplus(c) + 0.001', 'exp(c)', or 'a positive, increasing map of your own'."""
    if recognised is None:
        return "a positive, increasing map of your own"
    name, floor = recognised
    return f"{name}(c)" + (f" + {floor:.3g}" if floor > HEADS_TOL else "")


def _probe_problems(raw: torch.Tensor, scales: torch.Tensor) -> list[str]:
    """What is wrong with σ = map(raw) on the probe (raw (25, 3), the same value along each row)."""
    raw, scales = raw.double(), scales.detach().double()
    if not bool(torch.isfinite(scales).all()):
        return ["some scales are inf or NaN for raw outputs between -30 and 30; σ must be a finite positive number."]
    if tensors_close(scales, raw, atol=HEADS_TOL, rtol=HEADS_TOL):
        return [
            "scales are the raw outputs themselves, so some are negative: a standard deviation needs a positive "
            "map, such as exp or softplus (lesson 02)."
        ]
    if bool((scales <= 0).any()):
        c = float(raw.flatten()[torch.argmax((scales <= 0).double().flatten())])
        return [
            f"σ is 0 or negative at a raw output of {c:g}: a standard deviation needs a map that is positive "
            "for every raw value, such as exp or softplus (lesson 02)."
        ]
    if not tensors_close(scales, scales[:, :1].expand_as(scales), atol=HEADS_TOL, rtol=HEADS_TOL):
        return [
            "equal raw outputs give different σ: σ_k should depend only on its own raw output c_k "
            "(an elementwise map), not on the other components or inputs."
        ]
    column = scales[:, 0]
    if not bool((column[1:] >= column[:-1]).all()) or not float(column[-1]) > float(column[0]):
        return [
            "σ does not grow with the raw output (abs or a square?): with such a map two raw values give the same "
            "σ and the gradient's sign flips; use an increasing map such as exp or softplus."
        ]
    if float(column[0]) > MAX_FLOOR:
        return [
            f"the smallest σ your map gives (at a raw output of -30) is {float(column[0]):.3g}: a floor that large "
            f"keeps a component wider than the thin branches of the data; keep any floor at or below {MAX_FLOOR:g}."
        ]
    if float(column[-1]) < MIN_REACH:
        return [
            f"σ reaches only {float(column[-1]):.3g} at a raw output of +30: a bounded map (a sigmoid?) cannot let "
            "a component widen to cover the data; use exp or softplus."
        ]
    return []


def _heads_problems(answer, logits, means, raw_scales, scale_map) -> list[str]:
    """Everything wrong with one answer of mixture_from_heads; ``scale_map`` is the σ map recognised on the probe
    (None: the student's own map, judged only by its properties)."""
    if isinstance(answer, dict) or not isinstance(answer, (tuple, list)) or len(answer) != 3:
        return ["return three tensors, (log_weights, means, scales), e.g. as ml.MixtureParams(...)."]
    log_weights, answer_means, scales = answer
    n, k = logits.shape
    for name, tensor in (("means", answer_means), ("scales", scales)):
        if isinstance(tensor, torch.Tensor) and tuple(tensor.shape) == (n, k) and k != 1:
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
                "underflows to log(0). Use torch.log_softmax(logits, dim=1), which never does (lesson 02)."
            )
        elif tensors_close(log_weights, torch.log_softmax(logits.double(), dim=0), atol=HEADS_TOL, rtol=HEADS_TOL):
            problems.append(
                "log_weights is normalised over the N inputs (dim=0); normalise over the K components, dim=1."
            )
        else:
            difference = show_difference(log_weights, expected_log_weights, HEADS_TOL, HEADS_TOL)
            problems.append(f"log_weights should be the log-softmax of the logits over the K components: {difference}.")
    if not tensors_close(answer_means, means.double().unsqueeze(-1), atol=HEADS_TOL, rtol=HEADS_TOL):
        problems.append("means should be the mean head's outputs unchanged (any real number is a valid mean).")
    if scale_map is not None:
        name, floor = scale_map
        expected_scales = (KNOWN_MAPS[name](raw_scales.double()) + floor).unsqueeze(-1)
        if not tensors_close(scales, expected_scales, atol=HEADS_TOL, rtol=HEADS_TOL):
            problems.append(
                f"on the raw outputs -30 to 30 your σ is {describe_scale_map(scale_map)}, but here it is not: "
                f"{show_difference(scales, expected_scales, HEADS_TOL, HEADS_TOL)}. Apply the same elementwise map "
                "to every raw scale output."
            )
    elif not bool(torch.isfinite(scales).all()) or not bool((scales > 0).all()):
        problems.append("some scales are inf, NaN, 0 or negative; σ must be a finite positive number.")
    return problems


def _call_heads(mixture_from_heads, outputs) -> StudentCall:
    logits, means, raw_scales = outputs
    return call_student(
        mixture_from_heads,
        {"logits": logits, "mean_outputs": means, "scale_outputs": raw_scales},
        name="mixture_from_heads",
        stub_message=STUB.format("mixture_from_heads"),
        raise_hints={
            "must match the size": "logits, mean_outputs and scale_outputs are each (N, K); "
            "means and scales gain a last axis of size 1 (D = 1)."
        },
    )


def check_mixture_from_heads(mixture_from_heads) -> CheckResult:
    """Exercise 1: ``mixture_from_heads(logits, mean_outputs, scale_outputs)``, each (N, K), returns
    ``(log_weights (N, K), means (N, K, 1), scales (N, K, 1))``: the log-softmax of the logits over K, the mean
    outputs, and a positive, increasing, elementwise map of the scale outputs (exp or softplus, with a floor of
    at most 0.01 or none). The σ map is measured on raw outputs from -30 to 30, then checked on the lesson's
    outputs (logits 400 apart) and on fresh ones of another shape."""

    def test(problems: list[str]) -> None:
        if not expect_function(mixture_from_heads, "mixture_from_heads", problems):
            return
        probe = _probe_outputs()
        call = _call_heads(mixture_from_heads, probe)
        answer = call.result
        scales = answer[2] if isinstance(answer, (tuple, list)) and len(answer) == 3 else None
        if isinstance(scales, torch.Tensor) and tuple(scales.shape) == (25, 3, 1):
            found = _probe_problems(probe[2], scales[..., 0])
            if found:
                problems.extend(found)
                return
            scale_map = recognise_scale_map(probe[2], scales[..., 0].detach())
        else:
            scale_map = None
        found = _heads_problems(answer, *probe, scale_map)
        if found:
            problems.extend("on raw outputs -30 to 30 (N = 25, K = 3): " + problem for problem in found)
            return
        for label, outputs in (("", _head_outputs()), ("on fresh outputs (N = 7, K = 2): ", _fresh_head_outputs())):
            found = _heads_problems(_call_heads(mixture_from_heads, outputs).result, *outputs, scale_map)
            if found:
                problems.extend(label + problem for problem in found)
                return
        print(f"Your σ map: {describe_scale_map(scale_map)}.")

    return run_check("the map from the net's outputs to (π, μ, σ)", test)


# ------------------------------------------------------------------------------- exercise 2: the mixture NLL

NLL_TOL = 1e-3
"""Absolute, plus 1e-5 relative, on the mean NLL (tens of nats on the lesson's case). The nearest slip, a
missing ½ log 2π, shifts it by 0.919; a sum instead of a mean multiplies it by N ≥ 6; float32 rounding of
values near 100 is about 1e-5."""

NLL_RTOL = 1e-5


def _nll_case() -> tuple[torch.Tensor, ...]:
    """The lesson-like case: N = 6, K = 3, D = 1, with two rows where the usual slips show.

    Row 4: logits 400 apart and y on the least likely component (log of softmax gives -inf there, the other
    components lie 40 σ away). Row 5: y about 25 σ from every component (exp, sum, log underflows to log 0).
    """
    generator = torch.Generator().manual_seed(4040)
    logits = torch.randn(6, 3, generator=generator)
    means = 2 * torch.randn(6, 3, 1, generator=generator)
    scales = 0.5 + torch.rand(6, 3, 1, generator=generator)
    y = 2 * torch.randn(6, 1, generator=generator)
    logits[4] = torch.tensor([400.0, 0.0, 380.0])
    means[4, :, 0] = torch.tensor([40.0, 0.0, -40.0])
    scales[4, :, 0] = 1.0
    y[4] = 0.3
    means[5, :, 0] = torch.tensor([-1.0, 0.0, 1.0])
    scales[5, :, 0] = torch.tensor([0.8, 1.0, 1.2])
    y[5] = 30.0
    return logits, means, scales, y


def _fresh_nll_case() -> tuple[torch.Tensor, ...]:
    """Ordinary values, N = 9 and K = 2: another shape, so nothing is hard-wired."""
    generator = torch.Generator().manual_seed(4141)
    logits = torch.randn(9, 2, generator=generator)
    means = torch.randn(9, 2, 1, generator=generator)
    scales = 0.3 + torch.rand(9, 2, 1, generator=generator)
    y = torch.randn(9, 1, generator=generator)
    return logits, means, scales, y


def _nll_slips(logits, means, scales, y) -> list[tuple[float, str]]:
    """(value, sentence) for each usual slip, on one case (float64, except the log of softmax: float32)."""
    lg, mu, s, yy = (t.detach().double() for t in (logits, means, scales, y))
    z2 = ((yy.unsqueeze(1) - mu) / s).pow(2).sum(-1)
    log_s = s.log().sum(-1)
    log_w = torch.log_softmax(lg, dim=1)
    log_n = -0.5 * z2 - log_s - LOG_SQRT_2PI
    right = -torch.logsumexp(log_w + log_n, dim=1)
    log_of_softmax = torch.log(torch.softmax(logits.detach().float(), dim=1)).double()
    slips = [
        (float(right.sum()), "is N times too large: it sums over the samples; take the mean over the N samples."),
        (-float(right.mean()), "has the wrong sign: that is the mean log-likelihood; the NLL is its negative."),
        (
            float(right.mean()) - LOG_SQRT_2PI,
            "is ½·log(2π) ≈ 0.919 too small: the Gaussian log-density has a constant -½ log(2π).",
        ),
        (
            float(-torch.logsumexp(log_w + log_n - log_s, dim=1).mean()),
            "uses log σ² (or 2 log σ) where the Gaussian log-density has log σ.",
        ),
        (
            float(-torch.logsumexp(log_w + log_n - 0.5 * z2, dim=1).mean()),
            "does not halve the squared distance: the Gaussian log-density has -½ z², z = (y - μ)/σ.",
        ),
        (
            float(-torch.logsumexp(log_n, dim=1).mean()),
            "leaves out the weights: add log π_k to each component's log-density before the logsumexp.",
        ),
        (
            float(-torch.logsumexp(log_w.exp() + log_n, dim=1).mean()),
            "adds π_k where log π_k belongs: inside the logsumexp each term is log π_k + log N(y; μ_k, σ_k).",
        ),
        (
            float(-torch.logsumexp(lg + log_n, dim=1).mean()),
            "uses the raw logits as log-weights: normalise them with torch.log_softmax(logits, dim=1) first.",
        ),
        (
            float(-torch.logsumexp(log_of_softmax + log_n, dim=1).mean()),
            "is wrong on the row whose logits are 400 apart: log(softmax(...)) underflows to log 0 = -inf for a "
            "weight of e^-400; use torch.log_softmax(logits, dim=1) (lesson 02).",
        ),
        (
            float(-(log_w + log_n).max(dim=1).values.mean()),
            "keeps only the best component (a max): the mixture's density is the sum over all K, torch.logsumexp.",
        ),
        (
            float(-torch.logsumexp(log_w + log_n, dim=0).mean()),
            "takes the logsumexp over the N samples (dim=0); the mixture sums over the K components, dim=1.",
        ),
        (
            float(-torch.logsumexp(torch.log_softmax(lg, dim=0) + log_n, dim=1).mean()),
            "normalises the weights over the N samples (dim=0); log_softmax over the K components, dim=1.",
        ),
    ]
    mean = float(right.mean())
    return [(value, words) for value, words in slips if math.isfinite(value) and abs(value - mean) > 0.01]


def _nll_inputs(case) -> dict[str, torch.Tensor]:
    logits, means, scales, y = case
    return {
        "logits": logits.clone().requires_grad_(),
        "means": means.clone().requires_grad_(),
        "scales": scales.clone().requires_grad_(),
        "y": y,
    }


def _nll_problems(call: StudentCall, case) -> list[str]:
    """Everything wrong with one call of mixture_nll on ``case``."""
    answer = call.result
    if not isinstance(answer, torch.Tensor):
        got = type(answer).__name__
        return [
            f"{call.text} returned a {got}; return a tensor: training calls .backward() on it (no float() or .item())."
        ]
    if answer.numel() != 1:
        hint = (
            " Take the logsumexp over the K components (dim=1), then the mean over the N samples."
            if answer.ndim >= 1
            else ""
        )
        return [f"{call.text} should be a single number, got a tensor of shape {tuple(answer.shape)}.{hint}"]
    if answer.is_complex() or answer.dtype == torch.bool:
        return [f"{call.text} should hold a real number, got dtype {answer.dtype}."]
    value = float(answer.detach())
    logits, means, scales, y = case
    expected = float(packaged_mixture_nll(*(t.double() for t in case)))
    if not math.isfinite(value):
        return [
            f"{call.text} is {value}. Where a sample lies far from every component (row 5 here, 25 σ away) "
            "exp(log-density) underflows to 0 and log 0 = -inf: combine the components with torch.logsumexp "
            "(lesson 02), and normalise the weights with torch.log_softmax."
        ]
    if math.isclose(value, expected, rel_tol=NLL_RTOL, abs_tol=NLL_TOL):
        if answer.grad_fn is None:
            return [
                f"{call.text} has the right value but is detached from its inputs (no grad_fn): training needs "
                "the tensor itself; avoid torch.tensor(...), .detach(), .item() and numpy inside."
            ]
        inputs = [call.inputs[name] for name in ("logits", "means", "scales")]
        try:
            gradients = torch.autograd.grad(answer.sum(), inputs, allow_unused=True)
        except RuntimeError:
            return [
                f"{call.text} has the right value, but its graph is gone (did it call .backward() itself?): "
                "return the loss; the training loop calls .backward()."
            ]
        missing = [name for name, g in zip(("logits", "means", "scales"), gradients, strict=True) if g is None]
        if missing:
            return [
                f"{call.text} has the right value, but no gradient reaches {', '.join(missing)}: compute it from "
                "the arguments with torch operations, so that training can change them."
            ]
        return []
    shown, wanted = show_pair(value, expected, NLL_TOL)
    for slip_value, words in _nll_slips(*case):
        if math.isclose(value, slip_value, rel_tol=NLL_RTOL, abs_tol=NLL_TOL):
            return [f"{call.text} is {shown}, expected {wanted}: it {words}"]
    return [
        f"{call.text} is {shown}, expected {wanted} (within {NLL_TOL:g}): the mean over samples of "
        "-logsumexp_k(log_softmax(logits)_k + log N(y; μ_k, σ_k))."
    ]


def _call_nll(mixture_nll, case) -> StudentCall:
    return call_student(
        mixture_nll,
        _nll_inputs(case),
        name="mixture_nll",
        stub_message=STUB.format("mixture_nll"),
        raise_hints={
            "must match the size": "y is (N, 1) and means (N, K, 1): give y a component axis, y.unsqueeze(1), "
            "so that it broadcasts against the K components.",
            "does not require grad": "do not call .backward() inside mixture_nll: return the loss; "
            "the training loop calls .backward().",
        },
    )


def check_mixture_nll(mixture_nll) -> CheckResult:
    """Exercise 2: ``mixture_nll(logits, means, scales, y)`` with logits (N, K), means and scales (N, K, 1), y
    (N, 1) returns the mean over n of -log Σ_k softmax(logits_n)_k N(y_n; μ_nk, σ_nk²), a scalar tensor that
    gradients flow through. Tried on the lesson's case (extreme logits, a far sample) and on a fresh one."""

    def test(problems: list[str]) -> None:
        if not expect_function(mixture_nll, "mixture_nll", problems):
            return
        for label, case in (("", _nll_case()), ("on fresh inputs (N = 9, K = 2): ", _fresh_nll_case())):
            call = _call_nll(mixture_nll, case)
            found = _nll_problems(call, case)
            if found:
                problems.extend(label + problem for problem in found)
                return

    return run_check("the mixture NLL", test)


# ------------------------------------------------------------------------- exercise 3: the responsibilities

GAMMA_TOL = 1e-4
"""Absolute, on γ in [0, 1]. The nearest slips (forgetting the weights, normalising over N) change some γ by
0.05 or more on these cases; float32 rounding of a softmax is about 1e-7."""


def _gamma_case() -> tuple[torch.Tensor, ...]:
    """N = 6, K = 3, D = 1; row 5's sample lies about 40 σ from every component (exp underflows: 0/0 = NaN)."""
    generator = torch.Generator().manual_seed(4242)
    log_weights = torch.log_softmax(torch.randn(6, 3, generator=generator), dim=1)
    means = 2 * torch.randn(6, 3, 1, generator=generator)
    scales = 0.5 + torch.rand(6, 3, 1, generator=generator)
    y = 2 * torch.randn(6, 1, generator=generator)
    means[5, :, 0] = torch.tensor([-1.0, 0.0, 1.0])
    scales[5, :, 0] = 1.0
    y[5] = 40.0
    return log_weights, means, scales, y


def _fresh_gamma_case() -> tuple[torch.Tensor, ...]:
    """Ordinary values, N = 8, K = 4."""
    generator = torch.Generator().manual_seed(4343)
    log_weights = torch.log_softmax(1.5 * torch.randn(8, 4, generator=generator), dim=1)
    means = torch.randn(8, 4, 1, generator=generator)
    scales = 0.4 + torch.rand(8, 4, 1, generator=generator)
    y = torch.randn(8, 1, generator=generator)
    return log_weights, means, scales, y


def _gamma_problems(call: StudentCall, case) -> list[str]:
    log_weights, means, scales, y = (t.double() for t in case)
    n, k = log_weights.shape
    problems: list[str] = []
    answer = call.result
    if not expect_shape(answer, (n, k), f"{call.text}", problems, returned=True):
        return problems
    answer = answer.detach().double()
    joint = _joint_log_prob(log_weights, means, scales, y)
    expected = torch.softmax(joint, dim=1)
    if tensors_close(answer, expected, atol=GAMMA_TOL, rtol=0):
        return []
    if not bool(torch.isfinite(answer).all()):
        return [
            f"{call.text} has NaN or inf where a sample lies far from every component (row 5, 40 σ away): "
            "exp of its log-densities underflows to 0, and 0/0 is NaN. Normalise in log space: subtract the "
            "logsumexp over the components before exp (or use torch.softmax over dim=1)."
        ]
    variants = [
        (torch.log(expected), "holds log γ; return the probabilities γ themselves (they sum to 1 over K)."),
        (log_weights.exp() - expected, "is π - γ, the logits' gradient; return γ itself."),
        (torch.softmax(joint - log_weights, dim=1), "leaves out the weights π_k: γ_k ∝ π_k N(y; μ_k, σ_k)."),
        (torch.softmax(joint, dim=0), "is normalised over the N samples (dim=0); normalise over the K components."),
        (joint.exp(), "is not normalised: divide π_k N(y; μ_k, σ_k) by its sum over the K components."),
        (
            torch.softmax(joint - 0.5 * ((y.unsqueeze(1) - means) / scales).pow(2).sum(-1), dim=1),
            "does not halve the squared distance: log N has -½ z².",
        ),
        (
            torch.softmax(joint + torch.log(scales).sum(-1), dim=1),
            "leaves out the -log σ_k of the Gaussian log-density: components of different widths differ in it.",
        ),
    ]
    for wrong, words in variants:
        finite = torch.isfinite(wrong)
        if bool(finite.all()) and tensors_close(answer, wrong, atol=GAMMA_TOL, rtol=0):
            return [f"{call.text} {words}"]
    rows = answer.sum(dim=1)
    if not tensors_close(rows, torch.ones_like(rows), atol=1e-3, rtol=0):
        difference = show_difference(rows, torch.ones_like(rows), 1e-3)
        return [f"{call.text}: each row should sum to 1 over the K components; of the row sums, {difference}."]
    return [
        f"{call.text}: {show_difference(answer, expected, GAMMA_TOL)} (within {GAMMA_TOL:g}); "
        "γ_nk = π_nk N(y_n; μ_nk, σ_nk) / Σ_j π_nj N(y_n; μ_nj, σ_nj)."
    ]


def check_responsibilities(responsibilities) -> CheckResult:
    """Exercise 3: ``responsibilities(log_weights, means, scales, y)`` with log_weights (N, K), means and scales
    (N, K, 1), y (N, 1) returns γ (N, K), the posterior probability of each component given y_n. Tried on the
    lesson's case (a sample 40 σ from every component) and on a fresh one."""

    def test(problems: list[str]) -> None:
        if not expect_function(responsibilities, "responsibilities", problems):
            return
        for label, case in (("", _gamma_case()), ("on fresh inputs (N = 8, K = 4): ", _fresh_gamma_case())):
            log_weights, means, scales, y = case
            call = call_student(
                responsibilities,
                {"log_weights": log_weights, "means": means, "scales": scales, "y": y},
                name="responsibilities",
                stub_message=STUB.format("responsibilities"),
                raise_hints={
                    "must match the size": "y is (N, 1) and means (N, K, 1): y.unsqueeze(1) broadcasts it "
                    "against the K components."
                },
            )
            found = _gamma_problems(call, case)
            if found:
                problems.extend(label + problem for problem in found)
                return

    return run_check("the responsibilities γ", test)


__all__ = [
    "check_mixture_from_heads",
    "check_mixture_nll",
    "check_responsibilities",
    "packaged_mixture_from_heads",
    "packaged_mixture_nll",
    "packaged_responsibilities",
    "yours_or_packaged",
]
