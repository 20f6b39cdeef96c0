"""Checkers for lesson 02 (Gaussian mixtures): a stable log mixture density, and EM's M-step.

Each checker compares with the package's own numbers (``losses.gaussian_log_prob``, ``em.m_step``) on the
lesson's mixture and on a fresh one, and, when an answer is wrong, names the usual slip it matches.
"""

from __future__ import annotations

import torch

from ..em import e_step, m_step
from ..mixture import LOG_SQRT_2PI, gaussian_log_prob
from ..true_distributions import gaussian_mixture, sample, three_bumps_p
from ._core import (
    CheckResult,
    as_tensor,
    call_student,
    expect_function,
    run_check,
    show_difference,
    tensors_close,
)

FAR_VALUES = (-40.0, 25.0, 60.0)
"""Targets so far from every component of lesson 02's P that exp(log N) underflows to 0 in float32."""

DENSITY_ATOL, DENSITY_RTOL = 1e-3, 1e-4
"""On each log p(y). The nearest slip, keeping only the largest component's term (a max instead of logsumexp),
differs by 0.0054 on one of the lesson's typical samples (the tolerance there is at most 1.3e-3) and by 0.54 on
the second mixture; float32 rounding of a log density near -6000 is about 4e-4, which the relative part covers."""

M_STEP_TOL = 1e-4
"""Absolute and relative, on each weight, mean and scale. The nearest slip, variances σ² for scales σ, differs
by 0.19 or more on one component of each case; float32 sums over 300 samples drift by about 1e-6."""

ARGUMENTS_HINT = "compute from the arguments y and resp, not from notebook variables"
STUB = "not attempted yet: {} still returns nothing; fill in its body."


def _mixture_cases() -> list[tuple[str, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]]:
    """(where, y (N,), weights, means, scales (K,)): the lesson's P on typical and far values, then a fresh
    two-component mixture, so that an answer reading the lesson's P instead of its arguments is caught."""
    p = three_bumps_p()
    weights, means, scales = p.log_weights.exp().reshape(-1), p.means.reshape(-1), p.scales.reshape(-1)
    typical = sample(p, 12, seed=202).reshape(-1)
    fresh = gaussian_mixture([0.65, 0.35], [1.5, -2.0], [0.8, 2.5])
    fresh_parts = fresh.log_weights.exp().reshape(-1), fresh.means.reshape(-1), fresh.scales.reshape(-1)
    fresh_y = torch.cat([sample(fresh, 8, seed=212).reshape(-1), torch.tensor([-0.4, 30.0])])
    return [
        ("typical samples of P", typical, weights, means, scales),
        (f"y = {list(FAR_VALUES)}", torch.tensor(FAR_VALUES), weights, means, scales),
        ("a second mixture, 0.65·N(1.5, 0.8²) + 0.35·N(-2, 2.5²)", fresh_y, *fresh_parts),
    ]


def _log_terms(y, weights, means, scales) -> torch.Tensor:
    """log π_k + log N(y_n; μ_k, σ_k²), shape (N, K), in float64."""
    y, weights, means, scales = (t.double() for t in (y, weights, means, scales))
    return torch.log(weights) + gaussian_log_prob(means, scales, y[:, None])


def _density_slips(y, weights, means, scales, expected: torch.Tensor) -> dict[str, torch.Tensor]:
    terms = _log_terms(y, weights, means, scales)
    per_component = terms - torch.log(weights.double())
    p = three_bumps_p()
    lesson_terms = _log_terms(y, p.log_weights.exp().reshape(-1), p.means.reshape(-1), p.scales.reshape(-1))
    return {
        "it returns the density p(y), not its log.": expected.exp(),
        "the log weights log π_k are missing from the sum.": torch.logsumexp(per_component, dim=1),
        "it adds the weights π_k themselves; add their logs, log π_k.": torch.logsumexp(
            weights.double() + per_component, dim=1
        ),
        "the constant −½·log(2π) of each Gaussian's log density is missing.": expected + LOG_SQRT_2PI,
        "it keeps only the largest component's term (a max); the mixture sums over all of them (logsumexp).": (
            terms.max(dim=1).values
        ),
        "it sums the log terms over k; a mixture sums the probabilities, i.e. logsumexp of the log terms.": (
            terms.sum(dim=1)
        ),
        "it gives the density of the lesson's P, not of the mixture passed in: use the arguments weights, "
        "means and scales, not P or other notebook variables.": torch.logsumexp(lesson_terms, dim=1),
    }


