"""Registers of inspections, reform recommendations and staff assignments (item 7 of the plan: the province
inspects that "5 tại chỗ" is real, procedures are reviewed and amendments recommended, staff at the center are
trained and assigned — domain.md §1).

Writes go through these functions only (design.md rule 1): keyword-only arguments, one transaction each,
`full_clean()` before saving, a `DomainError` with a Vietnamese message when a rule refuses the action. The
pages, the admin and the tests call the same functions. Reads that scope what a person may see are here too
(design.md rule 6).

State machines (design.md rule 3):
- an inspection's follow-up (khắc phục): open → in_progress → done (open → done directly when fixed at once);
  "done" is final. It is overdue when its due date has passed and it is not done.
- a recommendation (kiến nghị): draft → submitted → accepted | rejected; accepted → implemented. The answer of
  the competent authority is required to accept or reject.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from taicho.catalog.models import Procedure
from taicho.core.errors import Conflict, DomainError, NotAllowed
from taicho.org.models import Agency, Center, Counter, Staff
from taicho.supervision.access import agencies_for, can_supervise, is_supervisor
from taicho.supervision.models import Inspection, Recommendation, StaffAssignment

FollowUp = Inspection.FollowUp
RecStatus = Recommendation.Status

# Allowed follow-up changes; the same status again only adds a note (progress report).
FOLLOW_UP_TRANSITIONS: dict[str, set[str]] = {
    FollowUp.OPEN: {FollowUp.OPEN, FollowUp.IN_PROGRESS, FollowUp.DONE},
    FollowUp.IN_PROGRESS: {FollowUp.IN_PROGRESS, FollowUp.DONE},
    FollowUp.DONE: set(),
}

# Recommendation transitions: (from, to) → who may take it ("supervisor" or "proposer").
RECOMMENDATION_TRANSITIONS: dict[tuple[str, str], str] = {
    (RecStatus.DRAFT, RecStatus.SUBMITTED): "proposer",
    (RecStatus.SUBMITTED, RecStatus.ACCEPTED): "supervisor",
    (RecStatus.SUBMITTED, RecStatus.REJECTED): "supervisor",
    (RecStatus.ACCEPTED, RecStatus.IMPLEMENTED): "supervisor",
}

INSPECTION_FIELDS = (
    "inspected_on",
    "team",
    "decision_number",
    "agency",
    "center",
    "scope",
    "findings",
    "required_actions",
    "follow_up_due",
)


def _today() -> date:
    return timezone.localdate()  # Asia/Ho_Chi_Minh: the day people see


def _full_clean(obj: models.Model, exclude: list[str] | None = None) -> None:
    """`full_clean()` with its messages turned into one Vietnamese DomainError for the person who acted."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        fields = {f.name: f for f in obj._meta.fields}
        parts = []
        for name, messages in exc.message_dict.items():
            field = fields.get(name)
            label = str(field.verbose_name) if field is not None else ""
            for message in messages:
                parts.append(f"{label[:1].upper()}{label[1:]}: {message}" if label else message)
        raise DomainError(" ".join(parts), code="invalid") from exc


def _text(value: Any) -> str:
    return str(value or "").strip()


def _require_supervisor(actor: Any) -> None:
    if not is_supervisor(actor):
        raise NotAllowed(_("Chỉ lãnh đạo Trung tâm, thanh tra và quản trị được thực hiện."))


# --- inspections -------------------------------------------------------------------------------------------


def inspections_visible_to(user: Any) -> QuerySet[Inspection]:
    """Supervisors see every inspection; an agency's leader sees those of the agency and its subordinates."""
    qs = Inspection.objects.select_related("agency", "center", "created_by")
    if is_supervisor(user):
        return qs
    return qs.filter(agency__in=agencies_for(user))


def overdue_q(on: date) -> Q:
    """Follow-ups whose due date has passed on `on` and that are not done."""
    return Q(follow_up_due__lt=on) & ~Q(follow_up_status=FollowUp.DONE)


def is_overdue(inspection: Inspection, on: date | None = None) -> bool:
    on = on or _today()
    return (
        inspection.follow_up_due is not None
        and inspection.follow_up_due < on
        and inspection.follow_up_status != FollowUp.DONE
    )


