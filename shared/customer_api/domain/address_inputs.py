"""Bodies of the address and customer group routes, with EverShop 2.x's fields (customer_address
and customer_group columns) and a 400 with a clear sentence for each bad value."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, field_validator, model_validator
from pydantic_core import PydanticCustomError

from customer_api.domain import places
from customer_api.domain.inputs import BODY, FullName, not_null

MAX_TEXT_CHARS = 255
_TELEPHONE = re.compile(r"\+?[0-9 ().\-]{5,30}")
_MIN_TELEPHONE_DIGITS = 5
_POSTCODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 \-]{0,19}")


def _bad(field: str, message: str) -> PydanticCustomError:
    # The type starts with "address": the resolver answers our sentence as it is.
    return PydanticCustomError(f"address_{field}", message)


def _line(field: str, label: str, *, required: bool = True) -> AfterValidator:
    def check(value: str | None) -> str | None:
        if value is None:  # an optional line left out or cleared
            return None
        text = value.strip()
        if required and not text:
            raise _bad(field, f"{label} is required and cannot be empty")
        if len(text) > MAX_TEXT_CHARS:
            raise _bad(field, f"{label} must be at most {MAX_TEXT_CHARS} characters")
        if any(unicodedata.category(char) in {"Cc", "Cs"} for char in text):
            raise _bad(field, f"{label} must not contain control characters")
        return text

    return AfterValidator(check)


def _telephone(value: str) -> str:
    phone = value.strip()
    if not _TELEPHONE.fullmatch(phone) or sum(char.isdigit() for char in phone) < _MIN_TELEPHONE_DIGITS:
        raise _bad("telephone", "Telephone must be a phone number: digits, spaces and + ( ) . -")
    return phone


def _country(value: str) -> str:
    code = value.strip().upper()
    if not places.is_country(code):
        raise _bad("country", "Country must be an ISO 3166-1 code of two letters (e.g. US)")
    return code


def _postcode(value: str) -> str:
    code = value.strip()
    if not _POSTCODE.fullmatch(code):
        raise _bad("postcode", "Postcode must be 1 to 20 letters, digits, spaces or hyphens")
    return code


def _flag(value: Any) -> bool:
    # JSON true/false, or EverShop's 1/0.
    if type(value) is bool:
        return value
    if type(value) is int and value in (0, 1):
        return bool(value)
    raise _bad("is_default", "is_default must be true or false")


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


Telephone = Annotated[str, AfterValidator(_telephone)]
Country = Annotated[str, AfterValidator(_country)]
Postcode = Annotated[str, AfterValidator(_postcode)]
Flag = Annotated[bool, BeforeValidator(_flag, json_schema_input_type=bool)]
Line1 = Annotated[str, _line("address_1", "Address 1")]
Line2 = Annotated[str | None, BeforeValidator(_blank_is_none), _line("address_2", "Address 2", required=False)]
City = Annotated[str, _line("city", "City")]
Province = Annotated[str | None, BeforeValidator(_blank_is_none)]


def province_of(province: str | None, country: str) -> str | None:
    """The province, upper-cased, if it is a subdivision of the country (ISO 3166-2);
    ValueError (with a sentence for a person) otherwise."""
    if province is None:
        return None
    code = province.strip().upper()
    if not places.is_province_of(code, country):
        raise ValueError(f"Province must be an ISO 3166-2 code of {country} (e.g. US-CA)")
    return code


class AddressCreate(BaseModel):
    """Body of POST .../addresses. Unknown fields are ignored (never stored: EverShop stored them)."""

    model_config = BODY

    full_name: FullName
    telephone: Telephone
    address_1: Line1
    address_2: Line2 = None
    city: City
    province: Province = None
    country: Country
    postcode: Postcode
    is_default: Flag = False

    @model_validator(mode="after")
    def _province_in_country(self) -> AddressCreate:
        try:
            self.province = province_of(self.province, self.country)
        except ValueError as error:
            raise _bad("province", str(error)) from error
        return self


class AddressUpdate(BaseModel):
    """Body of PATCH .../addresses/{address_id}: any of the fields; `address_2` and `province`
    may be null to clear them. The province is checked against the resulting country."""

    model_config = BODY

    full_name: FullName | None = None
    telephone: Telephone | None = None
    address_1: Line1 | None = None
    address_2: Line2 = None
    city: City | None = None
    province: Province = None
    country: Country | None = None
    postcode: Postcode | None = None
    is_default: Flag | None = None

    _required_fieldsnot_null = field_validator(
        "full_name", "telephone", "address_1", "city", "country", "postcode", "is_default", mode="before"
    )(not_null)


def _group_name(value: str) -> str:
    name = value.strip()
    if not name:
        raise PydanticCustomError("group_name", "Group name is required and cannot be empty")
    if len(name) > MAX_TEXT_CHARS or any(unicodedata.category(char) in {"Cc", "Cs"} for char in name):
        raise PydanticCustomError("group_name", "Group name must be at most 255 characters, without control characters")
    return name


class GroupChange(BaseModel):
    """Body of POST /api/customer-groups and PATCH /api/customer-groups/{group_id}."""

    model_config = BODY

    group_name: Annotated[str, AfterValidator(_group_name)]
