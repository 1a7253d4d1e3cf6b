"""The JSON API under /api (SERVICE.md's table), with pydantic bodies for OpenAPI."""

from __future__ import annotations

from typing import Annotated, Any, BinaryIO

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from optimiser.errors import InputError
from optimiser.registry.store import RunNotFound
from optimiser.registry.url import RegistryError
from optimiser.web.datasets import DatasetInfo
from optimiser.web.jobs import PoolFull
from optimiser.web.service import RunFinished, Service, UnknownDataset, public_issues
from optimiser.web.uploads import UploadRefused

RETRY_AFTER_S = "5"
MAX_SCENARIO_CHARS = 1_000_000

router = APIRouter(prefix="/api")


class Health(BaseModel):
    """GET /api/health."""

    status: str = "ok"


class Issue(BaseModel):
    """One input problem, where it is and what was found."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    message: str


class Errors(BaseModel):
    """422: every problem found."""

    errors: list[Issue]


class RunRequest(BaseModel):
    """POST /api/runs: a scenario (YAML text) on a dataset (its id)."""

    dataset: str = Field("default", max_length=64)
    scenario_yaml: str = Field(max_length=MAX_SCENARIO_CHARS)
    timestamp: bool = Field(True, description="False: byte-stable plan (as --no-timestamp)")


class RunAccepted(BaseModel):
    """202: the run's id (poll GET /api/runs/{id})."""

    id: str


class AdoptRequest(BaseModel):
    """POST /api/runs/{id}/adopt."""

    note: str = Field("", max_length=10_000)


class RunState(BaseModel, extra="allow"):
    """A run: registry facts, plus `plan` when solved and `conflict` when infeasible."""

    id: str
    status: str
    plan: dict[str, Any] | None = None
    conflict: dict[str, Any] | None = None


def service_of(request: Request) -> Service:
    """The service the app was started with."""
    return request.app.state.service


def errors_response(issues: list[dict], status: int = 422) -> JSONResponse:
    """The 422 body of SERVICE.md: {"errors": [{file, line, column, value, message}]}."""
    return JSONResponse({"errors": issues}, status_code=status)


@router.get("/health", response_model=Health)
def health() -> Health:
    """The service is up."""
    return Health()


@router.get("/datasets", response_model=list[DatasetInfo])
def list_datasets(request: Request) -> list[DatasetInfo]:
    """The embedded dataset (`default`) and the uploaded ones."""
    store = service_of(request).datasets
    return [store.info(dataset_id) for dataset_id in store.ids()]


@router.post("/datasets", status_code=201, response_model=DatasetInfo,
             responses={422: {"model": Errors}, 413: {"model": Errors}})
def upload_dataset(request: Request, file: Annotated[UploadFile, File()],
                   name: Annotated[str, Form(max_length=200)] = "uploaded") -> Any:
    """A zip of the dataset's CSV files (size-capped; members cannot escape)."""
    try:
        return receive_dataset(service_of(request), file.file, name)
    except UploadProblem as exc:
        return errors_response(exc.issues, exc.status)


class UploadProblem(Exception):
    """An upload refused: the public issues (file, line, column, value, message), a status."""

    def __init__(self, issues: list[dict], status: int = 422) -> None:
        self.issues, self.status = issues, status
        super().__init__(f"{len(issues)} problem(s)")


def receive_dataset(service: Service, source: BinaryIO, name: str) -> DatasetInfo:
    """Read a capped upload and add it as a dataset: shared by the API and the datasets page
    so both refuse the same uploads with the same errors (UploadProblem)."""
    cap = service.settings.upload_bytes
    data = source.read(cap + 1)
    if len(data) > cap:
        raise UploadProblem([{"file": "upload", "line": None, "column": None, "value": None,
                              "message": f"larger than {cap:,} bytes"}], 413)
    try:
        return service.datasets.add(data, name, service.settings.unzipped_bytes)
    except UploadRefused as exc:
        raise UploadProblem(public_issues(InputError(exc.issues)), exc.status) from exc
    except InputError as exc:
        raise UploadProblem(public_issues(exc)) from exc


def submit(service: Service, body: RunRequest, user: str | None = None) -> JSONResponse:
    """Queue a run: 202, 422 with errors, 404 for an unknown dataset, 503 when full."""
    try:
        run_id = service.submit(body.dataset, body.scenario_yaml, body.timestamp, user)
    except InputError as exc:
        return errors_response(public_issues(exc))
    except UnknownDataset:
        return errors_response([{"file": "dataset", "line": None, "column": None,
                                 "value": body.dataset[:80], "message": "no such dataset"}])
    except PoolFull:
        return JSONResponse({"detail": "too many runs waiting: try again shortly"},
                            status_code=503, headers={"Retry-After": RETRY_AFTER_S})
    return JSONResponse({"id": run_id}, status_code=202)


@router.post("/runs", status_code=202, response_model=RunAccepted,
             responses={422: {"model": Errors}, 503: {}})
def create_run(request: Request, body: RunRequest) -> JSONResponse:
    """Validate the scenario, then queue it; the request never waits for the solve."""
    return submit(service_of(request), body, getattr(request.state, "user", None))


def public_run(service: Service, run: dict[str, Any],
               names: dict[str, tuple[str, str]] | None = None) -> dict[str, Any]:
    """A run as the API shows it: `dataset` is the dataset's name and `dataset_id` the
    service's id for it (None for a dataset the service does not hold): the registry's
    server-side folder is never shown."""
    from optimiser.web.plan_view import dataset_label, dataset_names

    names = dataset_names(service) if names is None else names
    recorded = run.get("dataset")
    found = names.get(recorded or "")
    return {**run, "dataset": dataset_label(names, recorded),
            "dataset_id": found[0] if found else None}


@router.get("/runs")
def list_runs(request: Request, limit: int | None = None) -> list[dict[str, Any]]:
    """Recorded runs, newest first."""
    from optimiser.web.plan_view import dataset_names

    service = service_of(request)
    names = dataset_names(service)
    return [public_run(service, run, names) for run in service.runs(limit)]


@router.get("/runs/{run_id}", response_model=RunState)
def get_run(request: Request, run_id: str) -> dict[str, Any]:
    """queued, running, then the recorded run (plan when solved, conflict when infeasible)."""
    service = service_of(request)
    state = service.state(run_id)
    if state is None:
        raise HTTPException(404, "no such run")
    return public_run(service, state)


@router.post("/runs/{run_id}/cancel", response_model=RunState,
             responses={404: {}, 409: {}})
def cancel_run(request: Request, run_id: str) -> dict[str, Any]:
    """Cancel a queued run (it never starts) or a running one (its process is stopped); the
    run is recorded as `cancelled`. 404 when unknown, 409 when it has finished already."""
    by = getattr(request.state, "user", None)
    try:
        state = service_of(request).cancel(run_id, by)
    except RunFinished as exc:
        raise HTTPException(409, f"the run has finished already (status {exc})") from exc
    if state is None:
        raise HTTPException(404, "no such run")
    return public_run(service_of(request), state)


@router.post("/runs/{run_id}/adopt", response_model=RunState)
def adopt_run(request: Request, run_id: str, body: AdoptRequest) -> dict[str, Any]:
    """Adopt the run's plan (the previously adopted one is archived)."""
    try:
        service = service_of(request)
        return public_run(service, service.adopt(run_id, body.note,
                                                 getattr(request.state, "user", None)))
    except RunNotFound as exc:
        raise HTTPException(404, "no such run") from exc
    except RegistryError as exc:
        raise HTTPException(409, str(exc)) from exc