def _check_inspection(inspection: Inspection) -> None:
    if inspection.follow_up_due and inspection.follow_up_due < inspection.inspected_on:
        raise DomainError(_("Hạn khắc phục không được trước ngày kiểm tra."), code="invalid")
    if inspection.inspected_on > _today():
        raise DomainError(_("Ngày kiểm tra không được sau ngày hôm nay."), code="invalid")
    if inspection.follow_up_due and not inspection.required_actions:
        raise DomainError(_("Có hạn khắc phục thì phải ghi rõ yêu cầu khắc phục."), code="invalid")


@transaction.atomic
def create_inspection(
    *,
    actor: Staff,
    inspected_on: date,
    team: str,
    scope: str,
    agency: Agency | None = None,
    center: Center | None = None,
    decision_number: str = "",
    findings: str = "",
    required_actions: str = "",
    follow_up_due: date | None = None,
) -> Inspection:
    """Record an inspection (kiểm tra) of an agency or of the center, with what must be fixed and by when."""
    _require_supervisor(actor)
    inspection = Inspection(
        inspected_on=inspected_on,
        team=_text(team),
        decision_number=_text(decision_number),
        agency=agency,
        center=center or actor.center,
        scope=_text(scope),
        findings=_text(findings),
        required_actions=_text(required_actions),
        follow_up_due=follow_up_due,
        created_by=actor,
    )
    _full_clean(inspection)
    _check_inspection(inspection)
    inspection.save()
    return inspection


@transaction.atomic
def update_inspection(*, actor: Staff, inspection: Inspection, **changes: Any) -> Inspection:
    """Correct what was recorded (team, findings, required actions, due date …). The follow-up status changes
    only through `record_follow_up`."""
    _require_supervisor(actor)
    unknown = set(changes) - set(INSPECTION_FIELDS)
    if unknown:
        raise DomainError(
            _("Không sửa được trường: %(fields)s") % {"fields": ", ".join(sorted(unknown))}, code="invalid"
        )
    locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
    for name, value in changes.items():
        setattr(locked, name, _text(value) if isinstance(value, str) else value)
    _full_clean(locked)
    _check_inspection(locked)
    locked.save(update_fields=list(changes))
    return locked


@transaction.atomic
def record_follow_up(*, actor: Staff, inspection: Inspection, status: str, note: str) -> Inspection:
    """Report progress on fixing what an inspection found. Each report is appended to the follow-up notes with
    its date and author, so the history is kept (design.md rule 4 in spirit: no report is overwritten)."""
    _require_supervisor(actor)
    note = _text(note)
    if status not in FollowUp.values:
        raise DomainError(_("Tình trạng khắc phục không hợp lệ."), code="invalid")
    if not note:
        raise DomainError(_("Phải ghi kết quả khắc phục."), code="invalid")
    # Locked so that two reports on the same inspection cannot both pass the transition check.
    locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if status not in FOLLOW_UP_TRANSITIONS[locked.follow_up_status]:
        raise Conflict(
            _("Không thể chuyển tình trạng khắc phục từ “%(from)s” sang “%(to)s”.")
            % {"from": locked.get_follow_up_status_display(), "to": FollowUp(status).label}
        )
    line = (
        f"{_today():%d/%m/%Y} — {actor.get_full_name() or actor.username} — {FollowUp(status).label}: {note}"
    )
    locked.follow_up_note = f"{locked.follow_up_note}\n{line}".strip() if locked.follow_up_note else line
    locked.follow_up_status = status
    locked.save(update_fields=["follow_up_note", "follow_up_status"])
    return locked


# --- recommendations ---------------------------------------------------------------------------------------


def recommendations_visible_to(user: Any) -> QuerySet[Recommendation]:
    qs = Recommendation.objects.select_related("procedure", "agency", "created_by")
    if is_supervisor(user):
        return qs
    return qs.filter(agency__in=agencies_for(user))


