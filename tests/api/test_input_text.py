"""Every text the API takes goes through the kit's one text rule (``renda.core.validators``,
as the ``Line`` / ``Text`` types of ``renda.api.schemas``): the OpenAPI document says so on
each text parameter and body field, and the server refuses a control character in each of
them with a 422 naming the field. A new text field that forgets the rule fails here."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from renda.core import validators

pytestmark = pytest.mark.django_db


def _kit_patterns() -> set[str]:
    names = ("LINE_PATTERN", "TEXT_PATTERN", "REQUIRED_LINE_PATTERN", "REQUIRED_TEXT_PATTERN")
    return {getattr(validators, name) for name in names}


# Characters every text field refuses (tab and line breaks are a multi-line text's own).
REFUSED = ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\ud800", "\ufffe"]


def _document(client: Any) -> dict[str, Any]:
    return json.loads(client.get("/api/v1/openapi.json").content)  # type: ignore[no-any-return]


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _strings(doc: dict[str, Any], schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    schema = _resolve(doc, schema)
    for option in schema.get("anyOf", []):
        yield from _strings(doc, option)
    if schema.get("type") == "string":
        yield schema


def _inputs(doc: dict[str, Any]) -> Iterator[tuple[str, str, str, str, dict[str, Any]]]:
    """(method, path, where, name, schema) of every parameter and top-level body field."""
    for path, methods in doc["paths"].items():
        for method, operation in methods.items():
            for param in operation.get("parameters", []):
                yield method, path, param["in"], param["name"], param["schema"]
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                schema = _resolve(doc, body["schema"])
                assert schema.get("type") == "object", (method, path)
                for name, prop in schema["properties"].items():
                    yield method, path, "body", name, prop


def _refuses_controls(pattern: str) -> bool:
    compiled = re.compile(pattern)
    return all(compiled.search("1" * 12 + char) is None for char in REFUSED)


def test_every_text_input_is_documented_with_the_kit_rule(client: Any) -> None:
    doc = _document(client)
    unguarded = []
    for method, path, where, name, schema in _inputs(doc):
        for leaf in _strings(doc, schema):
            if "enum" in leaf or leaf.get("format") in {"date", "date-time"}:
                continue
            pattern = leaf.get("pattern")
            if pattern in _kit_patterns():
                continue
            # A strict format of its own (a region code, an OTP) also keeps them out.
            if pattern is not None and _refuses_controls(pattern):
                continue
            unguarded.append((method, path, where, name))
    assert unguarded == []


def _kit_inputs(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, dict[str, str]]]:
    """Per operation, the fields in each place that carry the kit's pattern."""
    found: dict[tuple[str, str], dict[str, dict[str, str]]] = {}
    for method, path, where, name, schema in _inputs(doc):
        for leaf in _strings(doc, schema):
            if leaf.get("pattern") in _kit_patterns():
                found.setdefault((method, path), {}).setdefault(where, {})[name] = leaf["pattern"]
    return found


def test_the_document_lists_the_text_inputs(client: Any) -> None:
    # The walk below must see the duty-record fields the finding was about.
    found = _kit_inputs(_document(client))
    assert set(found["post", "/api/v1/duties/records"]["body"]) == {
        "title",
        "content",
        "submission_key",
    }
    assert "q" in found["get", "/api/v1/duties/records"]["query"]


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\x85"], ids=repr)
def test_every_text_input_refuses_control_characters(client: Any, bearer: Any, char: str) -> None:
    """Each operation gets a control character in all of its text fields at once; the 422
    must name every one of them (other fields may be missing: they are named too)."""
    doc = _document(client)
    api = bearer("county_office")
    for (method, path), places in _kit_inputs(doc).items():
        url = re.sub(r"\{[^}]+\}", "1", path.removeprefix("/api/v1"))
        query = dict.fromkeys(places.get("query", {}), f"甲{char}乙")
        body = dict.fromkeys(places.get("body", {}), f"甲{char}乙")
        if method == "get":
            response = api.api_get(url, query)
        else:
            if query:
                url += "?" + urlencode(query)
            response = api.api_post(url, body)
        assert response.status_code == 422, (method, path, response.content)
        errors = response.json()["errors"]
        for name in [*query, *body]:
            assert any("控制字符" in m for m in errors.get(name, [])), (method, path, name, errors)


def test_the_documented_patterns_are_what_the_server_refuses() -> None:
    """A client's validator (here jsonschema-rs, which schemathesis generates with) must be
    able to read the patterns, and agree with the server on each character; a pattern it
    cannot compile is ignored by it (they once named the surrogate range and schemathesis
    sent control characters as "valid" data)."""
    import jsonschema_rs

    chars = [chr(c) for c in range(0x00, 0xA1)] + ["\ufdd0", "\ufdef", "\ufffe", "\uffff", "中"]
    for multiline, pattern in (
        (False, validators.LINE_PATTERN),
        (True, validators.TEXT_PATTERN),
    ):
        check = jsonschema_rs.validator_for({"type": "string", "pattern": pattern})
        for char in chars:
            refused = validators.refused_character(f"甲{char}乙", multiline=multiline) is not None
            assert check.is_valid(f"甲{char}乙") is not refused, (pattern, hex(ord(char)))
    for pattern in (validators.REQUIRED_LINE_PATTERN, validators.REQUIRED_TEXT_PATTERN):
        check = jsonschema_rs.validator_for({"type": "string", "pattern": pattern})
        assert check.is_valid("甲")
        assert not check.is_valid("  ")
        assert not check.is_valid("")
