"""Application-layer probes on open ports (asyncio): banners, HTTP, TLS, RDP, SMB, databases.

Each probe opens its own connection with a timeout and never raises on a network error: a probe
that gets no answer says so (``timed_out``), and that becomes a finding of its own. Services are
recognised by what they answer, not by their port number alone, so a service on an unusual port is
still seen; the insurers' port list only decides which probe goes first.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import re
import ssl
import warnings
from dataclasses import dataclass, field

from cryptography import x509

#: Weak suites offered alone to see whether the server accepts any of them.
WEAK_CIPHERS = "RC4:3DES:DES:NULL:EXPORT:aNULL:eNULL:@SECLEVEL=0"
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
class TlsInfo:
    version: str = ""
    cipher: str = ""
    not_before: dt.datetime | None = None
    not_after: dt.datetime | None = None
    subject: str = ""
    self_signed: bool = False
    verify_error: str | None = None
    old_versions: list[str] = field(default_factory=list)
    weak_cipher: str | None = None
    untestable: list[str] = field(default_factory=list)


@dataclass
class HttpInfo:
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""


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


@dataclass(frozen=True)
class ProbeOptions:
    timeout: float = 3.0
    banner_wait: float = 0.5
    user_agent: str = "insurable-scan"
    ca_file: str | None = None


async def _exchange(address: str, port: int, payload: bytes | None, wait: float, opts: ProbeOptions) -> bytes | None:
    """Connect, optionally send, read what comes within ``wait``; None when the connect timed out."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(address, port), opts.timeout)
    except (TimeoutError, OSError):
        return None
    try:
        if payload:
            writer.write(payload)
            await writer.drain()
        return await asyncio.wait_for(reader.read(4096), wait)
    except (TimeoutError, OSError, ConnectionError):
        return b""
    finally:
        writer.close()
        with contextlib.suppress(OSError, ConnectionError):
            await writer.wait_closed()


