"""Loopback-only fixture services for the scanner tests and the scan benchmark.

Everything binds to 127.0.0.1 on a free port: TLS servers with valid (test-CA), expired and
self-signed certificates made here with ``cryptography``, a fake RDP and SMB listener, an SSH and
FTP banner, an HTTP server imitating a VPN portal on a KEV-listed Apache, a silent port, and an
authoritative DNS server (dnslib) for the zone ``example.test``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ssl
import threading
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from dnslib import QTYPE, RCODE, RR
from dnslib.server import BaseResolver, DNSLogger, DNSServer

LOOPBACK = "127.0.0.1"
DOMAIN = "example.test"
ORG_NAME = "Loopback Test BV"

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_cert(
    directory: Path,
    stem: str,
    host: str,
    *,
    not_before: dt.datetime,
    not_after: dt.datetime,
    issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None = None,
    ca: bool = False,
) -> tuple[Path, Path, x509.Certificate, ec.EllipticCurvePrivateKey]:
    """Write ``stem.pem`` and ``stem.key``: signed by ``issuer``, or self-signed without one."""
    key = ec.generate_private_key(ec.SECP256R1())
    issuer_cert, issuer_key = issuer if issuer else (None, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(host))
        .issuer_name(issuer_cert.subject if issuer_cert else _name(host))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
    cert = builder.sign(issuer_key, hashes.SHA256())
    pem, keyfile = directory / f"{stem}.pem", directory / f"{stem}.key"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return pem, keyfile, cert, key


def http_response(headers: dict[str, str], body: str, status: str = "200 OK") -> bytes:
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    data = body.encode()
    return f"HTTP/1.1 {status}\r\n{head}Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode() + data


def http_handler(headers: dict[str, str], body: str, files: dict[str, str] | None = None) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            if request.startswith(b"GET "):
                path = request.split(b" ", 2)[1].decode()
                if files and path in files:
                    writer.write(http_response({"Content-Type": "text/plain"}, files[path]))
                elif files is not None and path != "/":
                    writer.write(http_response({}, "not found", "404 Not Found"))
                else:
                    writer.write(http_response(headers, body))
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ssl.SSLError):
            pass
        finally:
            writer.close()

    return handle


def banner_handler(banner: bytes) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            writer.write(banner)
            await writer.drain()
            await asyncio.wait_for(reader.read(100), 2)
        except (OSError, TimeoutError):
            pass
        finally:
            writer.close()

    return handle


async def rdp_handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answer an X.224 Connection Request with a Connection Confirm (TPKT), close on anything else."""
    try:
        data = await asyncio.wait_for(reader.read(64), 5)
        if data[:2] == b"\x03\x00" and len(data) > 5 and data[5] == 0xE0:
            writer.write(bytes.fromhex("0300001306d00000123400020f080001000000"))
            await writer.drain()
    except (OSError, TimeoutError):
        pass
    finally:
        writer.close()


async def smb_handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answer an SMB2 NEGOTIATE with an SMB2 header; close on anything else."""
    try:
        data = await asyncio.wait_for(reader.read(256), 5)
        if data[4:8] == b"\xfeSMB":
            body = b"\xfeSMB" + b"\x40\x00" + b"\x00" * 58 + b"\x41\x00" + b"\x00" * 64
            writer.write(len(body).to_bytes(4, "big") + body)
            await writer.drain()
    except (OSError, TimeoutError):
        pass
    finally:
        writer.close()


async def silent_handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Accept and say nothing until the client gives up."""
    try:
        while await asyncio.wait_for(reader.read(1 << 16), 30):
            pass
    except (OSError, TimeoutError):
        pass
    finally:
        writer.close()


class ZoneResolver(BaseResolver):  # type: ignore[misc]
    """Answer from a fixed list of zone-file lines; NXDOMAIN for names it does not hold."""

    def __init__(self, zone: str) -> None:
        self.rrs = RR.fromZone(zone)

    def resolve(self, request, handler):  # type: ignore[no-untyped-def]
        reply = request.reply()
        qname, qtype = request.q.qname, request.q.qtype
        names = [rr for rr in self.rrs if rr.rname == qname]
        for rr in names:
            if rr.rtype == qtype or qtype == QTYPE.ANY:
                reply.add_answer(rr)
        if not names:
            reply.header.rcode = RCODE.NXDOMAIN
        return reply


@dataclass
class Fixtures:
    ports: dict[str, int] = field(default_factory=dict)
    dns_port: int = 0
    ca_file: Path = Path()
    directory: Path = Path()

    @property
    def nameserver(self) -> str:
        return f"{LOOPBACK}:{self.dns_port}"

    def organisation(self, answers: dict[str, object] | None = None, **targets: object) -> dict[str, object]:
        return {
            "name": ORG_NAME,
            "country": "NL",
            "nace_code": "62.02",
            "activities": ["saas"],
            "employees": 40,
            "annual_turnover_eur": 6_000_000,
            "balance_sheet_total_eur": 3_000_000,
            "records_held": 20_000,
            "requested_limit_eur": 1_000_000,
            "requested_deductible_eur": 5_000,
            "scan_targets": targets or {"domains": [DOMAIN]},
            "answers": answers or {},
        }


