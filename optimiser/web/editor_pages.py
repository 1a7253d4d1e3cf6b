"""The scenario editor: forms for parameters, overrides and constraints, the YAML they make.

Every button works as a plain form post (no JavaScript needed): preview, add rows, download
and run re-post the whole form, so the server always renders what the planner typed. The
conversion itself lives in `editor` (no HTTP); running goes through `Service.submit`, the
same checks as `optimiser solve`. A whole YAML scenario may still be posted as text
(`scenario_yaml`, the "advanced" mode).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from optimiser import limits
from optimiser.data import load_dataset
from optimiser.errors import InputError
from optimiser.web.editor import (
    CHOICES,
    OVERRIDES,
    PARAMETERS,
    EditorForm,
    as_text,
    blank_row,
    dump,
    from_document,
    from_fields,
    merge_extra,
    place_issues,
    read_upload,
    to_document,
)
from optimiser.web.i18n import words
from optimiser.web.jobs import PoolFull
from optimiser.web.rendering import check_csrf, page_language, render, templates
from optimiser.web.service import RUN_ID, Service, UnknownDataset, public_issues

router = APIRouter(include_in_schema=False)
MAX_FIELDS = 20_000
"""Form fields accepted in one post (a few hundred rows of constraints)."""
BLANKS, MORE, MAX_BLANKS = 3, 3, 60
"""Empty rows always offered per table, rows added by "add rows", and at most."""
NAME_COLUMNS = {"fr": ("name_fr",), "en": ("name_en", "name_fr"), "ar": ("name_ar", "name_fr")}


@dataclass(frozen=True)
class Choices:
    """The codes a dataset offers the editor's selects: (code, label) pairs per kind."""

    options: dict[str, list[tuple[str, str]]]

    def codes(self, kind: str) -> set[str]:
        """The codes of one kind (a value outside them is shown as unknown, not dropped)."""
        return {code for code, _ in self.options.get(kind, [])}


@lru_cache(maxsize=16)
def choices(folder: str, lang: str) -> Choices:
    """Regions, delegations, specialties, contingents and promotions of a dataset folder,
    labelled in the page's language (a dataset never changes under its id: cached)."""
    try:
        data = load_dataset(folder)
    except InputError:
        return Choices({})
    names = NAME_COLUMNS.get(lang, NAME_COLUMNS["fr"])

    def labelled(table: Any, columns: tuple[str, ...]) -> list[tuple[str, str]]:  # noqa: ANN401
        out = []
        for code, row in table.iterrows():
            found = [row[c] for c in columns if c in row and isinstance(row[c], str) and row[c]]
            out.append((str(code), f"{code} — {found[0]}" if found else str(code)))
        return out

    promotions = sorted({int(p) for p in data.posts.index.get_level_values("promotion")})
    return Choices({"region": labelled(data.regions, names),
                    "delegation": labelled(data.delegations, names),
                    "specialty": labelled(data.specialties, names),
                    "contingent": labelled(data.contingents, ("name",)),
                    "promotion": [(str(p), str(p)) for p in promotions]})


def _service(request: Request) -> Service:
    return request.app.state.service


def _user(request: Request) -> str | None:
    return getattr(request.state, "user", None)


def _message(text: str) -> dict:
    """A problem in words only, shaped like the issues of the CLI's checks."""
    return {"file": "", "line": None, "column": None, "value": None, "message": text}


def _page(request: Request, dataset: str, form: EditorForm, status: int = 200,
          **extra: Any) -> HTMLResponse:  # noqa: ANN401
    """The editor page for a (compacted) form, with blank rows to fill."""
    service = _service(request)
    folder = service.datasets.folder(dataset)
    blanks = extra.pop("blanks", BLANKS)
    sections = [{"name": s, "fields": OVERRIDES[s],
                 "rows": form.overrides[s] + [blank_row(s) for _ in range(blanks)]}
                for s in OVERRIDES]
    params = [{"name": p, "default": None if d is None else as_text(d),
               "value": form.parameters.get(p, ""), "choices": CHOICES.get(p)}
              for p, d in PARAMETERS.items()]
    context = {"problems": {}, "errors": [], "notes": [], "yaml_text": None, "raw_yaml": "",
               "raw_open": False, "extra_kept": False, "source_run": None, **extra}
    return render(request, "new.html", status,
                  datasets=[service.datasets.info(i) for i in service.datasets.ids()],
                  dataset=dataset, form=form, sections=sections, params=params,
                  constraints=form.constraints + [blank_row(None) for _ in range(blanks)],
                  choices=choices(str(folder), page_language(request)) if folder else
                  Choices({}), blanks=blanks, **context)


def _dataset_of(service: Service, wanted: str | None, state: dict | None = None) -> str:
    """The dataset asked for (404 if unknown); for a run, the one it was solved on."""
    if wanted is not None:
        if service.datasets.folder(wanted) is None:
            raise HTTPException(404, "no such dataset")
        return wanted
    sha = (state or {}).get("dataset_sha256")
    for dataset_id in service.datasets.ids() if sha else ():
        if service.datasets.info(dataset_id).sha256 == sha:
            return dataset_id
    return "default"


def _loaded(request: Request, dataset: str, data: bytes, **extra: Any) -> HTMLResponse:  # noqa: ANN401
    """The form filled from a scenario file's bytes; what it cannot hold kept as extra YAML."""
    try:
        doc, notes = read_upload(data)
    except InputError as exc:
        raw = data.decode("utf-8", "replace") if len(data) <= limits.SCENARIO_KB.value * 1024 \
            else ""
        return _page(request, dataset, EditorForm(), 422, errors=public_issues(exc),
                     raw_yaml=raw, raw_open=True, **extra)
    form, left = from_document(doc)
    form.extra_yaml = dump(left) if left else ""
    return _page(request, dataset, form, notes=notes, extra_kept=bool(left), **extra)


