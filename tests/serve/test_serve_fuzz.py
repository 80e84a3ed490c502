"""Fuzzing the request schemas from the app's own OpenAPI document.

Bodies are drawn from each POST route's JSON schema, sometimes bent out of it (a wrong
type, an extra field, the model name swapped). Whatever comes in, the gateway answers
200 with the documented shape or an OpenAI-shaped 4xx: never a 500.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from hanji.serve.protocol import (
    ChatCompletionResponse,
    CompletionResponse,
    EmbeddingResponse,
    ErrorResponse,
)
from hanji.serve.routes import openapi

RESPONSES = {
    "/v1/chat/completions": ChatCompletionResponse,
    "/v1/completions": CompletionResponse,
    "/v1/embeddings": EmbeddingResponse,
}

korean = st.text(alphabet=st.sampled_from("가나다라한지은행서울 \n!?abc#"), max_size=12)
anything = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(-3, 3) | korean,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(korean, inner, max_size=2),
    max_leaves=5,
)


def from_schema(schema: dict[str, Any], defs: dict[str, Any], depth: int = 0) -> st.SearchStrategy:
    """A small JSON-Schema-to-strategy converter for what pydantic emits."""
    if "$ref" in schema:
        return from_schema(defs[schema["$ref"].rsplit("/", 1)[-1]], defs, depth)
    if "anyOf" in schema:
        return st.one_of([from_schema(s, defs, depth) for s in schema["anyOf"]])
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "string":
        return korean
    if kind == "integer":
        low = int(schema.get("minimum", -2))
        return st.integers(low, max(low, int(schema.get("maximum", 40))))
    if kind == "number":
        return st.floats(schema.get("minimum", -3.0), schema.get("maximum", 3.0))
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        items = from_schema(schema.get("items", {}), defs, depth + 1) if depth < 3 else anything
        return st.lists(items, min_size=schema.get("minItems", 0), max_size=3)
    if kind == "object" and "properties" in schema:
        required = set(schema.get("required", ()))
        props = {k: from_schema(v, defs, depth + 1) for k, v in schema["properties"].items()}
        return st.fixed_dictionaries(
            {k: v for k, v in props.items() if k in required},
            optional={k: v for k, v in props.items() if k not in required},
        )
    return anything


def body_strategy(document: dict[str, Any], path: str) -> st.SearchStrategy:
    defs = document["components"]["schemas"]
    schema = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    valid = from_schema(schema, defs)

    @st.composite
    def bent(draw: st.DrawFn) -> Any:
        body = draw(valid)
        if draw(st.booleans()):
            body["model"] = "fake-ko"  # reach the backend more often
        if draw(st.integers(0, 3)) == 0 and body:
            key = draw(st.sampled_from(sorted(body)))
            body[key] = draw(anything)
        if draw(st.integers(0, 3)) == 0:
            body[draw(korean)] = draw(anything)
        if draw(st.integers(0, 10)) == 0:
            return draw(anything)  # not even an object
        return body

    return bent()


@pytest.mark.parametrize("path", sorted(RESPONSES))
def test_any_body_gets_a_documented_answer(client: TestClient, tenant_key: str, path: str) -> None:
    document = openapi()
    headers = {"Authorization": f"Bearer {tenant_key}"}

    @settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
    @given(body_strategy(document, path))
    def check(body: Any) -> None:
        response = client.post(path, headers=headers, json=body)
        assert response.status_code in (200, 400, 404), (response.status_code, body)
        if response.status_code != 200:
            ErrorResponse.model_validate(response.json())
        elif response.headers["content-type"].startswith("text/event-stream"):
            assert response.text.rstrip().endswith("data: [DONE]")
        else:
            RESPONSES[path].model_validate(response.json())

    check()
