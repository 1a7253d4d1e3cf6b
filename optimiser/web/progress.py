"""A run's live progress (a fragment htmx polls) and its cancel button (a plain form).

The fragment answers with `HX-Refresh: true` once the run has finished, so htmx reloads the
whole run page onto the plan; without JavaScript the run page's own refresh does the same.
The cancel form is a CSRF-checked POST that works without JavaScript.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from optimiser.web.rendering import check_csrf, page_language, render
from optimiser.web.service import RUN_ID, RunFinished, Service

UNFINISHED = ("queued", "running")
router = APIRouter(include_in_schema=False)


def _service(request: Request) -> Service:
    return request.app.state.service


def _checked(run_id: str) -> str:
    """404 for anything that is not a run id (no request names a path)."""
    if not RUN_ID.fullmatch(run_id):
        raise HTTPException(404, "no such run")
    return run_id


@router.get("/runs/{run_id}/progress", response_class=HTMLResponse)
def progress_fragment(request: Request, run_id: str) -> HTMLResponse:
    """The progress fragment; `HX-Refresh: true` once the run has finished."""
    state = _service(request).state(_checked(run_id))
    if state is None:
        raise HTTPException(404, "no such run")
    response = render(request, "_progress.html", run=state)
    response.headers["Cache-Control"] = "no-store"
    if state["status"] not in UNFINISHED:
        response.headers["HX-Refresh"] = "true"
    return response


@router.post("/runs/{run_id}/cancel", response_model=None)
def cancel_submit(request: Request, run_id: str,
                  csrf_token: Annotated[str | None, Form()] = None) -> RedirectResponse:
    """Cancel the run (queued: never starts; running: its process is stopped), back to its
    page. A run that finished meanwhile is left as it is."""
    check_csrf(request, csrf_token)
    try:
        state = _service(request).cancel(_checked(run_id), getattr(request.state, "user", None))
    except RunFinished:
        state = {}
    if state is None:
        raise HTTPException(404, "no such run")
    return RedirectResponse(f"/runs/{run_id}?lang={page_language(request)}", status_code=303)
