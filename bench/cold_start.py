"""One cold start in this fresh process, reported as JSON to the file named last on the command line.

    python -I cold_start.py floor SECRET... RESULT
        the floor: import boto3 and create the DynamoDB client (the import floor), then the work of a
        first request done bare: each named secret fetched with a new Secrets Manager client, then
        the AWS calls the bench sends on stdin (one JSON line each, after this process prints
        "ready"), made with that DynamoDB client (another service's: with a client made at its
        first call) and answered on stdout, until stdin closes
    python -I cold_start.py function CODE_DIR LAYER_DIR EVENT RESULT
        import the function's handler module as Lambda does (code first, then the layer), then
        answer one request

Times exclude the interpreter's own start, which Lambda spends before either anyway, and bcrypt:
the function's `bcrypt.hashpw`/`checkpw` calls are timed apart and taken out of its request (the
floor's bcrypt runs in the bench process, outside this one). Both processes record the AWS calls
they make after the import (the `X-Amz-Target` of each HTTP request, through an audit hook), so
that the bench can check they made the same ones.
"""

from __future__ import annotations

import json
import resource
import sys
import time

# Nothing more is imported before the timed import: whatever this module imported first, the
# function's import would find already loaded.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

_TARGET = b"\r\nX-Amz-Target: "  # as botocore spells it
_BYTES = "__bytes__"  # the tag of bytes in a call or answer sent as JSON


class _Context:
    """The attributes of Lambda's context object the handlers read."""

    function_name = "bench"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    memory_limit_in_mb = 512
    aws_request_id = "00000000-0000-4000-8000-000000000000"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 10_000


def _peak_rss_mib() -> float:
    # Not getrusage's ru_maxrss: Linux carries the parent's peak into a child across fork and exec.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # elsewhere: the best there is


def _record_aws_calls() -> list[str]:
    """The targets of the AWS calls this process makes from now on (DynamoDB_20120810.GetItem, ...)."""
    calls: list[str] = []

    def heard(event: str, arguments: tuple[Any, ...]) -> None:
        if event == "http.client.send" and isinstance(arguments[1], bytes):
            head: bytes = arguments[1]
            start = head.find(_TARGET)
            if start >= 0:
                start += len(_TARGET)
                calls.append(head[start : head.index(b"\r\n", start)].decode())

    sys.addaudithook(heard)
    return calls


def floor(secrets: list[str]) -> dict[str, Any]:
    started = time.perf_counter()
    import boto3  # noqa: PLC0415 - the import is what is timed

    dynamodb = boto3.client("dynamodb")
    imported = time.perf_counter()
    calls = _record_aws_calls()
    secretsmanager = boto3.client("secretsmanager")
    for name in secrets:
        json.loads(secretsmanager.get_secret_value(SecretId=name)["SecretString"])
    request_ms = (time.perf_counter() - imported) * 1000
    print("ready", flush=True)
    request_ms += _answer_calls(dynamodb)
    return {
        "import_ms": (imported - started) * 1000,
        "request_ms": request_ms,
        "calls": calls,
        "peak_rss_mib": _peak_rss_mib(),
    }


def to_json(value: Any) -> str:
    """A call or its answer as one JSON line; bytes (KMS's plaintexts and ciphertexts) tagged."""
    import base64  # noqa: PLC0415 - after the timed import (boto3 has it loaded by then)

    def tagged(one: Any) -> Any:
        return {_BYTES: base64.b64encode(one).decode()} if isinstance(one, bytes) else str(one)

    return json.dumps(value, default=tagged)


def from_json(line: str) -> Any:
    import base64  # noqa: PLC0415 - after the timed import

    return json.loads(line, object_hook=lambda one: base64.b64decode(one[_BYTES]) if _BYTES in one else one)


def _answer_calls(dynamodb: Any) -> float:
    """Make each call read from stdin with the DynamoDB client or a new one of its service (made
    at its first call, as the function makes its KMS client), answer it on stdout: the time spent."""
    import boto3  # noqa: PLC0415 - imported already
    from botocore.exceptions import ClientError  # noqa: PLC0415 - imported by boto3 already

    clients = {"dynamodb": dynamodb}
    spent = 0.0
    while line := sys.stdin.readline():
        call = from_json(line)
        started = time.perf_counter()
        try:
            if call["service"] not in clients:
                clients[call["service"]] = boto3.client(call["service"])
            answer = {"response": getattr(clients[call["service"]], call["operation"])(**call["parameters"])}
        except ClientError as error:
            answer = {"error": error.response, "operation": error.operation_name}
        spent += time.perf_counter() - started
        print(to_json(answer), flush=True)
    return spent * 1000


def _time_apart(module: Any, names: tuple[str, ...]) -> list[float]:
    """Wrap the module's functions so that their time adds up in the list's one item (seconds)."""
    spent = [0.0]

    def timed(original: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args)
            finally:
                spent[0] += time.perf_counter() - started

        return run

    for name in names:
        setattr(module, name, timed(getattr(module, name)))
    return spent


def function(code_dir: str, layer_dir: str, event_path: str) -> dict[str, Any]:
    with open(event_path) as file:
        event = json.load(file)
    sys.path[:0] = [code_dir, layer_dir]
    started = time.perf_counter()
    import app  # type: ignore[import-not-found]  # noqa: PLC0415 - the import is what is timed

    imported = time.perf_counter()
    calls = _record_aws_calls()
    bcrypt = sys.modules.get("bcrypt")
    bcrypt_s = _time_apart(bcrypt, ("hashpw", "checkpw")) if bcrypt else [0.0]
    result = app.lambda_handler(event, _Context())
    answered = time.perf_counter()
    if bcrypt is None and "bcrypt" in sys.modules:
        raise SystemExit("bcrypt was imported during the request: its time could not be left out")
    return {
        "import_ms": (imported - started) * 1000,
        "request_ms": (answered - imported - bcrypt_s[0]) * 1000,
        "bcrypt_ms": bcrypt_s[0] * 1000,
        "calls": calls,
        "status": result["statusCode"],
        "peak_rss_mib": _peak_rss_mib(),
    }


if __name__ == "__main__":
    # The layer ships no `cryptography` (nothing in shared/requirements.txt needs it) but the
    # development environment has it through moto, and PyJWT imports it whenever it is installed.
    # Hide it, as the Lambda runtime would not have it either.
    sys.modules["cryptography"] = None  # type: ignore[assignment]
    measured = floor(sys.argv[2:-1]) if sys.argv[1] == "floor" else function(*sys.argv[2:5])
    with open(sys.argv[-1], "w") as out:
        json.dump(measured, out)
