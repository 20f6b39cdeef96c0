import math
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import mdn_lessons as ml
from mdn_lessons import strokes

ROOT = Path(__file__).resolve().parents[1]


def test_glyph_strokes_shape_seed_and_lift_bits():
    a = strokes.glyph_strokes(n=50, length=30, seed=3)
    assert a.shape == (50, 30, 3) and a.dtype == torch.float32
    assert torch.equal(a, strokes.glyph_strokes(n=50, length=30, seed=3))
    assert not torch.equal(a, strokes.glyph_strokes(n=50, length=30, seed=4))
    assert set(a[..., 2].unique().tolist()) <= {0.0, 1.0}


def test_the_choices_happen_with_their_true_probabilities():
    lines = strokes.glyph_strokes(n=4000, length=10, seed=0)
    measured, truth = strokes.first_glyph_branches(lines), strokes.true_branch_shares()
    assert truth == pytest.approx({"anticlockwise loop": 0.42, "clockwise loop": 0.18, "zig-zag": 0.4, "lift": 0.3})
    for name in truth:
        assert abs(measured[name] - truth[name]) < 0.025, name


def test_settings_change_the_true_shares_and_the_data_alike():
    settings = {"p_loop": 1.0, "p_anticlockwise": 0.2, "p_lift": 0.9}
    lines = strokes.glyph_strokes(n=2000, length=9, seed=1, **settings)
    measured, truth = strokes.first_glyph_branches(lines), strokes.true_branch_shares(**settings)
    assert truth["zig-zag"] == 0 and truth["clockwise loop"] == pytest.approx(0.8)
    for name in truth:
        assert abs(measured[name] - truth[name]) < 0.03, name


def test_a_lift_is_followed_by_a_move_back_to_the_baseline():
    lines = strokes.glyph_strokes(n=200, length=20, seed=2, p_lift=1.0)
    assert (lines[:, 7, 2] == 1).all() and (lines[:, :7, 2] == 0).all()
    heights = strokes.positions(lines)[:, 9, 1]  # the point after the move
    assert heights.abs().max() < 0.3


def test_the_next_offset_leans_with_the_stroke():
    # Noise along the direction of travel: on the first (60°) step the offsets are strongly correlated.
    lines = strokes.glyph_strokes(n=4000, length=2, seed=0, slant=0.0, size=(1.0, 1.0))
    corr = torch.corrcoef(lines[:, 0, :2].T)[0, 1]
    assert corr > 0.8


def test_glyph_settings_are_validated_by_name():
    with pytest.raises(ValueError, match="p_lift must be a probability"):
        strokes.glyph_strokes(n=2, p_lift=1.5)
    with pytest.raises(TypeError, match="unknown glyph setting"):
        strokes.glyph_strokes(n=2, p_lif=0.5)
    with pytest.raises(ValueError, match="size must be"):
        strokes.glyph_strokes(n=2, size=(2.0, 1.0))
    with pytest.raises(ValueError, match="length must be"):
        strokes.glyph_strokes(n=2, length=1)
    with pytest.raises(ValueError, match="lift bit"):
        strokes.first_glyph_branches(torch.full((2, 8, 3), 0.5))
    with pytest.raises(ValueError, match="T >= 8"):
        strokes.first_glyph_branches(torch.zeros(2, 5, 3))
    with pytest.raises(ValueError, match=r"pass s\[None\]"):
        strokes.next_step_pairs(torch.zeros(5, 3))


def test_turning_of_a_square_and_of_a_zigzag():
    square = torch.tensor([[[1.0, 0, 0], [0, 1, 0], [-1, 0, 0], [0, -1, 0]]])
    assert float(strokes.turning(square)) == pytest.approx(3 * math.pi / 2)
    mirrored = square * torch.tensor([1.0, -1.0, 1.0])
    assert float(strokes.turning(mirrored)) == pytest.approx(-3 * math.pi / 2)


def test_next_step_pairs_shift_by_one_after_a_start_row():
    lines = strokes.glyph_strokes(n=3, length=5, seed=0)
    x, y = strokes.next_step_pairs(lines)
    assert torch.equal(y, lines) and torch.equal(x[:, 0], torch.zeros(3, 3)) and torch.equal(x[:, 1:], lines[:, :-1])


def test_stroke_params_split_the_raw_outputs():
    k = 3
    raw = torch.randn(2, 4, strokes.head_size(k))
    params = strokes.stroke_params(raw, k)
    assert params.log_weights.shape == (2, 4, 3) and params.means.shape == (2, 4, 3, 2)
    assert torch.allclose(params.log_weights.exp().sum(-1), torch.ones(2, 4))
    assert torch.equal(params.means, raw[..., k : 3 * k].reshape(2, 4, k, 2))
    assert torch.allclose(params.correlations, torch.tanh(raw[..., 5 * k : 6 * k]))
    assert (params.scales > 0).all() and torch.equal(params.pen_logits, raw[..., -1])
    diagonal = strokes.stroke_params(raw[..., : strokes.head_size(k, correlated=False)], k, correlated=False)
    assert (diagonal.correlations == 0).all()
    with pytest.raises(ValueError, match="raw must have 19 outputs"):
        strokes.stroke_params(raw[..., :-1], k)


