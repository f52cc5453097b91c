"""How values are printed on official papers: Vietnamese wall-clock dates, đồng amounts, NFC text.

Contracts:
- Every string that reaches a template is NFC (decomposed input from a browser or a scanner's OCR renders the
  same as precomposed input).
- Datetimes must be aware (``datetime`` with tzinfo, or an ISO 8601 string with an offset, as stored in a
  JSONField); they are shown in Vietnam's wall-clock time (Asia/Ho_Chi_Minh). A naive value is refused: the
  paper would show a time nobody can interpret.
- Money is an integer number of đồng, printed with "." thousands separators: ``8000`` → ``"8.000 đồng"``.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class RenderError(ValueError):
    """The data cannot be rendered; ``str(error)`` is a Vietnamese message for the person who filled it in."""


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def to_aware_datetime(value: object, key: str) -> datetime:
    """``value`` (aware datetime or ISO 8601 string with offset) in Vietnam's time zone."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise RenderError(f"Trường {key} không phải thời điểm hợp lệ (ISO 8601): {value!r}") from None
    if not isinstance(value, datetime):
        raise RenderError(f"Trường {key} phải là thời điểm (ngày giờ), không phải {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise RenderError(f"Trường {key} phải có múi giờ (ví dụ +07:00)")
    return value.astimezone(VN_TZ)


def to_date(value: object, key: str) -> date:
    """A calendar date; an aware datetime counts by its Vietnamese wall-clock date."""
    if isinstance(value, datetime):
        return to_aware_datetime(value, key).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if "T" in text or " " in text:
            return to_aware_datetime(text, key).date()
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise RenderError(f"Trường {key} không phải ngày hợp lệ (YYYY-MM-DD): {value!r}") from None
    raise RenderError(f"Trường {key} phải là ngày, không phải {type(value).__name__}")


def format_money(amount: int) -> str:
    """``8000`` → ``"8.000 đồng"`` (Vietnamese thousands separator is the dot)."""
    return f"{amount:,}".replace(",", ".") + " đồng"


def format_date(value: date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def format_datetime(value: datetime) -> str:
    """``"08 giờ 15 phút, ngày 27/11/2026"`` in Vietnam's wall-clock time (receipt wording, Circular 03/2025)."""
    local = value.astimezone(VN_TZ)
    return f"{local.hour:02d} giờ {local.minute:02d} phút, ngày {format_date(local.date())}"


def format_place_date(place: str, value: date) -> str:
    """``"Quảng Ninh, ngày 27 tháng 11 năm 2026"``. Decree 30/2020/NĐ-CP, Appendix I, II.4: a day below 10
    and a month below 3 are written with a leading zero ("ngày 05 tháng 02 năm 2026", "tháng 11")."""
    day = f"{value.day:02d}"
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"{place}, ngày {day} tháng {month} năm {value.year}"
