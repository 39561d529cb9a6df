"""The few places PostgreSQL and SQLite need different SQL: JSON, percentiles.

Percentiles: PostgreSQL has percentile_cont (an ordered-set aggregate); SQLite does not, so
there the same figure — linear interpolation between the values at ranks ⌊1 + p(n−1)⌋ and
the next, as percentile_cont does — comes from a window-function query over the same rows.
Either way the database does the work; no case is loaded into Python.
"""
from __future__ import annotations

from sqlalchemy import Float, Integer, and_, case, cast, func, literal_column, select

from ..extensions import db


def dialect_name() -> str:
    return db.session.get_bind().dialect.name


def is_postgres() -> bool:
    return dialect_name() == "postgresql"


def json_array_length(column, dialect: str):
    if dialect == "postgresql":
        return func.coalesce(func.jsonb_array_length(column), 0)
    return func.coalesce(func.json_array_length(column), 0)


def json_elements(column, dialect: str):
    """A table-valued function over a JSON array's elements (column "value"), to join laterally."""
    if dialect == "postgresql":
        return func.jsonb_array_elements(column).table_valued("value").lateral()
    return func.json_each(column).table_valued("value")


def json_element_text(value_column, key: str | None, dialect: str):
    """A key of a JSON object element as text (or the element itself when key is None)."""
    if dialect == "postgresql":
        if key is None:
            return value_column.op("#>>")(literal_column("'{}'"))
        return value_column.op("->>")(literal_column(f"'{key}'"))
    if key is None:
        return value_column
    return func.json_extract(value_column, f"$.{key}")


def json_sum_of(column, key: str, dialect: str):
    """Sum of a numeric key over a JSON array's elements, as a correlated scalar subquery."""
    elements = json_elements(column, dialect)
    value = cast(json_element_text(elements.c.value, key, dialect), Integer)
    return select(func.coalesce(func.sum(value), 0)).select_from(elements).scalar_subquery()


def json_count_where(column, key: str, equals: str, dialect: str):
    """How many elements of a JSON array have key = equals (correlated scalar subquery)."""
    elements = json_elements(column, dialect)
    return (
        select(func.count())
        .select_from(elements)
        .where(json_element_text(elements.c.value, key, dialect) == equals)
        .scalar_subquery()
    )


def aggregate_with_percentile(base, keys: list[str], measures: list, *, value: str, fraction: float = 0.9,
                              label: str = "p90", dialect: str):
    """SELECT keys, measures..., percentile(value) FROM base GROUP BY keys — one statement.

    `base` is a subquery with the key columns and the `value` column (NULL where there is no
    value); `measures` are aggregate expressions over base's columns.
    """
    group = [base.c[k] for k in keys]
    if dialect == "postgresql":
        p = func.percentile_cont(fraction).within_group(base.c[value]).label(label)
        return select(*group, *measures, p).group_by(*group)
    # SQLite: rank the values within each group with window functions, then interpolate.
    partition = group or None
    ranked = (
        select(
            *group,
            base.c[value].label("v"),
            func.row_number().over(partition_by=partition, order_by=base.c[value]).label("rn"),
            func.count().over(partition_by=partition).label("cnt"),
        )
        .where(base.c[value].is_not(None))
        .subquery("ranked")
    )
    position = 1 + fraction * (ranked.c.cnt - 1)
    low = cast(position, Integer)  # positions are ≥ 1, so truncation is the floor
    picked = (
        select(
            *[ranked.c[k] for k in keys],
            func.max(case((ranked.c.rn == low, ranked.c.v))).label("v_low"),
            func.max(case((ranked.c.rn == low + 1, ranked.c.v))).label("v_high"),
            func.max(cast(position, Float) - low).label("frac"),
        )
        .group_by(*[ranked.c[k] for k in keys])
        .subquery("picked")
    )
    p = (picked.c.v_low + picked.c.frac * (func.coalesce(picked.c.v_high, picked.c.v_low) - picked.c.v_low)).label(label)
    main = select(*group, *measures).group_by(*group).subquery("main")
    join_on = and_(*[main.c[k] == picked.c[k] for k in keys]) if keys else literal_column("1") == 1
    measure_names = [m.name for m in measures]
    return select(*[main.c[k] for k in keys], *[main.c[n] for n in measure_names], p).select_from(
        main.outerjoin(picked, join_on)
    )
