"""Writes of supervision: the on-the-spot status of a procedure at an agency (item 1 of the plan: review the
procedures, propose, approve, run, suspend; domain.md §1).

The designation's status is a state machine (design.md rule 3): `TRANSITIONS` is the one table of allowed moves,
each with who may take it from each status. Every service locks the designation row (`select_for_update`, so two
people acting at once never both succeed), checks the table, changes the row and writes one append-only
`DesignationEvent` (who, when, from, to, reason) in the same transaction (design.md rule 4). A reason is required
for every move: the province inspects that the practice is real ("thực chất"), and the history is its evidence.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taicho.catalog.models import OnTheSpotDesignation, OnTheSpotStatus, Procedure
from taicho.core.errors import Conflict, DomainError, NotAllowed
from taicho.org.models import Agency, Role
from taicho.supervision.models import DesignationEvent

S = OnTheSpotStatus
NONE = ""  # no designation yet

# The province decides which procedures run on the spot (the plan is the Provincial People's Committee's; the
# center's director and the system administrators act for it). Inspectors see everything but decide nothing.
PROVINCE_DECIDERS = frozenset({Role.CENTER_DIRECTOR, Role.ADMINISTRATOR})

PROVINCE = "province"  # center director, administrator, superuser
AGENCY = "agency"  # the agency's own leader (role APPROVER of that agency), or the province


@dataclass(frozen=True)
class Transition:
    label: Promise  # Vietnamese, for messages: "phê duyệt", "tạm dừng"…
    sources: dict[str, str]  # from status ("" = no designation yet) → who may take the move from it
    target: str | None  # None: the status does not change (delegation), or the service decides (approval)


TRANSITIONS: dict[str, Transition] = {
    # The agency reviews its procedures and proposes (again, after a suspension or a "not eligible" finding).
    "propose": Transition(
        gettext_lazy("đề xuất thực hiện “5 tại chỗ”"),
        {NONE: AGENCY, S.SUSPENDED: AGENCY, S.NOT_ELIGIBLE: AGENCY},
        S.CANDIDATE,
    ),
    # The province approves by decision: APPROVED, or ACTIVE at once when the decision is already in effect.
    "approve": Transition(gettext_lazy("phê duyệt"), {S.CANDIDATE: PROVINCE, S.SUSPENDED: PROVINCE}, None),
    "activate": Transition(
        gettext_lazy("đưa vào thực hiện"), {S.APPROVED: PROVINCE, S.SUSPENDED: PROVINCE}, S.ACTIVE
    ),
    "suspend": Transition(gettext_lazy("tạm dừng"), {S.APPROVED: PROVINCE, S.ACTIVE: PROVINCE}, S.SUSPENDED),
    # The agency may find its own procedure unfit while reviewing; once the province has approved it, only the
    # province may take it back.
    "mark_not_eligible": Transition(
        gettext_lazy("đánh dấu không đủ điều kiện"),
        {
            NONE: AGENCY,
            S.CANDIDATE: AGENCY,
            S.APPROVED: PROVINCE,
            S.ACTIVE: PROVINCE,
            S.SUSPENDED: PROVINCE,
        },
        S.NOT_ELIGIBLE,
    ),
    # Delegation (phân cấp) or authorisation (ủy quyền) to the receiving officer is the agency head's decision
    # (org.Delegation); the designation records it for the plan's phase-2 target. The province may correct it.
    "set_delegation": Transition(
        gettext_lazy("cập nhật phân cấp, ủy quyền"),
        {S.CANDIDATE: AGENCY, S.APPROVED: AGENCY, S.ACTIVE: AGENCY, S.SUSPENDED: AGENCY},
        None,
    ),
}


def is_province_decider(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or bool(user.role_set & PROVINCE_DECIDERS)
    )


def is_agency_leader(user: Any, agency: Agency | int) -> bool:
    agency_id = agency if isinstance(agency, int) else agency.pk
    return (
        bool(getattr(user, "is_authenticated", False))
        and Role.APPROVER in user.role_set
        and user.agency_id == agency_id
    )


def may(user: Any, action: str, status: str, agency: Agency | int) -> bool:
    """Whether ``user`` may take ``action`` on a designation in ``status`` at ``agency`` (for showing buttons;
    the services check the same)."""
    who = TRANSITIONS[action].sources.get(status)
    if who is None:
        return False
    if who == PROVINCE:
        return is_province_decider(user)
    return is_province_decider(user) or is_agency_leader(user, agency)


def allowed_actions(user: Any, designation: OnTheSpotDesignation) -> list[str]:
    return [a for a in TRANSITIONS if may(user, a, designation.status, designation.agency_id)]


# --- helpers -----------------------------------------------------------------------------------------------


def _text(value: str) -> str:
    return unicodedata.normalize("NFC", (value or "").strip())


def _reason(reason: str) -> str:
    text = _text(reason)
    if not text:
        raise DomainError(_("Vui lòng nêu lý do."), code="reason_required")
    return text


def _check(action: str, status: str, actor: Any, agency_id: int) -> Transition:
    transition = TRANSITIONS[action]
    who = transition.sources.get(status)
    if who is None:
        shown = S(status).label if status else _("chưa đề xuất")
        raise Conflict(
            _("Không thể %(action)s khi thủ tục đang ở trạng thái “%(status)s”.")
            % {"action": transition.label, "status": shown},
            code="illegal_transition",
        )
    if actor is None:  # the system (activate_due) acts only on the province's earlier decision
        return transition
    if who == PROVINCE and not is_province_decider(actor):
        raise NotAllowed(
            _("Chỉ Giám đốc Trung tâm và quản trị hệ thống được %(action)s thủ tục “5 tại chỗ”.")
            % {"action": transition.label}
        )
    if who == AGENCY and not (is_province_decider(actor) or is_agency_leader(actor, agency_id)):
        raise NotAllowed(
            _("Chỉ lãnh đạo của chính cơ quan hoặc Giám đốc Trung tâm được %(action)s.")
            % {"action": transition.label}
        )
    return transition


def _locked(designation: OnTheSpotDesignation | int) -> OnTheSpotDesignation:
    pk = designation if isinstance(designation, int) else designation.pk
    try:
        return OnTheSpotDesignation.objects.select_for_update().get(pk=pk)
    except OnTheSpotDesignation.DoesNotExist:
        raise DomainError(_("Không tìm thấy thủ tục “5 tại chỗ” này.")) from None


def _locked_or_new(procedure: Procedure, agency: Agency, case_name: str) -> tuple[OnTheSpotDesignation, bool]:
    """The designation of (procedure, agency, case), locked; created (with no status history yet) if missing.
    Two proposals at once: the second `create` hits the unique constraint and locks the first one's row."""
    found = (
        OnTheSpotDesignation.objects.select_for_update()
        .filter(procedure=procedure, agency=agency, case_name=case_name)
        .first()
    )
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            return (
                OnTheSpotDesignation.objects.create(
                    procedure=procedure, agency=agency, case_name=case_name, status=S.CANDIDATE
                ),
                True,
            )
    except IntegrityError:
        return (
            OnTheSpotDesignation.objects.select_for_update().get(
                procedure=procedure, agency=agency, case_name=case_name
            ),
            False,
        )


