"""Checkers for lesson 09 (writing with an MDN-RNN): the stroke model's output head, and one sampling step.

Both call the student's function on fresh inputs (and on the lesson's own, when given), always on copies,
and compare with the package's reference (:func:`mdn_lessons.strokes.stroke_params`) or, for the sampler,
with the statistics its draws must have. A failure inside the checker itself is reported as the checker's,
not blamed on the answer.
"""

from __future__ import annotations

import torch

from .. import strokes
from ._core import CheckResult, NotAttempted, expect_function, run_check, tensors_close

_FIELDS = ("log_weights", "means", "scales", "correlations", "pen_logits")


class _StudentRaised(Exception):
    """The student's function raised; carries the original exception."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


def _call(function, *args):
    try:
        return function(*args)
    except Exception as error:
        raise _StudentRaised(error) from error


def _run(exercise: str, test) -> CheckResult:
    """run_check, telling apart the student's exceptions from a failure of the checker itself."""

    def guarded(problems: list[str]) -> None:
        try:
            test(problems)
        except NotAttempted:
            raise
        except _StudentRaised as raised:
            problems.append(f"your code raised {type(raised.error).__name__}: {raised.error}")
        except Exception as error:
            problems.append(
                f"the checker itself failed ({type(error).__name__}: {error}); this is a bug in mdn_lessons, "
                "not in your answer: please report it"
            )

    return run_check(exercise, guarded)


def _returned_none(call: str) -> NotAttempted:
    return NotAttempted(
        f"not attempted yet, or a `return` is missing:\n     {call} returned None.\n"
        "     Fill in the exercise cell and return the answer."
    )


# ---------------------------------------------------------------------------------------------- exercise 1


def _head_cases(raw, n_components) -> list[tuple[torch.Tensor, int]]:
    g = torch.Generator().manual_seed(9)
    cases = [
        (1.5 * torch.randn(4, 5, strokes.head_size(3), generator=g), 3),
        (1.5 * torch.randn(6, strokes.head_size(1), generator=g), 1),
        (1.5 * torch.randn(2, 3, strokes.head_size(4), generator=g), 4),
    ]
    if raw is not None:
        cases.append((torch.as_tensor(raw, dtype=torch.float32).detach(), n_components))
    return cases


def _head_hint(name: str, got: torch.Tensor, raw: torch.Tensor, k: int, expected) -> str:
    """A sentence naming the likely slip behind a wrong ``name``."""
    batch = raw.shape[:-1]
    block = {"log_weights": raw[..., :k], "correlations": raw[..., 5 * k : 6 * k]}
    if name == "log_weights":
        logits = block["log_weights"]
        if tensors_close(got, logits, 1e-5, 1e-5):
            return "these are the raw logits: the weights must be log-probabilities, torch.log_softmax over K."
        if tensors_close(got, torch.softmax(logits, -1), 1e-5, 1e-5):
            return "these are the probabilities π; return their log (torch.log_softmax over K)."
        return "apply torch.log_softmax to the first K outputs, over the last axis (K)."
    if name == "means":
        other = raw[..., k : 3 * k].reshape(*batch, 2, k).transpose(-1, -2)
        if tensors_close(got, other, 1e-5, 1e-5):
            return "the 2K means come as pairs (μ_x, μ_y) per component: reshape the block to (..., K, 2) directly."
        return "the means are outputs K .. 3K - 1, reshaped to (..., K, 2)."
    if name == "scales":
        raw_scales = raw[..., 3 * k : 5 * k].reshape(*batch, k, 2)
        if tensors_close(got, torch.exp(raw_scales), 1e-4, 1e-4):
            return "use softplus(raw) + MIN_SCALE, as the stroke model does, not exp."
        if tensors_close(got, torch.nn.functional.softplus(raw_scales), 1e-5, 1e-5):
            return f"add the floor MIN_SCALE = {strokes.MIN_SCALE} after the softplus."
        return "the scales are softplus of outputs 3K .. 5K - 1 (as (..., K, 2)) plus MIN_SCALE."
    if name == "correlations":
        if tensors_close(got, block["correlations"], 1e-5, 1e-5):
            return "ρ is the raw output itself here: squash it into (-1, 1) with torch.tanh."
        if isinstance(got, torch.Tensor) and got.numel() and float(got.detach().abs().max()) >= 1:
            return "a correlation must lie strictly between -1 and 1: torch.tanh of the raw outputs 5K .. 6K - 1."
        return "the correlations are torch.tanh of the raw outputs 5K .. 6K - 1."
    if isinstance(got, torch.Tensor) and tuple(got.shape) == (*batch, 1):
        return "drop the last axis: one logit per row, shape (...,) not (..., 1)."
    return "the pen logit is the last raw output, unchanged, shape (...,)."