@transaction.atomic
def create_recommendation(
    *,
    actor: Staff,
    procedure: Procedure,
    kind: str,
    proposal: str,
    reason: str,
    agency: Agency | None = None,
    addressed_to: str = "",
) -> Recommendation:
    """A draft recommendation to amend or simplify a procedure. Supervisors write for any agency; an agency's
    leader for the agency (and its subordinates)."""
    if not can_supervise(actor):
        raise NotAllowed(_("Tài khoản không có quyền lập kiến nghị."))
    if agency is None and not is_supervisor(actor):
        agency = actor.agency
    if agency is not None and not agencies_for(actor).filter(pk=agency.pk).exists():
        raise NotAllowed(_("Không được lập kiến nghị thay cơ quan khác."))
    rec = Recommendation(
        procedure=procedure,
        agency=agency,
        kind=kind,
        proposal=_text(proposal),
        reason=_text(reason),
        addressed_to=_text(addressed_to),
        status=RecStatus.DRAFT,
        created_by=actor,
    )
    _full_clean(rec)
    rec.save()
    return rec


def _move(actor: Staff, rec: Recommendation, to: str) -> Recommendation:
    """Lock the row, check the transition and who may take it; the caller sets the fields and saves."""
    locked = Recommendation.objects.select_for_update().select_related("procedure").get(pk=rec.pk)
    who = RECOMMENDATION_TRANSITIONS.get((locked.status, to))
    if who is None:
        raise Conflict(
            _("Kiến nghị đang ở trạng thái “%(from)s”, không thể chuyển sang “%(to)s”.")
            % {"from": locked.get_status_display(), "to": RecStatus(to).label}
        )
    if who == "supervisor":
        _require_supervisor(actor)
    elif not (is_supervisor(actor) or recommendations_visible_to(actor).filter(pk=locked.pk).exists()):
        raise NotAllowed(_("Không được gửi kiến nghị của cơ quan khác."))
    return locked


@transaction.atomic
def submit_recommendation(
    *, actor: Staff, recommendation: Recommendation, on: date | None = None
) -> Recommendation:
    """Send the draft to the competent authority (draft → submitted)."""
    locked = _move(actor, recommendation, RecStatus.SUBMITTED)
    if not locked.addressed_to:
        raise DomainError(_("Phải ghi cơ quan nhận kiến nghị trước khi gửi."), code="invalid")
    locked.status = RecStatus.SUBMITTED
    locked.submitted_on = on or _today()
    locked.save(update_fields=["status", "submitted_on"])
    return locked


@transaction.atomic
def answer_recommendation(
    *, actor: Staff, recommendation: Recommendation, accepted: bool, answer: str, on: date | None = None
) -> Recommendation:
    """Record the authority's answer (submitted → accepted | rejected). The answer's text is required: a
    recommendation is never closed without saying what the authority decided and why."""
    answer = _text(answer)
    to = RecStatus.ACCEPTED if accepted else RecStatus.REJECTED
    locked = _move(actor, recommendation, to)
    if not answer:
        raise DomainError(_("Phải ghi nội dung trả lời của cơ quan có thẩm quyền."), code="invalid")
    on = on or _today()
    if locked.submitted_on and on < locked.submitted_on:
        raise DomainError(_("Ngày trả lời không được trước ngày gửi kiến nghị."), code="invalid")
    locked.status = to
    locked.answer = answer
    locked.answered_on = on
    locked.save(update_fields=["status", "answer", "answered_on"])
    return locked


@transaction.atomic
def implement_recommendation(
    *, actor: Staff, recommendation: Recommendation, note: str = ""
) -> Recommendation:
    """The accepted amendment is in force (accepted → implemented); a note (the amending decision) is added to
    the answer."""
    locked = _move(actor, recommendation, RecStatus.IMPLEMENTED)
    note = _text(note)
    locked.status = RecStatus.IMPLEMENTED
    if note:
        locked.answer = f"{locked.answer}\n{_today():%d/%m/%Y} — {note}"
    locked.save(update_fields=["status", "answer"])
    return locked


# --- staff assignments -------------------------------------------------------------------------------------


def assignments_visible_to(user: Any) -> QuerySet[StaffAssignment]:
    qs = StaffAssignment.objects.select_related("staff", "center", "counter", "agency")
    if is_supervisor(user):
        return qs
    return qs.filter(agency__in=agencies_for(user))


def in_force_q(on: date) -> Q:
    return Q(starts__lte=on) & (Q(ends__isnull=True) | Q(ends__gte=on))


