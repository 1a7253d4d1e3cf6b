"""Who may use the service: the local-address rule, sessions, login throttling, CSRF, headers.

A service reachable from other machines must not run without login (SERVICE.md), so `serve`
refuses a non-local address without `--auth`. A planner logs in once and gets a session: a
random cookie naming a row of an in-memory table that expires (SameSite=Strict, so another site
cannot make the browser use it). Failed logins are counted per user name and per address, and
past a few the login is refused for a while, so passwords cannot be tried quickly. Form posts
carry a double-submit CSRF token: a random cookie the page repeats in a hidden field, which
another site can neither read nor set.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import Request

from optimiser.web.settings import LOCAL_HOSTS

CSRF_COOKIE = "optimiser_csrf"
SESSION_COOKIE = "optimiser_session"
SESSION_SECONDS = 12 * 3600
OPEN_PATHS = ("/api/health", "/static/", "/login")
"""Paths served without login, even with --auth (nothing in them is private)."""

PAGE_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'")
REPORT_CSP = "frame-ancestors 'self'"
"""Report files carry their own CSP (a meta tag allowing their inline script by its hash); a
second, header policy must not forbid that script, so theirs only limits who may frame them."""
COMMON_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


class HostRefused(Exception):
    """A non-local address without --auth: `serve` exits 2 with this message."""


def check_host(host: str, auth: Path | None) -> None:
    """Refuse to listen beyond this machine without an auth file."""
    if host not in LOCAL_HOSTS and auth is None:
        raise HostRefused(
            f"refusing to listen on {host} without --auth: anyone who can reach it could use "
            "the service; pass --auth FILE (users added with `optimiser serve-user FILE NAME`, "
            "and/or API tokens, one per line), or listen on 127.0.0.1")


def is_open(path: str) -> bool:
    """Paths that never need a login."""
    return any(path == p or (p.endswith("/") and path.startswith(p)) for p in OPEN_PATHS)


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer TOKEN` header, if any."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return (value.strip() or None) if scheme.lower() == "bearer" else None


def is_report(path: str) -> bool:
    """Report files (…/report.html and any other served .html file) keep their own CSP."""
    return path.endswith(".html")


def security_headers(path: str) -> dict[str, str]:
    """The headers every response gets: CSP (pages), no MIME sniffing, same-origin referrer."""
    return {"Content-Security-Policy": REPORT_CSP if is_report(path) else PAGE_CSP,
            **COMMON_HEADERS}


def safe_next(target: str | None) -> str:
    """Where to go after login: a path of this site (never `//host`, a scheme, a backslash)."""
    if (not target or len(target) > 2000 or not target.startswith("/")
            or target.startswith("//") or "\\" in target
            or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target)):
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"


def csrf_token(request: Request) -> str:
    """The CSRF token for a form: the cookie's if it has one, else a new one."""
    return request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)


def csrf_ok(request: Request, submitted: str | None) -> bool:
    """The form's token matches the cookie (both present)."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not submitted:
        return False
    return hmac.compare_digest(cookie.encode(), submitted.encode())


def _key(token: str) -> str:
    """Sessions are stored by the hash of their token: the table never holds a usable one."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class Sessions:
    """Logged-in browsers: session token -> (user, expiry), in memory (a restart logs out)."""

    seconds: float = SESSION_SECONDS
    clock: Callable[[], float] = time.monotonic
    _rows: dict[str, tuple[str, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def create(self, user: str) -> str:
        """A new session for the user; its token goes into the cookie."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self._lock:
            self._rows = {k: row for k, row in self._rows.items() if row[1] > now}
            self._rows[_key(token)] = (user, now + self.seconds)
        return token

    def user(self, token: str | None) -> str | None:
        """The session's user, or None when there is no such session or it has expired."""
        if not token:
            return None
        with self._lock:
            row = self._rows.get(_key(token))
            if row is None:
                return None
            if row[1] <= self.clock():
                del self._rows[_key(token)]
                return None
            return row[0]

    def end(self, token: str | None) -> None:
        """Log out: the session's token is no longer accepted."""
        if token:
            with self._lock:
                self._rows.pop(_key(token), None)


@dataclass
class Throttle:
    """Failed logins per key (user name, address): past `limit` in `window` s, refused."""

    limit: int
    window: float = 300.0
    lockout: float = 300.0
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _locked: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, key: str) -> float:
        """Seconds until the key may try again (0: now)."""
        with self._lock:
            until = self._locked.get(key, 0.0) - self.clock()
            if until <= 0:
                self._locked.pop(key, None)
            return max(until, 0.0)

    def fail(self, key: str) -> None:
        """Count a failure; the limit-th within the window locks the key out."""
        now = self.clock()
        with self._lock:
            if len(self._failures) > 10_000:  # forget keys whose failures are all old
                self._failures = {k: q for k, q in self._failures.items()
                                  if q and q[-1] > now - self.window}
            times = self._failures.setdefault(key, deque())
            times.append(now)
            while times and times[0] <= now - self.window:
                times.popleft()
            if len(times) >= self.limit:
                self._locked[key] = now + self.lockout
                times.clear()

    def forget(self, key: str) -> None:
        """A successful login clears the key's failures."""
        with self._lock:
            self._failures.pop(key, None)


@dataclass
class LoginGuard:
    """Both throttles: 5 failures per user name, 20 per address, in 5 min -> 5 min refused.

    Per name, so that guessing one account's password from many addresses is slow; per
    address (with a higher limit: several planners may share a proxy), so that one machine
    cannot try many names.
    """

    users: Throttle = field(default_factory=lambda: Throttle(limit=5))
    addresses: Throttle = field(default_factory=lambda: Throttle(limit=20))

    def wait(self, user: str, address: str) -> float:
        """Seconds before this user from this address may try again (0: now)."""
        return max(self.users.wait(user.lower()), self.addresses.wait(address))

    def fail(self, user: str, address: str) -> None:
        """Count a failed login against the name and the address."""
        self.users.fail(user.lower())
        self.addresses.fail(address)

    def succeed(self, user: str) -> None:
        """Forget the name's failures."""
        self.users.forget(user.lower())
