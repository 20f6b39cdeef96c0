"""Checkers for lesson 05, using and judging an MDN.

* :func:`check_tempered_log_weights` — a temperature for the mixture weights, π_k^(1/T) renormalised,
  computed in log space so that tiny weights do not turn into log 0.
* :func:`check_density_threshold` — the shortest region holding a given probability is where the density
  exceeds a height h: find h from a density on a grid.
* :func:`check_lowest_nll` — the lowest NLL an MDN with a σ floor can reach, derived from the floor.
"""

from __future__ import annotations

import math

import torch

from ._core import (
    CaseCalls,
    CheckResult,
    as_float,
    expect_function,
    expect_shape,
    run_check,
    show_pair,
    tensors_close,
)

THRESHOLD_TOL = 0.01
"""On the probability held by the grid points with density >= h. A right answer may take one grid point more
or less (>= or >, before or after the sum reaches the level): no case's point holds more than 0.004. The nearest
slips miss by 0.09 or more: the region 1 - level (0.1 at level 0.9), a share of grid points instead of
probability, the sum of densities without the spacing."""

LOWEST_NLL_TOL = 1e-5
"""Absolute and relative. The nearest slip, σ_min·std(y) left in standardised units, is exact when std(y) = 1
and off by |log std(y)| >= 1.2 on the other cases; the missing ½ log 2π is 0.92. float32 logs are exact to
about 1e-7."""

TEMPERED_TOL = 1e-4
"""Absolute and relative, on each log-weight. The nearest slip, π^T instead of π^(1/T), differs by 20 or more
at T = 0.25, 0.5, 2 and 3 (at T = 1 the two agree, and so are right alike); the others (weights for log-weights,
no renormalisation) by 0.1 or more. float32 log_softmax is exact to about 1e-6."""

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


# ---------------------------------------------------------------------------------- the density threshold


def _grid_density(weights, means, scales, low: float, high: float, spacing: float) -> torch.Tensor:
    """A mixture's density on an even grid from low to high, float64, shape (G,)."""
    grid = torch.arange(low, high + spacing / 2, spacing, dtype=torch.float64)
    weights, means, scales = (torch.tensor(v, dtype=torch.float64) for v in (weights, means, scales))
    z = (grid.unsqueeze(1) - means) / scales
    return (weights * torch.exp(-0.5 * z * z) / (scales * math.sqrt(2 * math.pi))).sum(dim=1)


def _threshold_cases() -> list[tuple[str, torch.Tensor, float, float]]:
    """(label, density (G,) float32, spacing, level): each grid covers all but 1e-6 of the probability."""
    cases = [
        ("one Gaussian", ((1.0,), (0.0,), (1.0,), -6.0, 6.0, 0.01), 0.9),
        ("two separate bumps", ((0.6, 0.4), (-3.0, 3.0), (0.7, 1.0), -8.0, 8.0, 0.01), 0.8),
        ("a wide and a narrow component", ((0.7, 0.3), (-2.0, 4.0), (2.0, 0.3), -12.0, 10.0, 0.01), 0.7),
        ("three branches", ((0.5, 0.3, 0.2), (-4.0, 2.0, 6.0), (2.0, 0.6, 0.5), -14.0, 10.0, 0.02), 0.95),
    ]
    return [(label, _grid_density(*args).float(), args[-1], level) for label, args, level in cases]


def _held_above(density: torch.Tensor, spacing: float, threshold: float) -> float:
    """The probability of the grid points with density >= threshold."""
    density = density.double()
    return float(density[density >= threshold].sum() * spacing)


def _threshold_from(ordered: torch.Tensor, held: torch.Tensor, level: float) -> tuple[float, int]:
    """The value of ``ordered`` where the running total ``held`` first reaches ``level``, and its position."""
    position = min(int(torch.searchsorted(held, torch.tensor(level, dtype=held.dtype))), len(ordered) - 1)
    return float(ordered[position]), position


def _threshold_answers(density: torch.Tensor, spacing: float, level: float) -> dict[str, tuple[float, int]]:
    """The right threshold (and its position in the descending order) and the usual slips' thresholds."""
    density = density.double()
    ordered = density.sort(descending=True).values
    return {
        "right": _threshold_from(ordered, torch.cumsum(ordered * spacing, 0), level),
        "no spacing": _threshold_from(ordered, torch.cumsum(ordered, 0), level),
        "point share": (float(torch.quantile(density, 1 - level)), -1),
    }


