"""Checkers for lesson 02 (Gaussian mixtures): a stable log mixture density, and EM's M-step.

Each checker compares with the package's own numbers (``true_distributions.log_density``, ``em.m_step``) and,
when an answer is wrong, names the usual slip it matches.
"""

from __future__ import annotations

import torch

from ..em import e_step, m_step
from ..mixture import LOG_SQRT_2PI, gaussian_log_prob
from ..true_distributions import gaussian_mixture, log_density, sample, three_bumps_p
from ._core import CheckResult, expect_function, expect_shape, require_answer, run_check, tensors_close

FAR_VALUES = (-40.0, 25.0, 60.0)
"""Targets so far from every component of lesson 02's P that exp(log N) underflows to 0 in float32."""


def _p_parts() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Lesson 02's P as three 1-D tensors (K,): weights, means, scales."""
    p = three_bumps_p()
    return p.log_weights.exp().reshape(-1), p.means.reshape(-1), p.scales.reshape(-1)


def _density_slips(y: torch.Tensor, weights, means, scales, expected: torch.Tensor) -> dict[str, torch.Tensor]:
    per_component = gaussian_log_prob(means, scales, y[:, None])  # (N, K)
    return {
        "it returns the density p(y), not its log.": expected.exp(),
        "the log weights log π_k are missing from the sum.": torch.logsumexp(per_component, dim=1),
        "it adds the weights π_k themselves; add their logs, log π_k.": torch.logsumexp(weights + per_component, dim=1),
        "the constant −½·log(2π) of each Gaussian's log density is missing.": expected + LOG_SQRT_2PI,
        "it keeps only the largest component's term (a max); the mixture sums over all of them (logsumexp).": (
            torch.log(weights) + per_component
        )
        .max(dim=1)
        .values,
        "it sums the log terms over k; a mixture sums the probabilities, i.e. logsumexp of the log terms.": (
            torch.log(weights) + per_component
        ).sum(dim=1),
    }


def check_log_mixture_density(log_mixture_density) -> CheckResult:
    """Exercise 1: ``log_mixture_density(y, weights, means, scales)`` returns log p(y), shape (N,), without -inf."""

    def test(problems: list[str]) -> None:
        if not expect_function(
            log_mixture_density, "log_mixture_density", problems, "log_mixture_density(y, weights, means, scales)"
        ):
            return
        weights, means, scales = _p_parts()
        typical = sample(three_bumps_p(), 12, seed=202).reshape(-1)
        for y, kind in ((typical, "typical"), (torch.tensor(FAR_VALUES), "far")):
            answer = log_mixture_density(y.clone(), weights.clone(), means.clone(), scales.clone())
            require_answer(answer, "the value log_mixture_density returns")
            if not expect_shape(
                answer, (len(y),), f"log_mixture_density(y, ...) for y of shape {tuple(y.shape)}", problems
            ):
                return
            answer = answer.detach().float()
            expected = log_density(three_bumps_p(), y)
            if tensors_close(answer, expected, atol=1e-3, rtol=1e-4):
                continue
            if kind == "far" and not bool(torch.isfinite(answer).all()):
                problems.append(
                    f"for y = {list(FAR_VALUES)}, far from every component, it returns {answer.tolist()}: "
                    "exp(log N) underflowed to 0 before the log. Combine the log terms with torch.logsumexp."
                )
                return
            slip = next(
                (
                    text
                    for text, value in _density_slips(y, weights, means, scales, expected).items()
                    if tensors_close(answer, value, atol=1e-3, rtol=1e-4)
                ),
                None,
            )
            where = "typical samples of P" if kind == "typical" else f"y = {list(FAR_VALUES)}"
            detail = slip or (
                f"e.g. {float(answer[0]):.4f} instead of {float(expected[0]):.4f}; compute "
                "log π_k + log N(y; μ_k, σ_k²) for every y and k, then logsumexp over k."
            )
            problems.append(f"log_mixture_density is wrong on {where}: {detail}")
            return

    return run_check("Exercise 1: a log mixture density that never underflows", test)


