import ipywidgets
import pytest
import torch

import mdn_lessons as ml
from mdn_lessons.widgets import TrainSettings, status_text


def test_status_text_reports_loss_and_gap():
    assert status_text(300, 1000, 1.41234) == "step 300/1000 · NLL 1.412 nats on training data"
    text = status_text(300, 1000, 1.412, reference=1.331, on="held-out data")
    assert text == "step 300/1000 · NLL 1.412 nats on held-out data (Bayes limit 1.331, gap 0.081)"
    assert "training failed" in status_text(3, 10, float("nan"))


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"n_components": 0}, "n_components must be"),
        ({"n_components": 11}, "n_components must be between 1 and 10"),
        ({"lr": 0.5}, "lr must be between 0.0001 and 0.1"),
        ({"lr": 1e-5}, "lr must be between"),
        ({"steps": 0}, "steps must be a whole number >= 1"),
    ],
)
def test_settings_refuse_values_outside_the_widget_ranges(kwargs, words):
    settings = {"n_components": 3, "lr": 0.01, "steps": 10, "redraw_every": 5} | kwargs
    with pytest.raises(ValueError, match=words):
        TrainSettings(**settings)


def test_mixture_explorer_trains_from_its_sliders_and_redraws():
    g = torch.Generator().manual_seed(0)
    y = torch.cat([torch.randn(200, 1, generator=g) - 3, torch.randn(200, 1, generator=g) + 3])
    explorer = ml.widgets.MixtureExplorer(y, n_components=1, steps=40, redraw_every=10)
    assert isinstance(explorer.ui, ipywidgets.VBox)
    first_plot = explorer.plot.value
    assert first_plot[:4] == b"\x89PNG"
    explorer.components_slider.value = 2
    explorer.lr_slider.value = 0.1
    history = explorer.train()
    assert explorer.model.n_components == 2
    assert len(history.loss) == 40
    assert explorer.status.value.startswith("step 40/40 · NLL")
    assert explorer.plot.value != first_plot
    assert not explorer.train_button.disabled


def test_mdn_trainer_redraws_every_k_steps_and_shows_the_bayes_gap_on_held_out_data():
    x, y = ml.data.inverted_sine(n=300, seed=0)
    x_val, y_val = ml.data.inverted_sine(n=500, seed=1)
    trainer = ml.widgets.MDNTrainer(x, y, steps=30, redraw_every=10, noise=1.0, validation=(x_val, y_val))
    pictures = []
    trainer.plot.observe(lambda change: pictures.append(change["new"]), names="value")
    trainer.train()
    assert len(pictures) == 3  # steps 10, 20, 30
    with torch.no_grad():
        held_out = float(-trainer.model.log_prob(x_val, y_val).mean())
    bayes = float(-ml.data.inverted_sine_log_prob(x_val, y_val).mean())
    assert trainer.status.value == status_text(30, 30, held_out, bayes, "held-out data")


def test_button_click_runs_training():
    x, y = ml.data.inverted_sine(n=200, seed=0)
    trainer = ml.widgets.MDNTrainer(x, y, steps=10, redraw_every=5)
    trainer.train_button.click()
    assert trainer.history is not None and len(trainer.history.loss) == 10


def test_widgets_refuse_bad_data():
    with pytest.raises(ValueError, match="x and y must hold the same number of samples"):
        ml.widgets.MDNTrainer(torch.zeros(5, 1), torch.zeros(6, 1))
    with pytest.raises(ValueError, match="y contains 1 NaN"):
        ml.widgets.MixtureExplorer(torch.tensor([1.0, float("nan")]))
    with pytest.raises(ValueError, match="lr must be between"):
        ml.widgets.MixtureExplorer(torch.zeros(5), lr=1.0)
    with pytest.raises(TypeError, match=r"validation must be a pair \(x_val, y_val\)"):
        ml.widgets.MDNTrainer(torch.zeros(5, 1), torch.zeros(5, 1), validation=torch.zeros(5, 1))
