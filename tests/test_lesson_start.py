import re
import tomllib
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

import mdn_lessons as ml
from mdn_lessons import lesson_start as setup

ROOT = Path(__file__).resolve().parents[1]


def test_start_lesson_makes_runs_repeatable_on_one_thread():
    torch.set_num_threads(2)
    rng = ml.start_lesson(seed=7)
    assert torch.get_num_threads() == 1
    first = (torch.rand(3), rng.random(3))
    rng = ml.start_lesson(seed=7)
    second = (torch.rand(3), rng.random(3))
    assert torch.equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


def test_start_lesson_refuses_a_negative_seed():
    with pytest.raises(ValueError, match="seed must be a whole number >= 0"):
        ml.start_lesson(seed=-1)


def test_versions_name_the_pinned_packages():
    versions = ml.versions()
    assert versions["torch"] == "2.13.0"
    assert set(versions) == {"python", "torch", "numpy", "matplotlib", "ipywidgets"}


def test_the_torch_needed_is_the_minor_version_pinned_in_pyproject():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pin = next(requirement for requirement in dependencies if requirement.startswith("torch"))
    major, minor = pin.split("==")[1].split(".")[:2]
    assert setup.required_torch() == (int(major), int(minor))


@pytest.mark.parametrize("old", ["2.3.1", "2.0.0+cu118", "1.13.1"])
def test_start_lesson_refuses_a_torch_too_old_to_run_the_course_naming_both_versions(monkeypatch, old):
    monkeypatch.setattr(torch, "__version__", old)
    major, minor = setup.OLDEST_TORCH
    expected = rf"needs torch {major}\.{minor} or newer, but this kernel has torch {re.escape(old)}\."
    with pytest.raises(RuntimeError, match=expected):
        ml.start_lesson(seed=0)


@pytest.mark.parametrize("old", ["2.12.1", "2.9.0+cu126", "2.4.0"])
def test_start_lesson_warns_on_a_torch_older_than_the_tested_one_naming_both(monkeypatch, old):
    monkeypatch.setattr(torch, "__version__", old)
    major, minor = setup.required_torch()
    expected = rf"tested with torch {major}\.{minor}; this kernel has torch {re.escape(old)}\."
    with pytest.warns(UserWarning, match=expected):
        ml.start_lesson(seed=0)


@pytest.mark.parametrize("new", ["2.13.0", "2.13.0+cpu", "2.14.0.dev20260101+cpu", "3.0.0"])
def test_start_lesson_accepts_the_pinned_torch_and_newer(monkeypatch, new):
    monkeypatch.setattr(torch, "__version__", new)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ml.start_lesson(seed=0)


def test_without_a_known_tested_version_only_the_oldest_runnable_one_is_checked(monkeypatch):
    monkeypatch.setattr(setup, "required_torch", lambda: None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        setup.check_torch_version("2.4.0")
    with pytest.raises(RuntimeError, match="needs torch 2.4 or newer"):
        setup.check_torch_version("2.3.0")


def test_an_unreadable_version_is_refused():
    with pytest.raises(ValueError, match="version must start with MAJOR.MINOR"):
        setup.check_torch_version("nightly")
