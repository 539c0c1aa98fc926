"""Sending e-mail: an SMTP adapter configured from the environment, and a fake that keeps messages.

Settings (docs/suppliers.md, "E-mail"): ``INSURABLE_SMTP_HOST`` (no host: no e-mail is sent),
``INSURABLE_SMTP_PORT`` [25], ``INSURABLE_SMTP_FROM`` [insurable@localhost],
``INSURABLE_SMTP_SECURITY`` ``none`` | ``starttls`` | ``tls`` [none], ``INSURABLE_SMTP_USER`` and
``INSURABLE_SMTP_PASSWORD`` (login when a user is set), ``INSURABLE_SMTP_TIMEOUT`` [10 seconds].
A malformed value is an :class:`~insurable.errors.InputError` naming the variable. Messages are
plain text, UTF-8, so Dutch and English both arrive intact.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Literal, Protocol

from insurable.errors import InputError, Problem

__all__ = ["MemoryMailer", "SmtpMailer", "SmtpSettings", "build_message", "mailer_from_env", "smtp_settings"]

Security = Literal["none", "starttls", "tls"]


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "insurable@localhost"
    security: Security = "none"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 10.0


def smtp_settings(env: Mapping[str, str]) -> SmtpSettings | None:
    """SMTP settings from environment variables; None when ``INSURABLE_SMTP_HOST`` is unset."""
    host = env.get("INSURABLE_SMTP_HOST", "").strip()
    if not host:
        return None
    problems: list[Problem] = []
    port = 25
    raw_port = env.get("INSURABLE_SMTP_PORT", "25").strip()
    if not raw_port.isdigit() or not 0 < int(raw_port) < 65536:
        problems.append(Problem("INSURABLE_SMTP_PORT", f"expected a port number 1-65535, got {raw_port!r}"))
    else:
        port = int(raw_port)
    security = env.get("INSURABLE_SMTP_SECURITY", "none").strip().lower()
    if security not in ("none", "starttls", "tls"):
        problems.append(Problem("INSURABLE_SMTP_SECURITY", f"expected none, starttls or tls, got {security!r}"))
    sender = env.get("INSURABLE_SMTP_FROM", "insurable@localhost").strip()
    if "@" not in sender:
        problems.append(Problem("INSURABLE_SMTP_FROM", f"expected an e-mail address, got {sender!r}"))
    timeout = 10.0
    raw_timeout = env.get("INSURABLE_SMTP_TIMEOUT", "10").strip()
    try:
        timeout = float(raw_timeout)
        if not 0 < timeout <= 300:
            raise ValueError
    except ValueError:
        problems.append(Problem("INSURABLE_SMTP_TIMEOUT", f"expected seconds between 0 and 300, got {raw_timeout!r}"))
    if problems:
        raise InputError(problems)
    user = env.get("INSURABLE_SMTP_USER") or None
    return SmtpSettings(host, port, sender, security, user, env.get("INSURABLE_SMTP_PASSWORD") or None, timeout)  # type: ignore[arg-type]


def build_message(sender: str, to: Sequence[str], subject: str, body: str, lang: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.split("@")[-1] or "localhost")
    message.set_content(body, charset="utf-8")
    message["Content-Language"] = lang  # after set_content, which replaces the Content-* headers
    return message


class Mailer(Protocol):
    def send(self, to: Sequence[str], subject: str, body: str, lang: str) -> None: ...


class SmtpMailer:
    """Sends through the configured SMTP server."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def send(self, to: Sequence[str], subject: str, body: str, lang: str) -> None:
        s = self.settings
        message = build_message(s.sender, to, subject, body, lang)
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if s.security == "tls":
            client = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
        else:
            client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        with client:
            if s.security == "starttls":
                client.starttls(context=context)
            if s.username:
                client.login(s.username, s.password or "")
            client.send_message(message)


@dataclass
class MemoryMailer:
    """A fake that keeps what it was asked to send (tests, and the web app without SMTP)."""

    sent: list[EmailMessage] = field(default_factory=list)
    sender: str = "insurable@localhost"

    def send(self, to: Sequence[str], subject: str, body: str, lang: str) -> None:
        self.sent.append(build_message(self.sender, to, subject, body, lang))


def mailer_from_env(env: Mapping[str, str]) -> SmtpMailer | None:
    settings = smtp_settings(env)
    return SmtpMailer(settings) if settings is not None else None
