"""Every tunable of the service, read from the environment once per container into one frozen
object. No other module of the layer reads `os.environ`."""

from __future__ import annotations

import functools
import os

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    """Every tunable of the service, with its environment variable as alias."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    # Where things are kept.
    customers_table: str = Field(alias="CUSTOMERS_TABLE")
    sessions_table: str = Field(alias="SESSIONS_TABLE")
    # Secret names: every function verifies tokens, the admin command signs none (empty there).
    admin_token_secret: str = Field("", alias="ADMIN_TOKEN_SECRET")
    customer_token_secret: str = Field("", alias="CUSTOMER_TOKEN_SECRET")
    # Only the create function has it (Idempotency-Key records).
    idempotency_table: str | None = Field(None, alias="IDEMPOTENCY_TABLE")

    # Passwords. Cost 4 is bcrypt's minimum, allowed for tests; production defaults to 12.
    bcrypt_rounds: int = Field(12, alias="BCRYPT_ROUNDS", ge=4, le=31)

    # Lifetimes, in seconds.
    # A customer session, its login token and its refresh token; the access tokens of
    # POST /api/customer/tokens are short-lived and refreshed.
    customer_token_seconds: int = Field(48 * 3600, alias="CUSTOMER_TOKEN_SECONDS", gt=0)
    customer_access_token_seconds: int = Field(15 * 60, alias="CUSTOMER_ACCESS_TOKEN_SECONDS", gt=0)
    # Each refresh answers a new refresh token and a spent one ends the session (template
    # parameter RefreshTokenRotation); off, the same refresh token comes back, as EverShop does.
    refresh_token_rotation: bool = Field(False, alias="REFRESH_TOKEN_ROTATION")
    admin_access_token_seconds: int = Field(15 * 60, alias="ADMIN_ACCESS_TOKEN_SECONDS", gt=0)
    admin_refresh_token_seconds: int = Field(24 * 3600, alias="ADMIN_REFRESH_TOKEN_SECONDS", gt=0)
    admin_session_seconds: int = Field(24 * 3600, alias="ADMIN_SESSION_SECONDS", gt=0)
    secret_cache_seconds: int = Field(60, alias="SECRET_CACHE_SECONDS", ge=0)
    # A token naming a key the cached secret lacks makes a container read the secret anew, at
    # most once per secret in this many seconds (garbage key ids cost no Secrets Manager call).
    secret_refetch_seconds: int = Field(5, alias="SECRET_REFETCH_SECONDS", ge=0)

    # Live sessions per customer (and per admin): a login past the cap ends the oldest.
    max_sessions: int = Field(10, alias="MAX_SESSIONS", ge=1)
    # Session items a request deletes at most when it ends every session of an account (the rest
    # are dead already, and expire by TTL): the work of a request stays bounded.
    sweep_limit: int = Field(100, alias="SWEEP_LIMIT", ge=1, le=100)

    # Throttling of failed logins, per email.
    login_max_failures: int = Field(5, alias="LOGIN_MAX_FAILURES", gt=0)
    login_failure_window_seconds: int = Field(15 * 60, alias="LOGIN_FAILURE_WINDOW_SECONDS", gt=0)

    # Password recovery: a reset token's lifetime, and reset requests per email per window.
    reset_token_seconds: int = Field(3600, alias="RESET_TOKEN_SECONDS", gt=0)
    reset_max_requests: int = Field(3, alias="RESET_MAX_REQUESTS", gt=0)
    reset_window_seconds: int = Field(3600, alias="RESET_WINDOW_SECONDS", gt=0)
    # A reset request answers no sooner than this after it began, for every email alike: the
    # wait covers what equal calls cannot make equal (a found item weighs more than a miss).
    reset_answer_seconds: float = Field(0.25, alias="RESET_ANSWER_SECONDS", ge=0, le=5)
    # The KMS key that encrypts reset tokens (the reset-request function only) and the bus the
    # events go to (the publisher only).
    reset_token_key: str = Field("", alias="RESET_TOKEN_KEY")
    event_bus_name: str = Field("", alias="EVENT_BUS_NAME")

    # Requests.
    max_body_bytes: int = Field(8192, alias="MAX_BODY_BYTES", gt=0)
    # Origins (scheme://host[:port]) besides the API's own that may make cookie-authenticated
    # changes, comma-separated; the template's AllowedOrigins parameter, which also sets CORS.
    allowed_origins_setting: str = Field("", alias="ALLOWED_ORIGINS")

    # Retries. botocore's standard mode retries throttled calls itself (attempts in all, not
    # retries); a transaction cancelled only for being busy, a batch with unprocessed items and
    # a write that lost an optimistic race are retried by the store and the use cases.
    dynamodb_max_attempts: int = Field(5, alias="DYNAMODB_MAX_ATTEMPTS", ge=1)
    busy_attempts: int = Field(3, alias="BUSY_ATTEMPTS", ge=1)
    busy_backoff_seconds: float = Field(0.05, alias="BUSY_BACKOFF_SECONDS", ge=0)
    write_attempts: int = Field(5, alias="WRITE_ATTEMPTS", ge=1)

    # Lambda's tracing mode, from the template's Tracing parameter: "Active" records traces.
    tracing_mode: str = Field("PassThrough", alias="TRACING")
    # How Lambda initializes this container: "snap-start" when it initializes a function for a
    # SnapStart snapshot (the template's SnapStart parameter), "on-demand" otherwise.
    initialization_type: str = Field("on-demand", alias="AWS_LAMBDA_INITIALIZATION_TYPE")

    @property
    def allowed_origins(self) -> frozenset[str]:
        return frozenset(origin.strip() for origin in self.allowed_origins_setting.split(",") if origin.strip())

    @property
    def tracing(self) -> bool:
        return self.tracing_mode == "Active"

    @property
    def snap_start(self) -> bool:
        return self.initialization_type == "snap-start"


@functools.cache
def settings() -> Settings:
    """The settings of this container; a missing variable fails loudly on first use."""
    return Settings.model_validate(os.environ)
