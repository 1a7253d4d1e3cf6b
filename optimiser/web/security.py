"""Who may use the service: the local-address rule, bearer tokens and CSRF tokens.

A service reachable from other machines must not run without login (SERVICE.md), so `serve`
refuses a non-local address without a token file. Tokens are compared in constant time. Form
posts carry a double-submit CSRF token: a random cookie the page repeats in a hidden field,
which another site can neither read nor set.
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path

from fastapi import Request

from optimiser.web.settings import LOCAL_HOSTS

CSRF_COOKIE = "optimiser_csrf"
TOKEN_COOKIE = "optimiser_token"
OPEN_PATHS = ("/api/health", "/static/", "/login")
"""Paths served without a token, even with --auth (nothing in them is private)."""


class HostRefused(Exception):
    """A non-local address without --auth: `serve` exits 2 with this message."""


def check_host(host: str, auth: Path | None) -> None:
    """Refuse to listen beyond this machine without a token file."""
    if host not in LOCAL_HOSTS and auth is None:
        raise HostRefused(
            f"refusing to listen on {host} without --auth: anyone who can reach it could use "
            "the service; pass --auth TOKENS_FILE (one token per line), or listen on "
            "127.0.0.1")


def read_tokens(path: Path) -> tuple[str, ...]:
    """The tokens of a token file: one per line, blank lines and `#` comments skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    tokens = tuple(line.strip() for line in lines
                   if line.strip() and not line.strip().startswith("#"))
    if not tokens:
        raise ValueError(f"{path} holds no token (one token per line)")
    return tokens


def token_accepted(given: str | None, tokens: tuple[str, ...]) -> bool:
    """Is `given` one of the tokens? Every token is compared, in constant time."""
    if not given:
        return False
    found = False
    for token in tokens:
        found |= hmac.compare_digest(given.encode(), token.encode())
    return found


def request_token(request: Request) -> str | None:
    """The bearer token of a request (Authorization header, else the login cookie)."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(TOKEN_COOKIE)


def is_open(path: str) -> bool:
    """Paths that never need a token."""
    return any(path == p or (p.endswith("/") and path.startswith(p)) for p in OPEN_PATHS)


def csrf_token(request: Request) -> str:
    """The CSRF token for a form: the cookie's if it has one, else a new one."""
    return request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)


def csrf_ok(request: Request, submitted: str | None) -> bool:
    """The form's token matches the cookie (both present)."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not submitted:
        return False
    return hmac.compare_digest(cookie.encode(), submitted.encode())
