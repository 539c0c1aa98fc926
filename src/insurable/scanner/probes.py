"""Application-layer probes on open ports (asyncio): banners, HTTP, TLS, RDP, SMB, databases.

Each probe opens its own connection with a timeout and never raises on a network error: a probe
that gets no answer says so (``timed_out``), and that becomes a finding of its own. Services are
recognised by what they answer, not by their port number alone, so a service on an unusual port is
still seen; the insurers' port list only decides which probe goes first.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field

from insurable.scanner.net import ProbeOptions, exchange
from insurable.scanner.tls import TlsInfo, probe_tls
from insurable.scanner.web import HttpInfo, probe_http

# RDP: TPKT + X.224 Connection Request with an RDP negotiation request (MS-RDPBCGR 2.2.1.1).
RDP_REQUEST = bytes.fromhex("0300001306e00000000000010008000b000000")
# SMB2 NEGOTIATE over NetBIOS session service, dialect 2.02 (MS-SMB2 2.2.3).
SMB_REQUEST = bytes.fromhex(
    "00000066fe534d4240000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000002400010001000000"
    "0000000000000000000000000000000000000000000000000000000000000202"
)
POSTGRES_SSL_REQUEST = bytes.fromhex("0000000804d2162f")


@dataclass
class Service:
    """What one open port turned out to be."""

    host: str
    address: str
    port: int
    kind: str = "unknown"
    banner: str = ""
    http: HttpInfo | None = None
    tls: TlsInfo | None = None
    timed_out: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def classify_banner(banner: bytes) -> str | None:
    """Service kind from what a server says first, if it says anything recognisable."""
    if banner.startswith(b"SSH-"):
        return "ssh"
    if banner.startswith(b"RFB "):
        return "vnc"
    if banner[:1] == b"\xff" or re.search(rb"(?i)\blogin:\s*$", banner):
        return "telnet"
    if banner.startswith(b"220") and not re.search(rb"(?i)smtp", banner):
        return "ftp"
    if len(banner) > 5 and banner[4] == 0x0A and banner[3] == 0:
        return "database"  # MySQL/MariaDB protocol 10 greeting
    return None


async def probe_service(host: str, address: str, port: int, hint: str | None, opts: ProbeOptions) -> Service:
    """Find out what answers on ``port``: banner first, then TLS/HTTP, RDP, SMB and database probes."""
    service = Service(host=host, address=address, port=port)
    banner = await exchange(address, port, None, opts.banner_wait, opts)
    if banner is None:
        service.timed_out.append("connect")
        return service
    if banner:
        service.banner = banner[:200].decode("utf-8", "replace").strip()
        kind = classify_banner(banner)
        if kind is not None:
            service.kind = kind
            return service
    # Web first, TLS and plain HTTP side by side (a plain server may sit out a TLS hello until the
    # timeout); then the binary protocols, all at once. Each probe has its own connection.
    tls, plain = await asyncio.gather(
        probe_tls(address, port, host, opts), probe_http(address, port, host, opts, tls=False)
    )
    if tls[0] is not None:
        service.tls, service.kind = tls[0], "https"
        service.http, timed_out = await probe_http(address, port, host, opts, tls=True)
        if timed_out:
            service.timed_out.append("https")
    elif plain[0] is not None:
        service.http, service.kind = plain[0], "http"
    else:
        kinds = await asyncio.gather(
            *(_binary(step, address, port, opts) for step in ("rdp", "smb", "postgres", "redis"))
        )
        service.kind = next((k for k in kinds if k), "unknown")
        if service.kind == "unknown":
            service.timed_out += [step for step, out in (("tls", tls[1]), ("http", plain[1])) if out]
    if service.kind == "unknown" and hint in ("database", "remote_management"):
        service.kind = hint  # the port answers on a port insurers list for it
    web = service.http
    if service.kind == "http" and hint == "remote_management" and web is not None:
        service.kind = "remote_management" if "microsoft-httpapi" in web.headers.get("server", "").lower() else "http"
    return service


async def _binary(step: str, address: str, port: int, opts: ProbeOptions) -> str | None:
    """One binary-protocol probe; the service kind it recognised, or None."""
    payload = {"rdp": RDP_REQUEST, "smb": SMB_REQUEST, "postgres": POSTGRES_SSL_REQUEST}.get(step, b"PING\r\n")
    wait = opts.timeout if step in ("rdp", "smb") else opts.banner_wait
    reply = await exchange(address, port, payload, wait, opts) or b""
    if step == "rdp":
        return "rdp" if reply[:2] == b"\x03\x00" and len(reply) >= 11 and reply[5] == 0xD0 else None
    if step == "smb":
        return "smb" if b"\xfeSMB" in reply[:8] or b"\xffSMB" in reply[:8] else None
    if step == "postgres":
        return "database" if reply in (b"S", b"N") else None
    return "database" if reply.startswith((b"+PONG", b"-NOAUTH")) else None


__all__ = ["HttpInfo", "ProbeOptions", "Service", "TlsInfo", "classify_banner", "probe_service"]