def check_log_mixture_density(log_mixture_density) -> CheckResult:
    """Exercise 1: ``log_mixture_density(y, weights, means, scales)`` returns log p(y), shape (N,), without -inf."""

    def test(problems: list[str]) -> None:
        if not expect_function(
            log_mixture_density, "log_mixture_density", problems, "log_mixture_density(y, weights, means, scales)"
        ):
            return
        for where, y, weights, means, scales in _mixture_cases():
            expected = torch.logsumexp(_log_terms(y, weights, means, scales), dim=1)
            slips = _density_slips(y, weights, means, scales, expected)
            call = call_student(
                log_mixture_density,
                {"y": y, "weights": weights, "means": means, "scales": scales},
                name="log_mixture_density",
                stub_message=STUB.format("log_mixture_density"),
            )
            answer = as_tensor(
                call.result, (len(y),), f"log_mixture_density(y, ...) for y of shape {tuple(y.shape)}", problems
            )
            if answer is None:
                return
            if tensors_close(answer, expected, atol=DENSITY_ATOL, rtol=DENSITY_RTOL):
                continue
            if not bool(torch.isfinite(answer).all()) and bool(torch.isfinite(expected).all()):
                values = [round(v, 4) for v in answer.tolist()]
                problems.append(
                    f"on {where} it returns {values}: some values are -inf or NaN because exp(log N) underflowed "
                    "to 0 before the log. Combine the log terms with torch.logsumexp."
                )
                return
            slip = next(
                (
                    text
                    for text, value in slips.items()
                    if tensors_close(answer, value, atol=DENSITY_ATOL, rtol=DENSITY_RTOL)
                ),
                None,
            )
            detail = slip or (
                f"{show_difference(answer, expected, DENSITY_ATOL, DENSITY_RTOL)} (within {DENSITY_ATOL:g}); "
                "compute log π_k + log N(y; μ_k, σ_k²) for every y and k, then logsumexp over k."
            )
            problems.append(f"log_mixture_density is wrong on {where}: {detail}")
            return

    return run_check("Exercise 1: a log mixture density that never underflows", test)


def _m_step_cases() -> list[tuple[str, torch.Tensor, torch.Tensor]]:
    """(where, y (N,), responsibilities (N, K)): the lesson's P with a rough three-component first guess,
    then fresh data with two components, so that an answer reading notebook variables is caught."""
    y = sample(three_bumps_p(), 300, seed=303)
    guess = gaussian_mixture([0.4, 0.3, 0.3], [-3.0, 0.5, 3.0], [1.0, 1.0, 1.0])
    responsibilities, _ = e_step(guess, y)
    fresh_y = sample(gaussian_mixture([0.6, 0.4], [2.0, 6.0], [1.0, 0.7]), 150, seed=313)
    fresh_resp, _ = e_step(gaussian_mixture([0.5, 0.5], [1.0, 5.0], [2.0, 2.0]), fresh_y)
    return [
        ("300 samples of P with three components", y.reshape(-1), responsibilities),
        ("150 fresh samples with two components", fresh_y.reshape(-1), fresh_resp),
    ]


def _weight_problem(weights, true_weights, n_k, close) -> str:
    if close(weights, n_k):
        return "weights are the totals N_k = Σ_n r_nk; divide them by the number of samples N."
    if close(weights, true_weights.log()):
        return "these are log weights log(N_k / N); return the weights N_k / N themselves."
    if abs(float(weights.sum()) - 1) > 1e-3:
        return f"weights sum to {float(weights.sum()):.4f}; mixture weights N_k / N must sum to 1."
    return f"weights are {weights.numpy().round(4).tolist()}, expected {true_weights.numpy().round(4).tolist()}."


