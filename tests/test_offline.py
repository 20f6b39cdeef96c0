"""The offline IPython profile (tests/offline/ipython) really cuts a kernel off the network.

``make nbval``, ``make execute``, ``make determinism``, the notebook budget and the browser tests start their
kernels with IPYTHONDIR pointing at that profile (or a copy of it, see tools/notebook_kernels.py), so every
notebook is proven to run with no network. Here a kernel started the same way tries to reach the outside
(and fails at once, with our message), while loopback still works.
"""

from __future__ import annotations

import pytest
from jupyter_client.manager import start_new_kernel

from tools.notebook_kernels import KERNEL_NAME, OFFLINE_PROFILE, kernel_env, offline_ipython_dir

BLOCKED = "network access is disabled"


@pytest.fixture(scope="module")
def offline_kernel():
    with offline_ipython_dir() as ipython_dir:
        env = kernel_env(threads=1, ipython_dir=ipython_dir)
        manager, client = start_new_kernel(kernel_name=KERNEL_NAME, env=env, startup_timeout=60)
        yield client
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_kernels_get_a_private_copy_of_the_profile():
    startup = ("profile_default", "startup", "00_block_network.py")
    assert OFFLINE_PROFILE.joinpath(*startup).is_file()
    with offline_ipython_dir() as copy:
        assert (
            copy != OFFLINE_PROFILE
            and copy.joinpath(*startup).read_bytes() == OFFLINE_PROFILE.joinpath(*startup).read_bytes()
        )
    assert not copy.exists()


def run(client, code: str) -> str:
    """Execute code in the kernel; return everything it printed (stdout, stderr, results, tracebacks)."""
    shown = []

    def collect(message):
        content = message["content"]
        if message["msg_type"] == "stream":
            shown.append(content["text"])
        elif message["msg_type"] in ("execute_result", "display_data"):
            shown.append(content["data"].get("text/plain", ""))
        elif message["msg_type"] == "error":
            shown.append("\n".join(content["traceback"]))

    client.execute_interactive(code, output_hook=collect, timeout=60)
    return "".join(shown)


def test_startup_prints_nothing_and_leaves_no_names(offline_kernel):
    assert run(offline_kernel, "print(sorted(n for n in dir() if not n.startswith('_') and n not in "
                               "('In', 'Out', 'exit', 'quit', 'get_ipython', 'open')))") == "[]\n"  # fmt: skip


def test_connecting_to_another_machine_fails_at_once(offline_kernel):
    code = """
import socket, time
start = time.perf_counter()
try:
    socket.create_connection(("192.0.2.1", 80), timeout=20)  # TEST-NET-1: no such machine
except OSError as error:
    print(type(error).__name__, error, round(time.perf_counter() - start) < 2)
"""
    shown = run(offline_kernel, code)
    assert shown.startswith("ConnectionRefusedError") and BLOCKED in shown and shown.endswith("True\n"), shown


def test_name_lookups_and_downloads_fail(offline_kernel):
    code = """
import socket, urllib.request
for attempt in (lambda: socket.getaddrinfo("example.com", 443),
                lambda: urllib.request.urlopen("https://example.com", timeout=20)):
    try:
        attempt()
        print("reached the network")
    except OSError as error:
        print(type(error).__name__, error)
"""
    shown = run(offline_kernel, code).splitlines()
    assert len(shown) == 2 and all(BLOCKED in line for line in shown), shown
    assert shown[0].startswith("gaierror") and shown[1].startswith("URLError"), shown


def test_udp_to_another_machine_fails(offline_kernel):
    code = """
import socket
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
    try:
        sock.sendto(b"x", ("192.0.2.1", 53))
        print("sent")
    except OSError as error:
        print(error)
"""
    assert BLOCKED in run(offline_kernel, code)


def test_loopback_still_works(offline_kernel):
    code = """
import socket
with socket.create_server(("127.0.0.1", 0)) as server:
    with socket.create_connection(server.getsockname(), timeout=5) as client:
        peer, _ = server.accept()
        client.sendall(b"ping")
        print(peer.recv(4).decode())
        peer.close()
"""
    assert run(offline_kernel, code) == "ping\n"