def _snapshot(designation: OnTheSpotDesignation) -> dict[str, Any]:
    """What `history.py` needs to know the designation's state on a past day."""
    return {
        "effective_from": designation.effective_from.isoformat() if designation.effective_from else None,
        "counter_appraises": designation.counter_appraises,
        "counter_approves": designation.counter_approves,
    }


def _save(designation: OnTheSpotDesignation) -> None:
    try:
        designation.full_clean()
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc
    designation.save()


def _record(
    designation: OnTheSpotDesignation,
    *,
    action: str,
    from_status: str,
    actor: Any,
    reason: str,
    detail: dict[str, Any] | None = None,
) -> DesignationEvent:
    return DesignationEvent.objects.create(
        designation=designation,
        action=action,
        from_status=from_status,
        to_status=designation.status,
        actor=actor,
        at=timezone.now(),
        reason=reason,
        detail={**_snapshot(designation), **(detail or {})},
    )


def _move(
    designation: OnTheSpotDesignation | int, *, action: str, actor: Any, reason: str
) -> OnTheSpotDesignation:
    text = _reason(reason)
    with transaction.atomic():
        row = _locked(designation)
        transition = _check(action, row.status, actor, row.agency_id)
        before = row.status
        row.status = transition.target or row.status
        _save(row)
        _record(row, action=action, from_status=before, actor=actor, reason=text)
    return row


# --- services ----------------------------------------------------------------------------------------------


