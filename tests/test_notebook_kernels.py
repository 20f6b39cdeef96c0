"""tools/notebook_kernels.py: the one set of settings every tool and test runs a notebook's kernel with."""

from __future__ import annotations

import nbformat
import pytest

from tools.notebook_kernels import THREAD_VARIABLES, kernel_env, notebook_client, offline_ipython_dir


def test_kernels_get_one_thread_and_a_fixed_hash_seed():
    env = kernel_env(base={"PATH": "/bin", "OMP_NUM_THREADS": "8", "PYTHONHASHSEED": "random"})
    assert env == {"PATH": "/bin", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                   "PYTHONHASHSEED": "0"}  # fmt: skip


def test_thread_settings_replace_or_remove_the_thread_variables(tmp_path):
    base = dict.fromkeys(THREAD_VARIABLES, "8")
    assert all(kernel_env(threads=2, base=base)[name] == "2" for name in THREAD_VARIABLES)
    assert all(kernel_env(threads="2", base=base)[name] == "2" for name in THREAD_VARIABLES)
    default = kernel_env(threads="default", base=base)
    assert not set(THREAD_VARIABLES) & set(default) and default["PYTHONHASHSEED"] == "0"
    assert kernel_env(ipython_dir=tmp_path, base={})["IPYTHONDIR"] == str(tmp_path)


@pytest.mark.parametrize("threads", [0, "0", "two", True, 1.5, -1, None])
def test_bad_thread_settings_are_refused(threads):
    with pytest.raises(ValueError, match="threads must be a whole number >= 1 or 'default'"):
        kernel_env(threads=threads)


def test_a_kernel_started_with_these_settings_runs_in_the_notebooks_folder_with_them(tmp_path):
    folder = tmp_path / "lessons"
    folder.mkdir()
    code = "import os\nprint(os.getcwd(), os.environ['OMP_NUM_THREADS'], os.environ['PYTHONHASHSEED'])"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    client = notebook_client(nb, folder / "a.ipynb", timeout=60)
    with offline_ipython_dir() as ipython_dir:
        client.execute(env=kernel_env(threads=2, ipython_dir=ipython_dir))
    assert nb.cells[0].outputs[0].text == f"{folder.resolve()} 2 0\n"
    assert "execution" not in nb.cells[0].metadata  # no timings recorded


def test_notebook_client_refuses_a_bad_timeout(tmp_path):
    with pytest.raises(ValueError, match="timeout must be a whole number of seconds >= 1"):
        notebook_client(nbformat.v4.new_notebook(), tmp_path / "a.ipynb", timeout=0)
