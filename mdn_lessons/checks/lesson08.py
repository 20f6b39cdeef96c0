"""Checkers for lesson 08, an MDN or something else.

* :func:`check_condition_gaussian` — p(y | x) of one 2-D Gaussian: conditional mean (a line in x) and
  conditional variance (smaller than Σ_yy, the same for every x).
* :func:`check_conditional_log_weights` — the new weights of a mixture's components once x is known,
  log π_k + log N(x; μ_x,k, Σ_xx,k), renormalised.
* :func:`check_pinball_loss` — the loss whose minimiser is a quantile.

Each checker tests the answer on fresh inputs of its own and, when the lesson passes them, on the lesson's
own inputs; it hands the student's function copies, so an answer that edits its inputs in place cannot
change what it is compared with. A failure inside the checker itself is reported as the checker's, not as
the student's.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from ._core import CheckResult, NotAttempted, as_float, expect_function, run_check, tensors_close

TOLERANCE = 1e-4
"""Absolute and relative tolerance (float32 answers). The slips the checkers name move the answers by at
least a few percent on their inputs, far above this."""


class _StudentRaised(Exception):
    """The student's function raised; carries its words."""


def _call(function: Callable, name: str, *arguments):
    """Call the student's function on copies of the arguments; a None result is "not attempted"."""
    copies = [a.clone() if isinstance(a, torch.Tensor) else a for a in arguments]
    try:
        value = function(*copies)
    except Exception as error:  # the student's code: report it as theirs
        raise _StudentRaised(f"your code raised {type(error).__name__}: {error}") from error
    if value is None or value is Ellipsis:
        raise NotAttempted(f"not attempted yet: {name} returned None.\n     Fill in its body and return the result.")
    return value


def _run(exercise: str, body: Callable[[list[str]], None]) -> CheckResult:
    """run_check, but telling the student's errors from the checker's own."""

    def test(problems: list[str]) -> None:
        try:
            body(problems)
        except NotAttempted:
            raise
        except _StudentRaised as error:
            problems.append(str(error))
        except Exception as error:  # a bug in this checker, not in the answer
            problems.append(
                f"the checker itself failed ({type(error).__name__}: {error}); this is a bug in the course, "
                "not a verdict on your answer: please report it."
            )

    return run_check(exercise, test)


