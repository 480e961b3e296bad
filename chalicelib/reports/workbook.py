"""Reports as XLSX (openpyxl, write-only): the CSV's columns as numbers on a ``Report`` sheet, and what was
asked (range, zone, basis, grouping, the percentiles' error bound) on an ``About`` sheet."""

from __future__ import annotations

import io
from collections.abc import Sequence

from chalicelib.reports.export import COLUMNS, values
from chalicelib.reports.figures import Figures


def workbook(first_column: str, rows: Sequence[tuple[str, Figures]], about: Sequence[tuple[str, str]]) -> bytes:
    """The bytes of an .xlsx file: one row per group or day, every figure in its own numeric column."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Report")
    sheet.append([first_column, *COLUMNS])
    for label, figures in rows:
        sheet.append([label, *values(figures)])
    notes = book.create_sheet("About")
    for name, value in about:
        notes.append([name, value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
