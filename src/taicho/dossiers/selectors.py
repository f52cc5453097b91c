"""Reads of dossiers: inboxes per role, working time left, the timeline, the control slip (form 06) and the
logbook (form 07). Every query starts from `Dossier.objects.visible_to(user)` (design.md rule 6)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taicho.core.calendar import calendar_for
from taicho.dossiers.models import Dossier, DossierEvent
from taicho.dossiers.states import PAUSED, Status, Step
from taicho.org.models import Role, Staff
from taicho.org.selectors import place_name

# Which states each role works on, in the order the workspace shows the inboxes.
INBOXES: dict[str, tuple[Any, set[str], set[str]]] = {
    "reception": (gettext_lazy("Tiếp nhận"), {Role.RECEIVING_OFFICER}, {Status.GUIDED, Status.RECEIVED}),
    "appraisal": (
        _("Thẩm định"),
        {Role.APPRAISER, Role.RECEIVING_OFFICER},
        {Status.RECEIVED, Status.APPRAISING, Status.SUPPLEMENT_REQUESTED, Status.FINANCIAL_OBLIGATION},
    ),
    "approval": (
        gettext_lazy("Chờ phê duyệt"),
        {Role.APPROVER, Role.RECEIVING_OFFICER, Role.APPRAISER},
        {Status.AWAITING_APPROVAL},
    ),
    "stamping": (gettext_lazy("Đóng dấu"), {Role.SEAL_CLERK}, {Status.APPROVED, Status.SEALED}),
    "return": (
        _("Trả kết quả"),
        {Role.RECEIVING_OFFICER, Role.SEAL_CLERK},
        {Status.RESULT_READY, Status.PRINTED, Status.REFUSED},
    ),
}


def inbox(user: Staff, name: str) -> QuerySet[Dossier]:
    """The dossiers of one inbox the user may work on, soonest due first."""
    _label, roles, states = INBOXES[name]
    if not (user.role_set & roles) and not user.is_superuser:
        return Dossier.objects.none()
    return (
        Dossier.objects.visible_to(user)
        .filter(status__in=list(states))
        .select_related("procedure", "agency", "counter")
        .order_by("due_at", "pk")
    )


def inbox_counts(user: Staff) -> list[tuple[str, Any, int]]:
    """(name, label, count) of every inbox the user has, for the workspace's tabs."""
    return [
        (name, label, inbox(user, name).count())
        for name, (label, roles, _states) in INBOXES.items()
        if user.role_set & roles or user.is_superuser
    ]


@dataclass(frozen=True)
class DueState:
    """Working time left before the appointment: "ok", "soon" (under one working day) or "overdue"."""

    left: timedelta
    level: str
    text: str
    paused: bool = False


def due_state(dossier: Dossier, now: datetime | None = None) -> DueState | None:
    if dossier.due_at is None:
        return None
    now = now or timezone.now()
    if dossier.status in PAUSED:
        return DueState(timedelta(0), "paused", _("Tạm dừng tính thời hạn"), paused=True)
    cal = calendar_for(dossier.center)
    if now >= dossier.due_at:
        late = cal.elapsed(dossier.due_at, now)
        return DueState(-late, "overdue", _("Quá hạn %(t)s") % {"t": format_working(late)})
    left = cal.elapsed(now, dossier.due_at)
    level = "soon" if left < timedelta(hours=8) else "ok"  # yellow under one working day left (issue 4)
    return DueState(left, level, _("Còn %(t)s") % {"t": format_working(left)})


