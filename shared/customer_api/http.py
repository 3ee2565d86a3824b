"""The HTTP edge shared by every function: the resolver, the response shapes, and the one place
where exceptions become the contract's error body {"error": {"status", "message"}}."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.shared.cookies import Cookie, SameSite
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from botocore.exceptions import ClientError

from customer_api.config import settings
from customer_api.errors import (
    ApiError,
    BadRequest,
    ConcurrentChange,
    PayloadTooLarge,
    RetryLater,
    ServiceBusy,
)
from customer_api.observability import logger
from customer_api.sessions import Caller

JSON = "application/json"

_FIELD_LABELS = {"email": "Email", "password": "Password", "full_name": "Full name", "status": "Status"}
# DynamoDB errors that mean "busy, try again": botocore already retried them with backoff.
_BUSY_CODES = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TransactionConflictException",
    "TransactionInProgressException",
    "InternalServerError",
}


def error_body(status: int, message: str) -> str:
    return json.dumps({"error": {"status": status, "message": message}})


def error_response(error: ApiError) -> Response[str]:
    headers = {}
    if isinstance(error, RetryLater):
        headers["Retry-After"] = str(error.retry_after_seconds)
    return Response(error.status, JSON, error_body(error.status, error.message), headers)


def ok(data: dict[str, Any], cookies: list[Cookie] | None = None) -> Response[str]:
    return Response(200, JSON, json.dumps({"data": data}), cookies=cookies)


def customer_links(customer_uuid: str) -> list[dict[str, Any]]:
    """The `links` EverShop's docs show on create and update."""
    return [
        {"rel": "customerGrid", "href": "/admin/customers", "action": "GET", "types": ["text/xml"]},
        {"rel": "edit", "href": f"/admin/customers/edit/{customer_uuid}", "action": "GET", "types": ["text/xml"]},
    ]


def session_cookie(name: str, value: str, max_age: int, same_site: SameSite) -> Cookie:
    """A login cookie as EverShop set it: the whole site, HttpOnly, Secure."""
    return Cookie(name, value, path="/", secure=True, http_only=True, max_age=max_age, same_site=same_site)


# Messages by pydantic error type; "{label}" is the field as a person calls it.
_MESSAGES_BY_TYPE = {
    "json_invalid": "Request body is not valid JSON",
    "model_attributes_type": "Request body must be a JSON object",
    "dict_type": "Request body must be a JSON object",
    "missing": "{label} is required",
    "string_type": "{label} must be a string",
}
# Our own validators (models.py) already speak EverShop's wording.
_OWN_ERROR_TYPES = ("email", "status", "password", "full_name")


def validation_message(errors: list[dict[str, Any]]) -> str:
    """A sentence for a person from the first validation error, in EverShop's words if it has them."""
    error = errors[0] if errors else {}
    kind, location = str(error.get("type", "")), tuple(error.get("loc", ()))
    field = str(location[1]) if len(location) > 1 and location[0] == "body" else ""
    if kind.startswith(_OWN_ERROR_TYPES):
        return str(error["msg"])
    if kind == "missing" and field == "full_name":
        return "Full name is required and cannot be empty"
    if not field and kind != "json_invalid":
        return "Request body must be a JSON object"
    template = _MESSAGES_BY_TYPE.get(kind, "{label} is invalid")
    return template.format(label=_FIELD_LABELS.get(field, field))


def _refuse_large_body(event: Mapping[str, Any]) -> None:
    # Checked before anything parses the body (API Gateway itself lets 10 MB through).
    body = event.get("body") or ""
    size = len(body) * 3 // 4 if event.get("isBase64Encoded") else len(body.encode("utf-8"))
    if size > settings().max_body_bytes:
        raise PayloadTooLarge()


def _refuse_array_body(event: Mapping[str, Any]) -> None:
    # Powertools validates the first element of a JSON array as if it were the whole body.
    body = event.get("body") or ""
    try:
        raw = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode("utf-8", "replace")
    except binascii.Error as error:
        raise BadRequest("Request body is not valid base64") from error
    if raw.lstrip(b" \t\r\n").startswith(b"["):
        raise BadRequest("Request body must be a JSON object")


