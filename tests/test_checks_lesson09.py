import math

import torch
from lesson_solutions import solution

import mdn_lessons as ml
from mdn_lessons import strokes

check_head = ml.checks.lesson09.check_stroke_head
check_step = ml.checks.lesson09.check_sample_step

# The right answers are the lesson's own solutions (lessons/09_writing_with_an_mdn_rnn.py).
stroke_head = solution("09", "stroke_head")
sample_step = solution("09", "sample_step")
write_strokes = solution("09", "write_strokes")


def _problems(result):
    assert not result.passed
    return " ".join(result.problems)


def test_stubs_are_not_attempted_and_none_is_named(capsys):
    for check in (check_head, check_step):
        for answer in (lambda *args: None, ...):
            result = check(answer)
            assert not result.passed and "not attempted yet" in result.problems[0]
    assert "returned None" in check_head(lambda *args: None).problems[0]
    assert "returned None" in check_step(lambda *args: None).problems[0]
    assert "❌" in capsys.readouterr().out


def test_correct_answers_pass_on_fresh_and_the_lessons_own_inputs(capsys):
    raw = torch.randn(3, 4, strokes.head_size(6))
    assert check_head(stroke_head, raw=raw, n_components=6).passed
    own = strokes.stroke_params(torch.randn(7, strokes.head_size(2)), 2)
    assert check_step(sample_step, params=own).passed
    assert check_step(strokes.sample_step).passed
    assert capsys.readouterr().out.count("✅") == 3


def test_the_checkers_hand_over_copies():
    raw = torch.randn(2, strokes.head_size(6))
    before = raw.clone()

    def in_place(raw, n_components):
        answer = stroke_head(raw.clone(), n_components)
        raw.zero_()
        return answer

    assert check_head(in_place, raw=raw).passed
    assert torch.equal(raw, before)


def test_head_slips_are_named():
    def rho_without_tanh(raw, k):
        out = list(stroke_head(raw, k))
        out[3] = raw[..., 5 * k : 6 * k]
        return tuple(out)

    assert "torch.tanh" in _problems(check_head(rho_without_tanh))

    def raw_logits(raw, k):
        out = list(stroke_head(raw, k))
        out[0] = raw[..., :k]
        return tuple(out)

    assert "raw logits" in _problems(check_head(raw_logits))

    def probabilities(raw, k):
        out = list(stroke_head(raw, k))
        out[0] = torch.softmax(raw[..., :k], dim=-1)
        return tuple(out)

    assert "return their log" in _problems(check_head(probabilities))

    def exp_scales(raw, k):
        out = list(stroke_head(raw, k))
        out[2] = torch.exp(raw[..., 3 * k : 5 * k].reshape(*raw.shape[:-1], k, 2))
        return tuple(out)

    assert "not exp" in _problems(check_head(exp_scales))

    def no_floor(raw, k):
        out = list(stroke_head(raw, k))
        out[2] = out[2] - strokes.MIN_SCALE
        return tuple(out)

    assert "MIN_SCALE" in _problems(check_head(no_floor))

    def means_transposed(raw, k):
        out = list(stroke_head(raw, k))
        out[1] = raw[..., k : 3 * k].reshape(*raw.shape[:-1], 2, k).transpose(-1, -2)
        return tuple(out)

    assert "pairs" in _problems(check_head(means_transposed))

    def pen_kept_axis(raw, k):
        out = list(stroke_head(raw, k))
        out[4] = raw[..., -1:]
        return tuple(out)

    assert "drop the last axis" in _problems(check_head(pen_kept_axis))
    assert "five tensors" in _problems(check_head(lambda raw, k: stroke_head(raw, k)[:4]))
    assert check_head(42).problems == ["stroke_head should be a function stroke_head(raw, n_components), got int"]


