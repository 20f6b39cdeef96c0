"""benchmarks/notebook_budget.py measures a notebook's time and kernel memory, offline, and judges the budget."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

from benchmarks import notebook_budget as nb_budget

Budget, Measurement = nb_budget.Budget, nb_budget.Measurement


def _notebook(path: Path, *sources: str) -> Path:
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources]), path)
    return path


def test_measures_time_and_peak_memory_of_the_kernel(tmp_path):
    # 300 MB touched inside the kernel must show in its peak; the sleep in its time.
    path = _notebook(tmp_path / "heavy.ipynb", 'block = b"x" * (300 * 2**20)', "import time\ntime.sleep(1)")
    m = nb_budget.measure(path)
    assert m.name == "heavy.ipynb"
    assert m.peak_mb > 300
    assert 1.0 < m.seconds < 60
    light = nb_budget.measure(_notebook(tmp_path / "light.ipynb", "x = 1"))
    assert light.peak_mb < m.peak_mb - 250


def test_measured_notebooks_run_offline_and_are_not_modified(tmp_path):
    path = _notebook(tmp_path / "online.ipynb", "import urllib.request\nurllib.request.urlopen('https://example.com')")
    before = path.read_bytes()
    with pytest.raises(CellExecutionError, match="network access is disabled"):
        nb_budget.measure(path)
    assert path.read_bytes() == before


def test_report_judges_each_notebook_and_the_total():
    fine = [Measurement("a.ipynb", 20.0, 500.0), Measurement("b.ipynb", 25.0, 600.0)]
    text, passed = nb_budget.report(fine, Budget())
    assert passed and "**Result: PASS**" in text
    assert "| a.ipynb | 20.0 | 500 | PASS |" in text and "**45.0**" in text and "**600** (max)" in text

    slow = [*fine, Measurement("c.ipynb", 31.0, 100.0)]
    text, passed = nb_budget.report(slow, Budget())
    assert not passed and "| c.ipynb | 31.0 | 100 | FAIL |" in text and "c.ipynb over budget" in text

    too_long = [Measurement(f"{i}.ipynb", 29.0, 100.0) for i in range(5)]  # each fine, 145 s in all
    text, passed = nb_budget.report(too_long, Budget())
    assert not passed and "whole course 145.0 s > 120 s" in text

    heavy = [Measurement("d.ipynb", 1.0, 1500.0)]
    assert not nb_budget.report(heavy, Budget())[1]


def test_course_notebooks_pair_each_lesson_with_its_solutions(tmp_path):
    (tmp_path / "solutions").mkdir()
    for name in ("01_b.ipynb", "00_a.ipynb", "solutions/01_b_solutions.ipynb", "solutions/00_a_solutions.ipynb"):
        _notebook(tmp_path / name, "x = 1")
    names = [p.relative_to(tmp_path).as_posix() for p in nb_budget.course_notebooks(tmp_path)]
    assert names == ["00_a.ipynb", "solutions/00_a_solutions.ipynb", "01_b.ipynb", "solutions/01_b_solutions.ipynb"]


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(ValueError, match="total_seconds"):
        Budget(total_seconds=0)
    with pytest.raises(ValueError, match="peak_mb"):
        Budget(peak_mb="1 GB")
    with pytest.raises(ValueError, match="path must be an existing .ipynb"):
        nb_budget.measure(tmp_path / "missing.ipynb")
    with pytest.raises(ValueError, match="timeout"):
        nb_budget.measure(_notebook(tmp_path / "x.ipynb", "x = 1"), timeout=0)
    with pytest.raises(ValueError, match="measurements"):
        nb_budget.report([])
    with pytest.raises(ValueError, match="folder"):
        nb_budget.course_notebooks(tmp_path / "nowhere")