def zone_text(token: str, sub_token: str, extra: str = "") -> str:
    return f"""
{DOMAIN}. 60 IN A {LOOPBACK}
{DOMAIN}. 60 IN TXT "v=spf1 mx -all"
{DOMAIN}. 60 IN MX 10 mail.{DOMAIN}.
_dmarc.{DOMAIN}. 60 IN TXT "v=DMARC1; p=none; rua=mailto:dmarc@{DOMAIN}"
_insurable-scan.{DOMAIN}. 60 IN TXT "{token}"
wk.test. 60 IN A {LOOPBACK}
sub.{DOMAIN}. 60 IN A {LOOPBACK}
_insurable-scan.sub.{DOMAIN}. 60 IN TXT "{sub_token}"
{DOMAIN}. 60 IN CAA 0 issue "letsencrypt.org"
nodns.test. 60 IN A {LOOPBACK}
{extra}
"""


class FixtureServers:
    """Starts every fixture on a background event loop; ``stop()`` ends them."""

    def __init__(self, directory: Path) -> None:
        from insurable.scanner.consent import consent_token

        self.directory = directory
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.servers: list[asyncio.Server] = []
        now = dt.datetime.now(dt.UTC)
        ca_pem, _k, ca_cert, ca_key = make_cert(
            directory,
            "ca",
            "Insurable Test CA",
            not_before=now - dt.timedelta(days=1),
            not_after=now + dt.timedelta(days=30),
            ca=True,
        )
        valid = make_cert(
            directory,
            "valid",
            DOMAIN,
            not_before=now - dt.timedelta(days=1),
            not_after=now + dt.timedelta(days=365),
            issuer=(ca_cert, ca_key),
        )
        expired = make_cert(
            directory,
            "expired",
            DOMAIN,
            not_before=now - dt.timedelta(days=400),
            not_after=now - dt.timedelta(days=35),
            issuer=(ca_cert, ca_key),
        )
        selfsigned = make_cert(
            directory,
            "selfsigned",
            DOMAIN,
            not_before=now - dt.timedelta(days=1),
            not_after=now + dt.timedelta(days=365),
        )
        self.fixtures = Fixtures(ca_file=ca_pem, directory=directory)
        secure_headers = {
            "Server": "nginx",
            "Strict-Transport-Security": "max-age=31536000",
            "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        }
        token = consent_token(ORG_NAME, "wk.test")
        self.thread.start()
        self._start("https_valid", http_handler(secure_headers, "<html>shop</html>"), self._tls(valid))
        self._start("https_expired", http_handler({"Server": "nginx"}, "old"), self._tls(expired))
        self._start("https_selfsigned_old", http_handler({"Server": "nginx"}, "lab"), self._tls(selfsigned, old=True))
        self._start(
            "vpn_portal",
            http_handler(
                {"Server": "Apache/2.4.49 (Unix)", "X-Powered-By": "PHP/7.4.3", "Location": "/remote/login?lang=en"},
                '<html><title>SSL VPN</title><script src="/remote/fgt_lang?lang=en"></script></html>',
                files={"/.well-known/insurable-scan.txt": token + "\n"},
            ),
        )
        self._start("rdp", rdp_handler)
        self._start("smb", smb_handler)
        self._start("ssh", banner_handler(b"SSH-2.0-OpenSSH_9.6\r\n"))
        self._start("ftp", banner_handler(b"220 ProFTPD Server ready.\r\n"))
        self._start("silent", silent_handler)
        resolver = ZoneResolver(zone_text(consent_token(ORG_NAME, DOMAIN), consent_token(ORG_NAME, f"sub.{DOMAIN}")))
        self.dns = DNSServer(
            resolver,
            address=LOOPBACK,
            port=0,
            logger=DNSLogger("-request,-reply,-truncated,-error,-recv,-send,-data", logf=lambda _s: None),
        )
        self.dns.start_thread()
        self.fixtures.dns_port = self.dns.server.server_address[1]

    def _tls(self, cert: tuple[Path, Path, object, object], old: bool = False) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert[0], cert[1])
        if old:
            ctx.set_ciphers("ALL:@SECLEVEL=0")
            with contextlib.suppress(ValueError, ssl.SSLError), warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                ctx.minimum_version = ssl.TLSVersion.TLSv1
        return ctx

    def _start(self, name: str, handler: Handler, ctx: ssl.SSLContext | None = None) -> None:
        async def start() -> asyncio.Server:
            return await asyncio.start_server(handler, LOOPBACK, 0, ssl=ctx)

        server = asyncio.run_coroutine_threadsafe(start(), self.loop).result(10)
        self.servers.append(server)
        self.fixtures.ports[name] = server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        async def close() -> None:
            for server in self.servers:
                server.close()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()
        self.dns.stop()
        self.dns.server.server_close()
