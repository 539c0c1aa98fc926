"""The HTTP probe: ``GET /`` with the scanner's user agent, and a small HTTP/1.x response parser."""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass, field

from insurable.scanner.net import ProbeOptions, client_context, close, is_ip


@dataclass
class HttpInfo:
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""


async def probe_http(address: str, port: int, host: str, opts: ProbeOptions, tls: bool) -> tuple[HttpInfo | None, bool]:
    """``GET /``; returns (response or None, timed out)."""
    request = (
        f"GET / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {opts.user_agent}\r\nAccept: */*\r\nConnection: close\r\n\r\n"
    ).encode()
    ctx = client_context() if tls else None
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(
                address, port, ssl=ctx, server_hostname=(host if tls and not is_ip(host) else None)
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
        await close(writer)
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
