"""Metabase's native-query template language, rendered for SQLAlchemy.

Cards are written once, in Metabase's syntax: ``{{tag}}`` is a variable and ``[[ ... ]]`` an
optional clause, dropped as a whole when any variable inside it has no value. Metabase splices
values in as literals; the report, the tests and the benchmark run the very same text through
:func:`render`, which keeps Metabase's semantics but binds values as typed parameters (never by
string formatting), so both paths execute the same statement shape.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa

TagType = Literal["number", "text"]

_TAG = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_OPTIONAL = re.compile(r"\[\[(.*?)\]\]", re.DOTALL)
_SQL_TYPES: Mapping[str, str] = {"number": "integer", "text": "text"}


class TemplateError(ValueError):
    """A card's SQL cannot be rendered with the values given (names the tag, never a value)."""


def tags_in(sql: str) -> list[str]:
    """Every variable the SQL names, in order of first appearance."""
    seen: dict[str, None] = {}
    for match in _TAG.finditer(sql):
        seen.setdefault(match.group(1), None)
    return list(seen)


def required_tags(sql: str) -> set[str]:
    """Variables used outside any optional clause: Metabase refuses to run without them."""
    return set(tags_in(_OPTIONAL.sub("", sql)))


@dataclass(frozen=True, slots=True)
class RenderedQuery:
    statement: sa.TextClause
    params: dict[str, object]


def render(sql: str, values: Mapping[str, object | None], types: Mapping[str, TagType]) -> RenderedQuery:
    """The SQL as Metabase would run it with ``values``, as a bound SQLAlchemy statement.

    A value of ``None`` means the filter is empty. Every tag must have a declared type.
    """
    for name in tags_in(sql):
        if name not in types:
            raise TemplateError(f"template tag {name!r} has no declared type")

    def has_value(name: str) -> bool:
        return values.get(name) is not None

    def keep_optional(match: re.Match[str]) -> str:
        body = match.group(1)
        names = tags_in(body)
        if not names:
            raise TemplateError("optional clause [[ ... ]] without a template tag")
        return body if all(has_value(n) for n in names) else ""

    text = _OPTIONAL.sub(keep_optional, sql)
    params: dict[str, object] = {}

    def bind(match: re.Match[str]) -> str:
        name = match.group(1)
        if not has_value(name):
            raise TemplateError(f"template tag {name!r} is required (used outside [[ ... ]]) and has no value")
        params[name] = _coerce(name, values[name], types[name])
        # An explicit cast: Metabase splices a typed literal, so the server never has to guess.
        return f"CAST(:{name} AS {_SQL_TYPES[types[name]]})"

    text = _TAG.sub(bind, text)
    return RenderedQuery(sa.text(text), params)


def _coerce(name: str, value: object, tag_type: TagType) -> object:
    if tag_type == "number":
        if isinstance(value, bool) or not isinstance(value, int):
            raise TemplateError(f"template tag {name!r} expects a whole number")
        return value
    if not isinstance(value, str):
        raise TemplateError(f"template tag {name!r} expects text")
    return value