def test_stroke_params_keep_rho_inside_for_huge_raw_values():
    raw = torch.zeros(1, strokes.head_size(1))
    raw[0, 5] = 50.0
    params = strokes.stroke_params(raw, 1)
    assert float(params.correlations.abs().max()) < 1
    assert torch.isfinite(params.log_prob(torch.tensor([[0.1, -0.2, 1.0]]))).all()


def test_the_loss_is_the_sum_of_the_offset_and_pen_nlls():
    params = strokes.stroke_params(torch.randn(5, strokes.head_size(2)), 2)
    rows = torch.cat([torch.randn(5, 2), torch.tensor([[0.0], [1.0], [1.0], [0.0], [0.0]])], dim=1)
    offsets = params.mixture().distribution().log_prob(rows[:, :2])
    pen = torch.distributions.Bernoulli(logits=params.pen_logits).log_prob(rows[:, 2])
    assert torch.allclose(params.log_prob(rows), offsets + pen, atol=1e-5)


def test_sample_step_shapes_bits_and_temperature():
    params = strokes.stroke_params(torch.randn(6, strokes.head_size(2)), 2)
    g = torch.Generator().manual_seed(0)
    rows = strokes.sample_step(params, 0.5, g)
    assert rows.shape == (6, 3) and set(rows[:, 2].tolist()) <= {0.0, 1.0}
    # The pen: logit 2 at T = 0.5 lifts with probability sigmoid(4).
    one = strokes.StrokeParams(
        torch.zeros(4000, 1),
        torch.zeros(4000, 1, 2),
        torch.ones(4000, 1, 2),
        torch.zeros(4000, 1),
        torch.full((4000,), 2.0),
    )
    lifts = strokes.sample_step(one, 0.5, torch.Generator().manual_seed(1))[:, 2].mean()
    assert abs(float(lifts) - torch.sigmoid(torch.tensor(4.0)).item()) < 0.02
    with pytest.raises(ValueError, match="params.means must have shape"):
        strokes.sample_step(one._replace(means=torch.zeros(4000, 2, 2)))


def _small_model_and_data(correlated=True):
    lines = strokes.glyph_strokes(n=64, length=12, seed=0)
    x, y = strokes.next_step_pairs(lines)
    torch.manual_seed(0)
    return strokes.StrokeRNN(n_components=3, hidden_size=16, correlated=correlated), x, y


@pytest.mark.parametrize("correlated", [True, False])
def test_the_model_trains_with_fit_and_reports_the_nll_in_data_units(correlated):
    model, x, y = _small_model_and_data(correlated)
    history = ml.fit(model, x, y, steps=60, lr=0.01, batch_size=32, seed=0, warmup_steps=10)
    assert history.loss[-1] < history.loss[0]
    with torch.no_grad():
        nll = -model.log_prob(x, y).mean()
        objective = model.objective(x, y)
    assert float(nll) == pytest.approx(model.to_data_units(float(objective)), abs=1e-4)
    params = model(x)
    assert params.means.shape == (64, 12, 3, 2) and params.pen_logits.shape == (64, 12)
    assert correlated or bool((params.correlations == 0).all())


def test_the_model_refuses_bad_strokes_by_name():
    model, x, y = _small_model_and_data()
    with pytest.raises(ValueError, match="x and y must have the same shape"):
        ml.fit(model, x[:, :5], y, steps=1)
    with pytest.raises(ValueError, match=r"x must have shape \(N, T, 3\)"):
        model(torch.zeros(2, 5, 2))


def test_write_is_repeatable_and_uses_the_step_function():
    model, x, y = _small_model_and_data()
    a = strokes.write(model, n_samples=5, n_steps=7, generator=3)
    assert a.shape == (5, 7, 3) and torch.equal(a, strokes.write(model, n_samples=5, n_steps=7, generator=3))

    def pen_always_down(params, temperature, generator):
        rows = strokes.sample_step(params, temperature, generator)
        rows[:, 2] = 0
        return rows

    assert (strokes.write(model, 4, 9, step=pen_always_down, generator=0)[..., 2] == 0).all()
    with pytest.raises(TypeError, match="model must be a StrokeRNN"):
        strokes.write(ml.MDN(1, 1, 2))


def test_the_shipped_weights_load_and_write_glyphs():
    for correlated in (True, False):
        model = strokes.pretrained(correlated)
        assert model.correlated is correlated and not model.training
    samples = strokes.write(strokes.pretrained(True), n_samples=400, n_steps=9, generator=0)
    shares, truth = strokes.first_glyph_branches(samples), strokes.true_branch_shares()
    for name in truth:
        assert abs(shares[name] - truth[name]) < 0.1, name


def test_the_weights_script_runs_in_a_reduced_form(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "tools.train_stroke_weights", "--steps", "3", "--n", "64", "--out", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    for correlated in (True, False):
        state = torch.load(tmp_path / strokes.weights_file(correlated), weights_only=True)
        strokes.StrokeRNN(6, 64, correlated=correlated).load_state_dict(state)


def test_draw_returns_an_axis():
    import matplotlib

    matplotlib.use("Agg")
    ax = strokes.draw(strokes.glyph_strokes(n=1, length=20, seed=0)[0])
    assert len(ax.lines) >= 1
