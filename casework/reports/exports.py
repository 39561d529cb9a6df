"""CSV and XLSX for every report table, and row-level case exports streamed with flat memory.

Large exports never hold their rows: the query runs on a server-side cursor
(execution_options yield_per, so psycopg fetches 5,000 rows at a time), each batch is written
to a small buffer and handed to the web server, and the buffer is emptied. XLSX uses
openpyxl's write-only mode, which streams rows to a temporary file.

Cells that a spreadsheet would run as a formula (text starting =, +, −, @, tab or carriage
return) get a leading apostrophe (OWASP "CSV injection").
"""
from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select

from ..extensions import db
from ..workdays import to_london
from .scope import DR, PE, SA, WA, ReportFilters, C, case_conditions
from .tables import Table

YIELD_PER = 5000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def cell(value):
    """A value as a spreadsheet should see it: numbers as numbers, dates as ISO dates, London times."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return to_london(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float, Decimal)):
        return value
    return safe_text(str(value))


def table_header(table: Table) -> list[str]:
    return [c.title for c in table.columns]


def table_rows(table: Table) -> Iterator[list]:
    for row in table.all_rows():
        yield [cell(row.get(c.key)) for c in table.columns]


def csv_lines(header: list[str], rows: Iterable[list], *, flush_every: int = 1000) -> Iterator[bytes]:
    """CSV (UTF-8 with a byte-order mark, so Excel reads £ and accents) in chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(header)
    for i, row in enumerate(rows, 1):
        writer.writerow(row)
        if i % flush_every == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def table_csv(table: Table) -> bytes:
    return b"".join(csv_lines(table_header(table), table_rows(table)))


def sheet_title(title: str) -> str:
    """A title Excel accepts for a sheet: none of : \\ / ? * [ ], no leading or trailing
    apostrophe, 1–31 characters."""
    cleaned = re.sub(r"[\\/?*\[\]]", "-", title.replace(":", " -"))
    cleaned = re.sub(r"\s+", " ", cleaned).strip(" '") or "Table"
    return cleaned[:31].rstrip()


def xlsx_file(sheets: list[tuple[str, list[str], Iterable[list]]], notes: list[str] | None = None):
    """A write-only workbook in a temporary file (rewound, ready to send). Sheets over Excel's
    1,048,576 rows continue on further sheets."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    limit = 1_048_575
    for title, header, rows in sheets:
        title = sheet_title(title)
        part = 1
        sheet = workbook.create_sheet(title=title[:31])
        bold = []
        for text in header:
            c = WriteOnlyCell(sheet, value=text)
            c.font = Font(bold=True)
            bold.append(c)
        sheet.append(bold)
        written = 0
        for row in rows:
            if written == limit:
                part += 1
                sheet = workbook.create_sheet(title=f"{title[:27]} ({part})")
                sheet.append(bold)
                written = 0
            sheet.append(row)
            written += 1
        if notes:
            sheet.append([])
            for note in notes:
                sheet.append([note])
    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    return handle


def table_xlsx(table: Table):
    return xlsx_file([(table.title, table_header(table), table_rows(table))], table.notes)


# --- row-level exports -----------------------------------------------------------------------

CASE_EXPORT_COLUMNS = (
    ("reference", "Reference"),
    ("kind", "Kind"),
    ("procedure", "Procedure"),
    ("state", "State"),
    ("stage", "Stage"),
    ("channel", "Channel"),
    ("received_at", "Received (London time)"),
    ("deemed_received_on", "Deemed received"),
    ("directorate", "Directorate"),
    ("service_area", "Service area"),
    ("ward", "Ward"),
    ("is_open", "Open"),
    ("next_due_on", "Next due"),
    ("closed_at", "Closed (London time)"),
    ("outcome", "Outcome"),
    ("compensation", "Compensation (£)"),
)


def cases_statement(f: ReportFilters):
    """One row per case received in the period: no names or contact details (data minimisation)."""
    joined = (
        C.outerjoin(SA, SA.c.id == C.c.service_area_id)
        .outerjoin(DR, DR.c.id == SA.c.directorate_id)
        .outerjoin(PE, PE.c.id == C.c.person_id)
        .outerjoin(WA, WA.c.id == PE.c.ward_id)
    )
    return (
        select(
            C.c.reference, C.c.kind, C.c.procedure, C.c.state, C.c.stage, C.c.channel, C.c.received_at,
            C.c.deemed_received_on, DR.c.name.label("directorate"), SA.c.name.label("service_area"),
            WA.c.name.label("ward"), C.c.is_open, C.c.next_due_on, C.c.closed_at, C.c.outcome, C.c.compensation,
        )
        .select_from(joined)
        .where(*case_conditions(f))
        .order_by(C.c.received_at, C.c.id)
    )


def count_cases(f: ReportFilters) -> int:
    return db.session.execute(select(func.count()).select_from(cases_statement(f).order_by(None).subquery())).scalar_one()


def iter_statement(stmt, keys: list[str]) -> Iterator[list]:
    """Rows of a statement from a server-side cursor, YIELD_PER at a time."""
    result = db.session.execute(stmt, execution_options={"yield_per": YIELD_PER})
    for row in result:
        mapping = row._mapping
        yield [cell(mapping[k]) for k in keys]


def case_rows(f: ReportFilters) -> Iterator[list]:
    return iter_statement(cases_statement(f), [k for k, _ in CASE_EXPORT_COLUMNS])


def case_header() -> list[str]:
    return [title for _, title in CASE_EXPORT_COLUMNS]
