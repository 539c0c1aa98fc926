"""Connection helpers every probe shares: options, one exchange, TLS client contexts, closing."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import ssl
import warnings
from dataclasses import dataclass


@dataclass(frozen=True)
class ProbeOptions:
    timeout: float = 3.0
    banner_wait: float = 0.5
    user_agent: str = "insurable-scan"
    ca_file: str | None = None


async def exchange(address: str, port: int, payload: bytes | None, wait: float, opts: ProbeOptions) -> bytes | None:
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


def client_context(minimum: ssl.TLSVersion | None = None, maximum: ssl.TLSVersion | None = None) -> ssl.SSLContext:
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


async def close(writer: asyncio.StreamWriter | None) -> None:
    if writer is None:
        return
    writer.close()
    with contextlib.suppress(OSError, ConnectionError, ssl.SSLError):
        await writer.wait_closed()


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
