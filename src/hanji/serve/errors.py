"""Errors that become OpenAI-shaped responses: ``{"error": {message, type, param, code}}``.

Messages are written for the caller and must never carry a key, a prompt or a completion:
they name the field that is wrong, never its value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from pydantic import ValidationError
from starlette.responses import Response


class APIError(Exception):
    """Base of every error the gateway answers with; the subclass fixes status and type."""

    status: int = 500
    type: str = "server_error"
    code: str | None = None

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.headers = dict(headers or {})

    def body(self) -> dict[str, dict[str, str | None]]:
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }

    def to_json(self) -> str:
        return json.dumps(self.body(), ensure_ascii=False)

    def response(self) -> Response:
        return Response(
            self.to_json(),
            status_code=self.status,
            media_type="application/json",
            headers=self.headers,
        )


class InvalidRequest(APIError):
    status = 400
    type = "invalid_request_error"


class Unauthorized(APIError):
    status = 401
    type = "authentication_error"
    code = "invalid_api_key"


class PermissionDenied(APIError):
    status = 403
    type = "permission_error"
    code = "permission_denied"


class NotFound(APIError):
    status = 404
    type = "not_found_error"
    code = "not_found"


class PayloadTooLarge(APIError):
    status = 413
    type = "invalid_request_error"
    code = "payload_too_large"


class RequestTimeout(APIError):
    """408: the client stopped sending its body; the connection is closed after the answer."""

    status = 408
    type = "invalid_request_error"
    code = "request_timeout"


class HeadersTooLarge(APIError):
    status = 431
    type = "invalid_request_error"
    code = "request_header_fields_too_large"


class RateLimited(APIError):
    """429 with ``Retry-After`` in whole seconds, as the OpenAI SDKs expect."""

    status = 429
    type = "rate_limit_error"
    code = "rate_limit_exceeded"

    def __init__(self, message: str, *, retry_after_s: float, code: str | None = None) -> None:
        seconds = max(1, int(retry_after_s + 0.999))
        super().__init__(message, code=code, headers={"Retry-After": str(seconds)})
        self.retry_after_s = seconds


class ServerError(APIError):
    status = 500
    type = "server_error"
    code = "internal_error"


class BadGateway(APIError):
    status = 502
    type = "upstream_error"
    code = "bad_gateway"


class ServiceUnavailable(APIError):
    """503: the gateway cannot serve safely right now (e.g. the audit log is not writable)."""

    status = 503
    type = "server_error"
    code = "service_unavailable"


class GatewayTimeout(APIError):
    status = 504
    type = "timeout_error"
    code = "timeout"


def model_not_found(model: str) -> NotFound:
    """Same answer for a model that does not exist and one the tenant may not use."""
    return NotFound(
        f"The model '{model}' does not exist or you do not have access to it.",
        param="model",
        code="model_not_found",
    )


NOT_AN_OBJECT = "The request body must be a JSON object (Content-Type: application/json)."


def invalid_body(exc: ValidationError | None = None) -> InvalidRequest:
    """400 for a body that is not JSON, not an object, or not valid under the route's model.

    Names the first field that is wrong (``messages.0.role``), never its value. Without
    ``exc``: the body is empty or not sent as JSON.
    """
    first = exc.errors(include_url=False, include_input=False)[0] if exc is not None else {}
    if first.get("type") == "json_invalid":
        return InvalidRequest("The request body is not valid JSON.", code="invalid_value")
    param = ".".join(str(part) for part in first.get("loc", ())) or None
    message = f"{param}: {first['msg']}" if param else NOT_AN_OBJECT
    return InvalidRequest(message, param=param, code="invalid_value")


def too_deep(limit: int) -> InvalidRequest:
    return InvalidRequest(
        f"The request body is nested more than {limit} levels deep.", code="json_too_deep"
    )


def lone_surrogate(param: str | None) -> InvalidRequest:
    """400 for a string with an unpaired UTF-16 surrogate escape (``\\ud800``): not Unicode.

    Names the field (``messages.0.content``), never its value.
    """
    where = param or "the request body"
    return InvalidRequest(
        f"{where}: contains an unpaired UTF-16 surrogate escape, which is not valid Unicode.",
        param=param,
        code="invalid_unicode",
    )
