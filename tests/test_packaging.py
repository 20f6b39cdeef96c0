"""The package builds, offline, without a deprecation warning (Colab's cell and every editable install build it)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import setuptools
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _build(source: Path, out: Path) -> tuple[str, Path | None]:
    """Build a wheel of ``source`` with this environment's setuptools, offline; (pip's verbose output, wheel)."""
    command = [
        sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "--no-build-isolation", "--no-index",
        "--wheel-dir", str(out), str(source),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True)
    wheels = sorted(out.glob("*.whl"))
    return result.stdout + result.stderr, (wheels[0] if result.returncode == 0 and wheels else None)


@pytest.fixture
def source_copy(tmp_path) -> Path:
    """What a build reads (pyproject.toml, README.md, the package), copied, so no build/ folder lands in the repo."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source)
    shutil.copytree(ROOT / "mdn_lessons", source / "mdn_lessons", ignore=shutil.ignore_patterns("__pycache__"))
    return source


def test_this_setuptools_is_one_the_build_accepts():
    requirement = Requirement(tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"][0])
    assert requirement.name == "setuptools" and setuptools.__version__ in requirement.specifier


def test_the_package_builds_without_a_deprecation_warning(source_copy, tmp_path):
    output, wheel = _build(source_copy, tmp_path / "wheels")
    assert wheel is not None, output[-3000:]
    warnings = [line for line in output.splitlines() if "deprecat" in line.lower()]
    assert not warnings, "\n".join(warnings)
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: MIT" in metadata.splitlines()


def test_the_check_sees_the_deprecated_license_table(source_copy, tmp_path):
    # The old form, `license = { text = "MIT" }`: the same build must print setuptools' deprecation warning.
    pyproject = source_copy / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('license = "MIT"', 'license = { text = "MIT" }'))
    output, _ = _build(source_copy, tmp_path / "wheels")
    assert "deprecat" in output.lower()