def check_stroke_head(stroke_head, raw=None, n_components: int = 6) -> CheckResult:
    """Exercise 1: ``stroke_head(raw, n_components)`` -> (log_weights, means, scales, correlations, pen_logits).

    raw, n_components: optionally the lesson's own raw outputs (..., 6K + 1), checked as well.
    """

    def test(problems: list[str]) -> None:
        if not expect_function(stroke_head, "stroke_head", problems, "stroke_head(raw, n_components)"):
            return
        for raw_case, k in _head_cases(raw, n_components):
            call = f"stroke_head(raw of shape {tuple(raw_case.shape)}, {k})"
            answer = _call(stroke_head, raw_case.clone(), k)
            if answer is None:
                raise _returned_none(call)
            if not isinstance(answer, (tuple, list)) or len(answer) != 5:
                problems.append(
                    f"{call} should return five tensors (log_weights, means, scales, correlations, pen_logits), "
                    f"got {type(answer).__name__}"
                )
                return
            expected = strokes.stroke_params(raw_case, k)
            for name, got, want in zip(_FIELDS, answer, expected, strict=True):
                if got is None:
                    problems.append(f"{call}: {name} is None")
                    return
                if not isinstance(got, torch.Tensor):
                    problems.append(f"{call}: {name} should be a torch tensor, got {type(got).__name__}")
                    return
                if tuple(got.shape) != tuple(want.shape) and name != "pen_logits":
                    problems.append(f"{call}: {name} should have shape {tuple(want.shape)}, got {tuple(got.shape)}")
                    return
                if not tensors_close(got, want, atol=1e-5, rtol=1e-4):
                    shape_note = "" if tuple(got.shape) == tuple(want.shape) else f" (shape {tuple(got.shape)})"
                    problems.append(
                        f"{call}: {name}{shape_note} is not right; {_head_hint(name, got, raw_case, k, want)}"
                    )
                    return

    return _run("Exercise 1 (the stroke model's output head)", test)


# ---------------------------------------------------------------------------------------------- exercise 2

_DRAWS = 20_000
_TEMPERATURES = (1.0, 0.5)


def _test_params() -> strokes.StrokeParams:
    """Three well-separated, leaning components, repeated for each of the draws (one draw per row)."""
    log_weights = torch.log(torch.tensor([0.6, 0.3, 0.1]))
    means = torch.tensor([[-8.0, 0.0], [0.0, 8.0], [8.0, 0.0]])
    scales = torch.tensor([[1.0, 0.6], [0.6, 1.2], [1.0, 1.0]])
    correlations = torch.tensor([0.8, -0.7, 0.3])
    n = _DRAWS
    return strokes.StrokeParams(
        log_weights.expand(n, 3).clone(),
        means.expand(n, 3, 2).clone(),
        scales.expand(n, 3, 2).clone(),
        correlations.expand(n, 3).clone(),
        torch.full((n,), 1.0),
    )


def _copy(params) -> strokes.StrokeParams:
    return strokes.StrokeParams(*(p.detach().clone() for p in params))


def _rows(answer, call: str, batch: int, problems: list[str]) -> torch.Tensor | None:
    if answer is None:
        raise _returned_none(call)
    if not isinstance(answer, torch.Tensor):
        problems.append(f"{call} should return a torch tensor of shape ({batch}, 3), got {type(answer).__name__}")
        return None
    if tuple(answer.shape) != (batch, 3):
        problems.append(
            f"{call} should return one row (Δx, Δy, lift) per prediction, shape ({batch}, 3); got {tuple(answer.shape)}"
        )
        return None
    answer = answer.detach().float()
    if not bool(torch.isfinite(answer).all()):
        problems.append(f"{call} returned NaN or inf")
        return None
    if not bool(((answer[:, 2] == 0) | (answer[:, 2] == 1)).all()):
        problems.append(
            f"{call}: the third column is the lift bit and must hold only 0 and 1 (draw it, do not "
            "return the probability)"
        )
        return None
    return answer