def propose(
    *, procedure: Procedure, agency: Agency, actor: Any, reason: str, case_name: str = ""
) -> OnTheSpotDesignation:
    """The agency's leader (or the province) proposes the procedure — or one case of it — for "5 tại chỗ":
    CANDIDATE. Creates the designation if missing. The procedure must be in the agency's list."""
    text = _reason(reason)
    case = _text(case_name)
    if not procedure.agencies.filter(pk=agency.pk).exists():
        raise DomainError(
            _("Thủ tục %(code)s không thuộc danh mục thủ tục của %(agency)s.")
            % {"code": procedure.code, "agency": agency.name}
        )
    with transaction.atomic():
        row, created = _locked_or_new(procedure, agency, case)
        before = NONE if created else row.status
        _check("propose", before, actor, agency.pk)
        row.status = S.CANDIDATE
        _save(row)
        _record(row, action="propose", from_status=before, actor=actor, reason=text)
    return row


def approve_designation(
    *,
    designation: OnTheSpotDesignation | int,
    actor: Any,
    decision_number: str,
    decision_date: date,
    effective_from: date,
    reason: str,
    counter_appraises: bool = False,
    counter_approves: bool = False,
    on_the_spot_hours: Decimal | None = None,
    today: date | None = None,
) -> OnTheSpotDesignation:
    """The province approves by decision: APPROVED, or ACTIVE when ``effective_from`` has come (today, local)."""
    text = _reason(reason)
    number = _text(decision_number)
    if not number:
        raise DomainError(_("Vui lòng nhập số quyết định phê duyệt."))
    if decision_date is None or effective_from is None:
        raise DomainError(_("Vui lòng nhập ngày quyết định và ngày hiệu lực."))
    if effective_from < decision_date:
        raise DomainError(_("Ngày hiệu lực không được trước ngày ban hành quyết định."))
    if on_the_spot_hours is not None and on_the_spot_hours <= 0:
        raise DomainError(_("Thời gian giải quyết tại chỗ phải lớn hơn 0 giờ."))
    today = today or timezone.localdate()
    with transaction.atomic():
        row = _locked(designation)
        _check("approve", row.status, actor, row.agency_id)
        before = row.status
        row.status = S.ACTIVE if effective_from <= today else S.APPROVED
        row.decision_number = number
        row.decision_date = decision_date
        row.effective_from = effective_from
        row.counter_appraises = counter_appraises
        row.counter_approves = counter_approves
        if on_the_spot_hours is not None:
            row.on_the_spot_hours = on_the_spot_hours
        _save(row)
        _record(
            row,
            action="approve",
            from_status=before,
            actor=actor,
            reason=text,
            detail={
                "decision_number": number,
                "decision_date": decision_date.isoformat(),
                "on_the_spot_hours": str(row.on_the_spot_hours)
                if row.on_the_spot_hours is not None
                else None,
            },
        )
    return row


def activate(
    *, designation: OnTheSpotDesignation | int, actor: Any, reason: str, today: date | None = None
) -> OnTheSpotDesignation:
    """Put an approved (or suspended) designation into practice; refused before its effective date."""
    text = _reason(reason)
    today = today or timezone.localdate()
    with transaction.atomic():
        row = _locked(designation)
        _check("activate", row.status, actor, row.agency_id)
        if row.effective_from is None:
            raise Conflict(_("Thủ tục chưa có quyết định phê duyệt với ngày hiệu lực."))
        if row.effective_from > today:
            raise Conflict(
                _("Chưa đến ngày hiệu lực của quyết định (%(day)s).")
                % {"day": row.effective_from.strftime("%d/%m/%Y")}
            )
        before = row.status
        row.status = S.ACTIVE
        _save(row)
        _record(row, action="activate", from_status=before, actor=actor, reason=text)
    return row


def suspend(*, designation: OnTheSpotDesignation | int, actor: Any, reason: str) -> OnTheSpotDesignation:
    """Stop running the procedure on the spot (e.g. the inspection found it not real, or the staff left)."""
    return _move(designation, action="suspend", actor=actor, reason=reason)


def mark_not_eligible(
    *, designation: OnTheSpotDesignation | int, actor: Any, reason: str
) -> OnTheSpotDesignation:
    """The procedure cannot run on the spot (e.g. it needs a field visit or several agencies): it leaves the
    base of the phase-2 target ("eligible procedures with dossiers")."""
    return _move(designation, action="mark_not_eligible", actor=actor, reason=reason)