def _tensor(value, what: str, shape: tuple[int, ...], problems: list[str]) -> torch.Tensor | None:
    """value as a float tensor of ``shape`` (a number is accepted for shape ()), or None after a problem."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and shape == ():
        return torch.tensor(float(value))
    if not isinstance(value, torch.Tensor):
        problems.append(f"{what} should be a torch tensor of shape {shape}, got {type(value).__name__}")
        return None
    if tuple(value.shape) != shape:
        problems.append(f"{what} should have shape {shape}, got {tuple(value.shape)}")
        return None
    value = value.detach().float()
    if not bool(torch.isfinite(value).all()):
        problems.append(f"{what} contains NaN or inf")
        return None
    return value


def _close(answer: torch.Tensor, expected: torch.Tensor) -> bool:
    return tensors_close(answer, expected.float(), atol=TOLERANCE, rtol=TOLERANCE)


# ---------------------------------------------------------------------------------------------------------
# Exercise 1: conditioning one 2-D Gaussian


def conditional_gaussian_reference(mean: torch.Tensor, covariance: torch.Tensor, x: torch.Tensor):
    """The reference answer in float64: (conditional means (N,), conditional variance ())."""
    m, s = mean.double(), covariance.double()
    gain = s[0, 1] / s[0, 0]
    return m[1] + gain * (x.double() - m[0]), s[1, 1] - gain * s[0, 1]


def _gaussian_cases() -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(808)
    cases = []
    for rho, sx, sy in ((0.8, 2.0, 0.5), (-0.6, 0.7, 3.0), (0.3, 1.5, 1.5)):
        mean = 4 * torch.randn(2, generator=g)
        covariance = torch.tensor([[sx * sx, rho * sx * sy], [rho * sx * sy, sy * sy]])
        x = mean[0] + sx * 2 * torch.randn(7, generator=g)
        cases.append((mean, covariance, x))
    return cases


def _gaussian_slip(mean, variance, m, s, x) -> str:
    """Name the usual slip that produces (mean, variance), or say by how much it is off."""
    m, s, x = m.double(), s.double(), x.double()
    right_mean, right_variance = conditional_gaussian_reference(m, s, x)
    swapped_mean = m[1] + s[0, 1] / s[1, 1] * (x - m[0])
    if _close(mean, m[0] + s[0, 1] / s[1, 1] * (x - m[1])):
        return "you conditioned x on y; here x is observed (the first coordinate) and y (the second) is predicted."
    if _close(mean, swapped_mean):
        return "the slope of the conditional mean is Σ_xy / Σ_xx (over the observed x's variance), not Σ_xy / Σ_yy."
    if _close(mean, m[1] + s[0, 1] / s[0, 0] * x):
        return "the conditional mean is μ_y + (Σ_xy / Σ_xx)(x − μ_x): measure x from the component's centre μ_x."
    if _close(mean, m[1] + s[0, 1] / math.sqrt(s[0, 0] * s[1, 1]) * (x - m[0])):
        return "you used the correlation as the slope; the slope is Σ_xy / Σ_xx (a covariance over a variance)."
    if not _close(mean, right_mean):
        worst = float((mean.double() - right_mean).abs().max())
        return f"the conditional means differ from μ_y + (Σ_xy / Σ_xx)(x − μ_x) by up to {worst:.3g}."
    if _close(variance, s[1, 1]):
        return "the variance is still Σ_yy: knowing x removes Σ_xy² / Σ_xx of it."
    if _close(variance, s[1, 1] + s[0, 1] ** 2 / s[0, 0]):
        return "knowing x must shrink the variance: Σ_yy − Σ_xy² / Σ_xx (you added)."
    if _close(variance, right_variance.sqrt()):
        return "you returned the standard deviation; return the variance."
    if _close(variance, s[1, 1] - s[0, 1] ** 2 / s[1, 1]):
        return "the variance removed is Σ_xy² / Σ_xx (over the observed x's variance), not Σ_xy² / Σ_yy."
    expected = float(right_variance)
    return f"the conditional variance is {float(variance):.4g}, expected Σ_yy − Σ_xy² / Σ_xx = {expected:.4g}."


def check_condition_gaussian(condition_gaussian, mean=None, covariance=None, x=None) -> CheckResult:
    """Exercise 1: ``condition_gaussian(mean, covariance, x)`` for one 2-D Gaussian over (x, y):
    mean (2,) = (μ_x, μ_y), covariance (2, 2), observed x (N,) → (conditional means (N,), conditional
    variance, a number or a tensor of shape () or (N,)).

    mean, covariance, x: optionally the lesson's own component and inputs, checked after the fresh cases.
    """

    def body(problems: list[str]) -> None:
        if not expect_function(condition_gaussian, "condition_gaussian", problems, "(mean, covariance, x)"):
            return
        cases = _gaussian_cases()
        if mean is not None:
            cases.append(
                (torch.as_tensor(mean).float(), torch.as_tensor(covariance).float(), torch.as_tensor(x).float())
            )
        for m, s, xs in cases:
            answer = _call(condition_gaussian, "condition_gaussian", m, s, xs)
            if not isinstance(answer, (tuple, list)) or len(answer) != 2:
                problems.append(
                    f"condition_gaussian should return two things, (means, variance), got {type(answer).__name__}"
                )
                return
            got_mean = _tensor(answer[0], "the conditional means", (len(xs),), problems)
            raw_variance = answer[1]
            shape = tuple(raw_variance.shape) if isinstance(raw_variance, torch.Tensor) else ()
            if shape not in ((), (len(xs),)):
                problems.append(f"the conditional variance should be one number (or shape ({len(xs)},)), got {shape}")
                return
            got_variance = _tensor(raw_variance, "the conditional variance", shape, problems)
            if got_mean is None or got_variance is None:
                return
            if got_variance.ndim == 1 and not bool(
                torch.allclose(got_variance, got_variance[0].expand_as(got_variance))
            ):
                problems.append("the conditional variance of a Gaussian does not depend on x; yours does.")
                return
            got_variance = got_variance.reshape(-1)[0]
            right_mean, right_variance = conditional_gaussian_reference(m, s, xs)
            if _close(got_mean, right_mean) and _close(got_variance, right_variance):
                continue
            problems.append(_gaussian_slip(got_mean, got_variance, m, s, xs))
            return

    return _run("conditioning a 2-D Gaussian", body)


# ---------------------------------------------------------------------------------------------------------
# Exercise 2: the new weights


def conditional_log_weights_reference(log_weights, means_x, variances_x, x) -> torch.Tensor:
    """log π_k N(x_n; μ_x,k, Σ_xx,k) renormalised over k, shape (N, K), float64."""
    lw, mu, var, xs = (t.double() for t in (log_weights, means_x, variances_x, x))
    log_normal = -0.5 * (xs[:, None] - mu) ** 2 / var - 0.5 * torch.log(2 * math.pi * var)
    return torch.log_softmax(lw + log_normal, dim=1)


def _weight_cases():
    g = torch.Generator().manual_seed(818)
    cases = []
    for k, n in ((3, 6), (5, 4)):
        log_weights = torch.log_softmax(torch.randn(k, generator=g), dim=0)
        means_x = 3 * torch.randn(k, generator=g)
        variances_x = 0.2 + 2 * torch.rand(k, generator=g)
        x = 3 * torch.randn(n, generator=g)
        cases.append((log_weights, means_x, variances_x, x))
    # Far from every component: π_k N(x) underflows to 0 in float32 unless it stays in log space.
    cases.append(
        (
            torch.log(torch.tensor([0.5, 0.5])),
            torch.tensor([0.0, 1.0]),
            torch.tensor([0.01, 0.01]),
            torch.tensor([30.0]),
        )
    )
    return cases


def _weights_slip(answer, log_weights, means_x, variances_x, x) -> str:
    lw, mu, var, xs = (t.double() for t in (log_weights, means_x, variances_x, x))
    right = conditional_log_weights_reference(lw, mu, var, xs)
    if not bool(torch.isfinite(answer).all()):
        return (
            "some log-weights are -inf or NaN: far from every component each π_k N(x) is 0 in float32. Stay in "
            "log space: log π_k + log N(x; μ, σ²), then torch.log_softmax over k."
        )
    if _close(answer, right.exp()):
        return "you returned the weights; return their logarithms."
    log_normal = -0.5 * (xs[:, None] - mu) ** 2 / var - 0.5 * torch.log(2 * math.pi * var)
    if _close(answer, lw + log_normal):
        return "the weights do not sum to 1 over the components: renormalise (torch.log_softmax over k)."
    if _close(answer, torch.log_softmax(log_normal, 1)):
        return "the prior weights π_k are missing: a component's new weight is π_k N(x; μ_x, Σ_xx), renormalised."
    if _close(answer, torch.log_softmax(lw - 0.5 * (xs[:, None] - mu) ** 2 / var, 1)):
        return (
            "the normalising constant of N(x; μ_x, Σ_xx) depends on Σ_xx, which differs between components: keep "
            "the −½ log(2π Σ_xx) term."
        )
    if _close(
        answer,
        torch.log_softmax(lw - 0.5 * (xs[:, None] - mu) ** 2 / var.sqrt() - 0.25 * torch.log(2 * math.pi * var), 1),
    ) or _close(
        answer,
        torch.log_softmax(lw - 0.5 * (xs[:, None] - mu) ** 2 / var**2 - 0.5 * torch.log(2 * math.pi * var**2), 1),
    ):
        return "variances_x holds variances Σ_xx (σ²), not standard deviations: use them as such."
    worst = float((answer.double() - right).abs().max())
    return f"your log-weights differ from log_softmax(log π_k + log N(x; μ_x,k, Σ_xx,k)) by up to {worst:.3g}."


def check_conditional_log_weights(
    conditional_log_weights, log_weights=None, means_x=None, variances_x=None, x=None
) -> CheckResult:
    """Exercise 2: ``conditional_log_weights(log_weights, means_x, variances_x, x)`` with the prior
    log-weights (K,), each component's input mean (K,) and input variance (K,), and observed x (N,) →
    the (N, K) log-weights of the components given x.

    log_weights, means_x, variances_x, x: optionally the lesson's own mixture and inputs.
    """

    def body(problems: list[str]) -> None:
        if not expect_function(
            conditional_log_weights, "conditional_log_weights", problems, "(log_weights, means_x, variances_x, x)"
        ):
            return
        cases = _weight_cases()
        if log_weights is not None:
            cases.append(tuple(torch.as_tensor(t).float() for t in (log_weights, means_x, variances_x, x)))
        for case in cases:
            answer = _call(conditional_log_weights, "conditional_log_weights", *case)
            shape = (len(case[3]), len(case[0]))
            if not isinstance(answer, torch.Tensor) or tuple(answer.shape) != shape:
                got = tuple(answer.shape) if isinstance(answer, torch.Tensor) else type(answer).__name__
                problems.append(f"the log-weights should be a tensor of shape (N, K) = {shape}, got {got}")
                return
            answer = answer.detach().float()
            if _close(answer, conditional_log_weights_reference(*case)):
                continue
            problems.append(_weights_slip(answer, *case))
            return

    return _run("the conditional weights", body)


# ---------------------------------------------------------------------------------------------------------
# Exercise 3: the pinball loss


def pinball_reference(predictions, y, quantiles) -> torch.Tensor:
    error = y.double().reshape(-1, 1) - predictions.double()
    taus = quantiles.double()
    return torch.maximum(taus * error, (taus - 1) * error).mean()


def _pinball_cases():
    g = torch.Generator().manual_seed(828)
    quantiles = torch.tensor([0.1, 0.5, 0.9])
    y = 2 * torch.randn(9, 1, generator=g)
    predictions = torch.randn(9, 3, generator=g) + torch.tensor([-1.0, 0.0, 1.5])
    skewed = torch.tensor([0.05, 0.25, 0.75, 0.95])
    y2 = torch.rand(5, 1, generator=g) * 4
    predictions2 = torch.rand(5, 4, generator=g) * 4
    return [(predictions, y, quantiles), (predictions2, y2, skewed)]


def _pinball_slip(value: float, predictions, y, quantiles) -> str:
    error = y.double().reshape(-1, 1) - predictions.double()
    taus = quantiles.double()
    expected = float(pinball_reference(predictions, y, quantiles))
    slips = {
        "the costs are the wrong way round: a prediction that is too low (y > q) costs τ per unit, one too high "
        "costs 1 − τ.": float(torch.maximum((1 - taus) * error, -taus * error).mean()),
        "you summed; average over the N samples and the Q quantiles.": float(
            torch.maximum(taus * error, (taus - 1) * error).sum()
        ),
        "this is the absolute error (the loss for τ = 0.5 only); each τ weighs the two sides by τ and 1 − τ.": float(
            (0.5 * error.abs()).mean()
        ),
        "this is a squared error; the pinball loss is linear in y − q on each side.": float((error**2).mean()),
    }
    for words, slip in slips.items():
        if math.isclose(value, slip, rel_tol=TOLERANCE, abs_tol=TOLERANCE) and not math.isclose(
            slip, expected, rel_tol=TOLERANCE, abs_tol=TOLERANCE
        ):
            return words
    return f"the loss is {value:.5g}, expected {expected:.5g}."


def check_pinball_loss(pinball_loss, predictions=None, y=None, quantiles=None) -> CheckResult:
    """Exercise 3: ``pinball_loss(predictions, y, quantiles)`` with predictions (N, Q), y (N, 1) and
    quantiles (Q,) → the mean pinball loss, a one-number tensor that keeps the gradient.

    predictions, y, quantiles: optionally the lesson's own, checked after the fresh cases.
    """

    def body(problems: list[str]) -> None:
        if not expect_function(pinball_loss, "pinball_loss", problems, "(predictions, y, quantiles)"):
            return
        cases = _pinball_cases()
        if predictions is not None:
            cases.append(tuple(torch.as_tensor(t).detach().float() for t in (predictions, y, quantiles)))
        for p, ys, taus in cases:
            leaf = p.clone().requires_grad_(True)
            try:
                answer = pinball_loss(leaf, ys.clone(), taus.clone())
            except Exception as error:
                raise _StudentRaised(f"your code raised {type(error).__name__}: {error}") from error
            if answer is None or answer is Ellipsis:
                raise NotAttempted(
                    "not attempted yet: pinball_loss returned None.\n     Fill in its body and return the loss."
                )
            if isinstance(answer, torch.Tensor) and answer.numel() != 1:
                problems.append(
                    f"the loss should be one number (the mean over N and Q), got shape {tuple(answer.shape)}. If it "
                    f"is (N, N), y of shape (N,) met predictions (N, Q) and broadcast: keep y as (N, 1)."
                )
                return
            value = as_float(answer, "the loss", problems)
            if value is None:
                return
            expected = float(pinball_reference(p, ys, taus))
            if not math.isclose(value, expected, rel_tol=TOLERANCE, abs_tol=TOLERANCE):
                problems.append(_pinball_slip(value, p, ys, taus))
                return
            if not isinstance(answer, torch.Tensor) or not answer.requires_grad:
                problems.append(
                    "the value is right but it is not connected to the predictions (no gradient): compute it with "
                    "torch operations on the tensors, so that a network can be trained on it."
                )
                return

    return _run("the pinball loss", body)
