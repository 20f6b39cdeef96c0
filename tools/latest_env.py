"""Fill the running Python's environment with the newest releases of the course's dependencies (make test-latest).

    .venv-latest/bin/python -m tools.latest_env --torch-index URL --torch-fallback torch==2.13.0

The nearest thing to Colab's unpinned stack that can be run offline-tested here:

1. torch: the newest CPU-only build on ``--torch-index`` (PyTorch's CPU wheel index), or the pinned
   ``--torch-fallback`` when that index cannot be reached (see ``install_torch.py``). Never an unpinned torch
   from the default index, which on Linux is a multi-GB CUDA build.
2. the other runtime dependencies of ``pyproject.toml``, their pins dropped, upgraded to the newest release
   (no constraints file);
3. the test tools that run the notebooks (pytest, nbval, pytest-xdist) at their pinned versions;
4. the course's package with ``--no-deps``, not editable, as the Colab cell installs it.

It ends by printing the version of every runtime dependency installed, and every package (direct or not)
whose version differs from the pinned environment's ``constraints.txt``.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tomllib
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from tools import install_torch

ROOT = Path(__file__).resolve().parents[1]

TEST_TOOLS = ("pytest", "nbval", "pytest-xdist")
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def requirement_name(requirement: str) -> str:
    """The project name of a requirement string: ``'numpy==2.4.6'`` -> ``'numpy'``."""
    match = _NAME.match(requirement)
    if not match:
        raise ValueError(f"requirement must start with a project name, got {requirement!r}")
    return match[1]


def runtime_names(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """The names of the runtime dependencies (``[project] dependencies``), pins dropped, torch excluded."""
    dependencies = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    return [name for name in map(requirement_name, dependencies) if name.lower() != "torch"]


def test_tool_pins(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """The pinned requirements of the test tools that run the notebooks, from the dev extras."""
    dev = tomllib.loads(pyproject.read_text())["project"]["optional-dependencies"]["dev"]
    pins = [requirement for requirement in dev if requirement_name(requirement).lower() in TEST_TOOLS]
    if len(pins) != len(TEST_TOOLS):
        raise ValueError(f"pyproject.toml's dev extras must pin each of {TEST_TOOLS}, found {pins}")
    return pins


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def newer_than_constraints(installed: dict[str, str], constraints: str) -> list[str]:
    """``name version (pinned X)`` for each installed package whose version differs from ``constraints``' pin."""
    pins = {}
    for line in constraints.splitlines():
        if "==" in line and not line.lstrip().startswith("#"):
            name, version = line.split("==")
            pins[_key(name.strip())] = version.strip()
    return [
        f"{name} {version} (pinned {pins[_key(name)]})"
        for name, version in sorted(installed.items(), key=lambda item: _key(item[0]))
        if _key(name) in pins and pins[_key(name)] != version.split("+")[0]  # torch 2.13.0+cpu is the pinned 2.13.0
    ]


def pip(*arguments: str) -> None:
    """Run pip in this environment, showing its output; raise if it fails."""
    command = [sys.executable, "-m", "pip", *arguments]
    print("+", " ".join(command[1:]), flush=True)
    subprocess.run(command, check=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--torch-index", default="", help="PyTorch's CPU-only wheel index (empty: the fallback)")
    parser.add_argument("--torch-fallback", required=True, help="the pinned torch, e.g. torch==2.13.0")
    args = parser.parse_args(argv)

    torch_arguments = ["--newest", "--index", args.torch_index, args.torch_fallback]
    if install_torch.main(torch_arguments) != 0:
        return 1
    torch_installed = metadata.version("torch")
    names = runtime_names()
    try:
        # torch pinned to the build just installed: pulls its own dependencies, never a different torch.
        pip("install", "--upgrade", "--upgrade-strategy", "eager", f"torch=={torch_installed}", *names)
        pip("install", *test_tool_pins())
        pip("install", "--no-deps", "--force-reinstall", str(ROOT))
    except subprocess.CalledProcessError as error:
        print(f"latest_env: pip failed ({error.returncode}): see its output above")
        return 1
    print("newest versions installed:", ", ".join(f"{n} {metadata.version(n)}" for n in ["torch", *names]))
    installed = {dist.metadata["Name"]: dist.version for dist in metadata.distributions()}
    differ = newer_than_constraints(installed, (ROOT / "constraints.txt").read_text())
    print("differing from constraints.txt:", ", ".join(differ) or "nothing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
