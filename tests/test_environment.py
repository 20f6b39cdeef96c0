"""Binder's environment (environment.yml, postBuild, start) matches the pip pins and keeps shared machines fast.

conda channels cannot be reached from the test machines, so environment.yml is checked by reading it:
the lessons' dependencies of pyproject.toml at the same versions (and constraints.txt), under their
conda-forge names, CPU PyTorch, and no test tool.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
# Every runtime dependency of pyproject.toml, by its pip name -> its name on conda-forge. Explicit for each, so
# a new dependency fails the tests until someone looks up its conda-forge name: they differ more often than
# not (matplotlib-base is matplotlib without a Qt GUI; conda-forge's `pytorch` is torch).
CONDA_NAMES = {
    "torch": "pytorch",
    "numpy": "numpy",
    "matplotlib": "matplotlib-base",
    "pillow": "pillow",
    "ipywidgets": "ipywidgets",
    "jupyterlab": "jupyterlab",
    "ipykernel": "ipykernel",
}
# The dev extras that only the tests and the instructors' tools use, by pip name -> conda-forge name: none of
# them belongs on Binder.
# conda-forge's `playwright` is the Node.js command-line tool; the Python library is `playwright-python`.
TEST_TOOL_CONDA_NAMES = {
    "pytest": "pytest",
    "pytest-xdist": "pytest-xdist",
    "nbval": "nbval",
    "nbclient": "nbclient",
    "nbformat": "nbformat",
    "ruff": "ruff",
    "playwright": "playwright-python",
    "jupytext": "jupytext",
    "scikit-learn": "scikit-learn",  # make bench only
}
FORBIDDEN = {*TEST_TOOL_CONDA_NAMES, *TEST_TOOL_CONDA_NAMES.values(), "playwright"}
# What Binder needs besides the lessons' dependencies: postBuild builds the package without build isolation.
BUILD_TOOLS = {"python", "pip", "setuptools"}
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
_SPEC = re.compile(r"^(?P<name>[A-Za-z0-9_.-]+)\s*(?P<op>=|==|>=)?\s*(?P<version>[^=\s]*)(?:=(?P<build>\S+))?$")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _pins(requirements: list[str]) -> dict[str, str]:
    pins = {}
    for requirement in requirements:
        name, version = requirement.split("==")
        pins[name.strip().lower()] = version.strip()
    return pins


def _runtime_pins() -> dict[str, str]:
    """name -> version of every runtime dependency (what the lessons import)."""
    return _pins(_pyproject()["project"]["dependencies"])


def _dev_pins() -> dict[str, str]:
    """name -> version of every dev extra (test tools, and setuptools to build the package in a test)."""
    return _pins(_pyproject()["project"]["optional-dependencies"]["dev"])


def _environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def _conda_specs() -> dict[str, dict]:
    specs = {}
    for entry in _environment()["dependencies"]:
        assert isinstance(entry, str), f"environment.yml should install pip packages in postBuild, not {entry!r}"
        match = _SPEC.match(entry)
        assert match, f"cannot read {entry!r} in environment.yml"
        specs[match["name"].lower()] = match.groupdict()
    return specs


def test_environment_uses_conda_forge_only():
    assert _environment()["channels"] == ["conda-forge", "nodefaults"]


def test_every_runtime_dependency_has_an_explicit_conda_forge_name():
    assert set(_runtime_pins()) == set(CONDA_NAMES), "map each of pyproject's dependencies in CONDA_NAMES"


def test_every_dev_extra_is_known_as_a_test_or_build_tool():
    unmapped = set(_dev_pins()) - BUILD_TOOLS - set(TEST_TOOL_CONDA_NAMES)
    assert not unmapped, f"map each dev extra in TEST_TOOL_CONDA_NAMES: {unmapped}"


def test_environment_has_the_lessons_dependencies_and_nothing_more():
    assert set(_conda_specs()) == set(CONDA_NAMES.values()) | BUILD_TOOLS


def test_environment_has_no_test_tool():
    assert not FORBIDDEN & set(_conda_specs()), "Binder's students run lessons, not tests"


@pytest.mark.parametrize("pip_name", sorted(CONDA_NAMES))
def test_environment_pins_the_same_version_as_pyproject(pip_name):
    spec = _conda_specs()[CONDA_NAMES[pip_name]]
    assert (spec["op"], spec["version"]) == ("=", _runtime_pins()[pip_name]), spec


def test_pytorch_is_the_cpu_build():
    # An unpinned build could be a multi-GB CUDA one; Binder has no GPU.
    assert _conda_specs()["pytorch"]["build"].startswith("cpu_")


def test_python_version_is_one_pyproject_accepts():
    python = _conda_specs()["python"]["version"]
    assert Version(python) in SpecifierSet(_pyproject()["project"]["requires-python"])


def test_setuptools_satisfies_the_build_requirement():
    # postBuild installs without build isolation, so the environment's setuptools builds the package.
    spec = _conda_specs()["setuptools"]
    assert f"setuptools{spec['op']}{spec['version']}" in _pyproject()["build-system"]["requires"]


def test_constraints_agree_with_pyproject():
    constraints = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if "==" in line and not line.lstrip().startswith("#"):
            name, version = line.split("==")
            constraints[name.strip().lower().replace("_", "-")] = version.strip()
    for name, version in {**_runtime_pins(), **_dev_pins()}.items():
        assert constraints.get(name.replace("_", "-")) == version, f"{name}: pyproject {version}, constraints.txt"


def test_binder_reads_the_top_level_files():
    # repo2docker uses a binder/ or .binder/ folder instead of the top level when one exists.
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists()
    for name in ("postBuild", "start"):
        path = ROOT / name
        assert os.access(path, os.X_OK), f"{name} must be executable"
        subprocess.run(["bash", "-n", str(path)], check=True)


def test_postbuild_installs_only_the_course_package():
    text = (ROOT / "postBuild").read_text()
    assert re.search(r"pip install --no-deps --no-build-isolation --editable \.$", text, re.MULTILINE)


def test_start_caps_threads_then_runs_the_command():
    env = {key: value for key, value in os.environ.items() if key not in THREAD_VARIABLES}
    shown = subprocess.run([str(ROOT / "start"), "env"], env=env, capture_output=True, text=True, check=True).stdout
    for variable in THREAD_VARIABLES:
        assert f"{variable}=1" in shown.splitlines()
    torch_threads = subprocess.run(
        [str(ROOT / "start"), sys.executable, "-c", "import torch; print(torch.get_num_threads())"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert torch_threads.strip() == "1"
    # exec "$@": the command's own exit status comes back.
    assert subprocess.run([str(ROOT / "start"), "false"], env=env).returncode == 1
