"""Row-error report and rejected rows as CSV or XLSX, safe to open in a spreadsheet.

Every cell goes through ``registry.cells`` (the one home of cell safety): anything
a spreadsheet could run as a formula gets an apostrophe, so opening the report never
runs what an agency's file (or an attacker) put in a cell; in XLSX, control
characters a rejected row may hold are written as Excel's own ``_xHHHH_`` escapes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.translation import gettext as _

from imports.mapping import REJECTED_ROW_COLUMN
from imports.models import ImportBatch, RejectedRow, RowIssue
from registry.cells import neutralise_row, xlsx_cell


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
        writer.writerow(neutralise_row(line))
    # BOM: Excel opens UTF-8 CSV correctly only with it.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(table: Iterable[list[str]], *, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])

    def text_cell(value: Any) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=xlsx_cell(value))
        cell.data_type = "s"  # never a formula, whatever the text starts with
        return cell

    for line in table:
        sheet.append([text_cell(value) for value in line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_file_name(batch: ImportBatch, what: str, extension: str) -> str:
    return f"lote-{batch.pk}-{what}.{extension}"