def _m_step_case() -> tuple[torch.Tensor, torch.Tensor]:
    """Samples y (N,) of lesson 02's P and the responsibilities (N, 3) of a rough first guess."""
    y = sample(three_bumps_p(), 300, seed=303)
    guess = gaussian_mixture([0.4, 0.3, 0.3], [-3.0, 0.5, 3.0], [1.0, 1.0, 1.0])
    responsibilities, _ = e_step(guess, y)
    return y.reshape(-1), responsibilities


def _as_vector(value, k: int, what: str, problems: list[str]) -> torch.Tensor | None:
    if not isinstance(value, torch.Tensor):
        problems.append(f"{what} should be a torch tensor of shape ({k},), got {type(value).__name__}")
        return None
    if value.numel() != k:
        problems.append(f"{what} should hold one value per component, shape ({k},); got shape {tuple(value.shape)}")
        return None
    return value.detach().double().reshape(-1)


def check_m_step(m_step_answer) -> CheckResult:
    """Exercise 2: ``m_step(y, resp)`` returns (weights, means, scales), each (K,), from y (N,) and resp (N, K)."""

    def test(problems: list[str]) -> None:
        if not expect_function(m_step_answer, "m_step", problems, "m_step(y, resp) returning (weights, means, scales)"):
            return
        y, resp = _m_step_case()
        answer = m_step_answer(y.clone(), resp.clone())
        require_answer(answer, "the value m_step returns")
        if not isinstance(answer, (tuple, list)) or len(answer) != 3:
            problems.append("m_step should return three tensors: (weights, means, scales)")
            return
        k = resp.shape[1]
        got = [
            _as_vector(value, k, name, problems)
            for value, name in zip(answer, ("weights", "means", "scales"), strict=True)
        ]
        if any(value is None for value in got):
            return
        weights, means, scales = got
        reference = m_step(y, resp)
        y64, r64 = y.double(), resp.double()
        n_k = r64.sum(dim=0)
        n = len(y)
        true_weights = reference.log_weights.exp().double().reshape(-1)
        true_means = reference.means.double().reshape(-1)
        true_scales = reference.scales.double().reshape(-1)

        def close(a, b) -> bool:
            return bool(torch.allclose(a, b, rtol=1e-4, atol=1e-4))

        if not close(weights, true_weights):
            if close(weights, n_k):
                problems.append("weights are the totals N_k = Σ_n r_nk; divide them by the number of samples N.")
            elif close(weights, true_weights.log()):
                problems.append("these are log weights log(N_k / N); return the weights N_k / N themselves.")
            elif abs(float(weights.sum()) - 1) > 1e-3:
                problems.append(f"weights sum to {float(weights.sum()):.4f}; mixture weights N_k / N must sum to 1.")
            else:
                problems.append(
                    f"weights are {weights.numpy().round(4).tolist()}, "
                    f"expected {true_weights.numpy().round(4).tolist()}."
                )
        if not close(means, true_means):
            if close(means, (r64.T @ y64) / n):
                problems.append("means divide Σ_n r_nk y_n by N; divide by N_k (the component's share) instead.")
            elif close(means, y64.mean().expand(k)):
                problems.append("every mean is the plain average of y; weight each y_n by its responsibility r_nk.")
            else:
                problems.append(
                    f"means are {means.numpy().round(4).tolist()}, expected {true_means.numpy().round(4).tolist()}."
                )
        if not close(scales, true_scales):
            squared = (r64 * (y64[:, None] - true_means) ** 2).sum(dim=0)
            around_overall = (r64 * (y64[:, None] - y64.mean()) ** 2).sum(dim=0)
            if close(scales, squared / n_k):
                problems.append("scales are variances σ²; return the standard deviations σ (take the square root).")
            elif close(scales, (squared / n).sqrt()):
                problems.append("scales divide Σ_n r_nk (y_n − μ_k)² by N; divide by N_k instead.")
            elif close(scales, (around_overall / n_k).sqrt()):
                problems.append("scales measure the spread around the overall mean; use each component's new mean μ_k.")
            else:
                problems.append(
                    f"scales are {scales.numpy().round(4).tolist()}, expected {true_scales.numpy().round(4).tolist()}."
                )

    return run_check("Exercise 2: EM's M-step", test)