@router.get("/runs/new", response_class=HTMLResponse)
def new_page(request: Request, dataset: Annotated[str | None, Query(max_length=64)] = None,
             source: Annotated[str | None, Query(alias="from", max_length=64)] = None,
             ) -> HTMLResponse:
    """The editor: empty, on a dataset (`?dataset=`), or from a run's scenario (`?from=`)."""
    service = _service(request)
    if source is None:
        form = EditorForm(name="scenario-1")
        return _page(request, _dataset_of(service, dataset), form)
    state = service.state(source) if RUN_ID.fullmatch(source) else None
    if state is None or not state.get("scenario_yaml"):
        raise HTTPException(404, "no such run")
    return _loaded(request, _dataset_of(service, dataset, state),
                   state["scenario_yaml"].encode("utf-8"), source_run=source)


def _blanks(fields: Any, action: str) -> int:  # noqa: ANN401
    given = fields.get("blanks")
    count = int(given) if isinstance(given, str) and given.isdigit() else BLANKS
    return max(BLANKS, min(MAX_BLANKS, count + (MORE if action == "add_rows" else 0)))


def _dataset_field(service: Service, fields: Any) -> str:  # noqa: ANN401
    dataset = fields.get("dataset")
    if not isinstance(dataset, str) or service.datasets.folder(dataset) is None:
        raise HTTPException(422, "no such dataset")
    return dataset


@router.post("/runs/new", response_model=None)
async def new_submit(request: Request) -> Response:
    """One of the editor's buttons (`action`), or a whole YAML scenario (`scenario_yaml`)."""
    fields = await request.form(max_files=0, max_fields=MAX_FIELDS)
    token = fields.get("csrf_token")
    check_csrf(request, token if isinstance(token, str) else None)
    service = _service(request)
    dataset = _dataset_field(service, fields)
    raw = fields.get("scenario_yaml")
    if isinstance(raw, str):
        return await _run_raw(request, dataset, raw)
    action = fields.get("action") if fields.get("action") in (
        "dataset", "add_rows", "preview", "download", "run") else "preview"
    form = from_fields(fields).compact()
    blanks = _blanks(fields, action)
    doc, problems = to_document(form)
    errors = [_message(m) for m in merge_extra(doc, form.extra_yaml)]
    text = dump(doc)
    if action == "download" and not problems and not errors:
        return Response(text, media_type="application/yaml; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="scenario.yaml"'})
    if action == "run" and not problems and not errors:
        try:
            run_id = await run_in_threadpool(service.submit, dataset, text, user=_user(request))
        except InputError as exc:
            problems, errors = place_issues(public_issues(exc), form)
        except UnknownDataset as exc:
            raise HTTPException(422, "no such dataset") from exc
        except PoolFull as exc:
            raise HTTPException(503, "too many runs waiting", {"Retry-After": "5"}) from exc
        else:
            return RedirectResponse(f"/runs/{run_id}?lang={page_language(request)}", 303)
    failed = bool(problems or errors) and action in ("run", "download")
    return _page(request, dataset, form, 422 if failed else 200, blanks=blanks,
                 problems=problems, errors=errors,
                 yaml_text=text if action in ("preview", "run", "download") else None)


async def _run_raw(request: Request, dataset: str, text: str) -> Response:
    """The advanced mode: the YAML as typed, checked and queued as `POST /api/runs` does."""
    if len(text) > limits.SCENARIO_KB.value * 1024:
        raise HTTPException(413, "scenario too large")
    try:
        run_id = await run_in_threadpool(_service(request).submit, dataset, text,
                                         user=_user(request))
    except InputError as exc:
        return _page(request, dataset, EditorForm(), 422, errors=public_issues(exc),
                     raw_yaml=text, raw_open=True)
    except UnknownDataset as exc:
        raise HTTPException(422, "no such dataset") from exc
    except PoolFull as exc:
        raise HTTPException(503, "too many runs waiting", {"Retry-After": "5"}) from exc
    return RedirectResponse(f"/runs/{run_id}?lang={page_language(request)}", 303)


@router.post("/runs/new/yaml", response_class=HTMLResponse)
async def yaml_fragment(request: Request) -> HTMLResponse:
    """Only the YAML block, for htmx's "Preview YAML" (the page itself is not re-rendered)."""
    fields = await request.form(max_files=0, max_fields=MAX_FIELDS)
    token = fields.get("csrf_token")
    check_csrf(request, token if isinstance(token, str) else None)
    form = from_fields(fields).compact()
    doc, problems = to_document(form)
    errors = [_message(m) for m in merge_extra(doc, form.extra_yaml)]
    errors += [_message(f"{key}: {m}") for key, messages in problems.items() for m in messages]
    lang = page_language(request)
    template = templates.get_template("new.html")
    context = template.new_context({"lang": lang, "t": words(lang), "yaml_text": dump(doc),
                                    "yaml_errors": errors})
    return HTMLResponse("".join(template.blocks["yaml"](context)))


@router.post("/runs/new/load", response_class=HTMLResponse)
def load_file(request: Request, file: Annotated[UploadFile, File()],
              dataset: Annotated[str, Form(max_length=64)] = "default",
              csrf_token: Annotated[str | None, Form()] = None) -> HTMLResponse:
    """A scenario file read into the form (bounded as the CLI reads it)."""
    check_csrf(request, csrf_token)
    if _service(request).datasets.folder(dataset) is None:
        raise HTTPException(422, "no such dataset")
    data = file.file.read(limits.SCENARIO_KB.value * 1024 + 1)
    return _loaded(request, dataset, data)
