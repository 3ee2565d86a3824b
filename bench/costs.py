"""Memory sizes and cost per million requests: an estimate from the warm measurements, the
template's memory sizes and list prices."""

from __future__ import annotations

from bench.endpoints import ENDPOINTS, RESET_REQUEST
from bench.stats import median
from bench.warm import Warm
from local import template

# Prices assumed (AWS, us-east-1, as published in 2025; check them before relying on the totals).
LAMBDA_GB_SECOND = 0.0000133334  # arm64, first 7.5 billion GB-s a month
LAMBDA_REQUEST = 0.20 / 1e6
HTTP_API_REQUEST = 1.00 / 1e6  # first 300 million a month
DYNAMODB_WRITE_UNIT = 0.625 / 1e6  # on-demand, since November 2024
DYNAMODB_READ_UNIT = 0.125 / 1e6
FULL_VCPU_MB = 1769  # Lambda gives one full vCPU at 1,769 MB, proportionally less below
DYNAMODB_LATENCY_MS = 6.0  # assumed per call from Lambda in the same region, KMS's alike
KMS_REQUEST = 0.03 / 10_000  # a symmetric key's Encrypt

# Request units per request (items < 1 KB): a strongly consistent read 1 RRU per item, a write
# 1 WRU per item, transactional reads and writes twice that, a query of keys 1 RRU.
ADDRESS_CHANGE = (2 + 1, 2 * 2)
UNITS = {  # endpoint label -> (read units, write units)
    "POST /api/customers": (2, 1 + 2 * 2),
    "PATCH /api/customers/{id} (name)": (2 + 1, 1),
    "PATCH /api/customers/{id} (password)": (2 + 1 + 1, 1),
    "DELETE /api/customers/{id}": (2 + 1 + 1, 2 * 2),
    "POST /api/customers/sessions": (2 + 1 + 2, 2),
    "DELETE /api/customers/sessions/{sid}": (2, 2),
    "POST /api/user/tokens": (2 + 2, 2),
    "POST /api/user/sessions": (2 + 2, 2),
    "DELETE /api/user/sessions/{sid}": (2, 2),
    "GET /api/customers/{id}": (2 + 1, 0),
    # A listing query is eventually consistent: half a unit per 4 KB read. A listed customer is
    # ~300 bytes (21 of them: 1 RRU per shard, 101: 4), an email claim ~150 (21: half a unit).
    "GET /api/customers (a page of 20)": (2 + 8 * 1, 0),
    "GET /api/customers?limit=100&status=0 (worst page)": (2 + 8 * 4, 0),
    "GET /api/customers?email_prefix= (a page of 20)": (2 + 4 + 20, 0),
    "GET /api/customers/me": (2, 0),
    "PATCH /api/customers/me (name)": (2 + 1, 1),
    # Two counting updates (the refused one costs a unit too), the put, two sessions swept and
    # the new session's transaction (session, customer, attempt count).
    "POST /api/customers/me/password": (2 + 1 + 1, 2 + 1 + 2 * 2 + 2 * 3),
    "GET /api/customers/me/sessions": (2 + 1 + 3, 0),
    "POST /api/customer/tokens": (2 + 1 + 2, 2),  # as POST /api/customers/sessions
    "POST /api/customer/token/refresh": (2, 0),
    "GET /api/customer-groups": (2 + 1, 0),
    "POST /api/customer-groups": (2, 1 + 1),  # the id counter, the group
    "PATCH /api/customer-groups/{group_id}": (2, 1),
    "DELETE /api/customer-groups/{group_id}": (2, 1),
    "GET /api/customers/{id}/addresses": (2 + 1, 0),
    "GET /api/customers/me/addresses": (2 + 1, 0),
    # The book read, then one transaction: the customer's condition check and the book (under
    # 1 KB with four addresses), two units each.
    "POST /api/customers/{id}/addresses": ADDRESS_CHANGE,
    "PATCH /api/customers/{id}/addresses/{address_id}": ADDRESS_CHANGE,
    "DELETE /api/customers/{id}/addresses/{address_id}": ADDRESS_CHANGE,
    "POST /api/customers/me/addresses": ADDRESS_CHANGE,
    "PATCH /api/customers/me/addresses/{address_id}": ADDRESS_CHANGE,
    "DELETE /api/customers/me/addresses/{address_id}": ADDRESS_CHANGE,
    # The claim and the customer read for a few attributes (still a unit each); the count and the
    # reset written (the customer with a reset on it stays under 1 KB).
    RESET_REQUEST: (1 + 1, 1 + 1),
    "POST /api/customers/password": (1 + 1, 1),  # the customer read, the by_owner query; the put
}
# Calls besides DynamoDB's: how many a request makes, and the price of each.
OTHER_CALLS = {RESET_REQUEST: (1, KMS_REQUEST)}


