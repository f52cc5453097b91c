from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.html import format_html

from taicho.supervision.tables import Light, Link

register = template.Library()


@register.simple_tag
def cell(value: Any) -> str:
    """A table cell: links, traffic lights, numbers in Vietnamese format (1.234,5), empty for None."""
    if isinstance(value, Link):
        return format_html('<a href="{}">{}</a>', value.url, cell(value.text))
    if isinstance(value, Light):
        return format_html('<span class="badge light-{}">{}</span>', value.color, value.text)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, datetime):  # before date: a datetime is a date
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.strftime("%H:%M %d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    # Figures are written the Vietnamese way (1.234,5) whatever the browser's language: a "1,234" would read as
    # one point two three four here.
    if isinstance(value, int):
        with translation.override("vi"):
            return number_format(value, force_grouping=True)
    if isinstance(value, float | Decimal):
        with translation.override("vi"):
            return number_format(value, decimal_pos=1, force_grouping=True)
    return format_html("{}", value)
