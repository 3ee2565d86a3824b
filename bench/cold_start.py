"""One cold start in this fresh process, reported as JSON to the file named last on the command line.

    python -I cold_start.py floor RESULT
        the floor: import boto3 and create the DynamoDB client, nothing else
    python -I cold_start.py function CODE_DIR LAYER_DIR EVENT RESULT
        import the function's handler module as Lambda does (code first, then the layer), then
        answer one request

Times exclude the interpreter's own start, which Lambda spends before either anyway.
"""

from __future__ import annotations

import json
import resource
import sys
import time

# The layer ships no `cryptography` (nothing in shared/requirements.txt needs it) but the
# development environment has it through moto, and PyJWT imports it whenever it is installed.
# Hide it, as the Lambda runtime would not have it either.
sys.modules["cryptography"] = None  # type: ignore[assignment]


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


def floor() -> dict[str, float]:
    started = time.perf_counter()
    import boto3  # noqa: PLC0415 - the import is what is timed

    boto3.client("dynamodb")
    return {"import_ms": (time.perf_counter() - started) * 1000, "invoke_ms": 0.0, "peak_rss_mib": _peak_rss_mib()}


def function(code_dir: str, layer_dir: str, event_path: str) -> dict[str, float]:
    with open(event_path) as file:
        event = json.load(file)
    sys.path[:0] = [code_dir, layer_dir]
    started = time.perf_counter()
    import app  # type: ignore[import-not-found]  # noqa: PLC0415 - the import is what is timed

    imported = time.perf_counter()
    result = app.lambda_handler(event, _Context())
    answered = time.perf_counter()
    return {
        "import_ms": (imported - started) * 1000,
        "invoke_ms": (answered - imported) * 1000,
        "status": result["statusCode"],
        "peak_rss_mib": _peak_rss_mib(),
    }


if __name__ == "__main__":
    measured = floor() if sys.argv[1] == "floor" else function(*sys.argv[2:5])
    with open(sys.argv[-1], "w") as out:
        json.dump(measured, out)