def _overlapping(staff: Staff, starts: date, ends: date | None, exclude_pk: int | None = None) -> QuerySet:
    """The staff member's other assignments whose [starts, ends] (open end = for now on) meet this one."""
    qs = StaffAssignment.objects.filter(staff=staff).filter(Q(ends__isnull=True) | Q(ends__gte=starts))
    if ends is not None:
        qs = qs.filter(starts__lte=ends)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.select_related("counter", "center", "agency")


def check_assignment(assignment: StaffAssignment) -> None:
    """Rules beyond the database constraints (also used by the admin form): the counter is one of the
    center's, and one person is at one place at a time — no overlapping assignments of the same staff."""
    if assignment.counter_id and assignment.counter and assignment.counter.center_id != assignment.center_id:
        raise DomainError(_("Quầy đã chọn không thuộc trung tâm này."), code="invalid")
    if assignment.ends is not None and assignment.ends < assignment.starts:
        raise DomainError(_("Ngày kết thúc không được trước ngày bắt đầu."), code="invalid")
    clash = _overlapping(assignment.staff, assignment.starts, assignment.ends, assignment.pk).first()
    if clash is not None:
        until = f"{clash.ends:%d/%m/%Y}" if clash.ends else _("nay")
        raise Conflict(
            _(
                "%(staff)s đã được phân công tại %(place)s (cơ quan %(agency)s) từ %(starts)s đến %(until)s; "
                "hai phân công của cùng một cán bộ không được trùng thời gian."
            )
            % {
                "staff": assignment.staff,
                "place": clash.counter or clash.center,
                "agency": clash.agency.short_name or clash.agency.name,
                "starts": f"{clash.starts:%d/%m/%Y}",
                "until": until,
            }
        )


def _lock_staff(staff: Staff) -> None:
    # Two assignments of the same person made at once must not both pass the overlap check: the staff row
    # is the lock (PostgreSQL; SQLite's IMMEDIATE transactions already serialise writers).
    Staff.objects.select_for_update().filter(pk=staff.pk).first()


@transaction.atomic
def assign_staff(
    *,
    actor: Staff,
    staff: Staff,
    center: Center,
    agency: Agency,
    starts: date,
    counter: Counter | None = None,
    ends: date | None = None,
    duties: str = "",
    trained_on: date | None = None,
) -> StaffAssignment:
    """Station `staff` at the center (and a counter) for `agency` from `starts` (to `ends`, open if None)."""
    _require_supervisor(actor)
    _lock_staff(staff)
    assignment = StaffAssignment(
        staff=staff,
        center=center,
        counter=counter,
        agency=agency,
        duties=_text(duties),
        starts=starts,
        ends=ends,
        trained_on=trained_on,
    )
    _full_clean(assignment)
    check_assignment(assignment)
    assignment.save()
    return assignment


@transaction.atomic
def end_assignment(*, actor: Staff, assignment: StaffAssignment, ends: date) -> StaffAssignment:
    """The staff member leaves the post on `ends` (the last day at the counter)."""
    _require_supervisor(actor)
    _lock_staff(assignment.staff)
    locked = StaffAssignment.objects.select_for_update().select_related("staff").get(pk=assignment.pk)
    if locked.ends is not None and locked.ends < ends:
        raise Conflict(
            _("Phân công đã kết thúc ngày %(ends)s; muốn kéo dài hãy lập phân công mới.")
            % {"ends": f"{locked.ends:%d/%m/%Y}"}
        )
    if ends < locked.starts:
        raise DomainError(
            _("Ngày kết thúc không được trước ngày bắt đầu (%(starts)s).")
            % {"starts": f"{locked.starts:%d/%m/%Y}"},
            code="invalid",
        )
    locked.ends = ends
    _full_clean(locked)
    locked.save(update_fields=["ends"])
    return locked


@transaction.atomic
def record_training(*, actor: Staff, assignment: StaffAssignment, trained_on: date) -> StaffAssignment:
    """The staff member was trained for the post (tập huấn) on `trained_on`."""
    _require_supervisor(actor)
    if trained_on > _today():
        raise DomainError(_("Ngày tập huấn không được sau ngày hôm nay."), code="invalid")
    locked = StaffAssignment.objects.select_for_update().get(pk=assignment.pk)
    locked.trained_on = trained_on
    locked.save(update_fields=["trained_on"])
    return locked