def _judge_draws(rows: torch.Tensor, params: strokes.StrokeParams, temperature: float, problems: list[str]) -> None:
    call = f"sample_step(params, temperature={temperature}, generator)"
    means = params.means[0]
    nearest = torch.cdist(rows[:, :2], means).argmin(dim=1)
    shares = torch.bincount(nearest, minlength=3).double() / len(rows)
    expected = torch.softmax(params.log_weights[0].double() / temperature, dim=0)
    if not torch.allclose(shares, expected, atol=0.015):
        untempered = torch.softmax(params.log_weights[0].double(), dim=0)
        hint = (
            " The temperature must reshape the choice of component too: use the logits log π / T."
            if temperature != 1 and torch.allclose(shares, untempered, atol=0.015)
            else " Choose the component with probabilities softmax(log π / T) (torch.multinomial)."
        )
        problems.append(
            f"{call} chose the components with frequencies {[round(float(s), 3) for s in shares]}, expected about "
            f"{[round(float(s), 3) for s in expected]}.{hint}"
        )
        return
    for k in range(3):
        picked = rows[nearest == k, :2].double()
        if len(picked) < 1000:
            continue  # too few draws to judge this component's shape
        sx, sy = (float(s) for s in params.scales[0, k])
        rho = float(params.correlations[0, k])
        mean = picked.mean(0)
        if float((mean - means[k].double()).abs().max()) > 0.1:
            problems.append(
                f"{call}: the draws of component {k} centre on {[round(float(m), 2) for m in mean]}, expected "
                f"{[round(float(m), 2) for m in means[k]]}: a draw is μ_k plus noise (the temperature does not "
                "move the means)."
            )
            return
        cov = torch.cov(picked.T)
        var_x, var_y = float(cov[0, 0]), float(cov[1, 1])
        got_rho = float(cov[0, 1]) / (var_x * var_y) ** 0.5
        want_x, want_y = temperature * sx**2, temperature * sy**2
        if abs(got_rho - rho) > 0.06:
            hint = (
                " The correlation is missing: draw z_x, z_y ~ N(0, 1), then Δx = μ_x + σ_x z_x and "
                "Δy = μ_y + σ_y (ρ z_x + √(1 - ρ²) z_y) (or use the Cholesky factor)."
                if abs(got_rho) < 0.06
                else " With Δy = μ_y + σ_y (ρ z_x + √(1 - ρ²) z_y) the correlation is ρ; the temperature leaves ρ "
                "alone."
            )
            problems.append(f"{call}: component {k}'s draws have correlation {got_rho:.2f}, expected {rho:.2f}.{hint}")
            return
        for axis, got, want in (("x", var_x, want_x), ("y", var_y, want_y)):
            if abs(got / want - 1) > 0.15:
                hint = " The temperature multiplies the variance by T, so each σ by √T."
                if abs(got / (temperature**2 * want / temperature) - 1) < 0.15 and temperature != 1:
                    hint = " It looks as if σ was multiplied by T: the variance scales by T, σ by √T."
                elif axis == "y" and abs(got / (want * (1 + rho**2)) - 1) < 0.15:
                    hint = " The factor √(1 - ρ²) on the second normal draw is missing."
                problems.append(
                    f"{call}: component {k}'s draws have variance {got:.3f} along {axis}, expected "
                    f"{want:.3f} (T·σ_{axis}²).{hint}"
                )
                return
    lifted = float(rows[:, 2].double().mean())
    want_lift = float(torch.sigmoid(params.pen_logits[0].double() / temperature))
    if abs(lifted - want_lift) > 0.015:
        hint = (
            " The pen's logit is tempered as well: P(lift) = sigmoid(logit / T)."
            if temperature != 1 and abs(lifted - float(torch.sigmoid(params.pen_logits[0].double()))) < 0.015
            else " Lift the pen with probability sigmoid(pen_logit / T)."
        )
        problems.append(f"{call} lifted the pen in {lifted:.3f} of the draws, expected about {want_lift:.3f}.{hint}")


