import io
import re

import ipywidgets
import pytest
import torch
from PIL import Image

import mdn_lessons as ml
from mdn_lessons.widgets import TrainSettings, controls, figure, status_text
from mdn_lessons.widgets.figure import FigureWidget


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


def _small_trainer(**kwargs):
    x, y = ml.data.inverted_sine(n=200, seed=0)
    return ml.widgets.MDNTrainer(x, y, **({"steps": 30, "redraw_every": 10} | kwargs))


def test_the_plot_is_drawn_for_its_displayed_size_at_twice_the_pixels():
    trainer = _small_trainer()
    assert trainer.plot.layout.width == "640px" and trainer.plot.layout.max_width == "100%"
    with Image.open(io.BytesIO(trainer.plot.value)) as picture:
        assert picture.width == 2 * 640
    with pytest.raises(ValueError, match="figsize must be"):
        FigureWidget().make_figure({}, figsize=(9, 3))


def test_each_redraw_shows_the_picture_then_its_status_and_both_name_the_same_step():
    trainer = _small_trainer()
    events = []
    trainer.plot.observe(lambda change: events.append(("plot", trainer._ax.get_title())), names="value")
    trainer.status.observe(lambda change: events.append(("status", change["new"])), names="value")
    trainer.train()
    assert [kind for kind, _ in events] == ["plot", "status"] * 3
    for (_, title), (_, status) in zip(events[::2], events[1::2], strict=True):
        step = re.search(r"step (\d+/\d+)", title)[1]
        assert status.startswith(f"step {step} ·"), (title, status)


def test_a_click_queued_during_a_run_does_not_start_a_second_run(monkeypatch):
    trainer = _small_trainer(steps=10, redraw_every=5)
    runs = []
    fit_model = trainer.fit_model
    monkeypatch.setattr(trainer, "fit_model", lambda *args: runs.append(1) or fit_model(*args))
    trainer.train_button.click()
    trainer.train_button.click()  # read by the kernel the moment the first run ended: a double-click
    assert len(runs) == 1 and not trainer.train_button.disabled
    trainer._last_run_ended -= controls.QUEUED_CLICK_SECONDS  # the student clicks again, later
    trainer.train_button.click()
    assert len(runs) == 2
    trainer._training = True  # a click read while a run is going on
    trainer.train_button.click()
    assert len(runs) == 2


def test_the_button_is_disabled_while_training():
    trainer = _small_trainer(steps=10, redraw_every=5)
    seen = []
    trainer.status.observe(lambda change: seen.append(trainer.train_button.disabled), names="value")
    trainer.train()
    assert seen == [True, True] and not trainer.train_button.disabled


def test_the_cell_output_carries_a_picture_and_one_line_beside_the_live_view():
    trainer = _small_trainer()
    data, metadata = trainer._mimebundle()
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == trainer.ui.model_id
    assert data["text/plain"] == "MDNTrainer: an interactive tool; run this cell to use it."
    with Image.open(io.BytesIO(data["image/png"])) as picture:
        assert picture.format == "PNG" and picture.width == figure.STATIC_WIDTH
    assert metadata == {"image/png": {"width": 640}}
    assert trainer.controls_text() == [("components  5", False), ("learning rate  2e-02", False), ("Train MDN", True)]


def test_training_from_code_updates_the_saved_picture_of_a_displayed_widget(monkeypatch):
    import IPython.display

    shown, updated = [], []
    monkeypatch.setattr(IPython.display, "display", lambda data, **kwargs: shown.append((data, kwargs)))
    monkeypatch.setattr(IPython.display, "update_display", lambda data, **kwargs: updated.append((data, kwargs)))
    trainer = _small_trainer()
    trainer.train()
    assert updated == []  # never displayed: nothing to update
    trainer._ipython_display_()
    assert shown[0][1]["display_id"] == trainer._display_id and shown[0][1]["raw"]
    before = shown[0][0]["image/png"]
    trainer.train_button.click()  # the button updates the live view only
    assert updated == []
    trainer._last_run_ended -= controls.QUEUED_CLICK_SECONDS
    trainer.components_slider.value = 2
    trainer.train()
    assert len(updated) == 1 and updated[0][1]["display_id"] == trainer._display_id
    assert updated[0][0]["image/png"] != before


def test_gaussian_explorer_fits_the_column_and_set_updates_the_saved_picture(monkeypatch):
    import IPython.display

    updated = []
    monkeypatch.setattr(IPython.display, "display", lambda data, **kwargs: None)
    monkeypatch.setattr(IPython.display, "update_display", lambda data, **kwargs: updated.append(data))
    explorer = ml.widgets.GaussianExplorer(torch.randn(300, generator=torch.Generator().manual_seed(0)))
    assert explorer.figure.get_figwidth() <= ml.style.MAX_WIDTH and explorer.plot.layout.width == "800px"
    explorer._ipython_display_()
    explorer.best_button.click()
    assert updated == []
    explorer.set(0.5, 1.0)
    assert len(updated) == 1 and "image/png" in updated[0]
