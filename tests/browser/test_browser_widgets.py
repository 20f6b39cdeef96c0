"""The widgets work for a student in a real JupyterLab: they render, respond to the sliders and the Train button.

Each notebook that builds a widget is opened in headless Chromium, run with "Run All Cells", and then used:
the components and learning-rate sliders are moved one step, Train is double-clicked, and the page is read
back (rendered controls, a redrawn plot drawn at its shown size, its status line in step, one run only).
Opened without running, the same notebooks show a picture of each widget. See tools/jupyterlab_driver.py
for how, and DESIGN.md for why.
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager

from tools import jupyterlab_driver

# Lessons whose plan (DESIGN.md, "The lesson plan") includes a training widget: when present, they must be
# tested here.
TRAINING_WIDGET_LESSONS = ("00_welcome.ipynb", "02_gaussian_mixtures.ipynb", "04_mdn.ipynb")
WIDGET_LESSONS = (*TRAINING_WIDGET_LESSONS, "01_p_and_q.ipynb")
NLL_SHOWN = re.compile(r"NLL -?\d+\.\d{3}")
STEP = re.compile(r"^step (\d+)/")


def _notebook(path, code_cells: list[str]):
    cells = [{"cell_type": "code", "metadata": {}, "source": code, "outputs": [], "execution_count": None}
             for code in code_cells]  # fmt: skip
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


@contextmanager
def _opened(lab, notebook, screenshot):
    """The notebook open in JupyterLab; on failure, a screenshot at ``screenshot`` and the page left open."""
    page, failed = lab.open(notebook.name), False
    try:
        yield page
    except BaseException:
        failed = True
        print(f"screenshot of the failing page: {page.screenshot(screenshot)}")
        raise
    finally:
        lab.close_notebook(page, keep_page=not failed)


def test_widget_notebooks_are_found_by_their_code(tmp_path, fixture_notebook):
    trainer = _notebook(tmp_path / "a.ipynb", ["import mdn_lessons as ml", "w = ml.widgets.MDNTrainer(x, y)\nw"])
    slider = _notebook(tmp_path / "b.ipynb", ["import ipywidgets as widgets", "widgets.IntSlider()"])
    plain = _notebook(tmp_path / "c.ipynb", ["import mdn_lessons as ml", "# widgets.IntSlider() in a comment\nx = 1"])
    explorer = _notebook(tmp_path / "d.ipynb", ["from mdn_lessons.widgets.gaussian_explorer import GaussianExplorer"])
    assert jupyterlab_driver.widget_notebooks(tmp_path) == [trainer, slider, explorer]
    assert jupyterlab_driver.uses_training_widget(trainer) and not jupyterlab_driver.uses_training_widget(slider)
    assert jupyterlab_driver.uses_training_widget(fixture_notebook)
    del plain


def test_every_widget_lesson_present_is_tested(tested_notebooks):
    tested = {path.name for path in tested_notebooks}
    present = [name for name in WIDGET_LESSONS if (jupyterlab_driver.NOTEBOOKS / name).exists()]
    assert set(present) <= tested, f"widget lessons not picked up by the browser tests: {set(present) - tested}"
    for name in TRAINING_WIDGET_LESSONS:
        if name in present:
            assert jupyterlab_driver.uses_training_widget(jupyterlab_driver.NOTEBOOKS / name), (
                f"{name} shows no training widget"
            )


def test_widgets_render_and_respond_in_jupyterlab(lab, notebook, tmp_path):
    with _opened(lab, notebook, tmp_path / f"{notebook.stem}.png") as page:
        errors = page.run_all()
        assert errors == [], f"{notebook.name} failed in JupyterLab: {errors}"
        widgets = page.widgets()  # asserts each one rendered: live controls, no "Loading widget", no text repr
        assert widgets, f"{notebook.name} builds widgets but none was displayed"
        if jupyterlab_driver.uses_training_widget(notebook):
            assert any(widget.is_training_widget() for widget in widgets), "no slider+Train widget on the page"
        for widget in widgets:
            report = widget.exercise()
            # Every slider the student moved shows a new value.
            moved = [
                before != after for before, after in zip(report.readouts_before, report.readouts_after, strict=True)
            ]
            # Each plot is drawn for the size it is shown at, with twice the pixels (sharp on a 2x screen),
            # and is no wider than the course's figures (8 inches at 100 dpi).
            for size in report.picture_sizes:
                (natural_width, natural_height), (shown_width, shown_height) = size["natural"], size["shown"]
                assert natural_width == 2 * round(shown_width) and shown_width <= 800, size
                assert abs(natural_height / natural_width - shown_height / shown_width) < 0.01, size
            if report.kind == "training":
                assert report.labels[:2] == ["components", "learning rate"], report.labels
                assert moved[:2] == [True, True], (report.readouts_before, report.readouts_after)
                # The plot was redrawn live (training redraws it every few steps), with the new settings: the
                # fit is seeded, so retraining with unchanged settings would end on the very same picture.
                assert report.image_changes >= 2, f"plot redrawn {report.image_changes} times while training"
                assert report.pictures_after != report.pictures_before, "the plot ended as it was before training"
                # The status shows a finished run with a finite NLL.
                assert any(NLL_SHOWN.search(text) for text in report.status_after), report.status_after
                # Each redraw showed its picture, then at once its status line (whose step the picture's title
                # names): the status never ran ahead of the picture. The double-click made one run: its steps
                # only increase, and nothing changed once it had finished.
                kinds = [kind for kind, _ in report.events]
                assert kinds == ["picture", "status"] * (len(kinds) // 2) and kinds, report.events
                steps = [int(STEP.search(text)[1]) for kind, text in report.events if kind == "status"]
                assert steps == sorted(set(steps)), f"a second run started: status steps {steps}"
                assert report.late_events == 0, f"{report.late_events} changes after the run had finished"
            else:
                # Each slider, once moved, changed the picture or the text shown (e.g. a live NLL); each button
                # changed what is shown.
                assert report.responded and all(report.responded), dict(
                    zip(report.labels, report.responded, strict=True)
                )


def test_a_saved_notebook_shows_a_picture_of_each_widget_until_it_runs(lab, notebook, tmp_path):
    """Opened without running (as after a download, or on GitHub), a widget cell shows a picture of the widget,
    not ``VBox(children=...`` or an error; once run, the live widget (the test above)."""
    with _opened(lab, notebook, tmp_path / f"{notebook.stem}-saved.png") as page:
        outputs = page.saved_widget_outputs()
        assert outputs, f"{notebook.name} was saved without its widget outputs: execute it first"
        for output in outputs:
            assert "image/png" in output["saved"], f"{notebook.name}: a widget output saved without a picture"
            assert output["mime"] == "image/png", output
            assert not re.search(r"VBox\(|Error displaying|Loading widget", output["text"]), output
            ((natural_width, _), (shown_width, _)) = output["pictures"][0]["natural"], output["pictures"][0]["shown"]
            assert 600 <= shown_width <= 800 and natural_width >= shown_width, output
