"""tools/latest_env.py: which packages make test-latest installs unpinned, and which it keeps pinned."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tools import latest_env

ROOT = Path(__file__).resolve().parents[1]


def test_the_runtime_dependencies_lose_their_pins_and_torch_is_left_to_install_torch():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = latest_env.runtime_names()
    assert names == [d.split("==")[0] for d in dependencies if not d.startswith("torch")]
    assert all("=" not in name and "<" not in name for name in names)


def test_the_test_tools_keep_their_pins():
    pins = latest_env.test_tool_pins()
    assert sorted(latest_env.requirement_name(pin) for pin in pins) == sorted(latest_env.TEST_TOOLS)
    assert all("==" in pin for pin in pins)


def test_a_missing_test_tool_is_reported(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\ndependencies = []\noptional-dependencies = { dev = ["pytest==9.2.0"] }\n')
    with pytest.raises(ValueError, match="must pin each of"):
        latest_env.test_tool_pins(pyproject)


@pytest.mark.parametrize(("requirement", "name"), [("numpy==2.4.6", "numpy"), ("pytest-xdist>=3", "pytest-xdist")])
def test_requirement_name(requirement, name):
    assert latest_env.requirement_name(requirement) == name


def test_a_requirement_without_a_name_is_refused():
    with pytest.raises(ValueError, match="requirement must start with a project name"):
        latest_env.requirement_name("==1.0")


def test_the_packages_that_differ_from_the_pinned_environment_are_named():
    constraints = "# a comment\nnumpy==2.4.6\nFileLock==4.2.12\ntyping_extensions==4.16.0\n"
    installed = {"numpy": "2.4.6", "filelock": "4.3.1", "typing-extensions": "4.17.0", "mdn-lessons": "0.1.0"}
    assert latest_env.newer_than_constraints(installed, constraints) == [
        "filelock 4.3.1 (pinned 4.2.12)",
        "typing-extensions 4.17.0 (pinned 4.16.0)",
    ]
