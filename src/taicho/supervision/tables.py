"""Every table on a supervision page is a `Table`: rendered as HTML by `supervision/_table.html` and exported to
xlsx by the same page with `?xlsx=1` (item 8: export of every table), so what is downloaded is what was shown."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone


@dataclass(frozen=True)
class Link:
    text: Any
    url: str

    def __str__(self) -> str:
        return str(self.text)


@dataclass(frozen=True)
class Light:
    """A traffic light: "green" (target met), "yellow" (within 10 points), "red" (behind)."""

    color: str
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass
class Table:
    key: str  # unique on the page: the xlsx sheet name and the ?xlsx=<key> parameter
    title: str
    columns: Sequence[str]
    rows: list[list[Any]] = field(default_factory=list)
    numeric: frozenset[int] = frozenset()  # column indexes aligned right
    footer: list[Any] | None = None
    empty: str = ""


def cell_value(value: Any) -> Any:
    """What goes into the spreadsheet cell: numbers stay numbers; links and lights become their text; aware
    datetimes are shown in Asia/Ho_Chi_Minh (the workbook has no time zones)."""
    if isinstance(value, Link | Light):
        return cell_value(value.text)
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, bool):
        return "x" if value else ""
    if isinstance(value, int | float | Decimal | date) or value is None:
        return value
    return str(value)


def xlsx_bytes(tables: Sequence[Table], title: str = "") -> bytes:
    """One sheet per table, streamed (openpyxl's write-only mode: flat memory, a few ms per thousand rows)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    used: set[str] = set()

    def strong(sheet: Any, values: Sequence[Any]) -> list[Any]:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            cell.font = bold
            cells.append(cell)
        return cells

    for table in tables:
        name = (table.title or table.key)[:28].replace("/", "-").replace(":", " ")
        base, n = name, 2
        while name in used:
            name, n = f"{base[:25]} {n}", n + 1
        used.add(name)
        sheet = book.create_sheet(name)
        # Column widths go before the rows in write-only mode: from the header and the first rows.
        for i, column in enumerate(table.columns, start=1):
            width = max([len(str(column))] + [len(str(cell_value(r[i - 1]) or "")) for r in table.rows[:200]])
            sheet.column_dimensions[get_column_letter(i)].width = min(60, max(8, width + 2))
        if title:
            sheet.append(strong(sheet, [title]))
        sheet.append([table.title])
        sheet.append(strong(sheet, [str(c) for c in table.columns]))
        for row in table.rows:
            sheet.append([cell_value(v) for v in row])
        if table.footer:
            sheet.append(strong(sheet, [cell_value(v) for v in table.footer]))
    if not used:
        book.create_sheet("Trống")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(tables: Sequence[Table], filename: str, title: str = "") -> HttpResponse:
    response = HttpResponse(xlsx_bytes(tables, title), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def wants_xlsx(request: HttpRequest, tables: Sequence[Table]) -> list[Table] | None:
    """`?xlsx=1` exports every table of the page; `?xlsx=<key>` only that one; None: render HTML."""
    key = request.GET.get("xlsx")
    if not key:
        return None
    if key == "1":
        return list(tables)
    return [t for t in tables if t.key == key] or list(tables)
