"""What every supervision page puts in its context: the filters, the choices for the filter bar, the query string
for xlsx links."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from taicho.org.models import Agency
from taicho.supervision.filters import Filters, read_filters
from taicho.supervision.models import Plan
from taicho.supervision.tables import Table, wants_xlsx, xlsx_response


def page(
    request: HttpRequest,
    template: str,
    section: str,
    tables: Sequence[Table],
    filters: Filters | None = None,
    filename: str = "giam-sat",
    **context: Any,
) -> HttpResponse:
    """Render a supervision page, or its tables as xlsx when `?xlsx=` is asked (item 8)."""
    filters = filters or read_filters(request)
    chosen = wants_xlsx(request, tables)
    if chosen is not None:
        title = f"{context.get('heading', '')} ({filters.start:%d/%m/%Y} – {filters.end:%d/%m/%Y})".strip()
        return xlsx_response(chosen, filename, title)
    query = request.GET.copy()
    query.pop("xlsx", None)
    return render(
        request,
        template,
        {
            "section": section,
            "filters": filters,
            "tables": tables,
            "plans": Plan.objects.all(),
            "levels": Agency.Level.choices,
            "agency_choices": _agency_choices(request),
            "xlsx_query": query.urlencode(),
            **context,
        },
    )


def _agency_choices(request: HttpRequest) -> Any:
    from taicho.supervision.access import agencies_for

    return agencies_for(request.user).order_by("level", "name").only("pk", "name", "level")