def _client_context(minimum: ssl.TLSVersion | None = None, maximum: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if minimum is not None or maximum is not None:
        ctx.set_ciphers("ALL:@SECLEVEL=0")
        # Testing whether a server still accepts TLS 1.0/1.1 is the point: silence the deprecation.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            if minimum is not None:
                ctx.minimum_version = minimum
            if maximum is not None:
                ctx.maximum_version = maximum
    return ctx


async def _handshake(
    address: str, port: int, host: str, ctx: ssl.SSLContext, opts: ProbeOptions
) -> tuple[ssl.SSLObject | None, str | None, asyncio.StreamWriter | None]:
    """TLS handshake; returns (ssl object, error, writer to close)."""
    try:
        _reader, writer = await asyncio.wait_for(
            asyncio.open_connection(address, port, ssl=ctx, server_hostname=host if not _is_ip(host) else None),
            opts.timeout,
        )
    except TimeoutError:
        return None, "timeout", None
    except ssl.SSLCertVerificationError as exc:
        return None, exc.verify_message or str(exc), None
    except (ssl.SSLError, OSError, ConnectionError) as exc:
        return None, f"{type(exc).__name__}: {exc}", None
    obj = writer.get_extra_info("ssl_object")
    return obj, None, writer


async def _close(writer: asyncio.StreamWriter | None) -> None:
    if writer is None:
        return
    writer.close()
    with contextlib.suppress(OSError, ConnectionError, ssl.SSLError):
        await writer.wait_closed()


def _is_ip(host: str) -> bool:
    return bool(re.fullmatch(r"[0-9.]+|[0-9a-fA-F:]+", host))


async def probe_tls(address: str, port: int, host: str, opts: ProbeOptions) -> tuple[TlsInfo | None, bool]:
    """Version, cipher, certificate, trust, old protocols and weak suites; (None, timed out) if not TLS."""
    obj, err, writer = await _handshake(address, port, host, _client_context(), opts)
    if obj is None:
        return None, err == "timeout"
    info = TlsInfo(version=obj.version() or "", cipher=(obj.cipher() or ("",))[0])
    der = obj.getpeercert(binary_form=True)
    await _close(writer)
    if der:
        cert = x509.load_der_x509_certificate(der)
        info.not_before, info.not_after = cert.not_valid_before_utc, cert.not_valid_after_utc
        info.subject = cert.subject.rfc4514_string()
        info.self_signed = cert.issuer == cert.subject
    verify = ssl.create_default_context(cafile=opts.ca_file)
    if _is_ip(host):
        verify.check_hostname = False
    checks = [_handshake(address, port, host, verify, opts)]
    old = [("TLSv1", ssl.TLSVersion.TLSv1), ("TLSv1.1", ssl.TLSVersion.TLSv1_1)]
    for _name, version in old:
        try:
            ctx = _client_context(version, version)
        except (ValueError, ssl.SSLError):
            ctx = None
        checks.append(_handshake(address, port, host, ctx, opts) if ctx else _untestable())
    try:
        weak = _client_context(maximum=ssl.TLSVersion.TLSv1_2)
        weak.set_ciphers(WEAK_CIPHERS)
        checks.append(_handshake(address, port, host, weak, opts))
    except ssl.SSLError:
        checks.append(_untestable())
    results = await asyncio.gather(*checks)
    v_obj, v_err, v_writer = results[0]
    await _close(v_writer)
    info.verify_error = None if v_obj is not None else (v_err or "not trusted")
    for (name, _version), (o, err, w) in zip(old, results[1:3], strict=True):
        await _close(w)
        if o is not None:
            info.old_versions.append(name)
        elif err == "untestable":
            info.untestable.append(name)
    w_obj, w_err, w_writer = results[3]
    if w_obj is not None:
        info.weak_cipher = (w_obj.cipher() or ("?",))[0]
    elif w_err == "untestable":
        info.untestable.append("weak ciphers")
    await _close(w_writer)
    return info, False


async def _untestable() -> tuple[None, str, None]:
    return None, "untestable", None


async def probe_http(address: str, port: int, host: str, opts: ProbeOptions, tls: bool) -> tuple[HttpInfo | None, bool]:
    """``GET /``; returns (response or None, timed out)."""
    request = (
        f"GET / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {opts.user_agent}\r\nAccept: */*\r\nConnection: close\r\n\r\n"
    ).encode()
    ctx = _client_context() if tls else None
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(
                address, port, ssl=ctx, server_hostname=(host if tls and not _is_ip(host) else None)
            ),
            opts.timeout,
        )
    except TimeoutError:
        return None, True
    except (OSError, ssl.SSLError, ConnectionError):
        return None, False
    chunks: list[bytes] = []
    timed_out = False
    try:
        writer.write(request)
        await writer.drain()
        size = 0
        while size < 65536:
            chunk = await asyncio.wait_for(reader.read(8192), opts.timeout)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except TimeoutError:
        timed_out = not chunks
    except (OSError, ssl.SSLError, ConnectionError):
        pass
    finally:
        await _close(writer)
    return parse_http(b"".join(chunks)), timed_out


def parse_http(raw: bytes) -> HttpInfo | None:
    """Parse a raw HTTP/1.x response (status, lower-case headers, body text); None if it is not one."""
    if not raw.startswith(b"HTTP/"):
        return None
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("iso-8859-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            key = name.strip().lower()
            headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
    return HttpInfo(status=status, headers=headers, body=body[:65536].decode("utf-8", "replace"))


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
    banner = await _exchange(address, port, None, opts.banner_wait, opts)
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
    reply = await _exchange(address, port, payload, wait, opts) or b""
    if step == "rdp":
        return "rdp" if reply[:2] == b"\x03\x00" and len(reply) >= 11 and reply[5] == 0xD0 else None
    if step == "smb":
        return "smb" if b"\xfeSMB" in reply[:8] or b"\xffSMB" in reply[:8] else None
    if step == "postgres":
        return "database" if reply in (b"S", b"N") else None
    return "database" if reply.startswith((b"+PONG", b"-NOAUTH")) else None