def format_working(span: timedelta) -> str:
    """A working-time span as people say it: "1 ngày 2 giờ 15 phút" (8 working hours a day)."""
    minutes = int(span.total_seconds() // 60)
    days, minutes = divmod(minutes, 8 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(_("%(n)d ngày") % {"n": days})
    if hours:
        parts.append(_("%(n)d giờ") % {"n": hours})
    if minutes or not parts:
        parts.append(_("%(n)d phút") % {"n": minutes})
    return " ".join(parts)


def timeline(dossier: Dossier) -> list[DossierEvent]:
    return list(dossier.events.select_related("actor", "agency").order_by("at", "pk"))


# --- form 06: control slip ----------------------------------------------------------------------------------

MARK_EARLY, MARK_ON_TIME, MARK_LATE = "early", "on_time", "late"
MARK_LABELS = {
    MARK_EARLY: gettext_lazy("Trước hạn"),
    MARK_ON_TIME: gettext_lazy("Đúng hạn"),
    MARK_LATE: gettext_lazy("Quá hạn"),
}
# A step is "on time" when it used its budget within this margin; earlier than that it is "early".
ON_TIME_MARGIN = 0.1


def mark(used_seconds: int | None, budget_seconds: int | None) -> str:
    """Trước hạn / Đúng hạn / Quá hạn for a step (domain.md §2, form 06): time used against the step's budget."""
    if used_seconds is None or not budget_seconds:
        return MARK_ON_TIME
    if used_seconds > budget_seconds:
        return MARK_LATE
    if used_seconds < budget_seconds * (1 - ON_TIME_MARGIN):
        return MARK_EARLY
    return MARK_ON_TIME


# Events that are not a hand-over between steps: recorded in the timeline, not rows of the control slip.
NOT_HAND_OVERS = frozenset({"payment", "record_checklist"})


def step_marks(events: Sequence[DossierEvent]) -> list[str]:
    """The mark of each event in order, "" for one that is not a hand-over. The working time of a checklist
    recorded along the way counts for the hand-over that follows it (a step's time is not cut into pieces)."""
    out, carried = [], 0
    for event in events:
        if event.action in NOT_HAND_OVERS:
            carried += event.used_seconds or 0
            out.append("")
            continue
        used = event.used_seconds + carried if event.used_seconds is not None else None
        carried = 0
        out.append(mark(used, event.budget_seconds))
    return out


def control_slip(dossier: Dossier) -> list[dict[str, Any]]:
    """One row per hand-over between steps: from whom, to which step, when, what happened, and the mark."""
    rows = []
    previous_actor = None
    events = timeline(dossier)
    for event, step_mark in zip(events, step_marks(events), strict=True):
        if event.action in NOT_HAND_OVERS:
            continue
        rows.append(
            {
                "from": str(previous_actor or _("Công dân")),
                "to": f"{event.actor} — {Step(event.step).label}"
                if event.actor
                else str(Step(event.step).label),
                "at": event.at,
                "result": Status(event.to_status).label if event.to_status else event.action,
                "mark": step_mark,
                "mark_label": str(MARK_LABELS[step_mark]),
                "note": event.reason,
            }
        )
        previous_actor = event.actor
    return rows


def control_slip_pdf(dossier: Dossier) -> bytes:
    from taicho.documents.render import render_form

    agency = dossier.agency
    return render_form(
        "06",
        {
            "parent_agency": agency.parent.name if agency.parent else "",
            "agency": agency.name,
            "place": place_name(agency),
            "issued_at": timezone.now(),
            "dossier_code": dossier.code,
            "tthc_code": dossier.procedure.code,
            "owner_id": dossier.owner_id,
            "procedure_name": dossier.version.name,
            "owner": {
                "name": dossier.owner_name,
                "id_number": dossier.owner_id,
                "address": dossier.owner_address,
            },
            "received_at": dossier.received_at,
            "appointment": dossier.due_at,
            "steps": [
                {
                    "from": r["from"],
                    "to": r["to"],
                    "at": r["at"],
                    "result": str(r["result"]),
                    "mark": r["mark"],
                    "note": r["note"],
                }
                for r in control_slip(dossier)
            ],
        },
    ).pdf


# --- form 07: logbook ---------------------------------------------------------------------------------------


def logbook(user: Staff, start: date, end: date) -> QuerySet[Dossier]:
    """Dossiers received in [start, end] (local dates) that the user may see, in the order received."""
    tz = timezone.get_current_timezone()
    lower = timezone.make_aware(datetime.combine(start, datetime.min.time()), tz)
    upper = timezone.make_aware(datetime.combine(end + timedelta(days=1), datetime.min.time()), tz)
    return (
        Dossier.objects.visible_to(user)
        .filter(received_at__gte=lower, received_at__lt=upper)
        .select_related("received_by", "procedure")
        .order_by("received_at", "pk")
    )


LOGBOOK_COLUMNS = (
    gettext_lazy("Mã hồ sơ"),
    gettext_lazy("Nội dung"),
    gettext_lazy("Số bộ"),
    gettext_lazy("Chủ hồ sơ"),
    gettext_lazy("Địa chỉ"),
    gettext_lazy("Điện thoại"),
    gettext_lazy("Tiếp nhận"),
    gettext_lazy("Hẹn trả"),
    gettext_lazy("Trả kết quả"),
    gettext_lazy("Cán bộ tiếp nhận"),
    gettext_lazy("Trạng thái"),
)


def logbook_xlsx(user: Staff, start: date, end: date) -> bytes:
    """The logbook (form 07, Circular 03/2025/TT-VPCP) for a period, as an xlsx workbook."""
    import openpyxl
    from openpyxl.styles import Alignment, Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Mau 07"
    sheet.append([_("SỔ THEO DÕI HỒ SƠ (Mẫu 07)")])
    sheet.append(
        [_("Từ ngày %(a)s đến ngày %(b)s") % {"a": start.strftime("%d/%m/%Y"), "b": end.strftime("%d/%m/%Y")}]
    )
    sheet.append([str(c) for c in LOGBOOK_COLUMNS])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")

    def local(value: datetime | None) -> str:
        return timezone.localtime(value).strftime("%H:%M %d/%m/%Y") if value else ""

    for dossier in logbook(user, start, end):
        sheet.append(
            [
                dossier.code,
                dossier.content or dossier.procedure.name,
                dossier.sets,
                dossier.owner_name,
                dossier.owner_address,
                dossier.applicant_phone,
                local(dossier.received_at),
                local(dossier.due_at),
                local(dossier.returned_at),
                dossier.received_by.full_name if dossier.received_by else "",
                str(dossier.get_status_display()),
            ]
        )
    for column, width in zip("ABCDEFGHIJK", (28, 50, 6, 24, 30, 14, 17, 17, 17, 22, 20), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
