"""Secrets: argon2 password hashes, random tokens stored as SHA-256, and a login rate limiter."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import deque

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
#: Verified against when the e-mail is unknown, so that a miss costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password")

TOKEN_PREFIX = "ins_"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant-effort check; an unknown user still costs one argon2 verification."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def new_token() -> str:
    """A fresh secret for an API token or a session cookie (256 bits)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database keeps of a token: its SHA-256 (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def same(a: str, b: str) -> bool:
    return secrets.compare_digest(a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass"))


class RateLimiter:
    """Sliding-window limiter per key (client address), kept in memory of this process.

    Several processes behind a proxy each keep their own window; the per-account lockout, which
    lives in the database, is the limit that holds across processes.
    """

    def __init__(self, limit: int, window_seconds: float) -> None:
        self.limit = limit
        self.window = window_seconds
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> float | None:
        """Count one attempt; return the seconds to wait when over the limit, else ``None``."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(0.0, hits[0] + self.window - now)
            hits.append(now)
            if len(self._hits) > 10_000:
                self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - self.window}
            return None


#: Shortest password accepted (NIST SP 800-63B asks for at least 8; we ask for 12).
MIN_PASSWORD = 12
#: zxcvbn estimates guesses from its packaged lists (30,000 common and leaked passwords, names, English
#: words) and patterns (keyboard walks, repeats, dates, l33t); score 3 means about 10^8 guesses or more.
MIN_SCORE = 3


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why ``password`` is too weak, or ``None``: length, then the packaged breached/common list.

    The check runs offline: no password ever leaves the process. zxcvbn looks at the first 100
    characters (its cost grows with length); a longer password has passed on length already.
    """
    from zxcvbn import zxcvbn  # loads its word lists on first use

    if len(password) < MIN_PASSWORD:
        return f"use at least {MIN_PASSWORD} characters"
    if not password.strip():
        return "a password cannot be only spaces"
    local = email.split("@")[0]
    hints = [h for h in (email, local, name, "insurable") if h]
    result = zxcvbn(password[:100], user_inputs=hints)
    if result["score"] < MIN_SCORE:
        warning = result["feedback"].get("warning") or "it is easy to guess"
        return f"this password is too easy to guess ({warning.rstrip('.').lower()}); try a few unrelated words"
    return None
