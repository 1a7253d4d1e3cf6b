"""Rendering a page: its language, its words, and the CSRF token its forms repeat.

Shared by every page module so that each page speaks the same languages and every form post
is checked the same way.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from optimiser.web.i18n import language, words
from optimiser.web.security import CSRF_COOKIE, csrf_ok, csrf_token

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def page_language(request: Request) -> str:
    """The language asked for by `?lang=` (French by default)."""
    return language(request.query_params.get("lang"))


def render(request: Request, name: str, status: int = 200, **context: object) -> HTMLResponse:
    """A page in the requested language, with the CSRF cookie its forms repeat."""
    lang = page_language(request)
    token = csrf_token(request)
    user = getattr(request.state, "user", None)
    response = templates.TemplateResponse(
        request, name, {"lang": lang, "t": words(lang), "csrf": token, "user": user,
                        **context},
        status_code=status)
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    return response


def check_csrf(request: Request, token: str | None) -> None:
    """403 unless the form repeats the CSRF cookie."""
    if not csrf_ok(request, token):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")