def _refuse_non_json_body(event: Mapping[str, Any]) -> None:
    # Powertools would parse form bodies (and fail with a 500 on a multipart one without a boundary);
    # this API reads JSON only. A 400: the contract's status for a body it cannot read.
    headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
    media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if event.get("body") and media_type and media_type != JSON and not media_type.endswith("+json"):
        raise BadRequest("Request body must be JSON (Content-Type: application/json)")


def _http_api_result(response: Response[str]) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) result for a response made outside a route."""
    headers = {"Content-Type": response.content_type or JSON}
    headers.update({name: str(value) for name, value in response.headers.items()})
    return {"statusCode": response.status_code, "headers": headers, "body": response.body, "isBase64Encoded": False}


class CustomerApi(APIGatewayHttpResolver):
    """An HTTP API resolver with the contract's errors, bodies validated by pydantic models."""

    def __init__(self, authorize: Callable[[APIGatewayProxyEventV2], Caller] | None = None) -> None:
        """`authorize` (if given) identifies the caller before the body is even parsed: an
        unauthenticated request is a 401 whatever it carries. Routes read it with `caller()`."""
        super().__init__(enable_validation=True)
        self._authorize = authorize
        self.exception_handler(ApiError)(error_response)
        self.exception_handler(RequestValidationError)(self._invalid_request)
        # UnicodeEncodeError too: a lone surrogate escape ("\ud800") parses as JSON but is no text.
        self.exception_handler(UnicodeError)(self._not_utf8)
        self.exception_handler(RecursionError)(self._too_deep)
        self.exception_handler(ConcurrentChange)(self._busy)
        self.exception_handler(ClientError)(self._aws_error)
        self.exception_handler(Exception)(self._fault)
        self.not_found()(self._no_route)

    def resolve(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        try:
            _refuse_large_body(event)
            _refuse_non_json_body(event)
            _refuse_array_body(event)
            if self._authorize is not None:
                caller = self._authorize(APIGatewayProxyEventV2(dict(event)))
                self.append_context(caller=caller)  # type: ignore[no-untyped-call]
        except Exception as error:  # noqa: BLE001 - mapped like any route error
            handler = self.exception_handler_manager.lookup_exception_handler(type(error))
            return _http_api_result(handler(error) if handler else self._fault(error))
        return super().resolve(event, context)

    def caller(self) -> Caller:
        """The caller `authorize` identified for this request."""
        caller: Caller = self.context["caller"]
        return caller

    @staticmethod
    def _no_route(_: Exception) -> Response[str]:
        return Response(404, JSON, error_body(404, "Not found"))

    @staticmethod
    def _invalid_request(error: RequestValidationError) -> Response[str]:
        message = validation_message(list(error.errors()))
        return Response(400, JSON, error_body(400, message))

    @staticmethod
    def _not_utf8(_: UnicodeError) -> Response[str]:
        return Response(400, JSON, error_body(400, "Request body must be UTF-8 encoded JSON"))

    @staticmethod
    def _too_deep(_: RecursionError) -> Response[str]:
        return Response(400, JSON, error_body(400, "Request body is nested too deeply"))

    @staticmethod
    def _busy(_: Exception) -> Response[str]:
        return error_response(ServiceBusy())

    @staticmethod
    def _aws_error(error: ClientError) -> Response[str]:
        if error.response.get("Error", {}).get("Code") in _BUSY_CODES:
            logger.warning("DynamoDB busy after retries", extra={"code": error.response["Error"]["Code"]})
            return error_response(ServiceBusy())
        return CustomerApi._fault(error)

    @staticmethod
    def _fault(error: Exception) -> Response[str]:
        logger.exception("Unhandled fault", extra={"fault": type(error).__name__})
        return Response(500, JSON, error_body(500, "Internal server error"))
