"""Logging in and out when the service runs with --auth, and the gate every request passes.

`gate` decides who is asking (`request.state.user`: the user name, `token` for an API bearer
token, None without --auth) before any page or API call runs; with --auth a request with
neither a valid token nor a live session is sent to the login form (pages) or answered 401
(the API). The login form is CSRF-protected and throttled (security.LoginGuard).
"""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from optimiser.web.accounts import Accounts
from optimiser.web.i18n import LANGS, words
from optimiser.web.rendering import check_csrf, page_language, render
from optimiser.web.security import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    SESSION_SECONDS,
    LoginGuard,
    Sessions,
    bearer_token,
    is_open,
    safe_next,
)

router = APIRouter(include_in_schema=False)
TOKEN_USER = "token"
"""`request.state.user` (and the runs' user) for API calls made with a bearer token."""
API_PREFIXES = ("/api/", "/openapi.json")


def _accounts(request: Request) -> Accounts:
    return request.app.state.accounts


def gate(request: Request) -> Response | None:
    """Set `request.state.user`; a response refusing the request, or None to let it through."""
    request.state.user = None
    accounts = _accounts(request)
    if not accounts.enabled:
        return None
    token = bearer_token(request)
    if token is not None:
        if accounts.check_token(token):
            request.state.user = TOKEN_USER
            return None
    else:
        user = request.app.state.sessions.user(request.cookies.get(SESSION_COOKIE))
        if user is not None and user in accounts.users:
            request.state.user = user
            return None
    path = request.url.path
    if is_open(path):
        return None
    if token is not None or path.startswith(API_PREFIXES):
        return JSONResponse({"detail": "log in, or send Authorization: Bearer TOKEN"},
                            status_code=401, headers={"WWW-Authenticate": "Bearer"})
    return RedirectResponse(login_url(request), status_code=303)


def login_url(request: Request) -> str:
    """/login, coming back to this page afterwards (a GET), in the page's language."""
    url = "/login"
    query: list[str] = []
    if request.method in ("GET", "HEAD"):
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        query.append(f"next={quote(here, safe='')}")
    lang = request.query_params.get("lang")
    if lang in LANGS:
        query.append(f"lang={lang}")
    return url + ("?" + "&".join(query) if query else "")


def _login_form(request: Request, next_url: str, status: int = 200,
                error: str | None = None) -> HTMLResponse:
    response = render(request, "login.html", status, next_url=next_url, error=error)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/login", response_model=None)
def login_page(request: Request, next: str | None = None) -> Response:  # noqa: A002
    """The login form (straight on to `next` when already logged in, or without --auth)."""
    target = safe_next(next)
    user = request.state.user
    if not _accounts(request).enabled or (user is not None and user != TOKEN_USER):
        return RedirectResponse(target, status_code=303)
    return _login_form(request, target)


@router.post("/login", response_model=None)
def login_submit(request: Request, user: Annotated[str, Form(max_length=200)] = "",
                 password: Annotated[str, Form(max_length=1024)] = "",
                 next: Annotated[str, Form(max_length=2000)] = "/",  # noqa: A002
                 csrf_token: Annotated[str | None, Form()] = None) -> Response:
    """Check the password (throttled); on success a session cookie and on to `next`."""
    check_csrf(request, csrf_token)
    target = safe_next(next)
    accounts = _accounts(request)
    if not accounts.enabled:
        return RedirectResponse(target, status_code=303)
    guard: LoginGuard = request.app.state.guard
    address = request.client.host if request.client else "unknown"
    t = words(page_language(request))
    wait = guard.wait(user, address)
    if wait > 0:
        response = _login_form(request, target, 429, t["login_locked"])
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    if not accounts.check_password(user, password):
        guard.fail(user, address)
        return _login_form(request, target, 401, t["login_failed"])
    guard.succeed(user)
    sessions: Sessions = request.app.state.sessions
    response = RedirectResponse(target, status_code=303)
    secure = request.url.scheme == "https"
    response.set_cookie(SESSION_COOKIE, sessions.create(user), max_age=SESSION_SECONDS,
                        path="/", httponly=True, samesite="strict", secure=secure)
    # a new CSRF token after login: one planted before it is worth nothing after
    response.set_cookie(CSRF_COOKIE, secrets.token_urlsafe(32), httponly=True,
                        samesite="strict", secure=secure)
    return response


@router.post("/logout", response_model=None)
def logout(request: Request, csrf_token: Annotated[str | None, Form()] = None) -> Response:
    """End the session (its token is refused from now on) and go to the login form."""
    check_csrf(request, csrf_token)
    sessions: Sessions = request.app.state.sessions
    sessions.end(request.cookies.get(SESSION_COOKIE))
    lang = page_language(request)
    target = f"/login?lang={lang}" if _accounts(request).enabled else f"/?lang={lang}"
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response
