"""The FastAPI application: API, pages, static files, the login gate and security headers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

from optimiser.web import (
    api,
    compare_pages,
    dataset_pages,
    editor_pages,
    login_pages,
    pages,
    progress,
    sweep_pages,
)
from optimiser.web.accounts import Accounts
from optimiser.web.security import LoginGuard, Sessions, security_headers
from optimiser.web.service import Service
from optimiser.web.settings import Settings


def create_app(settings: Settings, accounts: Accounts | None = None) -> FastAPI:
    """The service for these settings (registry opened and pool started on startup).

    `accounts`: the users and tokens of `--auth` (default: `settings.tokens`, no users).
    """
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.service = Service.start(settings)
        try:
            yield
        finally:
            app.state.service.stop()

    # No /docs or /redoc: they load scripts from a CDN (the ministry network may have none) and
    # the pages' Content-Security-Policy forbids them; /openapi.json documents the API.
    app = FastAPI(title="optimiser", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.include_router(api.router)
    for module in (editor_pages, pages, progress, dataset_pages, compare_pages, sweep_pages,
                   login_pages):  # editor first: /runs/new before /runs/{run_id}
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    app.state.accounts = accounts or Accounts(tokens=settings.tokens)
    app.state.sessions, app.state.guard = Sessions(), LoginGuard()

    @app.middleware("http")
    async def authenticate(request: Request,
                           call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        """Who asks (request.state.user); with --auth nobody else gets past (login_pages)."""
        refused = login_pages.gate(request)
        return refused if refused is not None else await call_next(request)

    @app.middleware("http")
    async def add_security_headers(
            request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        """CSP, nosniff, same-origin referrer on every answer (report files: their own CSP)."""
        response = await call_next(request)
        for name, value in security_headers(request.url.path).items():
            response.headers.setdefault(name, value)
        return response
    return app