def declare_not_eligible(
    *, procedure: Procedure, agency: Agency, actor: Any, reason: str, case_name: str = ""
) -> OnTheSpotDesignation:
    """`mark_not_eligible` for a procedure that has no designation yet (found unfit during the review)."""
    text = _reason(reason)
    case = _text(case_name)
    if not procedure.agencies.filter(pk=agency.pk).exists():
        raise DomainError(
            _("Thủ tục %(code)s không thuộc danh mục thủ tục của %(agency)s.")
            % {"code": procedure.code, "agency": agency.name}
        )
    with transaction.atomic():
        row, created = _locked_or_new(procedure, agency, case)
        before = NONE if created else row.status
        _check("mark_not_eligible", before, actor, agency.pk)
        row.status = S.NOT_ELIGIBLE
        _save(row)
        _record(row, action="mark_not_eligible", from_status=before, actor=actor, reason=text)
    return row


def propose_many(
    *, procedures: list[Procedure], agency: Agency, actor: Any, reason: str, case_name: str = ""
) -> list[OnTheSpotDesignation]:
    """`propose` for several procedures with one reason, all or none (one transaction): a refusal names the
    procedure it stopped at."""
    return _many(propose, procedures, agency=agency, actor=actor, reason=reason, case_name=case_name)


def declare_not_eligible_many(
    *, procedures: list[Procedure], agency: Agency, actor: Any, reason: str, case_name: str = ""
) -> list[OnTheSpotDesignation]:
    """`declare_not_eligible` for several procedures with one reason, all or none."""
    return _many(
        declare_not_eligible, procedures, agency=agency, actor=actor, reason=reason, case_name=case_name
    )


def _many(service: Any, procedures: list[Procedure], **kwargs: Any) -> list[OnTheSpotDesignation]:
    if not procedures:
        raise DomainError(_("Vui lòng chọn ít nhất một thủ tục."))
    _reason(kwargs["reason"])
    done = []
    with transaction.atomic():
        for procedure in procedures:
            try:
                done.append(service(procedure=procedure, **kwargs))
            except DomainError as exc:
                raise type(exc)(f"{procedure.code}: {exc.message}", code=exc.code) from exc
    return done


def set_delegation(
    *,
    designation: OnTheSpotDesignation | int,
    actor: Any,
    counter_appraises: bool,
    counter_approves: bool,
    reason: str,
) -> OnTheSpotDesignation:
    """Record that appraisal and/or approval is delegated or authorised to the receiving officer (phase 2 of the
    plan: ≥ 50 % of procedures). The status does not change; the event keeps the flags before and after."""
    text = _reason(reason)
    with transaction.atomic():
        row = _locked(designation)
        _check("set_delegation", row.status, actor, row.agency_id)
        if (row.counter_appraises, row.counter_approves) == (counter_appraises, counter_approves):
            raise Conflict(_("Phân cấp, ủy quyền không thay đổi."))
        previous = {"before_appraises": row.counter_appraises, "before_approves": row.counter_approves}
        row.counter_appraises = counter_appraises
        row.counter_approves = counter_approves
        _save(row)
        _record(
            row, action="set_delegation", from_status=row.status, actor=actor, reason=text, detail=previous
        )
    return row


def activate_due(today: date | None = None) -> int:
    """Activate the approved designations whose effective date has come (run daily); returns how many. Each row
    is locked and re-checked on its own, so a suspension made meanwhile is not overridden."""
    today = today or timezone.localdate()
    ids = list(
        OnTheSpotDesignation.objects.filter(status=S.APPROVED, effective_from__lte=today).values_list(
            "pk", flat=True
        )
    )
    done = 0
    for pk in ids:
        with transaction.atomic():
            row = OnTheSpotDesignation.objects.select_for_update().filter(pk=pk).first()
            if row is None or row.status != S.APPROVED or row.effective_from is None:
                continue
            if row.effective_from > today:
                continue
            row.status = S.ACTIVE
            _save(row)
            _record(row, action="activate", from_status=S.APPROVED, actor=None, reason=_("Đến ngày hiệu lực"))
            done += 1
    return done


ACTION_LABELS: dict[str, Promise] = {
    "propose": gettext_lazy("Đề xuất"),
    "approve": gettext_lazy("Phê duyệt"),
    "activate": gettext_lazy("Đưa vào thực hiện"),
    "suspend": gettext_lazy("Tạm dừng"),
    "mark_not_eligible": gettext_lazy("Không đủ điều kiện"),
    "set_delegation": gettext_lazy("Phân cấp, ủy quyền"),
}