def _answer_wait_ms(function_name: str) -> float:
    """The moment a function answers at the soonest, whatever its work took (billed as duration)."""
    function = next(function for function in template.functions() if function.name == function_name)
    return float(function.environment.get("RESET_ANSWER_SECONDS", "0")) * 1000


def memory_of(function_name: str) -> int:
    resource = template.template()["Resources"][function_name]["Properties"]
    size = resource.get("MemorySize", template.template()["Globals"]["Function"]["MemorySize"])
    return int(size)


def _lambda_cost(memory: int, cpu_ms: float, calls: int, wait_ms: float) -> tuple[float, float]:
    """Estimated duration (ms) and Lambda cost ($) of one request at this memory size."""
    duration = max(wait_ms, cpu_ms * max(1.0, FULL_VCPU_MB / memory) + calls * DYNAMODB_LATENCY_MS)
    return duration, duration / 1000 * memory / 1024 * LAMBDA_GB_SECOND + LAMBDA_REQUEST


def table(warm: dict[str, Warm], bcrypt_ms: float) -> list[str]:
    """Per million requests at the chosen memory and, for comparison, at 512 MB."""
    lines = [
        "| Endpoint | Function | Memory MB | Est. duration ms | Lambda $ | HTTP API $ | DynamoDB $ | KMS $ "
        "| Total $ | At 512 MB: duration ms, total $ |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for endpoint in ENDPOINTS:
        result = warm[endpoint.label]
        function = result.function
        # CPU here: bcrypt, plus what the handler adds over its floor; I/O: the calls, at DynamoDB's speed.
        overhead_ms = max(0.0, median(result.handler_ms) - median(result.floor_ms))
        cpu_ms = (bcrypt_ms if endpoint.bcrypt else 0.0) + overhead_ms
        reads, writes = UNITS[endpoint.label]
        dynamodb = reads * DYNAMODB_READ_UNIT + writes * DYNAMODB_WRITE_UNIT

        other_calls, price = OTHER_CALLS.get(endpoint.label, (0, 0.0))
        calls, kms = len(result.calls) + other_calls, other_calls * price

        memory, wait_ms = memory_of(function), _answer_wait_ms(function)
        duration, lambda_cost = _lambda_cost(memory, cpu_ms, calls, wait_ms)
        small_duration, small_lambda_cost = _lambda_cost(512, cpu_ms, calls, wait_ms)
        all_in, small_total = (cost + HTTP_API_REQUEST + dynamodb + kms for cost in (lambda_cost, small_lambda_cost))
        lines.append(
            f"| {endpoint.label} | {function} | {memory} | {duration:.0f} | {lambda_cost * 1e6:.2f} "
            f"| {HTTP_API_REQUEST * 1e6:.2f} | {dynamodb * 1e6:.2f} | {kms * 1e6:.2f} | {all_in * 1e6:.2f} "
            f"| {small_duration:.0f} ms, {small_total * 1e6:.2f} |"
        )
    return lines
