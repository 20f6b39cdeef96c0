# Loaded by every IPython kernel started with IPYTHONDIR=tests/offline/ipython (the nbval, determinism and
# browser runs): the course must run with no network, so any attempt to reach another machine fails at
# once with a clear OSError instead of hanging on a timeout. Loopback (the kernel's own zmq sockets, a
# local Jupyter server) and Unix sockets keep working. It prints nothing and leaves no names behind,
# so notebook outputs are the same with or without it.


def _block_network() -> None:
    import ipaddress
    import socket

    message = "network access is disabled while the course's notebooks are tested (tests/offline)"

    def is_local(host) -> bool:
        if isinstance(host, bytes):
            host = host.decode()
        if not isinstance(host, str):
            return False
        host = host.split("%", 1)[0]  # IPv6 scope id
        if host in ("", "localhost") or host.endswith(".localhost"):
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    def check(sock, address) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not is_local(address[0]):
            raise ConnectionRefusedError(f"{message}: refused {address[0]}:{address[1]}")

    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    original_sendto = socket.socket.sendto
    original_getaddrinfo = socket.getaddrinfo

    def connect(self, address):
        check(self, address)
        return original_connect(self, address)

    def connect_ex(self, address):
        check(self, address)
        return original_connect_ex(self, address)

    def sendto(self, data, *args):
        check(self, args[-1])  # sendto(data, address) or sendto(data, flags, address)
        return original_sendto(self, data, *args)

    def getaddrinfo(host, *args, **kwargs):
        # Name lookups would ask a DNS server on the network; numeric and local names need none.
        if host is not None and not is_local(host):
            try:
                ipaddress.ip_address(host.decode() if isinstance(host, bytes) else host)
            except ValueError:
                raise socket.gaierror(socket.EAI_NONAME, f"{message}: no name lookup for {host}") from None
        return original_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.socket.sendto = sendto
    socket.getaddrinfo = getaddrinfo


_block_network()
del _block_network
