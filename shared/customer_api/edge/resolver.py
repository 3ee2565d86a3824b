"""The HTTP edge shared by every function: the resolver, request guards, and the one place where
exceptions become the contract's error body {"error": {"status", "message"}}."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.shared.cookies import Cookie
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from customer_api import store
from customer_api.core.errors import ConcurrentChange, DomainError, StoreBusy
from customer_api.domain.sessions import Caller
from customer_api.edge import snapstart
from customer_api.edge.observability import CORRELATION_ID, logger, metrics, traced
from customer_api.edge.requests import NOT_UTF8, TOO_DEEP, readable, refuse_unacceptable
from customer_api.edge.statuses import JSON, error_body, error_response

_FIELD_LABELS = {
    "email": "Email",
    "password": "Password",
    "full_name": "Full name",
    "status": "Status",
    "current_password": "Current password",
    "new_password": "New password",
    "refreshToken": "refreshToken",
    "telephone": "Telephone",
    "address_1": "Address 1",
    "city": "City",
    "country": "Country",
    "postcode": "Postcode",
    "group_name": "Group name",
}


def ok(reply: Mapping[str, Any], cookies: list[Cookie] | None = None) -> Response[str]:
    """A 200 answering `reply`, one of the bodies of customer_api.edge.replies."""
    return Response(200, JSON, json.dumps(reply), cookies=cookies)


# Messages by pydantic error type; "{label}" is the field as a person calls it.
_MESSAGES_BY_TYPE = {
    "json_invalid": "Request body is not valid JSON",
    "model_attributes_type": "Request body must be a JSON object",
    "dict_type": "Request body must be a JSON object",
    "missing": "{label} is required",
    "string_type": "{label} must be a string",
}
# Our own validators (models.py) already speak EverShop's wording.
_OWN_ERROR_TYPES = ("email", "status", "password", "full_name", "group_id", "group_name", "address")


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


def _http_api_result(response: Response[str]) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) result for a response made outside a route."""
    headers = {"Content-Type": response.content_type or JSON}
    headers.update({name: str(value) for name, value in response.headers.items()})
    return {"statusCode": response.status_code, "headers": headers, "body": response.body, "isBase64Encoded": False}


class CustomerApi(APIGatewayHttpResolver):
    """An HTTP API resolver with the contract's errors, bodies validated by pydantic models."""

    def __init__(
        self, authorize: Callable[[APIGatewayProxyEventV2], Caller] | None = None, *, reads_body: bool = True
    ) -> None:
        """`authorize` (if given) identifies the caller before the body is even parsed: an
        unauthenticated request is a 401 whatever it carries. Routes read it with `caller()`.
        A resolver whose route reads no body (`reads_body=False`) ignores what a body holds."""
        super().__init__(enable_validation=True)
        self._authorize = authorize
        self._reads_body = reads_body
        self.exception_handler(DomainError)(self._refused)
        self.exception_handler(RequestValidationError)(self._invalid_request)
        # UnicodeEncodeError too: a lone surrogate escape ("\ud800") parses as JSON but is no text.
        self.exception_handler(UnicodeError)(self._not_utf8)
        self.exception_handler(RecursionError)(self._too_deep)
        self.exception_handler(ConcurrentChange)(self._busy)
        self.exception_handler(Exception)(self._fault)
        self.not_found()(self._no_route)
        # At import, Lambda's init: the DynamoDB client (not left to the first request), and the
        # hooks a SnapStart snapshot needs.
        store.connect()
        snapstart.register()

    def lambda_handler(self) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
        """The function's Lambda entry point: this resolver, with the request's context in every
        log line (correlation id: the API Gateway request id), its metrics flushed, and a trace
        when tracing is on."""

        @logger.inject_lambda_context(correlation_id_path=CORRELATION_ID)
        @traced
        @metrics.log_metrics
        def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
            return self.resolve(event, context)

        return lambda_handler

    def resolve(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        try:
            refuse_unacceptable(event)
            if self._authorize is not None:
                # Before the body is read: without credentials, a 401 whatever the body holds.
                caller = self._authorize(APIGatewayProxyEventV2(dict(event)))
                self.append_context(caller=caller)  # type: ignore[no-untyped-call]
            if self._reads_body:
                event = readable(event)
        except Exception as error:  # noqa: BLE001 - mapped like any route error
            handler = self.exception_handler_manager.lookup_exception_handler(type(error))
            return _http_api_result(handler(error) if handler else self._fault(error))
        # Powertools keeps the current request on its BaseRouter class, one per process: where
        # resolvers run in parallel threads (the local server), one request would read another's
        # body. Kept on this resolver, which serves one request at a time (as on Lambda).
        self.current_event = APIGatewayProxyEventV2(dict(event), self._json_body_deserializer)
        self.lambda_context = context
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
        return Response(400, JSON, error_body(400, NOT_UTF8))

    @staticmethod
    def _too_deep(_: RecursionError) -> Response[str]:
        return Response(400, JSON, error_body(400, TOO_DEEP))

    @staticmethod
    def _refused(error: DomainError) -> Response[str]:
        if isinstance(error, StoreBusy):
            logger.warning("Storage busy after retries", extra={"cause": type(error.__cause__).__name__})
        return error_response(error)

    @staticmethod
    def _busy(_: ConcurrentChange) -> Response[str]:
        # A write kept losing races past the use case's retries.
        return error_response(StoreBusy())

    @staticmethod
    def _fault(error: Exception) -> Response[str]:
        logger.exception("Unhandled fault", extra={"fault": type(error).__name__})
        return Response(500, JSON, error_body(500, "Internal server error"))
