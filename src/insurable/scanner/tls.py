"""The TLS probe: negotiated version and cipher, certificate dates and issuer, trust, and whether
TLS 1.0/1.1 or only-weak suites are still accepted (as far as the local OpenSSL can offer them).

Uses the standard library's ``ssl`` and ``cryptography``; what the local OpenSSL cannot test is
recorded in ``untestable``, never guessed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl
from dataclasses import dataclass, field

from cryptography import x509

from insurable.scanner.net import ProbeOptions, client_context, close, is_ip

#: Weak suites offered alone to see whether the server accepts any of them.
WEAK_CIPHERS = "RC4:3DES:DES:NULL:EXPORT:aNULL:eNULL:@SECLEVEL=0"


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


async def handshake(
    address: str, port: int, host: str, ctx: ssl.SSLContext, opts: ProbeOptions
) -> tuple[ssl.SSLObject | None, str | None, asyncio.StreamWriter | None]:
    """TLS handshake; returns (ssl object, error, writer to close)."""
    try:
        _reader, writer = await asyncio.wait_for(
            asyncio.open_connection(address, port, ssl=ctx, server_hostname=host if not is_ip(host) else None),
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


async def probe_tls(address: str, port: int, host: str, opts: ProbeOptions) -> tuple[TlsInfo | None, bool]:
    """Version, cipher, certificate, trust, old protocols and weak suites; (None, timed out) if not TLS."""
    obj, err, writer = await handshake(address, port, host, client_context(), opts)
    if obj is None:
        return None, err == "timeout"
    info = TlsInfo(version=obj.version() or "", cipher=(obj.cipher() or ("",))[0])
    der = obj.getpeercert(binary_form=True)
    await close(writer)
    if der:
        cert = x509.load_der_x509_certificate(der)
        info.not_before, info.not_after = cert.not_valid_before_utc, cert.not_valid_after_utc
        info.subject = cert.subject.rfc4514_string()
        info.self_signed = cert.issuer == cert.subject
    verify = ssl.create_default_context(cafile=opts.ca_file)
    if is_ip(host):
        verify.check_hostname = False
    checks = [handshake(address, port, host, verify, opts)]
    old = [("TLSv1", ssl.TLSVersion.TLSv1), ("TLSv1.1", ssl.TLSVersion.TLSv1_1)]
    for _name, version in old:
        try:
            ctx = client_context(version, version)
        except (ValueError, ssl.SSLError):
            ctx = None
        checks.append(handshake(address, port, host, ctx, opts) if ctx else _untestable())
    try:
        weak = client_context(maximum=ssl.TLSVersion.TLSv1_2)
        weak.set_ciphers(WEAK_CIPHERS)
        checks.append(handshake(address, port, host, weak, opts))
    except ssl.SSLError:
        checks.append(_untestable())
    results = await asyncio.gather(*checks)
    v_obj, v_err, v_writer = results[0]
    await close(v_writer)
    info.verify_error = None if v_obj is not None else (v_err or "not trusted")
    for (name, _version), (o, err, w) in zip(old, results[1:3], strict=True):
        await close(w)
        if o is not None:
            info.old_versions.append(name)
        elif err == "untestable":
            info.untestable.append(name)
    w_obj, w_err, w_writer = results[3]
    if w_obj is not None:
        info.weak_cipher = (w_obj.cipher() or ("?",))[0]
    elif w_err == "untestable":
        info.untestable.append("weak ciphers")
    await close(w_writer)
    return info, False


async def _untestable() -> tuple[None, str, None]:
    return None, "untestable", None
