"""Checking the fields sent with an action against the action's declared fields.

Requests arrive as JSON (strings, numbers, lists) or as form data (all strings), so each
type accepts both spellings and returns one clean Python value. Fields the action does
not declare are ignored (and so never stored); messages name the field's label, because
a caseworker reads them.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

from .errors import ActionRefused
from .model import Action, Field, Option

__all__ = ["validate_fields", "parse_date", "TEXT_MAX"]

TEXT_MAX = 10_000
MONEY_MAX = Decimal("1000000000")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def _refuse(field: Field, message: str) -> ActionRefused:
    return ActionRefused("invalid_field", message, field=field.name)


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str) and not value.strip():
        return True
    if isinstance(value, (list, tuple)) and not [v for v in value if not _is_missing(v)]:
        return True
    return False


def parse_date(value: Any) -> date | None:
    """A date from a date object or a YYYY-MM-DD string; None if it is neither."""
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _text(field: Field, value: Any) -> str:
    if not isinstance(value, str):
        raise _refuse(field, f"{field.label} must be text")
    value = value.strip()
    limit = int(field.max) if field.max is not None else TEXT_MAX
    if len(value) > limit:
        raise _refuse(field, f"{field.label} must be {limit:,} characters or fewer")
    if field.min is not None and len(value) < field.min:
        raise _refuse(field, f"{field.label} must be at least {int(field.min)} characters")
    return value


def _date(field: Field, value: Any) -> date:
    parsed = parse_date(value)
    if parsed is None:
        raise _refuse(field, f"{field.label} must be a date written YYYY-MM-DD, e.g. 2026-03-02")
    return parsed


def _integer(field: Field, value: Any) -> int:
    if isinstance(value, bool):
        raise _refuse(field, f"{field.label} must be a whole number")
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,9}\s*", value):
        value = int(value)
    if not isinstance(value, int) or abs(value) >= 10**9:
        raise _refuse(field, f"{field.label} must be a whole number")
    _limits(field, value)
    return value


def _money(field: Field, value: Any) -> Decimal:
    if isinstance(value, bool):
        raise _refuse(field, f"{field.label} must be an amount in pounds, e.g. 150.00")
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip().lstrip("£"))
    except (InvalidOperation, ValueError):
        raise _refuse(field, f"{field.label} must be an amount in pounds, e.g. 150.00") from None
    if not amount.is_finite():
        raise _refuse(field, f"{field.label} must be an amount in pounds, e.g. 150.00")
    if amount < 0:
        raise _refuse(field, f"{field.label} cannot be negative")
    if amount != amount.quantize(Decimal("0.01")):
        raise _refuse(field, f"{field.label} must be in pounds and pence (at most two decimal places)")
    if amount >= MONEY_MAX:
        raise _refuse(field, f"{field.label} is too large")
    _limits(field, amount)
    return amount.quantize(Decimal("0.01"))


def _limits(field: Field, value) -> None:
    cite = f" ({field.cite})" if field.cite else ""
    if field.min is not None and value < Decimal(str(field.min)):
        raise _refuse(field, f"{field.label} must be at least {field.min:g}{cite}")
    if field.max is not None and value > Decimal(str(field.max)):
        raise _refuse(field, f"{field.label} must be at most {field.max:g}{cite}")


def _boolean(field: Field, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise _refuse(field, f"{field.label} must be true or false")


def _normal(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _match_options(field: Field, text: str) -> list[Option]:
    """Exact value; else value or label ignoring case and punctuation; else the options
    whose aliases appear as words in the text (so "they ignored relevant information"
    finds relevant_information_not_considered when that option lists the alias)."""
    for option in field.options:
        if option.value == text:
            return [option]
    wanted = _normal(text)
    for option in field.options:
        if wanted in (_normal(option.value), _normal(option.label)):
            return [option]
    padded = f" {wanted} "
    return [
        option
        for option in field.options
        if any(f" {_normal(alias)} " in padded for alias in option.aliases if _normal(alias))
    ]


def _choice(field: Field, value: Any):
    items = value if isinstance(value, (list, tuple)) else [value]
    if len(items) > 1 and not field.multiple:
        raise _refuse(field, f"{field.label}: choose one")
    chosen: list[str] = []
    for item in items:
        if _is_missing(item):
            continue
        if not isinstance(item, str) or len(item) > TEXT_MAX:
            raise _refuse(field, f"{field.label}: choose from {_choices(field)}")
        found = _match_options(field, item.strip())
        if not found or (len(found) > 1 and not field.multiple):
            raise _refuse(field, f"{field.label}: {item.strip()[:80]!r} is not one of the choices: {_choices(field)}")
        chosen += [o.value for o in found if o.value not in chosen]
    if field.multiple:
        return chosen
    return chosen[0]


def _choices(field: Field) -> str:
    return ", ".join(f"{o.value} ({o.label})" for o in field.options)


_CONVERTERS = {
    "text": _text,
    "date": _date,
    "integer": _integer,
    "money": _money,
    "boolean": _boolean,
    "choice": _choice,
}


def _required_message(action: Action, field: Field) -> str:
    verb = action.title[:1].lower() + action.title[1:]
    cite = f" ({field.cite})" if field.cite else ""
    return f"{field.label} is required to {verb}{cite}"


def validate_fields(action: Action, raw: Mapping[str, Any] | None) -> dict[str, Any]:
    """The action's declared fields, converted; missing optional ones are left out."""
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ActionRefused("invalid_field", "The fields must be a JSON object")
    values: dict[str, Any] = {}
    for field in action.fields:
        value = raw.get(field.name)
        if _is_missing(value):
            if field.required:
                raise _refuse(field, _required_message(action, field))
            continue
        values[field.name] = _CONVERTERS[field.type](field, value)
    return values
