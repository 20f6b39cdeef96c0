"""Install PyTorch into the running Python's environment, taking the CPU-only build when it can be had.

    python tools/install_torch.py --index URL torch==2.13.0     # make setup: the pinned version
    python tools/install_torch.py --index URL --newest torch==2.13.0   # make test-latest: the newest, else the pin

On Linux the default package index serves the CUDA build of torch (about 3 GB with its NVIDIA libraries);
PyTorch's own CPU-only index (``--index``, for example https://download.pytorch.org/whl/cpu) serves a
build of about 200 MB. That index is probed first with a short timeout. If it answers, torch comes from it
(``--no-deps``: torch's small dependencies come later from the default index); if not, or with an empty
``--index``, the pinned requirement comes from the default package index, and one line says so. Either
way the last line printed names the build installed (version, CPU-only or CUDA). When nothing can be
downloaded, the last line says what could not be, and the exit status is 1.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence

PROBE_SECONDS = 5.0
# The CPU index answered the probe; if it then stalls, give up on it quickly rather than hang the setup.
PIP_NETWORK_OPTIONS = ("--timeout", "5", "--retries", "0")


def index_reachable(index: str, timeout: float = PROBE_SECONDS) -> bool:
    """True if ``index`` (a package index URL) answers torch's page within ``timeout`` seconds."""
    if not isinstance(index, str) or not index.startswith(("http://", "https://", "file://")):
        raise ValueError(f"index must be an http(s):// or file:// URL, got {index!r}")
    try:
        with urllib.request.urlopen(f"{index.rstrip('/')}/torch/", timeout=timeout):
            return True
    except (OSError, ValueError):  # URLError, HTTPError, timeouts and refused connections are OSErrors
        return False


def install_commands(requirement: str, index: str, newest: bool, reachable: bool) -> list[list[str]]:
    """The pip commands to run, in order; each is tried only if the one before it failed.

    ``requirement`` is the pinned torch (``torch==X``); with ``newest`` the CPU index's newest torch is
    tried first and the pin is the fallback. The default index is only ever asked for the pinned version:
    an unpinned torch from it would be the newest CUDA build.
    """
    if not requirement.startswith("torch=="):
        raise ValueError(f"requirement must pin torch exactly (torch==X.Y.Z), got {requirement!r}")
    pip = [sys.executable, "-m", "pip", "install"]
    commands = []
    if index and reachable:
        from_index = [*pip, "--no-deps", "--index-url", index, *PIP_NETWORK_OPTIONS]
        commands.append([*from_index, "--upgrade", "torch"] if newest else [*from_index, requirement])
    commands.append([*pip, requirement])
    return commands


def describe_build(version: str, cuda: str | None) -> str:
    """One line naming a torch build: ``torch 2.13.0+cpu (CPU-only build)`` or ``torch 2.13.0 (CUDA 13.0 build)``."""
    kind = f"CUDA {cuda} build" if cuda else "CPU-only build"
    return f"torch {version} ({kind})"


def installed_build() -> str:
    """The line of ``describe_build`` for the torch now installed (read in a fresh interpreter)."""
    code = "import torch; print(torch.__version__); print(torch.version.cuda or '')"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    return describe_build(shown[0], shown[1] or None)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("requirement", help="the pinned torch, e.g. torch==2.13.0")
    parser.add_argument("--index", default="", help="PyTorch's CPU-only wheel index; empty: the default index only")
    parser.add_argument("--newest", action="store_true", help="the newest torch on --index; the pin as fallback")
    args = parser.parse_args(argv)
    try:
        reachable = bool(args.index) and index_reachable(args.index)
        commands = install_commands(args.requirement, args.index, args.newest, reachable)
    except ValueError as error:
        parser.error(str(error))
    if args.index and not reachable:
        print(f"install_torch: {args.index} cannot be reached; taking {args.requirement} from the default "
              "package index instead (on Linux that is the CUDA build, about 3 GB, unless a CPU build is at hand)",
              flush=True)  # fmt: skip
    for number, command in enumerate(commands, start=1):
        print("+", " ".join(command[1:]), flush=True)
        if subprocess.run(command).returncode == 0:
            break
        if number < len(commands):
            print(f"install_torch: that failed; trying {args.requirement} from the default package index", flush=True)
    else:
        print(f"install_torch: could not download {args.requirement} (is this machine connected to the internet?)")
        return 1
    print(f"install_torch: installed {installed_build()}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