def _mean_problem(means, true_means, y64, r64, close) -> str:
    k = r64.shape[1]
    if close(means, (r64.T @ y64) / len(y64)):
        return "means divide Σ_n r_nk y_n by N; divide by N_k (the component's share) instead."
    if close(means, y64.mean().expand(k)):
        return "every mean is the plain average of y; weight each y_n by its responsibility r_nk."
    return f"means are {means.numpy().round(4).tolist()}, expected {true_means.numpy().round(4).tolist()}."


def _scale_problem(scales, true_means, true_scales, y64, r64, n_k, close) -> str:
    squared = (r64 * (y64[:, None] - true_means) ** 2).sum(dim=0)
    around_overall = (r64 * (y64[:, None] - y64.mean()) ** 2).sum(dim=0)
    if close(scales, squared / n_k):
        return "scales are variances σ²; return the standard deviations σ (take the square root)."
    if close(scales, (squared / len(y64)).sqrt()):
        return "scales divide Σ_n r_nk (y_n − μ_k)² by N; divide by N_k instead."
    if close(scales, (around_overall / n_k).sqrt()):
        return "scales measure the spread around the overall mean; use each component's new mean μ_k."
    return f"scales are {scales.numpy().round(4).tolist()}, expected {true_scales.numpy().round(4).tolist()}."


def check_m_step(m_step_answer) -> CheckResult:
    """Exercise 2: ``m_step(y, resp)`` returns (weights, means, scales), each (K,), from y (N,) and resp (N, K)."""

    def close(a, b) -> bool:
        return bool(torch.allclose(a, b, rtol=M_STEP_TOL, atol=M_STEP_TOL))

    def test(problems: list[str]) -> None:
        if not expect_function(m_step_answer, "m_step", problems, "m_step(y, resp) returning (weights, means, scales)"):
            return
        passed_before = False
        for where, y, resp in _m_step_cases():
            reference = m_step(y, resp)
            true_weights = reference.log_weights.exp().double().reshape(-1)
            true_means = reference.means.double().reshape(-1)
            true_scales = reference.scales.double().reshape(-1)
            y64, r64 = y.double(), resp.double()
            n_k = r64.sum(dim=0)
            call = call_student(
                m_step_answer, {"y": y, "resp": resp}, name="m_step", stub_message=STUB.format("m_step")
            )
            answer = call.result
            if isinstance(answer, dict) or not isinstance(answer, (tuple, list)) or len(answer) != 3:
                problems.append("m_step should return three tensors: (weights, means, scales)")
                return
            k = resp.shape[1]
            got = []
            for value, name in zip(answer, ("weights", "means", "scales"), strict=True):
                if isinstance(value, torch.Tensor) and value.numel() == k:
                    value = value.reshape(-1)
                elif isinstance(value, torch.Tensor):
                    hint = f" (right on the lesson's data: {ARGUMENTS_HINT})" if passed_before else ""
                    problems.append(
                        f"{name} should hold one value per component, shape ({k},); got shape {tuple(value.shape)}"
                        + hint
                    )
                    return
                got.append(as_tensor(value, (k,), name, problems))
            if any(value is None for value in got):
                return
            weights, means, scales = got
            found = []
            if not close(weights, true_weights):
                found.append(_weight_problem(weights, true_weights, n_k, close))
            if not close(means, true_means):
                found.append(_mean_problem(means, true_means, y64, r64, close))
            if not close(scales, true_scales):
                found.append(_scale_problem(scales, true_means, true_scales, y64, r64, n_k, close))
            if found:
                if passed_before:
                    found.append(f"it was right on the lesson's data but not on these: {ARGUMENTS_HINT}.")
                problems.extend(f"on {where}: {text}" for text in found)
                return
            passed_before = True

    return run_check("Exercise 2: EM's M-step", test)
