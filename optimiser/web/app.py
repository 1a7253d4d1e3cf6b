"""The FastAPI application: API, pages, static files, and the token check when --auth is on."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
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
from optimiser.web.security import is_open, request_token, token_accepted
from optimiser.web.service import Service
from optimiser.web.settings import Settings


def create_app(settings: Settings) -> FastAPI:
    """The service for these settings (registry opened and pool started on startup)."""
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.service = Service.start(settings)
        try:
            yield
        finally:
            app.state.service.stop()

    app = FastAPI(title="optimiser", lifespan=lifespan)
    app.include_router(api.router)
    for module in (pages, progress, editor_pages, dataset_pages, compare_pages, sweep_pages,
                   login_pages):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    if settings.tokens:
        @app.middleware("http")
        async def require_token(request: Request,
                                call_next: Callable[[Request], Awaitable[Response]]) -> Response:
            """With --auth every request but /api/health and /static needs a valid token."""
            if not is_open(request.url.path) and not token_accepted(request_token(request),
                                                                    settings.tokens):
                return JSONResponse({"detail": "a valid bearer token is required"},
                                    status_code=401,
                                    headers={"WWW-Authenticate": "Bearer"})
            return await call_next(request)
    return app
