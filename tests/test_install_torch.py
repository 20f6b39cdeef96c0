"""tools/install_torch.py: the CPU-only build from PyTorch's index when it answers, else the pin, quickly."""

from __future__ import annotations

import functools
import http.server
import subprocess
import sys
import threading

import pytest

from tools import install_torch

PIN = "torch==2.13.0"
INDEX = "https://download.pytorch.org/whl/cpu"


@pytest.fixture
def local_index(tmp_path):
    """A package index with a torch page, served on this machine's loopback address."""
    (tmp_path / "torch").mkdir()
    (tmp_path / "torch" / "index.html").write_text("<html></html>")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


def test_an_index_that_answers_is_reachable(local_index):
    assert install_torch.index_reachable(local_index, timeout=5)


def test_an_index_that_refuses_the_connection_is_not(local_index):
    assert not install_torch.index_reachable(local_index + "missing/", timeout=5)  # 404: no torch page
    assert not install_torch.index_reachable("http://127.0.0.1:9/simple", timeout=5)  # nothing listens on port 9


@pytest.mark.parametrize("bad", ["download.pytorch.org/whl/cpu", "", None])
def test_an_index_that_is_not_a_url_is_refused(bad):
    with pytest.raises(ValueError, match="index must be"):
        install_torch.index_reachable(bad)


def test_a_reachable_index_is_tried_first_then_the_pin_from_the_default_index():
    first, fallback = install_torch.install_commands(PIN, INDEX, newest=False, reachable=True)
    assert first[-1] == PIN and first[first.index("--index-url") + 1] == INDEX and "--no-deps" in first
    assert fallback[-1] == PIN and "--index-url" not in fallback


def test_an_unreachable_or_empty_index_goes_straight_to_the_pin():
    assert install_torch.install_commands(PIN, INDEX, newest=False, reachable=False) == [
        [sys.executable, "-m", "pip", "install", PIN]
    ]
    assert install_torch.install_commands(PIN, "", newest=False, reachable=True)[0][-1] == PIN


def test_the_newest_torch_is_only_ever_asked_of_the_cpu_index():
    commands = install_torch.install_commands(PIN, INDEX, newest=True, reachable=True)
    assert commands[0][-2:] == ["--upgrade", "torch"] and INDEX in commands[0]
    for command in commands:
        assert "--index-url" in command or command[-1] == PIN, "an unpinned torch from the default index is CUDA"


@pytest.mark.parametrize("bad", ["torch", "torch>=2.13", "numpy==2.4.6"])
def test_the_requirement_must_pin_torch(bad):
    with pytest.raises(ValueError, match="requirement must pin torch exactly"):
        install_torch.install_commands(bad, INDEX, newest=False, reachable=False)


def test_the_build_is_named_cpu_or_cuda():
    assert install_torch.describe_build("2.13.0+cpu", None) == "torch 2.13.0+cpu (CPU-only build)"
    assert install_torch.describe_build("2.13.0", "13.0") == "torch 2.13.0 (CUDA 13.0 build)"


def test_with_no_network_the_last_line_says_what_could_not_be_downloaded(monkeypatch, capsys):
    tried = []

    def failing_pip(command, *args, **kwargs):
        tried.append(command)
        return subprocess.CompletedProcess(command, returncode=1)

    monkeypatch.setattr(install_torch.subprocess, "run", failing_pip)
    assert install_torch.main(["--index", "http://127.0.0.1:9/whl/cpu", PIN]) == 1
    shown = capsys.readouterr().out.splitlines()
    assert "cannot be reached" in shown[0]
    assert shown[-1] == f"install_torch: could not download {PIN} (is this machine connected to the internet?)"
    assert tried == [[sys.executable, "-m", "pip", "install", PIN]]