def check_density_threshold(density_threshold) -> CheckResult:
    """Exercise 1: ``density_threshold(density, spacing, level)`` returns the height h for which the grid points
    with density >= h hold probability ``level`` (each point holds density × spacing). density: (G,), a density
    on an even grid ``spacing`` apart; level in (0, 1). Judged by the probability the region holds."""

    def test(problems: list[str]) -> None:
        if not expect_function(density_threshold, "density_threshold", problems):
            return
        cases = _threshold_cases()
        answers = [_threshold_answers(density, spacing, level) for _, density, spacing, level in cases]
        calls = CaseCalls(
            density_threshold,
            [{"density": density, "spacing": spacing, "level": level} for _, density, spacing, level in cases],
            name="density_threshold",
            stub_message=STUB.format("density_threshold"),
        )
        for index, ((label, density, spacing, level), known) in enumerate(zip(cases, answers, strict=True)):
            value = as_float(calls[index].result, f"density_threshold(density, {spacing}, {level})", problems)
            if value is None:
                return
            held = _held_above(density, spacing, value)
            if abs(held - level) <= THRESHOLD_TOL:
                continue
            where = f"on {label} (level {level}), the points with density >= your h = {value:.4g} hold {held:.3f}"
            position = known["right"][1]
            if float(value).is_integer() and abs(value - position) <= 1 and value > float(density.max()):
                problems.append(
                    f"{where}. {value:.0f} is where the running total reaches the level in the sorted order, a "
                    "position: return the density value there, h itself."
                )
            elif abs(held - _held_above(density, spacing, known["no spacing"][0])) <= THRESHOLD_TOL:
                problems.append(
                    f"{where}. The running total reached the level too soon: a grid point holds probability "
                    f"density × spacing (here × {spacing}), not its density."
                )
            elif abs(held - (1 - level)) <= THRESHOLD_TOL:
                problems.append(
                    f"{where}, which is 1 - level: the points BELOW your h hold the level. The region fills from the "
                    "highest density down (sort in descending order), and the region itself must hold the level."
                )
            elif abs(held - _held_above(density, spacing, known["point share"][0])) <= THRESHOLD_TOL:
                problems.append(
                    f"{where}. A share {level} of the grid POINTS lies above your h, but the region must hold a "
                    "share of the PROBABILITY: the high points hold more of it than the low ones."
                )
            elif calls.same_elsewhere(index):
                problems.append(
                    f"{where}; you returned the same h as for another case: compute it from the arguments "
                    "density, spacing and level."
                )
            else:
                problems.append(
                    f"{where}; they should hold {level} (within {THRESHOLD_TOL:g}), as they do for h = "
                    f"{known['right'][0]:.4g}."
                )
            return

    return run_check("the density threshold of the shortest region", test)


# ------------------------------------------------------------------------------------ the lowest NLL


def _lowest_nll(min_scale: float, y_std: float) -> float:
    return math.log(min_scale * y_std) + 0.5 * math.log(2 * math.pi)


LOWEST_NLL_CASES = ((0.01, 6.1), (1e-3, 1.0), (0.05, 20.0), (1e-4, 0.3))
"""(min_scale, y_std) pairs: the lesson's floor and spread first, then others (std(y) = 1 among them)."""


def _lowest_nll_slips(min_scale: float, y_std: float) -> dict[str, float]:
    """What each usual slip returns, keyed by the sentence that names it."""
    floor = min_scale * y_std
    half_log_2pi = 0.5 * math.log(2 * math.pi)
    return {
        "the floor is in standardised units: in the units of y the smallest σ is min_scale × y_std.": math.log(
            min_scale
        )
        + half_log_2pi,
        "the ½ log(2π) is missing: the highest density of N(μ, σ²) is 1 / (σ √(2π)).": math.log(floor),
        "the sign is flipped: the NLL is minus the log of the highest density, and here that is negative.": -(
            math.log(floor) + half_log_2pi
        ),
        "that is the highest density itself; the NLL is minus its natural log.": 1 / (floor * math.sqrt(2 * math.pi)),
        "that is log base 10; the NLL is in nats (natural log).": math.log10(floor * math.sqrt(2 * math.pi)),
        "that uses σ² where the density has σ: N(μ; μ, σ²) = 1 / (σ √(2π)).": math.log(floor**2) + half_log_2pi,
    }


def check_lowest_nll(lowest_nll) -> CheckResult:
    """Exercise 3: ``lowest_nll(min_scale, y_std)`` is the lowest average NLL (nats) any ``ml.MDN`` with the floor
    ``min_scale`` (standardised units) can reach on targets whose standard deviation is ``y_std``:
    log(min_scale · y_std) + ½ log(2π)."""

    def test(problems: list[str]) -> None:
        if not expect_function(lowest_nll, "lowest_nll", problems):
            return
        expected_values = [_lowest_nll(*case) for case in LOWEST_NLL_CASES]
        calls = CaseCalls(
            lowest_nll,
            [{"min_scale": min_scale, "y_std": y_std} for min_scale, y_std in LOWEST_NLL_CASES],
            name="lowest_nll",
            stub_message=STUB.format("lowest_nll"),
            raise_hints={
                "must be Tensor": "min_scale and y_std are plain numbers: use math.log (or wrap them in torch.tensor)."
            },
        )
        for index, ((min_scale, y_std), expected) in enumerate(zip(LOWEST_NLL_CASES, expected_values, strict=True)):
            call = calls[index]
            value = as_float(call.result, call.text, problems)
            if value is None:
                return
            if math.isclose(value, expected, rel_tol=LOWEST_NLL_TOL, abs_tol=LOWEST_NLL_TOL):
                continue
            shown, wanted = show_pair(value, expected, LOWEST_NLL_TOL)
            slip = next(
                (
                    text
                    for text, result in _lowest_nll_slips(min_scale, y_std).items()
                    if math.isclose(value, result, rel_tol=LOWEST_NLL_TOL, abs_tol=LOWEST_NLL_TOL)
                ),
                None,
            )
            if slip is None and calls.same_elsewhere(index):
                slip = "that is the same as for another case: compute it from the arguments min_scale and y_std."
            if slip is None:
                slip = (
                    "No mixture with every σ >= σ_min has a density above 1 / (σ_min √(2π)), and here "
                    "σ_min = min_scale × y_std."
                )
            problems.append(f"{call.text} gives {shown}, expected {wanted} (within {LOWEST_NLL_TOL:g}): {slip}")
            return

    return run_check("the lowest NLL with a σ floor", test)
