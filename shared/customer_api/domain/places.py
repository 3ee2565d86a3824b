"""Country and province codes as EverShop 2.x stores them: ISO 3166-1 alpha-2 countries ("US")
and ISO 3166-2 subdivisions ("US-CA"). The codes come from the iso-codes project (version 4.15,
iso_3166-1 and iso_3166-2), kept in iso3166.json; read on first use, only by address routes."""

from __future__ import annotations

import functools
import json
from pathlib import Path


@functools.cache
def _codes() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    data = json.loads((Path(__file__).with_name("iso3166.json")).read_text())
    subdivisions = {country: frozenset(codes.split()) for country, codes in data["subdivisions"].items()}
    return frozenset(data["countries"].split()), subdivisions


def is_country(code: str) -> bool:
    return code in _codes()[0]


def is_province_of(code: str, country: str) -> bool:
    """Whether `code` ("US-CA") names a subdivision of `country` ("US")."""
    prefix, _, subdivision = code.partition("-")
    return prefix == country and subdivision in _codes()[1].get(country, frozenset())
