"""Binder's environment (environment.yml, postBuild, start) matches the pip pins and keeps shared machines fast.

conda channels cannot be reached from the test machines, so environment.yml is checked by reading it:
the same packages at the same versions as pyproject.toml (and constraints.txt), CPU PyTorch from conda-forge.
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

ROOT = Path(__file__).resolve().parents[1]
# pip name -> conda-forge name, where they differ. matplotlib-base is matplotlib without a Qt GUI.
CONDA_NAMES = {"torch": "pytorch", "matplotlib": "matplotlib-base"}
BUILD_TOOLS = {"python", "pip", "setuptools"}
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
_SPEC = re.compile(r"^(?P<name>[A-Za-z0-9_.-]+)\s*(?P<op>=|==|>=)?\s*(?P<version>[^=\s]*)(?:=(?P<build>\S+))?$")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _pip_pins() -> dict[str, str]:
    """name -> version of every pinned requirement: the dependencies and the dev extras."""
    project = _pyproject()["project"]
    pins = {}
    for requirement in [*project["dependencies"], *project["optional-dependencies"]["dev"]]:
        name, version = requirement.split("==")
        pins[name.strip().lower()] = version.strip()
    return pins


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


def test_environment_has_the_same_packages_as_pyproject():
    expected = {CONDA_NAMES.get(name, name) for name in _pip_pins()} | BUILD_TOOLS
    assert set(_conda_specs()) == expected


@pytest.mark.parametrize("pip_name", sorted(_pip_pins()))
def test_environment_pins_the_same_version_as_pyproject(pip_name):
    spec = _conda_specs()[CONDA_NAMES.get(pip_name, pip_name)]
    assert (spec["op"], spec["version"]) == ("=", _pip_pins()[pip_name]), spec


def test_pytorch_is_the_cpu_build():
    # An unpinned build could be a multi-GB CUDA one; Binder has no GPU.
    assert _conda_specs()["pytorch"]["build"].startswith("cpu")


def test_python_version_is_the_one_pyproject_requires():
    python = _conda_specs()["python"]["version"]
    assert _pyproject()["project"]["requires-python"] == f">={python},<3.{int(python.split('.')[1]) + 1}"


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
    for name, version in _pip_pins().items():
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
