"""The dossier lifecycle as an explicit state machine (design.md rule 3; domain.md §2).

Internal states are finer than the national status codes synchronised to the National Public Service Portal;
each maps to exactly one code. `TRANSITIONS` is the one table of allowed moves, with the roles that may take
each; every service in `services.py` checks it under a row lock before it changes anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from taicho.org.models import Role


class Status(models.TextChoices):
    GUIDED = "guided", _("Đã hướng dẫn bổ sung (chưa tiếp nhận)")
    NOT_RECEIVED = "not_received", _("Từ chối tiếp nhận")
    RECEIVED = "received", _("Đã tiếp nhận")
    APPRAISING = "appraising", _("Đang thẩm định")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Chờ bổ sung hồ sơ")
    FINANCIAL_OBLIGATION = "financial_obligation", _("Chờ thực hiện nghĩa vụ tài chính")
    AWAITING_APPROVAL = "awaiting_approval", _("Chờ phê duyệt")
    APPROVED = "approved", _("Đã ký duyệt")
    SEALED = "sealed", _("Đã đóng dấu")
    RESULT_READY = "result_ready", _("Có kết quả, chờ trả")
    PRINTED = "printed", _("Đã in kết quả")
    REFUSED = "refused", _("Từ chối giải quyết")
    WITHDRAWAL_REQUESTED = "withdrawal_requested", _("Công dân xin rút hồ sơ")
    STOPPED = "stopped", _("Dừng giải quyết")
    RETURNED = "returned", _("Đã trả kết quả")


# National status codes (domain.md §2): 1 new (online), 2 received, 3 not received, 4 processing, 5 supplement
# requested, 6 financial obligation, 7 withdrawal requested, 8 stopped, 9 done, 10 returned.
NATIONAL_CODE = {
    Status.GUIDED: 3,
    Status.NOT_RECEIVED: 3,
    Status.RECEIVED: 2,
    Status.APPRAISING: 4,
    Status.SUPPLEMENT_REQUESTED: 5,
    Status.FINANCIAL_OBLIGATION: 6,
    Status.AWAITING_APPROVAL: 4,
    Status.APPROVED: 4,
    Status.SEALED: 4,
    Status.RESULT_READY: 9,
    Status.PRINTED: 9,
    Status.REFUSED: 9,
    Status.WITHDRAWAL_REQUESTED: 7,
    Status.STOPPED: 8,
    Status.RETURNED: 10,
}

# States in which the legal clock is stopped (domain.md §2: the clock pauses while waiting for the citizen).
PAUSED = {Status.SUPPLEMENT_REQUESTED, Status.FINANCIAL_OBLIGATION, Status.WITHDRAWAL_REQUESTED}
# States in which the agency is still working on the dossier (for inboxes and overdue flags).
IN_PROCESS = {
    Status.RECEIVED,
    Status.APPRAISING,
    Status.AWAITING_APPROVAL,
    Status.APPROVED,
    Status.SEALED,
    Status.SUPPLEMENT_REQUESTED,
    Status.FINANCIAL_OBLIGATION,
    Status.WITHDRAWAL_REQUESTED,
}
# Before the result is issued: a stop or withdrawal is still possible (domain.md §2).
BEFORE_RESULT = {
    Status.RECEIVED,
    Status.APPRAISING,
    Status.SUPPLEMENT_REQUESTED,
    Status.FINANCIAL_OBLIGATION,
    Status.AWAITING_APPROVAL,
}


class Step(models.TextChoices):
    """The five steps of "5 tại chỗ" (domain.md §1), used for budgets and the control slip (form 06)."""

    RECEPTION = "reception", _("Tiếp nhận")
    APPRAISAL = "appraisal", _("Thẩm định")
    APPROVAL = "approval", _("Phê duyệt")
    STAMPING = "stamping", _("Đóng dấu")
    RETURN = "return", _("Trả kết quả")


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None  # None: the state does not change (e.g. an apology)
    roles: frozenset[str]
    step: str


def _t(action: str, sources: set[str], target: str | None, roles: set[str], step: str) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles), step)


R, A, L, C = Role.RECEIVING_OFFICER, Role.APPRAISER, Role.APPROVER, Role.SEAL_CLERK

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        _t("receive", {Status.GUIDED}, Status.RECEIVED, {R}, Step.RECEPTION),
        _t("refuse_reception", {Status.GUIDED}, Status.NOT_RECEIVED, {R}, Step.RECEPTION),
        _t("start_appraisal", {Status.RECEIVED}, Status.APPRAISING, {A, R}, Step.APPRAISAL),
        _t("request_supplement", {Status.APPRAISING}, Status.SUPPLEMENT_REQUESTED, {A, R}, Step.APPRAISAL),
        _t("supplement_received", {Status.SUPPLEMENT_REQUESTED}, Status.APPRAISING, {R, A}, Step.APPRAISAL),
        _t("request_obligation", {Status.APPRAISING}, Status.FINANCIAL_OBLIGATION, {A, R}, Step.APPRAISAL),
        _t("obligation_fulfilled", {Status.FINANCIAL_OBLIGATION}, Status.APPRAISING, {R, A}, Step.APPRAISAL),
        # The appraiser's per-component checklist: recorded (with its own event) while appraising; no move.
        _t("record_checklist", {Status.APPRAISING}, None, {A, R}, Step.APPRAISAL),
        _t("submit_for_approval", {Status.APPRAISING}, Status.AWAITING_APPROVAL, {A, R}, Step.APPRAISAL),
        _t("refuse", {Status.APPRAISING}, Status.REFUSED, {A, R}, Step.APPRAISAL),
        _t("send_back", {Status.AWAITING_APPROVAL}, Status.APPRAISING, {L, R}, Step.APPROVAL),
        _t("approve", {Status.AWAITING_APPROVAL}, Status.APPROVED, {L, R, A}, Step.APPROVAL),
        _t("seal", {Status.APPROVED}, Status.SEALED, {C}, Step.STAMPING),
        _t("release", {Status.SEALED}, Status.RESULT_READY, {C}, Step.STAMPING),
        _t("record_print", {Status.RESULT_READY}, Status.PRINTED, {C, R}, Step.STAMPING),
        _t(
            "return_result",
            {Status.RESULT_READY, Status.PRINTED, Status.REFUSED},
            Status.RETURNED,
            {R},
            Step.RETURN,
        ),
        _t("apologise", set(IN_PROCESS), None, {L, A, R}, Step.APPRAISAL),
        _t("request_withdrawal", set(BEFORE_RESULT), Status.WITHDRAWAL_REQUESTED, {R}, Step.APPRAISAL),
        _t(
            "stop", set(BEFORE_RESULT) | {Status.WITHDRAWAL_REQUESTED}, Status.STOPPED, {L, R}, Step.APPRAISAL
        ),
    )
}
