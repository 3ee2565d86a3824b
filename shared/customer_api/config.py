"""Environment variables, parsed once per container into one frozen settings object."""

from __future__ import annotations

import functools
import os

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    """Every tunable of the service, with its environment variable as alias."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    customers_table: str = Field(alias="CUSTOMERS_TABLE")
    sessions_table: str = Field(alias="SESSIONS_TABLE")
    admin_token_secret: str = Field(alias="ADMIN_TOKEN_SECRET")
    customer_token_secret: str = Field(alias="CUSTOMER_TOKEN_SECRET")
    # Only the create function has it (Idempotency-Key records).
    idempotency_table: str | None = Field(None, alias="IDEMPOTENCY_TABLE")

    # Cost 4 is bcrypt's minimum, allowed for tests; production defaults to 12.
    bcrypt_rounds: int = Field(12, alias="BCRYPT_ROUNDS", ge=4, le=31)
    customer_token_seconds: int = Field(48 * 3600, alias="CUSTOMER_TOKEN_SECONDS", gt=0)
    admin_access_token_seconds: int = Field(15 * 60, alias="ADMIN_ACCESS_TOKEN_SECONDS", gt=0)
    admin_refresh_token_seconds: int = Field(24 * 3600, alias="ADMIN_REFRESH_TOKEN_SECONDS", gt=0)
    admin_session_seconds: int = Field(24 * 3600, alias="ADMIN_SESSION_SECONDS", gt=0)
    login_max_failures: int = Field(5, alias="LOGIN_MAX_FAILURES", gt=0)
    login_failure_window_seconds: int = Field(15 * 60, alias="LOGIN_FAILURE_WINDOW_SECONDS", gt=0)
    max_body_bytes: int = Field(8192, alias="MAX_BODY_BYTES", gt=0)
    secret_cache_seconds: int = Field(300, alias="SECRET_CACHE_SECONDS", ge=0)


@functools.cache
def settings() -> Settings:
    """The settings of this container; a missing variable fails loudly on first use."""
    return Settings.model_validate(os.environ)
