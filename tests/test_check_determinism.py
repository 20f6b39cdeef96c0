"""tools/check_determinism.py runs nbval once per thread setting, offline, and fails if any run differs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from tools import check_determinism


def _executed_notebook(path: Path, cells: list[tuple[str, str]]) -> Path:
    """A notebook whose code cells carry the given stored stdout, as if executed."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for count, (source, stdout) in enumerate(cells, start=1):
        cell = nbformat.v4.new_code_cell(source, execution_count=count)
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=stdout)]
        nb.cells.append(cell)
    nbformat.write(nb, path)
    return path


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_run_that_differs_from_the_stored_outputs_fails(tmp_path, capsys, jobs):
    path = _executed_notebook(tmp_path / "threads.ipynb", [
        ("import os\nprint(os.environ.get('OMP_NUM_THREADS'))", "1\n"),  # stored under 1 thread
        ("import socket\ntry:\n    socket.create_connection(('192.0.2.1', 80), timeout=10)\n"
         "except OSError as error:\n    print('network access is disabled' in str(error))", "True\n"),
    ])  # fmt: skip
    assert check_determinism.check([path], threads=["1", "2"], jobs=jobs) is False
    shown = capsys.readouterr().out.splitlines()
    assert shown[0].startswith("run 1/2  OMP_NUM_THREADS=1") and " PASS " in shown[0]  # same output, and offline
    assert shown[1].startswith("run 2/2  OMP_NUM_THREADS=2") and " FAIL " in shown[1]
    assert shown[-1].startswith("NOT deterministic")


def test_plan_runs_each_setting_in_order():
    assert check_determinism.plan(("1", "2", "default"), 1) == ["1", "2", "default"]
    assert check_determinism.plan(("1", "2"), 2) == ["1", "2", "1", "2"]


@pytest.mark.parametrize(
    ("threads", "repeat", "message"),
    [
        ((), 1, "threads"),
        (("0",), 1, "threads"),
        (("two",), 1, "threads"),
        (("1",), 0, "repeat"),
        (("1",), 2.0, "repeat"),
    ],
)
def test_bad_plans_are_refused(threads, repeat, message):
    with pytest.raises(ValueError, match=message):
        check_determinism.plan(threads, repeat)


def test_missing_notebooks_are_refused(tmp_path):
    with pytest.raises(ValueError, match="paths"):
        check_determinism.check([tmp_path / "missing.ipynb"])


def test_failure_report_keeps_the_first_difference_and_the_summary():
    output = "x" * 10_000 + "\n===== FAILURES =====\nCell 3: outputs differ\n" + "y" * 10_000
    output += "\n===== short test summary info =====\nFAILED a.ipynb::Cell 3\n1 failed\n"
    report = check_determinism.failure_report(output, limit=2000)
    assert report.startswith("===== FAILURES =====\nCell 3: outputs differ")
    assert report.endswith("FAILED a.ipynb::Cell 3\n1 failed\n") and len(report) < 2100


def test_parallel_runs_keep_each_notebook_on_one_worker():
    assert check_determinism.xdist_options(1) == []
    assert check_determinism.xdist_options(2) == ["-n", "2", "--dist", "loadscope"]


@pytest.mark.parametrize("jobs", [0, -1, 1.5, True])
def test_bad_job_counts_are_refused(jobs, tmp_path):
    with pytest.raises(ValueError, match="jobs"):
        check_determinism.xdist_options(jobs)
