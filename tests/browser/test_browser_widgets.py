"""The widgets work for a student in a real JupyterLab: they render, respond to the sliders and the Train button.

Each notebook that builds a widget is opened in headless Chromium, run with "Run All Cells", and then used:
the components and learning-rate sliders are moved one step, Train is pressed, and the page is read back
(rendered controls, a redrawn plot, changed values). See tools/jupyterlab_driver.py for how, and DESIGN.md for why.
"""

from __future__ import annotations

import json
import re

from tools import jupyterlab_driver

# Lessons whose plan (DESIGN.md, "The lesson plan") includes a training widget: when present, they must be
# tested here.
TRAINING_WIDGET_LESSONS = ("00_welcome.ipynb", "02_gaussian_mixtures.ipynb", "04_mdn.ipynb")
WIDGET_LESSONS = (*TRAINING_WIDGET_LESSONS, "01_p_and_q.ipynb")
NLL_SHOWN = re.compile(r"NLL -?\d+\.\d{3}")


def _notebook(path, code_cells: list[str]):
    cells = [{"cell_type": "code", "metadata": {}, "source": code, "outputs": [], "execution_count": None}
             for code in code_cells]  # fmt: skip
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


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
    page, failed = lab.open(notebook.name), False
    try:
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
            if report.kind == "training":
                assert report.labels[:2] == ["components", "learning rate"], report.labels
                assert moved[:2] == [True, True], (report.readouts_before, report.readouts_after)
                # The plot was redrawn live (training redraws it every few steps), with the new settings: the
                # fit is seeded, so retraining with unchanged settings would end on the very same picture.
                assert report.image_changes >= 2, f"plot redrawn {report.image_changes} times while training"
                assert report.pictures_after != report.pictures_before, "the plot ended as it was before training"
                # The status shows a finished run with a finite NLL.
                assert any(NLL_SHOWN.search(text) for text in report.status_after), report.status_after
            else:
                # Each slider, once moved, changed the picture or the text shown (e.g. a live NLL); each button
                # changed what is shown.
                assert report.responded and all(report.responded), dict(
                    zip(report.labels, report.responded, strict=True)
                )
    except BaseException:
        failed = True
        print(f"screenshot of the failing page: {page.screenshot(tmp_path / f'{notebook.stem}.png')}")
        raise
    finally:
        lab.close_notebook(page, keep_page=not failed)
