"""Schemathesis against the OpenAPI spec: generated requests to every operation of a real server never
get a server error, and the responses match the spec. Examples are bounded to keep this quick.

The spec is the app's own (made without a server, so pytest can list one test per operation); the
requests go over HTTP to a real ``veilleur serve`` on a loopback port, which serves the same spec.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from veilleur.settings import Settings
from veilleur.web.app import create_app
from web_helpers import build_small_ledger, get_json, running_server

MAX_EXAMPLES = 60
SPEC = create_app(Settings()).openapi()
SCHEMA = schemathesis.openapi.from_dict(SPEC)
OPERATIONS = {f"{op.method.upper()} {op.path}": op for op in (r.ok() for r in SCHEMA.get_all_operations())}


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("schema") / "ledger.db"
    build_small_ledger(path)
    with running_server(path) as base:
        yield base


def test_the_server_serves_this_spec(base_url: str) -> None:
    assert get_json(f"{base_url}/openapi.json") == SPEC


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_server_error_and_responses_match_the_spec(label: str, base_url: str) -> None:
    operation = OPERATIONS[label]

    @given(case=operation.as_strategy())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case: schemathesis.Case) -> None:
        response = case.call(base_url=base_url, timeout=60)
        assert response.status_code < 500, (label, case.query, case.path_parameters, response.text[:500])
        case.validate_response(
            response, checks=[response_schema_conformance, content_type_conformance, status_code_conformance]
        )

    check()


def test_the_spec_documents_the_filters() -> None:
    params = {p["name"] for p in SPEC["paths"]["/api/events"]["get"]["parameters"]}
    assert {"bbox", "from", "to", "type", "sub_type", "actor", "country", "admin1", "outlet", "claim", "q",
            "limit", "offset"} <= params  # fmt: skip