def check_sample_step(sample_step, params=None) -> CheckResult:
    """Exercise 2: ``sample_step(params, temperature, generator)`` -> one drawn row (Δx, Δy, lift) per prediction.

    params: optionally the lesson's own StrokeParams with batch shape (B,), checked for shape and bits.
    """

    def test(problems: list[str]) -> None:
        if not expect_function(sample_step, "sample_step", problems, "sample_step(params, temperature, generator)"):
            return
        test_params = _test_params()
        for temperature in _TEMPERATURES:
            call = f"sample_step(params, temperature={temperature}, generator)"
            generator = torch.Generator().manual_seed(0)
            rows = _rows(_call(sample_step, _copy(test_params), temperature, generator), call, _DRAWS, problems)
            if rows is None:
                return
            _judge_draws(rows, test_params, temperature, problems)
            if problems:
                return
        small = strokes.StrokeParams(*(p[:50] for p in test_params))
        first = _call(sample_step, _copy(small), 1.0, torch.Generator().manual_seed(5))
        second = _call(sample_step, _copy(small), 1.0, torch.Generator().manual_seed(5))
        if isinstance(first, torch.Tensor) and isinstance(second, torch.Tensor) and not torch.equal(first, second):
            problems.append(
                "two calls with generators seeded alike drew different rows: pass `generator` to every random "
                "draw (torch.multinomial, torch.randn, torch.rand), so that samples can be repeated."
            )
            return
        if params is not None:
            own = strokes.StrokeParams(*(torch.as_tensor(p).detach() for p in params))
            batch = own.log_weights.shape[0]
            _rows(
                _call(sample_step, _copy(own), 1.0, torch.Generator().manual_seed(1)),
                "sample_step(the lesson's params, 1.0, generator)",
                batch,
                problems,
            )

    return _run("Exercise 2 (one step of the writing loop, with a temperature)", test)


# ---------------------------------------------------------------------------------------------- exercise 3


def _fresh_model() -> strokes.StrokeRNN:
    """A small random stroke model, built without touching torch's global random state."""
    state = torch.random.get_rng_state()
    try:
        torch.manual_seed(11)
        model = strokes.StrokeRNN(n_components=3, hidden_size=8)
    finally:
        torch.random.set_rng_state(state)
    with torch.no_grad():
        model.head.weight.mul_(10)  # a random net whose predictions change from step to step
    return model.eval()


def check_write_strokes(write_strokes, model=None) -> CheckResult:
    """Exercise 3: ``write_strokes(model, n_samples, n_steps, temperature, generator)`` -> (n_samples, n_steps, 3).

    Compared row by row with :func:`mdn_lessons.strokes.write` (which uses :func:`strokes.sample_step`) under
    generators seeded alike, on a fresh random model and on the lesson's ``model`` if given (both copied).
    """
    import copy

    def test(problems: list[str]) -> None:
        usage = "write_strokes(model, n_samples, n_steps, temperature, generator)"
        if not expect_function(write_strokes, "write_strokes", problems, usage):
            return
        models = [("a fresh random model", _fresh_model())]
        if model is not None:
            models.append(("the lesson's model", model))
        for label, subject in models:
            for n_samples, n_steps, temperature, seed in ((4, 12, 1.0, 0), (3, 10, 0.5, 1)):
                call = f"write_strokes({label}, {n_samples}, {n_steps}, temperature={temperature}, generator)"
                answer = _call(
                    write_strokes,
                    copy.deepcopy(subject),
                    n_samples,
                    n_steps,
                    temperature,
                    torch.Generator().manual_seed(seed),
                )
                if answer is None:
                    raise _returned_none(call)
                want = strokes.write(copy.deepcopy(subject), n_samples, n_steps, temperature, seed)
                if not isinstance(answer, torch.Tensor) or tuple(answer.shape) != tuple(want.shape):
                    got = tuple(answer.shape) if isinstance(answer, torch.Tensor) else type(answer).__name__
                    problems.append(
                        f"{call} should return the rows it drew, shape {tuple(want.shape)} (n_samples, n_steps, 3); "
                        f"got {got}. Stack one (n_samples, 3) row per step along dim=1."
                    )
                    return
                answer = answer.detach().float()
                if tensors_close(answer, want, atol=1e-5, rtol=1e-5):
                    continue
                close = torch.isclose(answer, want, atol=1e-5, rtol=1e-5).all(dim=(0, 2))
                first = int((~close).nonzero()[0])
                if first == 0:
                    hint = (
                        "start from a blank page: one row (0, 0, 0) per line and state None, and draw each row with "
                        "strokes.sample_step(params, temperature, generator)."
                    )
                else:
                    hint = (
                        "after each step, read back the row you just drew and pass on the state that next_params "
                        "returned."
                    )
                if temperature != 1:
                    hint += " Pass the temperature on to sample_step."
                problems.append(f"{call}: the rows agree with the reference up to step {first}, then differ; {hint}")
                return

    return _run("Exercise 3 (the writing loop)", test)
