"""tools/execute_notebooks.py: re-executing an unchanged notebook leaves the file byte-identical.

The fixture notebook below has what used to change from run to run (widget model ids, widget state,
timings) and what must not (set order under a fixed hash seed, a matplotlib picture).
"""

from __future__ import annotations

import re
import subprocess
import sys

import nbformat
import pytest

from tools import execute_notebooks
from tools.notebook_kernels import ROOT, kernel_env, offline_ipython_dir

WIDGET_CELLS = [
    "import ipywidgets as widgets\nslider = widgets.IntSlider(value=3, description='components')\nslider",
    "display(slider)  # the same widget shown again",
    "widgets.VBox([widgets.Button(description='Train'), widgets.Label('ready')])",
    "print(list({'pear', 'apple', 'fig', 'plum', 'kiwi'}))  # set order follows the hash seed",
    "import matplotlib.pyplot as plt\nplt.plot([0, 1, 2], [1, 0, 1])\nplt.show()",
]


def _widget_notebook(path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code) for code in WIDGET_CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _model_ids(path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [
        output["data"][execute_notebooks.WIDGET_VIEW]["model_id"]
        for cell in nb.cells
        for output in cell.get("outputs", [])
        if execute_notebooks.WIDGET_VIEW in output.get("data", {})
    ]


@pytest.fixture(scope="module")
def executed_twice(tmp_path_factory):
    """The fixture notebook's bytes after one execution, and after a second one."""
    path = _widget_notebook(tmp_path_factory.mktemp("execute") / "widgets.ipynb")
    execute_notebooks.execute(path, timeout=120)
    first = path.read_bytes()
    execute_notebooks.execute(path, timeout=120)
    return path, first, path.read_bytes()


def test_re_executing_leaves_the_notebook_byte_identical(executed_twice):
    path, first, second = executed_twice
    assert first == second
    nb = nbformat.read(path, as_version=4)
    assert [len(cell.outputs) for cell in nb.cells] == [1, 1, 1, 1, 1]  # every cell ran and showed something
    assert "image/png" in nb.cells[4].outputs[0].data


def test_widget_ids_are_stable_and_distinct(executed_twice):
    path, _, _ = executed_twice
    slider, slider_again, box = _model_ids(path)
    assert slider == slider_again != box  # one model shown twice keeps one id
    assert all(re.fullmatch(r"[0-9a-f]{32}", model_id) for model_id in (slider, box))
    nb = nbformat.read(path, as_version=4)
    assert "widgets" not in nb.metadata  # no state for a kernel that is gone
    assert all("execution" not in cell.metadata for cell in nb.cells)


def test_nbval_still_passes_on_the_executed_notebook(executed_twice):
    path, _, _ = executed_twice
    with offline_ipython_dir() as ipython_dir:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
             "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"), "--rootdir", str(path.parent),
             str(path)],
            env=kernel_env(threads=2, ipython_dir=ipython_dir), capture_output=True, text=True, cwd=path.parent,
        )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
    assert "5 passed" in result.stdout


def test_ids_depend_on_the_notebook_cell_and_output():
    def notebook():
        view = {execute_notebooks.WIDGET_VIEW: {"model_id": "random", "version_major": 2, "version_minor": 0}}
        cell = nbformat.v4.new_code_cell("w", outputs=[nbformat.v4.new_output("display_data", data=view)])
        return nbformat.v4.new_notebook(cells=[cell])

    ids = []
    for key in ("notebooks/a.ipynb", "notebooks/a.ipynb", "notebooks/b.ipynb"):
        nb = notebook()
        assert execute_notebooks.stable_widget_ids(nb, key) == 1
        ids.append(nb.cells[0].outputs[0].data[execute_notebooks.WIDGET_VIEW]["model_id"])
    assert ids[0] == ids[1] != ids[2]


def test_notebooks_are_named_by_their_path_in_the_repository(tmp_path):
    assert execute_notebooks.notebook_key(ROOT / "notebooks" / "04_mdn.ipynb") == "notebooks/04_mdn.ipynb"
    assert execute_notebooks.notebook_key(tmp_path / "x.ipynb") == "x.ipynb"


def test_paths_that_are_not_notebooks_are_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("")
    for name in ("notes.txt", "missing.ipynb"):
        with pytest.raises(ValueError, match="paths must be notebooks or folders"):
            execute_notebooks.notebooks_under([tmp_path / name])
