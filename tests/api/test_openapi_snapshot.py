"""The OpenAPI document is the API's contract with units' and stations' systems: moving
routers between modules must not lose or change an operation. ``openapi_snapshot.json`` is the
document as it was before the router registry; a change to it is deliberate and documented
here (ADDED lists the operations added since, which the comparison leaves out).

To take a deliberate change into the snapshot, run this test once with
``UPDATE_OPENAPI_SNAPSHOT=1`` and review the diff of ``openapi_snapshot.json``.

Changes since the registry: the duty-record schemas are ``DutyRecordOut`` and the suggestion
export's ``SuggestionRecordOut`` / ``SuggestionRecordsPage`` (two schemas were both named
``RecordOut``, so the duty records were documented with the export's); every text input
carries the kit's control-character pattern; required texts say ``minLength`` 1; the duty
records' ``kind`` filter is the list of kinds; operations with a body document 413."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.django_db

SNAPSHOT = Path(__file__).with_name("openapi_snapshot.json")
# (path, method) of operations added after the snapshot was taken.
ADDED: set[tuple[str, str]] = set()


def _without_additions(doc: dict[str, Any]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for path, methods in doc["paths"].items():
        kept = {m: op for m, op in methods.items() if (path, m) not in ADDED}
        if kept:
            paths[path] = kept
    return {**doc, "paths": paths}


def test_openapi_document_equals_the_snapshot(client: Any) -> None:
    served = json.loads(client.get("/api/v1/openapi.json").content)
    if os.environ.get("UPDATE_OPENAPI_SNAPSHOT") == "1":
        text = json.dumps(served, indent=1, sort_keys=True, ensure_ascii=False)
        SNAPSHOT.write_text(text, encoding="utf-8")
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    served = _without_additions(served)
    assert sorted(served["paths"]) == sorted(expected["paths"])
    for path, methods in expected["paths"].items():
        assert served["paths"][path] == methods, path
    assert served["components"] == expected["components"]
    assert served == expected
