"""The routes of the HTTP service: the library's verbs, one request each.

Bodies are read by the service itself, not by the framework: bounded in bytes as they
arrive, parsed by the library's strict JSON reader (a repeated key, ``NaN``, nesting or
an integer past `Limits` is the same error as in a file), then validated against the
library's models with its `Limits`. Every piece of work runs in a worker thread under a
time limit, so one slow request cannot hold the event loop, and a request that passes
the limit is answered 503 ``time-limit``. Python cannot stop a thread: the abandoned work
finishes in the background, still counted against ``Settings.workers``, which is what
keeps a stream of slow requests from piling up work.

Nothing a request says can make the service read a file of its own: typologies,
hypotheses and a hypotheses file's ``scope`` typology are named by shipped id only, and a
rule file sent as text (allowed only with ``--allow-rule-files``) may extend a shipped
typology, never a path.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import re
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any, Final, Literal, TypeVar

import anyio
import anyio.to_thread
from fastapi import FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema
from starlette.exceptions import HTTPException as StarletteHTTPException

from poletype._analysis.hypotheses import (
    EVERY_CASE,
    SCOPE_PARAMETER,
    HypothesesReport,
    check_hypotheses,
    load_compiled,
)
from poletype._engine.typology import CrispTypology, GradedTypology, Typology
from poletype._render.outputs import write_screening
from poletype._rules.classify import classify, load_typology, typologies
from poletype._screening.screen import Screening, screen, screening_typologies
from poletype._screening.whatif import what_it_would_take
from poletype._server import _library
from poletype._server._models import (
    REQUEST_MODELS,
    BatchItems,
    BatchResponse,
    ClassifyRequest,
    Health,
    HypothesesRequest,
    ItemError,
    ScreenResponse,
    Typed,
    TypologyDetail,
    TypologySummary,
    VersionInfo,
    WhatItWouldTakeRequest,
    WhatItWouldTakeResponse,
)
from poletype._server._problems import (
    MEDIA_TYPE,
    FieldProblem,
    Problem,
    from_error,
    from_validation,
    http_problem,
    pointer,
    response,
)
from poletype._server._requests import (
    Invalid,
    allowed,
    count_items,
    query_params,
    renamed,
    shipped_typology,
    too_large,
    unknown_typology,
    uploaded_typology,
)
from poletype._server._settings import Settings
from poletype.errors import (
    InitiativeError,
    PoletypeError,
    RuleFileError,
    SetupError,
    UsageError,
)
from poletype.model import Initiative
from poletype.verdict import Verdict

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

JSON: Final = "application/json"
NDJSON: Final = "application/x-ndjson"
JSONL_TYPES: Final = frozenset({NDJSON, "application/jsonl", "application/jsonlines"})
XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_SUFFIX: Final = {"text/csv": ".csv", XLSX: ".xlsx", **dict.fromkeys(JSONL_TYPES, ".jsonl")}

_PROBLEM_CONTENT: Final = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
PROBLEMS: Final[dict[int | str, dict[str, Any]]] = {
    "4XX": {"description": "A problem of the request (RFC 9457).", "content": _PROBLEM_CONTENT},
    503: {"description": "Over the time limit (`time-limit`).", "content": _PROBLEM_CONTENT},
}


def _body_doc(model: str, *, required: bool = True) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{model}"}
    return {"requestBody": {"required": required, "content": {JSON: {"schema": ref}}}}


def _version() -> str:
    try:
        return importlib.metadata.version("poletype")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - a source tree
        return "0+unknown"


def _json_bytes(document: Any) -> bytes:
    """JSON as ``poletype classify --format json`` writes it: indented, UTF-8, newline."""
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _shipped_scope(source: str | Path, params: dict[str, Any]) -> None:
    """Refuse a hypotheses scope that is not a shipped typology: a path would read a file."""
    named = load_compiled(source, params).parameters.get(SCOPE_PARAMETER)
    if named is not None and named != EVERY_CASE and named not in typologies():
        raise UsageError(
            f"no shipped typology {named!r} for the hypotheses' scope",
            code="typology-not-found",
            expected=", ".join([*typologies(), EVERY_CASE]),
            found=repr(named),
        )


def _shipped_hypotheses() -> list[str]:
    folder = resources.files("poletype.rules").joinpath("hypotheses")
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def create_app(settings: Settings | None = None) -> FastAPI:  # noqa: PLR0915 - one route each
    """The service, bounded by ``settings`` (the defaults when None)."""
    cfg = settings or Settings()
    limiter = anyio.CapacityLimiter(cfg.workers)
    app = FastAPI(
        title="poletype",
        version=_version(),
        summary="Classify social-economy cooperation clusters against published typologies.",
        separate_input_output_schemas=False,
    )

    async def run(work: Callable[[], T], *, seconds: float | None = None) -> T:
        limit = cfg.time_limit if seconds is None else seconds
        try:
            with anyio.fail_after(max(limit, 0.0)):
                return await anyio.to_thread.run_sync(work, limiter=limiter, abandon_on_cancel=True)
        except TimeoutError:
            raise SetupError(
                f"the request took more than {cfg.time_limit:g} s (limit `time_limit`)",
                code="time-limit",
            ) from None

    async def body(request: Request) -> bytes:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cfg.max_body_bytes:
            raise too_large(cfg)
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > cfg.max_body_bytes:
                raise too_large(cfg)
            chunks.append(chunk)
        return b"".join(chunks)

    async def json_body(request: Request) -> Any:
        data = await body(request)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InitiativeError(
                f"the request body is not UTF-8: {exc.reason}", code="unreadable-input"
            ) from None
        return _library.load_json(text, file="request", limits=cfg.limits)

    def validated(model: type[M], data: Any, *, initiative: str) -> M:
        try:
            return model.model_validate(data, context={"limits": cfg.limits})
        except ValidationError as exc:
            raise Invalid(from_validation(exc, initiative=initiative)) from None

    def typology_of(request: Typed) -> Typology:
        if request.rules is not None:
            allowed(cfg)
            return uploaded_typology(request.rules, request.params, cfg)
        return shipped_typology(request.typology, request.params)

    def item_problem(index: int, exc: Exception) -> dict[str, Any]:
        if isinstance(exc, Invalid):
            problem = exc.problem
        elif isinstance(exc, PoletypeError):
            problem = from_error(exc)
        else:  # as the command line does for one file: this item's error, with a code
            reason = f"cannot classify ({type(exc).__name__}: {str(exc)[:200]})"
            problem = from_error(RuleFileError(reason, code="evaluation-error"))
        return ItemError(index=index, error=problem).model_dump(mode="json", exclude_none=True)

    def one_item(index: int, raw: Any, typology: Typology) -> dict[str, Any]:
        try:
            try:
                initiative = Initiative.model_validate(raw, context={"limits": cfg.limits})
            except ValidationError as exc:
                raise Invalid(from_validation(exc, initiative="*")) from None
            return classify(initiative, typology).model_dump(mode="json")
        except Exception as exc:
            return item_problem(index, exc)

    @app.exception_handler(PoletypeError)
    async def _poletype_error(_: Request, exc: PoletypeError) -> Response:
        return response(from_error(exc))

    @app.exception_handler(Invalid)
    async def _invalid(_: Request, exc: Invalid) -> Response:
        return response(exc.problem)

    @app.exception_handler(RequestValidationError)
    async def _request_invalid(_: Request, exc: RequestValidationError) -> Response:
        fields = [
            FieldProblem(pointer=pointer(list(e["loc"])), detail=str(e["msg"]), code="bad-request")
            for e in exc.errors()
        ]
        detail = "; ".join(f"{f.pointer}: {f.detail}" for f in fields[:20])
        problem = http_problem(422, f"invalid request: {detail}")
        return response(problem.model_copy(update={"errors": fields}))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> Response:
        return response(http_problem(exc.status_code, str(exc.detail)))

    @app.post(
        "/classify",
        summary="Classify one initiative",
        responses={200: {"model": Verdict, "description": "The verdict."}, **PROBLEMS},
        openapi_extra=_body_doc("ClassifyRequest"),
    )
    async def classify_one(request: Request) -> Response:
        """The verdict, as ``poletype classify --format json`` writes it for one file."""
        req = validated(ClassifyRequest, await json_body(request), initiative="initiative")

        def work() -> bytes:
            return _json_bytes(classify(req.initiative, typology_of(req)).model_dump(mode="json"))

        return Response(await run(work), media_type=JSON)

    @app.post(
        "/classify/batch",
        summary="Classify several initiatives (JSON, or JSON Lines streamed)",
        responses={
            200: {
                "model": BatchResponse,
                "description": "One verdict or one error per item, in order. With a JSON "
                "Lines body, a JSON Lines answer: one line per input line.",
                "content": {NDJSON: {"schema": {"type": "string"}}},
            },
            **PROBLEMS,
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    JSON: {"schema": {"$ref": "#/components/schemas/BatchRequest"}},
                    NDJSON: {"schema": {"type": "string"}},
                },
            }
        },
    )
    async def classify_batch(
        request: Request,
        typology: str = Query(
            "labo-ess-ptce", description="JSON Lines bodies only: the shipped typology."
        ),
        params: str | None = Query(
            None, description="JSON Lines bodies only: parameter values as a JSON object."
        ),
    ) -> Response:
        """Each item gets its verdict or its error (``{"index", "error"}``), in order."""
        media = request.headers.get("content-type", JSON).split(";")[0].strip().lower()
        if media in JSONL_TYPES:
            return await _stream(request, typology, params)
        req = validated(BatchItems, await json_body(request), initiative="initiatives")
        count_items(len(req.initiatives), cfg)

        def work() -> bytes:
            chosen = typology_of(req)
            results = [one_item(i, raw, chosen) for i, raw in enumerate(req.initiatives)]
            return _json_bytes({"results": results})

        return Response(await run(work), media_type=JSON)

    async def _stream(request: Request, typology: str, params: str | None) -> Response:
        values = query_params(params, cfg)
        lines = [
            (i, line) for i, line in enumerate((await body(request)).split(b"\n")) if line.strip()
        ]
        count_items(len(lines), cfg)
        chosen = await run(lambda: shipped_typology(typology, values))
        deadline = time.monotonic() + cfg.time_limit

        def parsed(index: int, line: bytes) -> dict[str, Any]:
            try:
                raw = _library.load_json(
                    line.decode("utf-8"), file=f"line {index + 1}", limits=cfg.limits
                )
            except UnicodeDecodeError as exc:
                error = InitiativeError(f"line is not UTF-8: {exc.reason}", code="unreadable-input")
                return item_problem(index, error)
            except PoletypeError as exc:
                return item_problem(index, exc)
            return one_item(index, raw, chosen)

        async def results() -> AsyncIterator[bytes]:
            for index, line in lines:
                left = deadline - time.monotonic()
                try:
                    result = await run(functools.partial(parsed, index, line), seconds=left)
                except SetupError as exc:
                    result = item_problem(index, exc)
                yield (json.dumps(result, ensure_ascii=False) + "\n").encode("utf-8")

        return StreamingResponse(results(), media_type=NDJSON)

    @app.post(
        "/what-it-would-take",
        summary="The smallest changes that would give an initiative an outcome",
        responses={200: {"model": WhatItWouldTakeResponse}, **PROBLEMS},
        openapi_extra=_body_doc("WhatItWouldTakeRequest"),
    )
    async def what_if(request: Request) -> Response:
        """Up to ``limit`` change sets, smallest first (crisp typologies only)."""
        req = validated(WhatItWouldTakeRequest, await json_body(request), initiative="initiative")

        def work() -> bytes:
            chosen = typology_of(req)
            found = what_it_would_take(req.initiative, chosen, target=req.target, limit=req.limit)
            outcomes = chosen.verdict_rule.outcomes if isinstance(chosen, CrispTypology) else None
            target = req.target or (outcomes.met if outcomes else "")
            document = {
                "typology": chosen.id,
                "outcome": classify(req.initiative, chosen).outcome,
                "target": target,
                "change_sets": [c.model_dump(mode="json") for c in found],
            }
            return _json_bytes(document)

        return Response(await run(work), media_type=JSON)

    @app.post(
        "/hypotheses",
        summary="Test a hypotheses file's propositions on cases (researchers)",
        responses={200: {"model": HypothesesReport}, **PROBLEMS},
        openapi_extra=_body_doc("HypothesesRequest"),
    )
    async def hypotheses(request: Request) -> Response:
        """Which cases support, contradict or cannot say for each proposition."""
        req = validated(HypothesesRequest, await json_body(request), initiative="initiatives")
        count_items(len(req.initiatives), cfg)
        if req.file is not None:
            allowed(cfg)
        elif req.hypotheses not in _shipped_hypotheses():
            raise UsageError(
                f"no shipped hypotheses file {req.hypotheses!r}",
                code="typology-not-found",
                expected=", ".join(_shipped_hypotheses()),
                found=repr(req.hypotheses),
            )

        def checked(source: str | Path) -> HypothesesReport:
            _shipped_scope(source, req.params)
            return check_hypotheses(req.initiatives, source, req.params)

        def work() -> bytes:
            if req.file is None:
                report = checked(req.hypotheses)
            else:
                with tempfile.TemporaryDirectory() as folder:
                    path = Path(folder) / "hypotheses.yaml"
                    path.write_text(req.file, encoding="utf-8")
                    report = renamed(folder, lambda: checked(path))
            return (report.to_json() + "\n").encode("utf-8")

        return Response(await run(work), media_type=JSON)

    @app.post(
        "/screen",
        summary="Screen a call's applicants (CSV, XLSX or JSON Lines upload)",
        responses={200: {"model": ScreenResponse}, **PROBLEMS},
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    XLSX: {"schema": {"type": "string", "format": "binary"}},
                    NDJSON: {"schema": {"type": "string"}},
                },
            }
        },
    )
    async def screen_upload(
        request: Request,
        typology: list[str] = Query(  # noqa: B008 - FastAPI's way of declaring a query list
            [], description="Shipped typology ids, repeatable ('all': every one)."
        ),
        lang: Literal["fr", "en"] = Query("fr", description="Language of the report."),
        params: str | None = Query(None, description="Parameter values as a JSON object."),
        filename: str = Query(
            "candidatures", max_length=100, description="Name the report gives the input."
        ),
    ) -> Response:
        """The report and both tables ``poletype screen`` writes, as texts in one JSON."""
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        suffix = UPLOAD_SUFFIX.get(media)
        if suffix is None:
            raise StarletteHTTPException(
                415, f"send text/csv, {XLSX} or {NDJSON}, not {media or 'no content type'}"
            )
        values = query_params(params, cfg)
        for given in typology:
            if given != "all" and given not in typologies():
                raise unknown_typology(given)
        data = await body(request)
        stem = re.sub(r"[^A-Za-z0-9_.-]", "_", filename).strip("._")
        stem = stem.removesuffix(suffix).removesuffix(suffix.upper()) or "candidatures"

        def work() -> bytes:
            chosen = screening_typologies(typology, (), values)
            with tempfile.TemporaryDirectory() as folder:
                source = Path(folder) / f"{stem}{suffix}"
                source.write_bytes(data)
                screening = _named_as_uploaded(screen(source, chosen, limits=cfg.limits), source)
                written = write_screening(screening, Path(folder) / "out", lang)
                # The report names the input as given: the upload's name, not a temp path.
                # The answer holds the texts; the workbook (binary) is the command's only.
                files = {
                    p.name: p.read_text(encoding="utf-8").replace(str(source), source.name)
                    for p in written
                    if p.suffix != ".xlsx"
                }
            document = ScreenResponse(
                summary=screening.summary(),
                rows=len(screening.rows),
                errors=screening.errors,
                files=files,
            )
            return _json_bytes(document.model_dump(mode="json"))

        return Response(await run(work), media_type=JSON)

    @app.get("/typologies", summary="The shipped typologies", responses=PROBLEMS)
    async def list_typologies() -> list[TypologySummary]:
        """Id, version, title and kind of each shipped typology."""
        loaded = await run(lambda: [load_typology(t) for t in typologies()])
        return [_summary(t) for t in loaded]

    @app.get("/typologies/{typology_id}", summary="One typology in full", responses=PROBLEMS)
    async def get_typology(typology_id: str) -> TypologyDetail:
        """Its criteria, sources and parameters: the rule file, as parsed."""
        typology = await run(lambda: shipped_typology(typology_id, {}))
        return TypologyDetail(
            **_summary(typology).model_dump(),
            parameters=dict(typology.parameters),
            rulefile=typology.spec.model_dump(mode="json", by_alias=True, exclude_none=True),
        )

    @app.get(
        "/schemas/{name}",
        summary="A published JSON Schema",
        responses={
            200: {
                "description": "The schema, with its $id and version.",
                "content": {"application/schema+json": {"schema": {"type": "object"}}},
            },
            **PROBLEMS,
        },
    )
    async def get_schema(name: str) -> Response:
        """``initiative``, ``verdict``, ``rulefile`` or ``hypotheses``."""
        if name not in _library.SCHEMA_NAMES:
            raise StarletteHTTPException(
                404, f"no schema {name!r}; one of {', '.join(_library.SCHEMA_NAMES)}"
            )
        schema = _library.shipped(name)  # type: ignore[arg-type]
        return Response(_json_bytes(schema), media_type="application/schema+json")

    @app.get("/health", summary="Whether the service answers", responses=PROBLEMS)
    async def health() -> Health:
        """For load balancers and container health checks: cheap, no classification."""
        return Health(status="ok")

    @app.get("/version", summary="Versions of poletype, its formats and typologies")
    async def version() -> VersionInfo:
        """What a stored verdict can be compared against."""
        loaded = await run(lambda: [load_typology(t) for t in typologies()])
        return VersionInfo(
            poletype=_version(),
            verdict_format=_library.VERDICT_FORMAT,
            schemas=dict(_library.VERSIONS),
            typologies={t.id: t.version for t in loaded},
        )

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                routes=app.routes,
                separate_input_output_schemas=False,
            )
            chosen: list[type[BaseModel]] = [*REQUEST_MODELS, Problem]
            _, extra = models_json_schema(
                [(m, "validation") for m in chosen],
                ref_template="#/components/schemas/{model}",
            )
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            for key, value in extra.get("$defs", {}).items():
                schemas.setdefault(key, value)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _summary(typology: Typology) -> TypologySummary:
    return TypologySummary(
        id=typology.id,
        version=typology.version,
        title_fr=typology.title.fr,
        title_en=typology.title.en,
        graded=isinstance(typology, GradedTypology),
    )


def _named_as_uploaded(screening: Screening, source: Path) -> Screening:
    """The screening naming the upload as given, not its temporary path.

    The report packs the applicants' sheets (gzip), where replacing the path in the
    written text cannot reach: the names are set before writing.
    """
    full, name = str(source), source.name

    def named(text: str) -> str:
        return text.replace(full, name)

    rows = tuple(
        replace(
            row,
            source=named(row.source),
            error=None if row.error is None else replace(row.error, source=named(row.error.source)),
        )
        for row in screening.rows
    )
    return replace(screening, input=named(screening.input), rows=rows)
