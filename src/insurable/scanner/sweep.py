"""TCP connect sweep: non-blocking ``connect`` on an epoll loop, no asyncio.

Measured on loopback (docs/performance.md): a plain epoll loop keeps pace with ``nmap -sT`` while
asyncio spends 4x longer in Python per port, so the sweep stays out of the event loop and the
application-layer probes (:mod:`insurable.scanner.probes`) use asyncio, where waiting dominates.
A global rate limit (connection attempts per second) keeps the scan polite on real networks.
"""

from __future__ import annotations

import errno
import select
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

_IN_PROGRESS = {errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EALREADY}


@dataclass
class SweepResult:
    open: list[int] = field(default_factory=list)
    filtered: list[int] = field(default_factory=list)
    """Ports that neither accepted nor refused before the timeout."""


def sweep(
    address: str,
    ports: Iterable[int],
    *,
    concurrency: int = 1000,
    timeout: float = 1.5,
    rate: float | None = None,
) -> SweepResult:
    """Connect to every port of ``address``; return the open ports (sorted) and the silent ones.

    ``rate`` caps connection attempts per second (None: no cap). A loopback self-connect (source
    port equal to the target port) is not counted as open.
    """
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    poller = select.epoll()
    pending: dict[int, tuple[socket.socket, int, float]] = {}
    result = SweepResult()
    todo = iter(ports)
    exhausted = False
    started = 0
    t0 = time.monotonic()
    try:
        while True:
            while not exhausted and len(pending) < concurrency:
                if rate is not None and started >= rate * (time.monotonic() - t0) + 1:
                    break
                port = next(todo, None)
                if port is None:
                    exhausted = True
                    break
                started += 1
                sock = socket.socket(family, socket.SOCK_STREAM)
                sock.setblocking(False)
                err = sock.connect_ex((address, port))
                if err == 0:
                    _record(sock, port, result)
                elif err in _IN_PROGRESS:
                    poller.register(sock.fileno(), select.EPOLLOUT | select.EPOLLERR | select.EPOLLHUP)
                    pending[sock.fileno()] = (sock, port, time.monotonic() + timeout)
                else:
                    sock.close()
            if exhausted and not pending:
                break
            for fd, _event in poller.poll(0.01 if pending else 0.001):
                sock, port, _deadline = pending.pop(fd)
                poller.unregister(fd)
                if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                    _record(sock, port, result)
                else:
                    sock.close()
            now = time.monotonic()
            for fd in [fd for fd, (_s, _p, deadline) in pending.items() if deadline < now]:
                sock, port, _deadline = pending.pop(fd)
                poller.unregister(fd)
                sock.close()
                result.filtered.append(port)
    finally:
        for sock, _port, _deadline in pending.values():
            sock.close()
        poller.close()
    result.open.sort()
    result.filtered.sort()
    return result


def _record(sock: socket.socket, port: int, result: SweepResult) -> None:
    try:
        self_connect = sock.getsockname()[1] == port and sock.getpeername()[1] == port
    except OSError:
        self_connect = False
    sock.close()
    if not self_connect:
        result.open.append(port)


def parse_ports(spec: str) -> list[int]:
    """``"22,80,8000-8010"`` -> sorted unique ports; raises ValueError naming the bad part."""
    ports: set[int] = set()
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        lo, _, hi = part.partition("-")
        try:
            first, last = int(lo), int(hi or lo)
        except ValueError:
            raise ValueError(f"{part!r} is not a port or a range like 8000-8010") from None
        if not 1 <= first <= last <= 65535:
            raise ValueError(f"{part!r} is outside 1-65535 or runs backwards")
        ports.update(range(first, last + 1))
    if not ports:
        raise ValueError("no ports given")
    return sorted(ports)
