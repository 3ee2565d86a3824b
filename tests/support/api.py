"""The API as API Gateway calls it: the real Lambda handlers, routed by template.yaml, invoked
in-process with HTTP API (payload 2.0) events."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from local import runtime


@dataclasses.dataclass
class Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    cookies: list[str]

    @property
    def data(self) -> dict[str, Any]:
        return self.body["data"]  # type: ignore[no-any-return]

    @property
    def error(self) -> dict[str, Any]:
        return self.body["error"]  # type: ignore[no-any-return]


class Api:
    """Calls the real Lambda handlers the way API Gateway would, routed by template.yaml."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        cookies: list[str] | None = None,
        raw_body: bytes | str | None = None,
    ) -> Reply:
        path, _, query = path.partition("?")
        found = runtime.match(method, path)
        assert found is not None, f"no route for {method} {path}"
        all_headers = {"content-type": "application/json", **(headers or {})}
        if token is not None:
            all_headers["authorization"] = f"Bearer {token}"
        payload = raw_body if raw_body is not None else (json.dumps(body) if body is not None else None)
        event = runtime.http_api_event(
            method,
            path,
            route=found.route,
            path_parameters=found.path_parameters,
            headers=all_headers,
            cookies=cookies,
            query=query,
            body=payload,
        )
        self.events.append(event)
        result = runtime.invoke(found, event)
        headers_out = {name.lower(): value for name, value in (result.get("headers") or {}).items()}
        return Reply(result["statusCode"], json.loads(result["body"]), headers_out, result.get("cookies") or [])

    def get(self, path: str, **kwargs: Any) -> Reply:
        """GET `path`, which may end in a query string."""
        return self.call("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return self.call("POST", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return self.call("PATCH", path, body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Reply:
        return self.call("DELETE", path, **kwargs)
