"""Report tables: what a page shows, a chart draws and an export writes — one shape for all three.

Values are plain numbers (counts, percentages to one decimal place, money as Decimal) or
words; "<5" stands for a suppressed small number. Formatting is the template's business.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

SUPPRESSED = "<5"
SUPPRESS_BELOW = 5


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    # label | count | percent | number (one decimal place) | money | text | date
    kind: str = "count"


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    total: dict | None = None
    notes: list[str] = field(default_factory=list)
    suppressed: bool = False

    @property
    def numeric_columns(self) -> list[Column]:
        return [c for c in self.columns if c.kind in ("count", "percent", "number", "money")]

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    def all_rows(self) -> list[dict]:
        return self.rows + ([self.total] if self.total else [])

    def values(self, key: str) -> list:
        return [row.get(key) for row in self.rows]


def percent(part, whole) -> float | None:
    """part / whole as a percentage to one decimal place (None when there is nothing to divide)."""
    if not whole:
        return None
    return round(100.0 * (part or 0) / whole, 1)


def one_dp(value) -> float | None:
    if value is None:
        return None
    return round(float(value), 1)


def money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def suppress_small_numbers(rows: list[dict], keys: list[str], *, group_key: str | None = None) -> bool:
    """Replace counts of 1–4 with "<5" so that no one can be picked out (004 §5.4; 000 §1.4).

    Primary suppression hides every count from 1 to 4 (nought is shown: it identifies no one).
    Secondary suppression: where a group (rows sharing `group_key`, e.g. one protected
    characteristic) has exactly one hidden cell in a column, its total would give that cell
    away, so the next smallest count in the group is hidden too. Returns True if anything was
    hidden. Works on the aggregated rows in place.
    """
    hidden_any = False
    groups: dict = {}
    for row in rows:
        groups.setdefault(row.get(group_key) if group_key else None, []).append(row)
    for members in groups.values():
        for key in keys:
            small = [r for r in members if isinstance(r.get(key), int) and 0 < r[key] < SUPPRESS_BELOW]
            for r in small:
                r[key] = SUPPRESSED
            hidden_any = hidden_any or bool(small)
            if len(small) == 1:
                others = sorted(
                    (r for r in members if isinstance(r.get(key), int) and r[key] > 0),
                    key=lambda r: r[key],
                )
                if others:
                    others[0][key] = SUPPRESSED
    return hidden_any
