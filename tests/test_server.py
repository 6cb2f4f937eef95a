"""The HTTP service: the library's answers and errors, over HTTP, within its bounds."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("schemathesis")

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import ROOT
from poletype import Limits
from poletype._server import Settings, create_app
from poletype.cli import main

EXAMPLE = ROOT / "examples" / "pole-exemple-complet.yaml"
CSV = ROOT / "examples" / "screening" / "candidatures.csv"


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


def _initiative(path: Path = EXAMPLE) -> dict[str, Any]:
    from poletype import read_initiative

    return read_initiative(path).model_dump(mode="json", exclude_none=True)


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert body["type"] == f"urn:poletype:error:{code}"
    assert body["title"]
    assert body["detail"]
    return body


def test_import_poletype_loads_no_web_framework() -> None:
    """An integrator who only classifies never pays for FastAPI, Starlette or uvicorn."""
    code = (
        "import sys, poletype; poletype.classify({'name': 'P'}); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'fastapi', 'starlette', 'uvicorn', 'anyio', 'httpx'} "
        "or m.startswith('poletype._server')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_classify_answers_the_bytes_the_command_line_writes(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    """POST /classify gives exactly `poletype classify --format json`'s output for one file."""
    assert main(["classify", str(EXAMPLE), "--format", "json", "-t", "matray-poisat"]) == 0
    expected = capsys.readouterr().out
    response = client.post(
        "/classify", json={"initiative": _initiative(), "typology": "matray-poisat"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.text == expected
    assert next(iter(response.json())) == "format"


def test_params_change_the_verdict(client: TestClient) -> None:
    """Parameters are passed to the typology, and a bad one is the library's error."""
    body = {"initiative": _initiative(), "params": {"min_organisations": 10}}
    verdict = client.post("/classify", json=body).json()
    assert verdict["parameters"]["min_organisations"] == 10
    body["params"] = {"no_such_parameter": 1}
    _problem(client.post("/classify", json=body), 400, "bad-parameter")


def test_an_invalid_initiative_names_each_field_by_pointer(client: TestClient) -> None:
    """A pydantic error becomes a problem with the JSON Pointer of every field at fault."""
    body = {"initiative": {"name": "P", "jobs": True, "activites": {}}}
    problem = _problem(client.post("/classify", json=body), 422, "invalid-initiative")
    pointers = {e["pointer"] for e in problem["errors"]}
    assert pointers == {"/initiative/jobs", "/initiative/activites"}
    problem = _problem(
        client.post("/classify", json={"initiative": {}, "x": 1}), 422, "invalid-initiative"
    )
    assert {e["pointer"] for e in problem["errors"]} == {"/initiative/name", "/x"}
    assert {e["code"] for e in problem["errors"]} == {"invalid-initiative", "bad-request"}


def test_the_body_is_read_as_strictly_as_a_file(client: TestClient) -> None:
    """A repeated key, NaN, deep nesting or broken JSON: the library's codes."""
    headers = {"content-type": "application/json"}
    twice = '{"initiative": {"name": "Good", "name": "Evil"}}'
    _problem(client.post("/classify", content=twice, headers=headers), 422, "duplicate-key")
    nan = '{"initiative": {"name": "P", "jobs": NaN}}'
    _problem(client.post("/classify", content=nan, headers=headers), 422, "not-finite")
    deep = "[" * 5000 + "]" * 5000
    _problem(client.post("/classify", content=deep, headers=headers), 422, "too-deep")
    _problem(client.post("/classify", content="{", headers=headers), 422, "unreadable-input")
    _problem(client.post("/classify", content=b"\xff", headers=headers), 422, "unreadable-input")


def test_limits_of_a_public_deployment() -> None:
    """Body size, members, batch size and time each end in their own problem."""
    bounded = Settings(
        limits=dataclasses.replace(Limits(), members=2), max_body_bytes=2000, max_batch=2
    )
    client = TestClient(create_app(bounded))
    big = {"initiative": {"name": "P" * 3000}}
    _problem(client.post("/classify", json=big), 413, "document-too-large")
    members = {"initiative": {"name": "P", "members": [{}, {}, {}]}}
    problem = _problem(client.post("/classify", json=members), 422, "too-many-members")
    assert problem["errors"][0]["pointer"] == "/initiative/members"
    batch = {"initiatives": [{"name": "A"}, {"name": "B"}, {"name": "C"}]}
    _problem(client.post("/classify/batch", json=batch), 413, "too-many-items")
    slow = TestClient(create_app(Settings(time_limit=0.0)))
    _problem(slow.post("/classify", json={"initiative": {"name": "P"}}), 503, "time-limit")


def test_no_request_reads_a_file_of_the_server(client: TestClient) -> None:
    """A typology is a shipped id, never a path; rule files need the operator's consent."""
    body = {"initiative": {"name": "P"}, "typology": str(ROOT / "rules" / "labo-ess-ptce.yaml")}
    _problem(client.post("/classify", json=body), 404, "typology-not-found")
    rules = (ROOT / "tests" / "rules").glob("*.yaml")
    text = next(iter(rules)).read_text(encoding="utf-8")
    body = {"initiative": {"name": "P"}, "rules": text}
    _problem(client.post("/classify", json=body), 403, "rule-files-disabled")
    body = {"initiatives": [{"name": "P"}], "file": "hypotheses: x"}
    _problem(client.post("/hypotheses", json=body), 403, "rule-files-disabled")


def test_allowed_rule_files_may_extend_a_shipped_typology_only() -> None:
    """With --allow-rule-files, a rule file loads; its extends names no path."""
    client = TestClient(create_app(Settings(allow_rule_files=True)))
    extension = (
        "typology: appel-test\nextends: labo-ess-ptce\nversion: '1'\ntitle: {fr: Appel, en: Call}\n"
    )
    response = client.post("/classify", json={"initiative": _initiative(), "rules": extension})
    assert response.status_code in (200, 422), response.text
    escape = extension.replace("extends: labo-ess-ptce", "extends: /etc/passwd")
    problem = _problem(
        client.post("/classify", json={"initiative": {"name": "P"}, "rules": escape}),
        422,
        "extends-not-found",
    )
    assert "root" not in problem["detail"]
    broken = client.post("/classify", json={"initiative": {"name": "P"}, "rules": "typology: ["})
    body = _problem(broken, 422, "yaml-syntax")
    assert "/tmp" not in json.dumps(body)


def test_batch_gives_each_item_its_verdict_or_error_in_order(client: TestClient) -> None:
    """A bad item costs its own result only, in JSON and in JSON Lines alike."""
    items = [{"name": "A"}, {"name": "B", "jobs": -1}, {"name": "C"}]
    results = client.post("/classify/batch", json={"initiatives": items}).json()["results"]
    assert [r.get("initiative") for r in results] == ["A", None, "C"]
    assert results[1]["index"] == 1
    assert results[1]["error"]["code"] == "invalid-initiative"
    assert results[1]["error"]["errors"][0]["pointer"] == "/jobs"
    lines = '{"name": "A"}\n{"name": "B", "name": "B"}\n\n[1]\n{"name": "C"}\n'
    response = client.post(
        "/classify/batch?typology=geces-2021",
        content=lines,
        headers={"content-type": "application/x-ndjson"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    rows = [json.loads(line) for line in response.text.splitlines()]
    assert [r.get("initiative") for r in rows] == ["A", None, None, "C"]
    assert rows[0]["typology"] == "geces-2021"
    assert rows[1]["error"]["code"] == "duplicate-key"
    assert rows[2]["error"]["code"] == "invalid-initiative"


def test_what_it_would_take(client: TestClient) -> None:
    """The library's change sets, and its refusal of a graded typology."""
    body = {"initiative": _initiative(ROOT / "examples" / "pole-exemple-lacunaire.yaml")}
    answer = client.post("/what-it-would-take", json=body).json()
    assert answer["target"] == "ptce"
    assert answer["outcome"] == "indeterminate"
    assert answer["change_sets"]
    assert all(c["outcome"] == "ptce" for c in answer["change_sets"])
    body["typology"] = "matray-poisat"
    _problem(client.post("/what-it-would-take", json=body), 400, "whatif-graded")


def test_hypotheses(client: TestClient) -> None:
    """The shipped hypotheses tested on the cases sent, by name."""
    cases = [_initiative(), _initiative(ROOT / "examples" / "artis.yaml")]
    report = client.post("/hypotheses", json={"initiatives": cases}).json()
    assert report["hypotheses"] == "gianfaldoni-2016"
    assert len(report["initiatives"]) == 2
    assert report["scope"]["typology"] == "labo-ess-ptce"
    body = {"initiatives": cases, "hypotheses": "../../etc/passwd"}
    _problem(client.post("/hypotheses", json=body), 404, "typology-not-found")
    for scope in ("../../etc/passwd", str(ROOT / "rules" / "labo-ess-ptce.yaml")):
        body = {"initiatives": cases, "params": {"scope": scope}}
        _problem(client.post("/hypotheses", json=body), 404, "typology-not-found")
    body = {"initiatives": cases, "params": {"scope": "all"}}
    assert client.post("/hypotheses", json=body).json()["scope"]["typology"] is None


def test_screen_answers_what_the_command_writes(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report and both tables, byte for byte those of `poletype screen`.

    One upload is one file: a CSV's members file beside it is not sent, so the command
    is run on the CSV alone (XLSX and JSON Lines carry their members inside).
    """
    (tmp_path / CSV.name).write_bytes(CSV.read_bytes())
    out = tmp_path / "out"
    monkeypatch.chdir(tmp_path)
    main(["screen", CSV.name, "--out", "out", "--lang", "en"])
    response = client.post(
        "/screen?lang=en&filename=candidatures.csv",
        content=CSV.read_bytes(),
        headers={"content-type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert set(answer["files"]) == {p.name for p in out.iterdir()} - {"verdicts.xlsx"}
    for name, text in answer["files"].items():
        assert text == (out / name).read_text(encoding="utf-8"), name
    assert answer["rows"] == len(answer["files"]["verdicts.jsonl"].splitlines())
    wrong = client.post("/screen", content=b"x", headers={"content-type": "text/plain"})
    _problem(wrong, 415, "bad-request")


def test_typologies_schemas_health_version(client: TestClient) -> None:
    """What an integrator reads before sending anything."""
    from poletype import load_typology, typologies

    listed = client.get("/typologies").json()
    assert [t["id"] for t in listed] == typologies()
    detail = client.get("/typologies/labo-ess-ptce").json()
    spec = load_typology("labo-ess-ptce").spec
    assert [c["id"] for c in detail["rulefile"]["criteria"]] == [c.id for c in spec.criteria]
    assert "min_organisations" in detail["parameters"]
    _problem(client.get("/typologies/nope"), 404, "typology-not-found")
    schema = client.get("/schemas/verdict")
    assert schema.headers["content-type"] == "application/schema+json"
    assert schema.json()["$id"] == "urn:poletype:schema:verdict:1"
    _problem(client.get("/schemas/nope"), 404, "bad-request")
    assert client.get("/health").json() == {"status": "ok"}
    version = client.get("/version").json()
    assert version["verdict_format"] == "poletype-verdict/1"
    assert version["schemas"]["initiative"] == "1.1"
    _problem(client.delete("/health"), 405, "bad-request")


def test_openapi_describes_requests_with_the_librarys_models(client: TestClient) -> None:
    """The request bodies are the library's Initiative; the answers its Verdict."""
    document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert schemas["ClassifyRequest"]["properties"]["initiative"] == {
        "$ref": "#/components/schemas/Initiative"
    }
    assert set(schemas["Initiative"]["properties"]) >= {"name", "members", "activities"}
    verdict = document["paths"]["/classify"]["post"]["responses"]["200"]
    assert verdict["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Verdict"
    }


_fuzzed = schemathesis.openapi.from_asgi("/openapi.json", create_app())
# The coverage phase (every boundary of every field of the initiative) takes minutes on
# its schema; the fuzzing phase, bounded by max_examples, keeps the suite fast.
_fuzzed.config.phases.coverage.enabled = False


@schemathesis.serializer(
    "application/x-ndjson",
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
def _text_body(_: Any, value: Any) -> bytes:
    """Bodies documented as text: a generated string as UTF-8, anything else as JSON."""
    text = value if isinstance(value, str) else json.dumps(value)
    return text.encode("utf-8", "surrogatepass")


@_fuzzed.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_fuzzed_requests_get_no_server_error_and_documented_answers(case: Any) -> None:
    """Schemathesis, from the service's own OpenAPI: no 5xx; every answer as documented."""
    case.call_and_validate(
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ]
    )


def test_serve_refuses_bounds_that_allow_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    """A zero or negative bound is a usage error (exit 2) before anything listens."""
    assert main(["serve", "--workers", "0"]) == 2
    assert (
        "--workers must be at least 1; expected N >= 1 [bad-parameter]" in capsys.readouterr().err
    )
    assert main(["serve", "--time-limit", "0"]) == 2


def test_serve_options_become_the_services_settings() -> None:
    """Each option of `poletype serve` sets its bound, members through Limits."""
    from poletype._server._run import settings_from
    from poletype.cli import _build_parser

    args = _build_parser().parse_args(
        ["serve", "--max-members", "7", "--max-batch", "3", "--allow-rule-files"]
    )
    assert args.host == "127.0.0.1"
    chosen = settings_from(args)
    assert chosen.limits.members == 7
    assert chosen.max_batch == 3
    assert chosen.allow_rule_files
