"""The datasets page: the embedded dataset, uploads and every error of a refused upload.

An upload goes through `api.receive_dataset`, the same code as `POST /api/datasets`, so the
page and the API refuse the same zips with the same errors (file, line, column, value).
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from optimiser.web.api import UploadProblem, receive_dataset
from optimiser.web.rendering import check_csrf, page_language, render
from optimiser.web.service import Service

router = APIRouter(include_in_schema=False)
NAME_CHARS = 200


def _service(request: Request) -> Service:
    return request.app.state.service


def _page(request: Request, status: int = 200, **context: object) -> HTMLResponse:
    service = _service(request)
    listed = [service.datasets.info(i) for i in service.datasets.ids()]
    return render(request, "datasets.html", status, datasets=listed,
                  **{"errors": [], "upload_name": "", "added": None, **context})


@router.get("/datasets", response_class=HTMLResponse)
def datasets_page(request: Request, added: str | None = None) -> HTMLResponse:
    """Every dataset with a link to a new scenario on it, and the upload form."""
    return _page(request, added=added)


def _name(given: str, upload: UploadFile) -> str:
    """The name typed, else the zip's file name without its folder or extension."""
    if given.strip():
        return given.strip()
    stem = PurePosixPath((upload.filename or "").replace("\\", "/")).stem
    return stem[:NAME_CHARS] or "uploaded"


@router.post("/datasets", response_model=None)
def datasets_upload(request: Request,
                    file: Annotated[UploadFile | None, File()] = None,
                    name: Annotated[str, Form(max_length=NAME_CHARS)] = "",
                    csrf_token: Annotated[str | None, Form()] = None) -> Response:
    """Add the uploaded zip and list it (303), or show every error in it (422, 413)."""
    check_csrf(request, csrf_token)
    if file is None or not file.filename:
        return _page(request, 422, upload_name=name, errors=[
            {"file": "upload", "line": None, "column": None, "value": None,
             "message": "choose a zip file of the dataset's CSV files"}])
    try:
        info = receive_dataset(_service(request), file.file, _name(name, file))
    except UploadProblem as exc:
        return _page(request, exc.status, upload_name=name, errors=exc.issues)
    return RedirectResponse(f"/datasets?lang={page_language(request)}&added={info.id}", 303)
