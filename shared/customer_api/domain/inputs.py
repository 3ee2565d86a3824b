"""What the use cases take in: request bodies as pydantic models, with EverShop's rules and words.
The edge validates against these before a use case runs."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

MAX_EMAIL_CHARS = 255
MAX_FULL_NAME_CHARS = 255
MIN_PASSWORD_CHARS = 6
MAX_PASSWORD_BYTES = 72  # bcrypt ignores everything after the 72nd byte

# The WHATWG (HTML) definition of a valid email address, plus a dot in the domain: ASCII only.
# email-validator would reject .test/.local domains and cost ~270 ms of cold start.
_EMAIL_PATTERN = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)

# Every request body: unknown fields ignored. A function validates one or two of these models,
# so each is built on its first use (defer_build), not at import: the others never are.
BODY = ConfigDict(extra="ignore", defer_build=True)

INVALID_EMAIL = "Email must be a valid email address (e.g., user@example.com)"
INVALID_STATUS = "Status must be either 0, 1, '0', or '1'"
EMPTY_FULL_NAME = "Full name is required and cannot be empty"


def is_valid_email(value: str) -> bool:
    email = value.strip()
    return len(email) <= MAX_EMAIL_CHARS and _EMAIL_PATTERN.fullmatch(email) is not None


def _valid_email(value: str) -> str:
    if not is_valid_email(value):
        raise PydanticCustomError("email", INVALID_EMAIL)
    return value.strip()


def _valid_password(value: str) -> str:
    if len(value) < MIN_PASSWORD_CHARS:
        raise PydanticCustomError("password_too_short", "Password must be at least 6 characters")
    if len(value.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise PydanticCustomError("password_too_long", "Password must be at most 72 bytes in UTF-8")
    if "\x00" in value:
        raise PydanticCustomError("password_nul", "Password must not contain NUL characters")
    return value


def _valid_full_name(value: str) -> str:
    name = value.strip()
    if not name:
        raise PydanticCustomError("full_name_empty", EMPTY_FULL_NAME)
    if len(name) > MAX_FULL_NAME_CHARS:
        raise PydanticCustomError("full_name_too_long", "Full name must be at most 255 characters")
    # Cs: a lone surrogate (from a JSON escape) cannot even be stored as UTF-8.
    if any(unicodedata.category(char) in {"Cc", "Cs"} for char in name):
        raise PydanticCustomError("full_name_control", "Full name must not contain control characters")
    return name


def _valid_status(value: Any) -> int:
    # bool is an int and 1.0 == 1 in Python, but `true` and `1.0` are not EverShop's values.
    if value in (0, 1, "0", "1") and type(value) in {int, str}:
        return int(value)
    raise PydanticCustomError("status", INVALID_STATUS)


Email = Annotated[str, AfterValidator(_valid_email)]
Password = Annotated[str, AfterValidator(_valid_password)]
FullName = Annotated[str, AfterValidator(_valid_full_name)]
# The documented input is what EverShop accepts; the value is always the int.
Status = Annotated[int, BeforeValidator(_valid_status, json_schema_input_type=Literal[0, 1, "0", "1"])]


def _valid_group_id(value: Any) -> int:
    # An integer or its digits, as EverShop's admin forms send it; not a bool, not 1.0.
    if type(value) is str and value.isdigit() and len(value) <= MAX_ID_DIGITS:
        value = int(value)
    if type(value) is int and 1 <= value < 2**31:
        return value
    raise PydanticCustomError("group_id", INVALID_GROUP)


MAX_ID_DIGITS = 10
INVALID_GROUP = "Invalid customer group"
GroupId = Annotated[int, BeforeValidator(_valid_group_id, json_schema_input_type=int)]


class CustomerCreate(BaseModel):
    """Body of POST /api/customers. Unknown fields are ignored, as EverShop does."""

    model_config = BODY

    email: Email
    password: Password = Field(repr=False)  # repr: Powertools logs the body at DEBUG
    full_name: FullName
    status: Status = 1
    group_id: GroupId = 1


def not_null(value: Any, info: ValidationInfo) -> Any:
    # Absent means "unchanged"; an explicit null is a wrong type, as on create.
    if value is None:
        label = str(info.field_name).replace("_", " ").capitalize()
        message = INVALID_STATUS if info.field_name == "status" else f"{label} must not be null"
        raise PydanticCustomError(f"{info.field_name}_null", message)
    return value


class CustomerUpdate(BaseModel):
    """Body of PATCH /api/customers/{id}: any of the create fields."""

    model_config = BODY

    email: Email | None = None
    password: Password | None = Field(None, repr=False)
    full_name: FullName | None = None
    status: Status | None = None
    group_id: GroupId | None = None

    _given_fieldsnot_null = field_validator("email", "password", "full_name", "status", "group_id", mode="before")(
        not_null
    )


# Fields of a customer that the customer cannot change through PATCH /api/customers/me.
_NOT_SELF_SERVICE = {
    "password": "Password cannot be changed here: use POST /api/customers/me/password",
    "status": "Status cannot be changed by the customer",
    "group_id": "Group id cannot be changed by the customer",
}


class OwnAccountUpdate(BaseModel):
    """Body of PATCH /api/customers/me: name and email; a new email needs the current password."""

    model_config = BODY

    email: Email | None = None
    full_name: FullName | None = None
    current_password: str | None = Field(None, repr=False)

    _given_fieldsnot_null = field_validator("email", "full_name", mode="before")(not_null)

    @model_validator(mode="before")
    @classmethod
    def _only_own_fields(cls, body: Any) -> Any:
        if isinstance(body, dict):
            for field, message in _NOT_SELF_SERVICE.items():
                if field in body:
                    raise PydanticCustomError(f"{field}_not_self_service", message)
        return body


class OwnPasswordChange(BaseModel):
    """Body of POST /api/customers/me/password."""

    model_config = BODY

    current_password: str = Field(repr=False)
    new_password: Password = Field(repr=False)


class RefreshRequest(BaseModel):
    """Body of POST /api/customer/token/refresh, in EverShop's name."""

    model_config = BODY

    refreshToken: str = Field(repr=False)


class Credentials(BaseModel):
    """Body of every login: checked only for shape, so that nothing tells why a login failed."""

    model_config = BODY

    email: str
    password: str = Field(repr=False)


class PasswordResetRequest(BaseModel):
    """Body of POST /api/customers/reset-password."""

    model_config = BODY

    email: Email


class PasswordResetWithToken(BaseModel):
    """Body of POST /api/customers/password: the reset token (checked only for shape here, so
    that every wrong token gets the same answer) and the new password."""

    model_config = BODY

    token: str = Field(repr=False, max_length=512)
    password: Password = Field(repr=False)