def _variant(**changes):
    """sample_step with one slip; changes name what goes wrong."""

    def step(params, temperature, generator):
        log_weights, means, scales, rho, pen_logits = params
        t_weights = 1.0 if changes.get("untempered_weights") else temperature
        t_pen = 1.0 if changes.get("untempered_pen") else temperature
        b = len(log_weights)
        k = torch.multinomial(torch.softmax(log_weights / t_weights, dim=-1), 1, generator=generator)[:, 0]
        rows = torch.arange(b)
        factor = temperature if changes.get("sigma_times_t") else math.sqrt(temperature)
        mu, sigma, r = means[rows, k], scales[rows, k] * factor, rho[rows, k]
        if changes.get("no_rho"):
            r = torch.zeros_like(r)
        if changes.get("rho_times_t"):
            r = r * temperature
        z = torch.randn(b, 2, generator=generator)
        root = torch.ones_like(r) if changes.get("no_root") else torch.sqrt(1 - r**2)
        dx = mu[:, 0] + sigma[:, 0] * z[:, 0]
        dy = mu[:, 1] + sigma[:, 1] * (r * z[:, 0] + root * z[:, 1])
        if changes.get("probability"):
            lift = torch.sigmoid(pen_logits / t_pen)
        else:
            lift = (
                torch.rand(b, generator=generator if not changes.get("global_rng") else None)
                < torch.sigmoid(pen_logits / t_pen)
            ).float()
        return torch.stack([dx, dy, lift], dim=1)

    return step


def test_sampling_slips_are_named():
    assert "correlation is missing" in _problems(check_step(_variant(no_rho=True)))
    assert "√(1 - ρ²)" in _problems(check_step(_variant(no_root=True)))
    assert "σ was multiplied by T" in _problems(check_step(_variant(sigma_times_t=True)))
    assert "leaves ρ alone" in _problems(check_step(_variant(rho_times_t=True)))
    assert "choice of component" in _problems(check_step(_variant(untempered_weights=True)))
    assert "tempered as well" in _problems(check_step(_variant(untempered_pen=True)))
    assert "lift bit" in _problems(check_step(_variant(probability=True)))
    assert "pass `generator`" in _problems(check_step(_variant(global_rng=True)))
    assert "shape (20000, 3)" in _problems(check_step(lambda params, t, g: torch.zeros(5, 3)))


def test_errors_of_the_student_and_of_the_checker_are_told_apart(monkeypatch):
    def broken(params, temperature, generator):
        raise IndexError("index 3 is out of bounds")

    assert check_step(broken).problems == ["your code raised IndexError: index 3 is out of bounds"]

    def failing_reference(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(strokes, "stroke_params", failing_reference)
    problems = _problems(check_head(stroke_head))
    assert "the checker itself failed" in problems and "not in your answer" in problems


check_loop = ml.checks.lesson09.check_write_strokes


def _lesson_like_model():
    torch.manual_seed(0)
    return strokes.StrokeRNN(n_components=2, hidden_size=8).eval()


def test_the_writing_loop_passes_and_does_not_touch_the_lessons_model(capsys):
    model = _lesson_like_model()
    before = {name: value.clone() for name, value in model.state_dict().items()}
    assert check_loop(write_strokes, model=model).passed
    assert all(torch.equal(before[name], value) for name, value in model.state_dict().items())
    assert check_loop(lambda *args: None).problems[0].startswith("not attempted yet, or a `return` is missing")
    assert "✅" in capsys.readouterr().out


def test_writing_loop_slips_are_named():
    def no_feedback(model, n_samples, n_steps, temperature, generator):
        state, written = None, []
        for _ in range(n_steps):
            params, state = model.next_params(torch.zeros(n_samples, 3), state)
            written.append(strokes.sample_step(params, temperature, generator))
        return torch.stack(written, dim=1)

    assert "read back the row you just drew" in _problems(check_loop(no_feedback))

    def forgets_state(model, n_samples, n_steps, temperature, generator):
        rows, written = torch.zeros(n_samples, 3), []
        for _ in range(n_steps):
            params, _ = model.next_params(rows, None)
            rows = strokes.sample_step(params, temperature, generator)
            written.append(rows)
        return torch.stack(written, dim=1)

    assert "pass on the state" in _problems(check_loop(forgets_state))

    def ignores_temperature(model, n_samples, n_steps, temperature, generator):
        return write_strokes(model, n_samples, n_steps, 1.0, generator)

    assert "Pass the temperature on" in _problems(check_loop(ignores_temperature))

    def steps_first(model, n_samples, n_steps, temperature, generator):
        return write_strokes(model, n_samples, n_steps, temperature, generator).transpose(0, 1)

    assert "shape (4, 12, 3)" in _problems(check_loop(steps_first))
