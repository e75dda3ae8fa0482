"""Row-error report and rejected rows as CSV or XLSX, safe to open in a spreadsheet.

A value that starts like a formula (``=``, ``+``, ``-``, ``@``, tab, CR) is
prefixed with an apostrophe, so opening the report never runs what an agency's
file (or an attacker) put in a cell.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.translation import gettext as _

from imports.mapping import REJECTED_ROW_COLUMN
from imports.models import ImportBatch, RejectedRow, RowIssue

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


def issue_report_rows(issues: Iterable[RowIssue]) -> Iterator[list[str]]:
    yield [_("fila"), _("hoja"), _("columna"), _("valor"), _("gravedad"), _("mensaje")]
    for issue in issues:
        yield [str(issue.row_number), issue.sheet, issue.column, issue.value,
               issue.get_severity_display(), issue.message]


def rejected_rows_table(rows: Iterable[RejectedRow]) -> Iterator[list[str]]:
    """The rejected rows as given, plus their original row number and errors, to correct."""
    rows = list(rows)
    headers: list[str] = []
    for row in rows:
        headers.extend(h for h in row.raw_values if h not in headers)
    yield [*headers, REJECTED_ROW_COLUMN, "ERRORES"]
    for row in rows:
        errors = "; ".join(f"{e.get('column', '')}: {e.get('message', '')}" for e in row.errors)
        yield [*(row.raw_values.get(h, "") for h in headers), str(row.row_number), errors]


def as_csv(table: Iterable[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in table:
        writer.writerow([spreadsheet_safe(cell) for cell in line])
    # BOM: Excel opens UTF-8 CSV correctly only with it.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(table: Iterable[list[str]], *, title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for line in table:
        # Strings are stored as text cells; the prefix also keeps Excel from re-parsing.
        sheet.append([spreadsheet_safe(cell) for cell in line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_file_name(batch: ImportBatch, what: str, extension: str) -> str:
    return f"lote-{batch.pk}-{what}.{extension}"
