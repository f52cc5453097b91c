"""The five steps (domain.md §1–§3): one service per transition of `states.TRANSITIONS`.

Every service: locks the dossier row (`select_for_update`, so two officers acting at once never both succeed),
checks the transition table and the actor's role, agency and delegation, changes the dossier, and writes one
append-only DossierEvent in the same transaction with the step's budget and the working time it used. A
refused step raises a DomainError with a Vietnamese message and leaves the dossier as it was.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from taicho.catalog.models import (
    Component,
    Fee,
    OnTheSpotDesignation,
    Procedure,
    ProcedureCase,
    ProcedureVersion,
    TimeUnit,
)
from taicho.core.calendar import calendar_for
from taicho.core.codes import parse_personal_id
from taicho.core.errors import Conflict, DomainError, NotAllowed
from taicho.core.prepared import Prepared, create_row, related, update_row
from taicho.core.services import allocate_dossier_code
from taicho.core.workcal import CalendarError, TimeLimit
from taicho.dossiers.models import (
    ComponentCheck,
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierPaper,
    OriginalFile,
    Rating,
)
from taicho.dossiers.states import PAUSED, TRANSITIONS, Status, Step
from taicho.org.models import Agency, Counter, Role, Staff
from taicho.org.selectors import Step as DelegatedStep
from taicho.org.selectors import delegation_for, place_name

# Share of the legal time limit each step may use (domain.md §3: step budgets add up to the limit). The
# province may set its own split with TAICHO_STEP_SHARES.
STEP_SHARES = {
    Step.RECEPTION: 0.0,
    Step.APPRAISAL: 0.5,
    Step.APPROVAL: 0.25,
    Step.STAMPING: 0.125,
    Step.RETURN: 0.125,
}
RATING_CRITERIA = 11  # domain.md §7: 11 criteria scored 2/1/0


@dataclass
class Applicant:
    name: str
    id_number: str
    address: str = ""
    phone: str = ""
    email: str = ""
    owner_name: str = ""  # empty: the applicant is the owner
    owner_id: str = ""
    owner_address: str = ""


@dataclass
class Upload:
    name: str
    content: bytes
    content_type: str


@dataclass
class Provided:
    """How one component of the procedure was provided at the counter."""

    component_id: int
    provided_as: str
    count: int = 1
    files: list[Upload] = field(default_factory=list)
    reuse_from: int | None = None  # a DossierComponent of an earlier dossier of the same owner


@dataclass(frozen=True)
class Check:
    """The appraiser's verdict on one paper of the dossier, named by the procedure's component id (as in
    `request_supplement`): passed ("Đạt"), or not ("Không đạt") with a note saying what is wrong."""

    component_id: int
    passed: bool
    note: str = ""


# --- the transition machinery ----------------------------------------------------------------------------


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


HEAVY_VERSION_FIELDS = (
    "version__source_record",
    "version__steps_text",
    "version__conditions_text",
    "version__legal_basis",
    "version__review_notes",
)


def _locked(dossier: Dossier | int) -> Dossier:
    """The dossier row locked for a transition, with what every step reads. The pinned version is left out: few
    steps read it (`_version`), and joining it cost PostgreSQL ~2 ms of planning and Django ~1 ms per step."""
    pk = dossier if isinstance(dossier, int) else dossier.pk
    held = _HELD.get()
    if held is not None and pk in held:
        return held[pk]
    locked = _remember(_LOCK_DOSSIER.get(pk))
    if held is not None:
        held[pk] = locked
    return locked


#: The lock every step takes, compiled once per connection (`core.prepared`: ~3 ms of Django's time a step).
_LOCK_DOSSIER: Prepared[Dossier] = Prepared(
    lambda pk: (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("agency", "procedure", "case", "center")
        .filter(pk=pk)
    ),
    Dossier._meta.pk,  # type: ignore[arg-type]
)

#: (at, to_status) of a dossier's last event (`_finish`).
_LAST_EVENT_OF: Prepared[DossierEvent] = Prepared(
    lambda pk: (
        DossierEvent.objects.filter(dossier_id=pk).order_by("-at", "-pk").values_list("at", "to_status")[:1]
    ),
    Dossier._meta.pk,  # type: ignore[arg-type]
)

#: Reception's reads of the catalog (versions in force are frozen: `catalog`), compiled once per connection.
_VERSION_ON: Prepared[ProcedureVersion] = Prepared(
    # Procedure.version_on, without the portal record and long texts no step reads (`_version`).
    lambda procedure, day: (
        ProcedureVersion.objects.filter(procedure_id=procedure, effective_from__lte=day)
        .defer(*(name.removeprefix("version__") for name in HEAVY_VERSION_FIELDS))
        .order_by("-effective_from", "-number")[:1]
    ),
    models.IntegerField(),
    models.DateField(),
)
_IN_PERSON_CASE: Prepared[ProcedureCase] = Prepared(
    lambda version: ProcedureCase.objects.filter(version_id=version, channel="in_person").order_by("ordinal")[
        :1
    ],
    models.IntegerField(),
)
_COMPONENTS: Prepared[Component] = Prepared(
    lambda version: Component.objects.filter(version_id=version), models.IntegerField()
)
_ON_THE_SPOT: Prepared[Any] = Prepared(
    lambda procedure, agency, status: OnTheSpotDesignation.objects.filter(
        procedure_id=procedure, agency_id=agency, status=status
    ).values_list("id")[:1],
    models.IntegerField(),
    models.IntegerField(),
    models.CharField(),
)
_FEES_VND: Prepared[Fee] = Prepared(
    lambda case: Fee.objects.filter(case_id=case, currency="VND"), models.IntegerField()
)

#: The rows locked in the current sitting (`_one_sitting`), by primary key.
_HELD: ContextVar[dict[int, Dossier] | None] = ContextVar("taicho_held_dossiers", default=None)


@contextmanager
def _one_sitting() -> Iterator[None]:
    """Steps one person takes in one sitting, in the caller's one transaction (all or nothing): each step finds
    the row the step before locked and changed, instead of locking and reading it again (`_locked`), and opens
    no savepoint of its own (`_step`) — a refused step fails the whole sitting anyway."""
    token = _HELD.set({})
    try:
        yield
    finally:
        _HELD.reset(token)


def _step() -> transaction.Atomic:
    """A step's transaction: its own, or inside `_one_sitting` the sitting's (no savepoint)."""
    return transaction.atomic(savepoint=_HELD.get() is None)


_LOADED = "_taicho_loaded"


def _remember(dossier: Dossier) -> Dossier:
    """Note the row's values as read (or just written), so that `_save` writes only what a step changed. JSON
    columns are copied: a step may change them in place."""
    values = {
        f.attname: copy.deepcopy(getattr(dossier, f.attname))
        if isinstance(f, models.JSONField)
        else getattr(dossier, f.attname)
        for f in Dossier._meta.concrete_fields
    }
    setattr(dossier, _LOADED, values)
    return dossier


def _save(dossier: Dossier) -> None:
    """Save the columns that differ from what `_remember` noted (all of them for a dossier it did not see):
    an UPDATE of the ~45 columns a step never touches cost Django and PostgreSQL ~1 ms per step."""
    loaded = getattr(dossier, _LOADED, None)
    if loaded is None or dossier.pk is None:
        dossier.save()
    else:
        changed = [
            f.name for f in Dossier._meta.concrete_fields if getattr(dossier, f.attname) != loaded[f.attname]
        ]
        if changed:
            update_row(dossier, changed)  # the UPDATE compiled once per set of columns
    _remember(dossier)


def _version(dossier: Dossier) -> ProcedureVersion:
    """The dossier's pinned procedure version, loaded once per dossier object — without the portal record and
    long texts, which no step needs (they cost ~10 ms)."""
    if not Dossier.version.is_cached(dossier):
        heavy = [name.removeprefix("version__") for name in HEAVY_VERSION_FIELDS]
        dossier.version = ProcedureVersion.objects.defer(*heavy).get(pk=dossier.version_id)
    return dossier.version


def _may_act(actor: Staff, dossier: Dossier, action: str) -> None:
    """Role, agency and delegation checks of a transition (raises NotAllowed)."""
    transition = TRANSITIONS[action]
    roles = actor.role_set & transition.roles
    if not roles:
        raise NotAllowed(
            _("Vai trò của %(name)s không được thực hiện bước “%(action)s”.")
            % {"name": actor, "action": action}
        )
    same_agency = actor.agency_id == dossier.agency_id
    at_counter = actor.counter_id is not None and actor.counter_id == dossier.counter_id
    if not (same_agency or at_counter):
        raise NotAllowed(_("%(name)s không thuộc cơ quan giải quyết hồ sơ này.") % {"name": actor})
    # A receiving officer appraises only where the agency delegated it to them (domain.md §1, "5 tại chỗ").
    appraisal_actions = {
        "start_appraisal",
        "request_supplement",
        "request_obligation",
        "submit_for_approval",
        "refuse",
    }
    if (
        action in appraisal_actions
        and roles == {Role.RECEIVING_OFFICER}
        and (
            delegation_for(
                staff=actor, procedure=dossier.procedure, step=DelegatedStep.APPRAISE, on=timezone.localdate()
            )
            is None
        )
    ):
        raise NotAllowed(
            _("Cán bộ tiếp nhận chỉ thẩm định thủ tục được ủy quyền; thủ tục này chưa được giao cho quầy.")
        )


def may_act(actor: Staff, dossier: Dossier, action: str) -> bool:
    """Read-only: whether the role, agency, delegation and (for approval) signing-authority checks would let
    ``actor`` take ``action`` on ``dossier`` — so the workspace offers only the buttons that can succeed. The
    services check again under the row lock."""
    from django.core.exceptions import PermissionDenied

    from taicho.org.selectors import authority_to_approve

    if action not in TRANSITIONS:
        return True
    try:
        _may_act(actor, dossier, action)
        if action == "approve":
            authority_to_approve(
                staff=actor, procedure=dossier.procedure, agency=dossier.agency, on=timezone.localdate()
            )
    except (NotAllowed, PermissionDenied):
        return False
    return True


def _begin(dossier: Dossier | int, action: str, actor: Staff) -> Dossier:
    return _guard(_locked(dossier), action, actor)


def _guard(locked: Dossier, action: str, actor: Staff) -> Dossier:
    """The transition table and the actor's checks for ``action`` on a dossier already locked."""
    transition = TRANSITIONS[action]
    if locked.status not in transition.sources:
        raise Conflict(
            _(
                "Hồ sơ %(code)s đang ở trạng thái “%(status)s”, không thực hiện được bước này (có thể người khác vừa xử lý)."
            )
            % {"code": locked.code, "status": locked.get_status_display()}
        )
    _may_act(actor, locked, action)
    return locked


def _limit_seconds(dossier: Dossier) -> float | None:
    case = dossier.case
    if case is None or case.time_limit_value is None:
        return None
    hours_per_day = 8
    value = float(case.time_limit_value)
    unit = case.time_limit_unit
    if unit == TimeUnit.WORKING_HOURS:
        return value * 3600
    if unit == TimeUnit.WITHIN_DAY:
        return hours_per_day * 3600.0
    return value * hours_per_day * 3600  # working or calendar days, counted in working hours for budgets


def _pauses(events: Sequence[DossierEvent], until: datetime) -> list[tuple[datetime, datetime]]:
    """The intervals the clock stood still (supplement, financial obligation, withdrawal request), from the
    dossier's events in order — the whole-history reference for the working time a step records (`_finish`
    needs only the last event; the supervision generator and the tests compute it this way)."""
    spans, start = [], None
    for event in events:
        if event.to_status in PAUSED and start is None:
            start = event.at
        elif event.to_status not in PAUSED and start is not None:
            spans.append((start, event.at))
            start = None
    if start is not None:
        spans.append((start, until))
    return spans


def _finish(
    locked: Dossier,
    action: str,
    actor: Staff | None,
    at: datetime,
    *,
    reason: str = "",
    detail: dict[str, Any] | None = None,
    from_status: str | None = None,
) -> DossierEvent:
    transition = TRANSITIONS.get(action)
    old = from_status if from_status is not None else locked.status
    if transition is not None and transition.target is not None:
        locked.status = transition.target
    step = transition.step if transition else Step.RECEPTION
    # The step's working time runs from the last event. Only the last event is needed: of the pauses
    # `_pauses` finds in all the events, only an open one (the last event is to a paused status) overlaps
    # [last event, now] — every closed pause ended at an event no later than the last one.
    last = getattr(locked, _LAST_EVENT, None) or (
        next(iter(_LAST_EVENT_OF.rows(locked.pk)), None) if locked.pk else None
    )
    used = None
    if last is not None:
        last_at, last_status = last
        cal = calendar_for(locked.center)
        pauses = [(last_at, at)] if last_status in PAUSED and at > last_at else []
        used = int(cal.elapsed(last_at, at, pauses).total_seconds())
    limit = _limit_seconds(locked)
    budget = int(limit * STEP_SHARES.get(Step(step), 0)) if limit is not None else None
    locked.row_version += 1
    _save(locked)
    return _event(
        locked,
        action=action,
        step=step,
        from_status=old,
        to_status=locked.status,
        actor=actor,
        at=at,
        reason=reason,
        budget_seconds=budget,
        used_seconds=used,
        detail=detail or {},
    )


#: On a locked dossier object: (at, to_status) of the last event written through it, so that the next step
#: on the same object under the same lock (a sitting, the seal and the release) need not read it back.
_LAST_EVENT = "_taicho_last_event"


def _event(locked: Dossier, **fields: Any) -> DossierEvent:
    """Append an event of ``locked`` (locked by the caller) and note it as the row's last one."""
    event = create_row(DossierEvent, dossier=locked, agency=locked.agency, **fields)
    setattr(locked, _LAST_EVENT, (event.at, event.to_status))
    return event


# --- reception ---------------------------------------------------------------------------------------------


def _validated_applicant(applicant: Applicant) -> Applicant:
    errors = []
    if not applicant.name.strip():
        errors.append(_("Thiếu họ tên người nộp hồ sơ."))
    for value in (applicant.id_number, applicant.owner_id):
        if value:
            try:
                parse_personal_id(value)
            except ValidationError as exc:
                errors.extend(exc.messages)
    if not applicant.id_number:
        errors.append(_("Thiếu số định danh cá nhân của người nộp hồ sơ."))
    if not applicant.address.strip():
        errors.append(_("Thiếu địa chỉ người nộp hồ sơ (ghi trên Giấy tiếp nhận, mẫu 01)."))
    if errors:
        raise DomainError(" ".join(errors), code="invalid_applicant")
    return applicant


def _version_and_case(
    procedure: Procedure, case: ProcedureCase | None, at: datetime
) -> tuple[ProcedureVersion, ProcedureCase]:
    version = _VERSION_ON.first(procedure.pk, timezone.localdate(at))
    if version is None:
        raise DomainError(_("Thủ tục %(code)s chưa có phiên bản có hiệu lực.") % {"code": procedure.code})
    if case is None:
        case = _IN_PERSON_CASE.first(version.pk)
    if case is None or case.version_id != version.pk:
        raise DomainError(_("Trường hợp đã chọn không thuộc phiên bản đang áp dụng của thủ tục."))
    if case.time_limit_value is None:
        raise DomainError(
            _(
                "Thủ tục %(code)s chưa có thời hạn giải quyết rõ ràng (“%(text)s”); quản trị cần cập nhật danh mục."
            )
            % {"code": procedure.code, "text": case.time_limit_text or "—"}
        )
    return version, case


def _check_components(version: ProcedureVersion, provided: Sequence[Provided]) -> dict[int, Component]:
    """Only components of the procedure may be recorded or asked for (domain.md §2)."""
    own = {c.pk: c for c in _COMPONENTS.all(version.pk)}
    strangers = [p.component_id for p in provided if p.component_id not in own]
    if strangers:
        raise DomainError(
            _(
                "Không được yêu cầu giấy tờ ngoài thành phần hồ sơ của thủ tục (mã thành phần không hợp lệ: %(ids)s)."
            )
            % {"ids": ", ".join(map(str, strangers))}
        )
    return own


def _due(dossier: Dossier, at: datetime) -> tuple[datetime, datetime]:
    cal = calendar_for(dossier.center)
    start = cal.start_of_count(at)
    case = dossier.case
    assert case is not None and case.time_limit_value is not None
    try:
        due = cal.due(at, TimeLimit(Decimal(case.time_limit_value), case.time_limit_unit))
    except CalendarError as exc:
        raise DomainError(str(exc)) from exc
    return start, due


def _on_the_spot(procedure: Procedure, agency: Agency) -> bool:
    from taicho.catalog.models import OnTheSpotStatus

    return bool(_ON_THE_SPOT.rows(procedure.pk, agency.pk, OnTheSpotStatus.ACTIVE))


def _fee(case: ProcedureCase, provided: Sequence[Provided]) -> int:
    """The fee due in đồng: fixed fees once, per-page/per-copy fees times the number of copies provided."""
    total = 0
    copies = sum(p.count for p in provided) or 1
    for fee in _FEES_VND.all(case.pk):
        total += fee.amount * (copies if fee.per_unit else 1)
    return total


def _store_component(dossier: Dossier, component: Component, item: Provided) -> DossierComponent:
    row = DossierComponent(
        dossier=dossier, component=component, provided_as=item.provided_as, count=item.count
    )
    if item.reuse_from is not None:
        earlier = (
            DossierComponent.objects.select_related("dossier")
            .filter(pk=item.reuse_from, dossier__owner_id=dossier.owner_id)
            .exclude(digitized="")
            .first()
        )
        if earlier is None or not dossier.owner_id:
            raise DomainError(_("Giấy tờ dùng lại không thuộc kho dữ liệu của chủ hồ sơ này."))
        row.reused_from = earlier
        row.digitized = earlier.digitized.name
        row.digitized_sha256 = earlier.digitized_sha256
        row.digitization_code = earlier.digitization_code
        row.save()
        return row
    if item.files:
        pdf = digitize(item.files)
        row.digitized_sha256 = hashlib.sha256(pdf).hexdigest()
        row.digitization_code = f"{dossier.code}.{component.ordinal:02d}"
        row.digitized.save(f"{dossier.code}-{component.ordinal:02d}.pdf", ContentFile(pdf), save=False)
    row.save()
    for upload in item.files:
        original = OriginalFile(
            dossier_component=row,
            name=upload.name[:255],
            content_type=upload.content_type[:100],
            sha256=hashlib.sha256(upload.content).hexdigest(),
            size=len(upload.content),
        )
        original.file.save(
            f"{original.sha256[:16]}-{upload.name[-80:]}", ContentFile(upload.content), save=False
        )
        original.save()
    return row


def digitize(files: Sequence[Upload]) -> bytes:
    """One PDF per component: a single PDF is kept as it is; scanned images become the pages of one PDF
    (PNG and JPEG data embedded as they are, see `taicho.documents.scans`)."""
    from taicho.documents.scans import ScanError, images_to_pdf

    pdfs = [f for f in files if f.content[:5] == b"%PDF-"]
    if pdfs:
        if len(files) > 1:
            raise DomainError(
                _("Mỗi thành phần chỉ nhận một tệp PDF, hoặc nhiều ảnh quét (sẽ ghép thành một PDF).")
            )
        return pdfs[0].content
    try:
        return images_to_pdf([upload.content for upload in files])
    except ScanError as exc:
        raise DomainError(
            _("Không đọc được tệp “%(name)s” như ảnh quét hoặc PDF.") % {"name": files[exc.index].name}
        ) from exc


def _paper(dossier: Dossier, form: str, data: dict[str, Any], actor: Staff | None) -> DossierPaper:
    from taicho.documents.render import RenderError, render_form

    try:
        rendered = render_form(form, data)
    except RenderError as exc:
        raise DomainError(_("Không lập được mẫu %(form)s: %(error)s") % {"form": form, "error": exc}) from exc
    paper = DossierPaper(
        dossier=dossier, form=form, sha256=hashlib.sha256(rendered.pdf).hexdigest(), created_by=actor
    )
    paper.file.save(f"{dossier.code}-mau{form}-{paper.sha256[:8]}.pdf", ContentFile(rendered.pdf), save=False)
    paper.save()
    return paper


def _form_common(dossier: Dossier, at: datetime) -> dict[str, Any]:
    agency = dossier.agency
    parent = related(agency, "parent")
    return {
        "parent_agency": parent.name if parent else "",
        "agency": agency.name,
        "place": place_name(agency),
        "issued_at": at,
        "dossier_code": dossier.code,
        "tthc_code": dossier.procedure.code,
        "owner_id": dossier.owner_id,
        "procedure_name": _version(dossier).name,
        "owner": {
            "name": dossier.owner_name,
            "id_number": dossier.owner_id,
            "address": dossier.owner_address,
        },
        "short_url": f"{settings.SITE_URL.rstrip('/')}/tra-cuu/{dossier.code}",
    }


def _new_dossier(
    *,
    officer: Staff,
    procedure: Procedure,
    applicant: Applicant,
    at: datetime,
    status: str,
    case: ProcedureCase | None = None,
    counter: Counter | None = None,
    agency: Agency | None = None,
    content: str = "",
    sets: int = 1,
    result_delivery: str = Dossier.Delivery.CENTER,
) -> Dossier:
    applicant = _validated_applicant(applicant)
    if not officer.has_role(Role.RECEIVING_OFFICER):
        raise NotAllowed(_("Chỉ cán bộ tiếp nhận được tiếp nhận hồ sơ."))
    version, case = _version_and_case(procedure, case, at)
    agency = agency or related(officer, "agency")
    if agency is None:
        raise DomainError(_("Chưa xác định cơ quan giải quyết hồ sơ."))
    counter = counter or related(officer, "counter")
    code = allocate_dossier_code(agency_identifier=agency.code, day=timezone.localdate(at))
    dossier = Dossier(
        code=code,
        procedure=procedure,
        version=version,
        case=case,
        agency=agency,
        center=related(officer, "center"),
        counter=counter,
        status=status,
        on_the_spot=_on_the_spot(procedure, agency),
        applicant_name=applicant.name.strip(),
        applicant_id=applicant.id_number,
        applicant_address=applicant.address,
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        owner_name=(applicant.owner_name or applicant.name).strip(),
        owner_id=applicant.owner_id or applicant.id_number,
        owner_address=applicant.owner_address or applicant.address,
        content=content or version.name,
        sets=sets,
        result_delivery=result_delivery,
        received_by=officer,
    )
    try:
        # The related rows were read just above and the code comes from the allocator; the unique code and the
        # check constraints are also enforced by the database on insert. Validating them here again cost 12
        # queries per reception.
        dossier.full_clean(
            exclude=["result", "procedure", "version", "case", "agency", "center", "counter", "received_by"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), code="invalid_dossier") from exc
    dossier.save()
    return _remember(dossier)


@transaction.atomic
def receive_dossier(
    *,
    officer: Staff,
    procedure: Procedure,
    applicant: Applicant,
    components: Sequence[Provided],
    case: ProcedureCase | None = None,
    counter: Counter | None = None,
    agency: Agency | None = None,
    content: str = "",
    sets: int = 1,
    result_delivery: str = Dossier.Delivery.CENTER,
    at: datetime | None = None,
) -> Dossier:
    """Receive a complete dossier: every required component provided; the receipt and appointment (form 01) is
    always issued (domain.md §2); the due instant comes from the center's calendar."""
    at = _now(at)
    dossier = _new_dossier(
        officer=officer,
        procedure=procedure,
        applicant=applicant,
        case=case,
        counter=counter,
        at=at,
        agency=agency,
        status=Status.RECEIVED,
        content=content,
        sets=sets,
        result_delivery=result_delivery,
    )
    rows = _receive_components(dossier, components, fresh=True)
    return _complete_reception(dossier, officer, at, components, from_status="", rows=rows)


def _receive_components(
    dossier: Dossier,
    components: Sequence[Provided],
    *,
    required_only: Iterable[int] | None = None,
    fresh: bool = False,
) -> list[DossierComponent]:
    """Record the provided components (``fresh``: the dossier was just created and has none yet); returns the
    rows made."""
    own = _check_components(_version(dossier), components)
    given = {p.component_id for p in components if p.provided_as != DossierComponent.ProvidedAs.MISSING}
    needed = {pk for pk, c in own.items() if c.required} if required_only is None else set(required_only)
    missing = sorted(needed - given)
    if missing:
        names = "; ".join(own[pk].name[:80] for pk in missing)
        raise DomainError(
            _(
                "Hồ sơ chưa đầy đủ, thiếu: %(names)s. Hãy lập Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (mẫu 02)."
            )
            % {"names": names},
            code="incomplete",
        )
    existing = set() if fresh else {row.component_id for row in dossier.components.all()}
    rows = []
    for item in components:
        if item.component_id in existing or item.provided_as == DossierComponent.ProvidedAs.MISSING:
            continue
        rows.append(_store_component(dossier, own[item.component_id], item))
    return rows


def _complete_reception(
    dossier: Dossier,
    officer: Staff,
    at: datetime,
    components: Sequence[Provided],
    *,
    from_status: str,
    rows: list[DossierComponent] | None = None,
) -> Dossier:
    """Due time, fee, form 01 and the event. ``rows``: all the dossier's components when the caller has them
    (a fresh dossier: the ones just stored), else they are read."""
    start, due = _due(dossier, at)
    dossier.received_at = at
    dossier.clock_started_at = start
    dossier.due_at = due
    dossier.original_due_at = due
    dossier.fee_amount = _fee(dossier.case, components) if dossier.case else 0
    dossier.status = Status.RECEIVED
    _save(dossier)
    data = _form_common(dossier, at)
    data.update(
        {
            "submitter": {
                "name": dossier.applicant_name,
                "id_number": dossier.applicant_id,
                "address": dossier.applicant_address,
                "phone": dossier.applicant_phone,
                "email": dossier.applicant_email,
            },
            "components": [
                {
                    "name": row.component.name[:300],
                    "originals": row.count if row.provided_as == "original" else 0,
                    "certified_copies": row.count if row.provided_as == "certified_copy" else 0,
                    "copies": row.count if row.provided_as in ("copy", "electronic") else 0,
                }
                for row in (
                    sorted(rows, key=lambda r: r.component.ordinal)
                    if rows is not None
                    else dossier.components.select_related("component").order_by("component__ordinal")
                )
            ]
            or [{"name": _("(không có giấy tờ)")}],
            "sets": dossier.sets,
            "time_limit": dossier.case.time_limit_display() if dossier.case else "",
            "received_at": at,
            "appointment": due,
            "result_delivery": dossier.get_result_delivery_display(),
            "fee": dossier.fee_amount,
            "receiving_officer": officer.full_name,
        }
    )
    _paper(dossier, "01", data, officer)
    _event(
        dossier,
        action="receive",
        step=Step.RECEPTION,
        from_status=from_status,
        to_status=Status.RECEIVED,
        actor=officer,
        at=at,
        budget_seconds=0,
        used_seconds=0,
        detail={"due_at": due.isoformat(), "fee": dossier.fee_amount},
    )
    return dossier


@transaction.atomic
def guide_dossier(
    *,
    officer: Staff,
    procedure: Procedure,
    applicant: Applicant,
    missing: Sequence[int],
    reason: str,
    case: ProcedureCase | None = None,
    counter: Counter | None = None,
    agency: Agency | None = None,
    at: datetime | None = None,
) -> Dossier:
    """An incomplete dossier: written guidance (form 02) listing exactly the missing components of the
    procedure — given once; when the citizen comes back only those may be asked for (domain.md §2)."""
    at = _now(at)
    if not missing:
        raise DomainError(_("Phiếu hướng dẫn phải nêu ít nhất một thành phần còn thiếu."))
    dossier = _new_dossier(
        officer=officer,
        procedure=procedure,
        applicant=applicant,
        case=case,
        counter=counter,
        at=at,
        agency=agency,
        status=Status.GUIDED,
    )
    own = _check_components(_version(dossier), [Provided(pk, "missing") for pk in missing])
    dossier.guidance = sorted(set(missing))
    dossier.save(update_fields=["guidance"])
    data = _form_common(dossier, at)
    data.update(
        {
            "components": [
                {"name": own[pk].name[:300], "requirement": _("Bổ sung")} for pk in dossier.guidance
            ],
            "reason": reason or _("Hồ sơ chưa đầy đủ thành phần theo quy định."),
            "rules_reference": f"{dossier.procedure.code} — {settings.SITE_URL}",
            "officer": {
                "name": officer.full_name,
                "phone": officer.phone or (dossier.center.phone if dossier.center else ""),
            },
            "signer_title": officer.title or _("Cán bộ tiếp nhận"),
            "signer_name": officer.full_name,
        }
    )
    _paper(dossier, "02", data, officer)
    _event(
        dossier,
        action="guide",
        step=Step.RECEPTION,
        from_status="",
        to_status=Status.GUIDED,
        actor=officer,
        at=at,
        reason=reason,
        detail={"missing": dossier.guidance},
    )
    return dossier


def receive_guided(
    *, dossier: Dossier, officer: Staff, components: Sequence[Provided], at: datetime | None = None
) -> Dossier:
    """The citizen returns after guidance: only the components named in it may still be required."""
    at = _now(at)
    with transaction.atomic():
        locked = _begin(dossier, "receive", officer)
        _receive_components(locked, components, required_only=locked.guidance)
        return _complete_reception(locked, officer, at, components, from_status=Status.GUIDED)


@transaction.atomic
def refuse_reception(
    *,
    officer: Staff,
    reason: str,
    dossier: Dossier | None = None,
    procedure: Procedure | None = None,
    applicant: Applicant | None = None,
    counter: Counter | None = None,
    at: datetime | None = None,
) -> Dossier:
    """Not admissible: refusal in words (form 03)."""
    at = _now(at)
    if not reason.strip():
        raise DomainError(_("Phải nêu rõ lý do từ chối tiếp nhận."))
    if dossier is not None:
        locked = _begin(dossier, "refuse_reception", officer)
        old = locked.status
    else:
        if procedure is None or applicant is None:
            raise DomainError(_("Thiếu thủ tục hoặc thông tin người nộp."))
        locked = _new_dossier(
            officer=officer,
            procedure=procedure,
            applicant=applicant,
            counter=counter,
            at=at,
            status=Status.NOT_RECEIVED,
        )
        old = ""
    locked.status = Status.NOT_RECEIVED
    data = _form_common(locked, at)
    data.update(
        {
            "reason": reason,
            "signer_title": officer.title or _("Cán bộ tiếp nhận"),
            "signer_name": officer.full_name,
        }
    )
    _paper(locked, "03", data, officer)
    _save(locked)
    _event(
        locked,
        action="refuse_reception",
        step=Step.RECEPTION,
        from_status=old,
        to_status=Status.NOT_RECEIVED,
        actor=officer,
        at=at,
        reason=reason,
    )
    return locked


# --- appraisal ---------------------------------------------------------------------------------------------


def start_appraisal(*, dossier: Dossier, officer: Staff, at: datetime | None = None) -> Dossier:
    at = _now(at)
    with _step():
        locked = _begin(dossier, "start_appraisal", officer)
        _finish(locked, "start_appraisal", officer, at)
    return locked


def request_supplement(
    *, dossier: Dossier, officer: Staff, components: Sequence[int], reason: str, at: datetime | None = None
) -> Dossier:
    """Ask the citizen for missing or incorrect components during processing: only components of the procedure,
    at most once per agency [domain.md §2, configurable: TAICHO_SUPPLEMENTS_PER_AGENCY]; the clock pauses.
    The notes of the papers checked "Không đạt" say what to supplement (form 02's table) and, when ``reason``
    is blank, make its lines."""
    at = _now(at)
    with transaction.atomic():
        locked = _begin(dossier, "request_supplement", officer)
        if not components:
            raise DomainError(_("Phải chọn thành phần hồ sơ cần bổ sung."))
        own = _check_components(_version(locked), [Provided(pk, "missing") for pk in components])
        notes = failed_checks(locked)
        if not reason.strip():
            reason = "\n".join(f"{own[pk].name[:120]}: {notes[pk]}" for pk in components if pk in notes)
        # Decree 61/2018/NĐ-CP art. 17: the request states the reason and what is to be supplemented.
        if not reason.strip():
            raise DomainError(_("Phải nêu lý do yêu cầu bổ sung, hoàn thiện hồ sơ."), code="reason_required")
        done = locked.events.filter(action="request_supplement", agency=locked.agency).count()
        if done >= settings.SUPPLEMENTS_PER_AGENCY:
            raise DomainError(
                _("%(agency)s đã yêu cầu bổ sung hồ sơ này %(n)d lần; không được yêu cầu thêm.")
                % {"agency": locked.agency.name, "n": done}
            )
        locked.paused_since = at
        data = _form_common(locked, at)
        data.update(
            {
                "received_at": locked.received_at,
                "components": [
                    {"name": own[pk].name[:300], "requirement": notes.get(pk) or _("Bổ sung")}
                    for pk in components
                ],
                "reason": reason,
                "rules_reference": locked.procedure.code,
                "officer": {"name": officer.full_name, "phone": officer.phone or "—"},
                "signer_title": officer.title or _("Cán bộ thẩm định"),
                "signer_name": officer.full_name,
            }
        )
        _paper(locked, "02", data, officer)
        _finish(
            locked, "request_supplement", officer, at, reason=reason, detail={"components": list(components)}
        )
    return locked


def _resume(locked: Dossier, at: datetime) -> None:
    """The clock runs again: the appointment moves by the working time spent waiting."""
    if locked.paused_since and locked.due_at:
        cal = calendar_for(locked.center)
        waited = cal.elapsed(locked.paused_since, at)
        locked.due_at = cal.add_working_time(locked.due_at, waited)
    locked.paused_since = None


def supplement_received(
    *, dossier: Dossier, officer: Staff, components: Sequence[Provided], at: datetime | None = None
) -> Dossier:
    at = _now(at)
    with transaction.atomic():
        locked = _begin(dossier, "supplement_received", officer)
        request = locked.events.filter(action="request_supplement").order_by("-at", "-pk").first()
        asked = set(request.detail.get("components", [])) if request else set()
        _check_components(_version(locked), components)
        for item in components:
            if item.component_id not in asked:
                raise DomainError(_("Chỉ nhận các thành phần đã yêu cầu bổ sung."))
        locked.components.filter(component_id__in=[p.component_id for p in components]).delete()
        _receive_components(locked, components, required_only=[])
        _resume(locked, at)
        _finish(locked, "supplement_received", officer, at)
    return locked


def request_obligation(
    *, dossier: Dossier, officer: Staff, reason: str, at: datetime | None = None
) -> Dossier:
    at = _now(at)
    with transaction.atomic():
        locked = _begin(dossier, "request_obligation", officer)
        locked.paused_since = at
        _finish(locked, "request_obligation", officer, at, reason=reason)
    return locked


def obligation_fulfilled(*, dossier: Dossier, officer: Staff, at: datetime | None = None) -> Dossier:
    at = _now(at)
    with transaction.atomic():
        locked = _begin(dossier, "obligation_fulfilled", officer)
        _resume(locked, at)
        _finish(locked, "obligation_fulfilled", officer, at)
    return locked


def submit_for_approval(
    *,
    dossier: Dossier,
    officer: Staff,
    template: str,
    title: str,
    data: dict[str, Any],
    number: str = "",
    checks: Sequence[Check] | None = None,
    at: datetime | None = None,
) -> Dossier:
    """The appraiser's draft result, filled from the template with the dossier's data, goes to the leader.
    ``checks``: verdicts on the papers recorded with it (as `record_checklist` does); refused while any paper
    stands checked "Không đạt"."""
    from taicho.documents.services import draft_result, revise_draft

    at = _now(at)
    with _step():
        locked = _begin(dossier, "submit_for_approval", officer)
        recorded = _store_checks(locked, officer, checks, at) if checks else []
        _refuse_failed_checks(locked)
        base = _form_common(locked, at)
        base.update(data)
        if locked.result_id is not None:
            # Submitted again after the leader sent it back: the appraiser's new draft replaces the old one.
            locked.result = revise_draft(
                document=locked.result_id,
                template=template,
                title=title,
                data=base,
                number=number,
                by=officer,
                savepoint=False,
            )
        else:
            locked.result = draft_result(
                agency=locked.agency,
                procedure=locked.procedure,
                template=template,
                title=title,
                data=base,
                created_by=officer,
                dossier_code=locked.code,
                owner_id=locked.owner_id,
                number=number,
                savepoint=False,
            )
        detail: dict[str, Any] = {"template": template}
        if recorded:
            detail["checks"] = recorded
        _finish(locked, "submit_for_approval", officer, at, detail=detail)
    return locked


@transaction.atomic
def appraise_and_submit(
    *,
    dossier: Dossier,
    officer: Staff,
    template: str,
    title: str,
    data: dict[str, Any],
    number: str = "",
    checks: Sequence[Check] | None = None,
    at: datetime | None = None,
) -> Dossier:
    """Same-day path ("5 tại chỗ"): appraisal starts and the draft result goes to approval in one sitting. Both
    steps keep their own events; one transaction, so a refusal of the second leaves the dossier as it was
    (a paper checked "Không đạt" included: nothing is recorded, the dossier stays received)."""
    with _one_sitting():
        start_appraisal(dossier=dossier, officer=officer, at=at)
        return submit_for_approval(
            dossier=dossier,
            officer=officer,
            template=template,
            title=title,
            data=data,
            number=number,
            checks=checks,
            at=at,
        )


def refuse(*, dossier: Dossier, officer: Staff, reason: str, at: datetime | None = None) -> Dossier:
    at = _now(at)
    if not reason.strip():
        raise DomainError(_("Phải nêu rõ lý do từ chối giải quyết."))
    with transaction.atomic():
        locked = _begin(dossier, "refuse", officer)
        locked.finished_at = at
        _finish(locked, "refuse", officer, at, reason=reason)
    return locked


# --- appraisal: the checklist of the papers ----------------------------------------------------------------


def record_checklist(
    *, dossier: Dossier, officer: Staff, checks: Sequence[Check], at: datetime | None = None
) -> Dossier:
    """The appraiser's verdict on each paper of the dossier ("Đạt" / "Không đạt" with a note), while
    appraising. The dossier row is locked; what changed is written to an append-only event (the state does not
    move). A verdict given again unchanged keeps who checked it and when, and writes nothing."""
    at = _now(at)
    if not checks:
        raise DomainError(_("Chưa đánh giá thành phần hồ sơ nào."), code="empty_checklist")
    with transaction.atomic():
        locked = _begin(dossier, "record_checklist", officer)
        # Checking the papers is appraising: a receiving officer does it only under the agency's delegation,
        # the rule `_may_act` applies to the appraisal steps.
        _may_act(officer, locked, "submit_for_approval")
        recorded = _store_checks(locked, officer, checks, at)
        if recorded:
            _finish(locked, "record_checklist", officer, at, detail={"checks": recorded})
    return locked


def failed_checks(dossier: Dossier | int) -> dict[int, str]:
    """The papers that stand checked "Không đạt": the procedure's component id → the appraiser's note."""
    pk = dossier if isinstance(dossier, int) else dossier.pk
    return dict(
        ComponentCheck.objects.filter(dossier_component__dossier_id=pk, passed=False)
        .order_by("dossier_component__component__ordinal")
        .values_list("dossier_component__component_id", "note")
    )


def _store_checks(
    locked: Dossier, officer: Staff, checks: Sequence[Check], at: datetime
) -> list[dict[str, Any]]:
    """Save the verdicts on the locked dossier's own papers; returns those that changed (for the event)."""
    import unicodedata

    rows = {
        row.component_id: row
        for row in DossierComponent.objects.filter(dossier_id=locked.pk).select_related(
            "component", "appraisal_check"
        )
    }
    seen: set[int] = set()
    strangers: list[int] = []
    fresh: list[ComponentCheck] = []
    recorded: list[dict[str, Any]] = []
    for check in checks:
        row = rows.get(check.component_id)
        if row is None or check.component_id in seen:
            strangers.append(check.component_id)
            continue
        seen.add(check.component_id)
        note = unicodedata.normalize("NFC", check.note.strip())
        if not check.passed and not note:
            # The note is what the citizen is asked to supplement (Decree 61/2018/NĐ-CP art. 17: the
            # request states what to supplement and why).
            raise DomainError(
                _("Thành phần “%(name)s” không đạt: phải ghi rõ lý do (nội dung cần bổ sung, hoàn thiện).")
                % {"name": row.component.name[:120]},
                code="note_required",
            )
        current = getattr(row, "appraisal_check", None)
        if current is not None and (current.passed, current.note) == (check.passed, note):
            continue
        fresh.append(
            ComponentCheck(
                dossier_component=row, passed=check.passed, note=note, checked_by=officer, checked_at=at
            )
        )
        recorded.append({"component_id": check.component_id, "passed": check.passed, "note": note})
    if strangers:
        raise DomainError(
            _(
                "Chỉ kiểm tra các thành phần đã nộp của hồ sơ này, mỗi thành phần một lần (mã không hợp lệ: %(ids)s)."
            )
            % {"ids": ", ".join(map(str, strangers))},
            code="invalid_checklist",
        )
    if fresh:
        ComponentCheck.objects.filter(dossier_component__in=[c.dossier_component for c in fresh]).delete()
        ComponentCheck.objects.bulk_create(fresh)
    return recorded


def _refuse_failed_checks(locked: Dossier) -> None:
    failed = failed_checks(locked)
    if not failed:
        return
    names = dict(Component.objects.filter(pk__in=failed).values_list("pk", "name"))
    # Decree 61/2018/NĐ-CP art. 17: a dossier found not fit to decide goes back to the citizen with a request
    # to supplement it (form 02), or is refused with the reason; it is not put to the leader for signature.
    raise DomainError(
        _(
            "Không trình ký được: thành phần “%(names)s” được kiểm tra “Không đạt”. Hãy yêu cầu bổ sung, hoàn thiện hồ sơ (mẫu 02) hoặc từ chối giải quyết."
        )
        % {"names": "; ".join(names[pk][:80] for pk in failed)},
        code="checklist_failed",
    )


# --- appraisal: the draft result before it is signed --------------------------------------------------------


def preview_result(
    *,
    dossier: Dossier,
    officer: Staff,
    template: str,
    title: str,
    data: dict[str, Any],
    number: str = "",
    at: datetime | None = None,
) -> bytes:
    """The appraiser's "Xem trước": the draft result about to be submitted, filled with the dossier's data and
    rendered as it will be signed, marked as a draft on every page. Writes nothing: no document, no event, the
    dossier is read (not locked) and left as it was."""
    at = _now(at)
    current = (
        Dossier.objects.select_related("agency__parent", "agency__head", "procedure", "version", "center")
        .defer(*HEAVY_VERSION_FIELDS)
        .get(pk=dossier.pk)
    )
    action = "start_appraisal" if current.status == Status.RECEIVED else "submit_for_approval"
    if current.status not in TRANSITIONS[action].sources:
        raise Conflict(
            _("Hồ sơ %(code)s đang ở trạng thái “%(status)s”: chỉ xem trước dự thảo khi thẩm định.")
            % {"code": current.code, "status": current.get_status_display()}
        )
    _may_act(officer, current, action)
    base = _form_common(current, at)
    base.update(data)  # exactly what `submit_for_approval` stores as the draft's data
    return _render_draft(
        agency=current.agency,
        procedure=current.procedure,
        template=template,
        title=title,
        data=base,
        number=number,
        at=at,
        viewer=officer,
    )


def draft_pdf(*, dossier: Dossier, viewer: Staff, at: datetime | None = None) -> bytes:
    """The dossier's submitted, still unsigned draft result, rendered as ``viewer`` would sign it now and marked
    as a draft: what the leader reads before signing. Writes nothing."""
    from taicho.documents.models import DocumentStatus, IssuedDocument

    document = None
    if dossier.result_id is not None:
        document = (
            IssuedDocument.objects.select_related("agency__head", "procedure")
            .filter(pk=dossier.result_id)
            .first()
        )
    if document is None or document.status != DocumentStatus.DRAFT:
        raise DomainError(_("Hồ sơ không có dự thảo kết quả đang chờ ký."), code="no_draft")
    return _render_draft(
        agency=document.agency,
        procedure=document.procedure,
        template=document.template,
        title=document.title,
        data=dict(document.data),
        number=document.number,
        at=_now(at),
        viewer=viewer,
    )


def _render_draft(
    *,
    agency: Agency,
    procedure: Procedure | None,
    template: str,
    title: str,
    data: dict[str, Any],
    number: str,
    at: datetime,
    viewer: Staff | None,
) -> bytes:
    """The draft's data with what signing adds (the date, the signature block), through the same template
    and renderer as the signed paper, plus the draft marking the real paper never carries."""
    from taicho.documents.render import RESULT_TEMPLATES, RenderError, render_result

    if template not in RESULT_TEMPLATES:
        raise DomainError(_("Không có mẫu kết quả “%(name)s”.") % {"name": template}, code="unknown_template")
    from taicho.documents.services import register_to_come

    view = dict(data)
    view["issued_at"] = at  # the paper is dated the day the competent person signs it
    if number:
        view["number"] = number  # as signing prints it (documents.services._render_for_signature)
    register_to_come(template, view, at)  # the register's number is given when the leader signs
    view.update(_preview_signer(agency, procedure, viewer, at))
    view["paper_name"] = title
    # An unsigned draft has no legal value: the marking says so on every page (schemas: ``draft_mark``).
    view["draft_mark"] = _("DỰ THẢO – CHƯA CÓ GIÁ TRỊ PHÁP LÝ")
    try:
        return render_result(template, view).pdf
    except RenderError as exc:
        raise DomainError(
            _("Chưa lập được dự thảo kết quả: %(error)s") % {"error": exc}, code="invalid_draft"
        ) from exc


def _preview_signer(
    agency: Agency, procedure: Procedure | None, viewer: Staff | None, at: datetime
) -> dict[str, str]:
    """The signature block as far as it is known before signing: the viewer's own when they may approve
    (with their delegation), else the agency head's; else a blank one."""
    from django.core.exceptions import PermissionDenied

    from taicho.documents.services import signature_block
    from taicho.org.selectors import authority_to_approve

    if viewer is not None and procedure is not None:
        try:
            delegation = authority_to_approve(
                staff=viewer, procedure=procedure, agency=agency, on=timezone.localdate(at)
            )
        except PermissionDenied:
            pass
        else:
            return signature_block(leader=viewer, agency=agency, delegation=delegation)
    if agency.head is not None:
        return signature_block(leader=agency.head, agency=agency, delegation=None)
    return {"signer_title": _("Lãnh đạo cơ quan"), "signer_name": "…………………"}


# --- approval, stamping ------------------------------------------------------------------------------------


def send_back(*, dossier: Dossier, leader: Staff, reason: str, at: datetime | None = None) -> Dossier:
    at = _now(at)
    with transaction.atomic():
        locked = _begin(dossier, "send_back", leader)
        _finish(locked, "send_back", leader, at, reason=reason)
    return locked


def approve(*, dossier: Dossier, leader: Staff, at: datetime | None = None) -> Dossier:
    """The leader signs the result (authority, delegation and certificate checked by the signing service)."""
    from taicho.documents.services import approve_document

    at = _now(at)
    with transaction.atomic():
        locked = _begin(dossier, "approve", leader)
        if locked.result_id is None:
            raise DomainError(_("Hồ sơ chưa có dự thảo kết quả."))
        # This step owns the transaction and a refusal undoes all of it: no savepoint needed.
        signed = approve_document(document=locked.result_id, leader=leader, at=at, savepoint=False)
        locked.result = signed
        _finish(
            locked,
            "approve",
            leader,
            at,
            detail={"delegation": signed.delegation.decision_number if signed.delegation else ""},
        )
    return locked


@dataclass
class BatchOutcome:
    dossier: Dossier
    ok: bool
    message: str = ""


def approve_batch(
    *, dossiers: Iterable[Dossier], leader: Staff, at: datetime | None = None
) -> list[BatchOutcome]:
    """Sign many dossiers at the end of a session: each in its own transaction, so one refusal does not undo
    the others; the outcome of each is returned."""
    outcomes = []
    for dossier in dossiers:
        try:
            outcomes.append(BatchOutcome(approve(dossier=dossier, leader=leader, at=at), True))
        except DomainError as exc:
            outcomes.append(BatchOutcome(dossier, False, exc.message))
    return outcomes


def seal(*, dossier: Dossier, clerk: Staff, at: datetime | None = None) -> Dossier:
    """The clerk applies the agency's e-seal; the result is then released only if its signatures validate
    (domain.md §2). A refused release leaves the dossier sealed, with the reason recorded."""
    from taicho.documents.services import (
        ReleaseRefused,
        record_release_refusal,
        release_document,
        seal_document,
    )

    at = _now(at)
    refused: ReleaseRefused | None = None
    with transaction.atomic():
        locked = _begin(dossier, "seal", clerk)
        if locked.result_id is None:
            raise DomainError(_("Hồ sơ chưa có kết quả để đóng dấu."))
        result_id = locked.result_id
        seal_document(document=result_id, clerk=clerk, at=at, savepoint=False)
        _finish(locked, "seal", clerk, at)
        # The release, in the same transaction (the row stays locked) behind a savepoint: a refused release
        # undoes only itself, and the dossier is committed sealed with the refusal and its reasons recorded.
        try:
            with transaction.atomic():
                _guard(locked, "release", clerk)
                released = release_document(document=result_id, by=clerk, savepoint=False)
                locked.finished_at = at
                _finish(locked, "release", clerk, at)
        except ReleaseRefused as exc:
            # The refusal recorded inside the savepoint was undone with it: record it again.
            refused = exc
            record_release_refusal(document=result_id, by=clerk, problems=exc.problems)
    if refused is not None:
        raise refused
    locked.result = released
    return locked


def record_print(
    *, dossier: Dossier, clerk: Staff, copies: int, physical_seal: bool = True, at: datetime | None = None
) -> Dossier:
    at = _now(at)
    if copies < 1:
        raise DomainError(_("Số bản in phải từ 1 trở lên."))
    with transaction.atomic():
        locked = _begin(dossier, "record_print", clerk)
        locked.printed_copies += copies
        locked.physical_seal = physical_seal
        _finish(locked, "record_print", clerk, at, detail={"copies": copies, "physical_seal": physical_seal})
    return locked


# --- fees, return, rating ----------------------------------------------------------------------------------


def record_payment(
    *, dossier: Dossier, officer: Staff, amount: int, receipt: str, at: datetime | None = None
) -> Dossier:
    at = _now(at)
    if amount <= 0:
        raise DomainError(_("Số tiền thu phải lớn hơn 0 đồng."))
    with _step():
        locked = _locked(dossier)
        _may_act(officer, locked, "return_result")
        locked.fee_paid += amount
        locked.fee_receipt = receipt
        locked.row_version += 1
        _save(locked)
        _event(
            locked,
            action="payment",
            step=Step.RETURN,
            from_status=locked.status,
            to_status=locked.status,
            actor=officer,
            at=at,
            detail={"amount": amount, "receipt": receipt},
        )
    return locked


def return_result(
    *,
    dossier: Dossier,
    officer: Staff,
    receiver_name: str,
    receiver_id: str,
    relation: str = "",
    originals_returned: bool = False,
    at: datetime | None = None,
) -> Dossier:
    """Hand over the result; fees must be paid first (domain.md §2)."""
    at = _now(at)
    if not receiver_name.strip():
        raise DomainError(_("Phải ghi họ tên người nhận kết quả."))
    try:
        parse_personal_id(receiver_id)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc
    with _step():
        locked = _begin(dossier, "return_result", officer)
        if locked.fee_paid < locked.fee_amount:
            raise DomainError(
                _("Chưa thu đủ phí, lệ phí: còn %(left)s đồng. Thu phí trước khi trả kết quả.")
                % {"left": f"{locked.fee_amount - locked.fee_paid:,}".replace(",", ".")}
            )
        locked.receiver_name, locked.receiver_id, locked.receiver_relation = (
            receiver_name.strip(),
            receiver_id,
            relation,
        )
        locked.originals_returned = originals_returned
        locked.returned_at = at
        _finish(locked, "return_result", officer, at, detail={"receiver": receiver_name.strip()})
    return locked


@transaction.atomic
def pay_and_return(
    *,
    dossier: Dossier,
    officer: Staff,
    receiver_name: str,
    receiver_id: str,
    relation: str = "",
    originals_returned: bool = False,
    amount: int = 0,
    receipt: str = "",
    at: datetime | None = None,
) -> Dossier:
    """Hand-over at the counter in one sitting: the fee still due is recorded first (when given), then the
    result is returned; one transaction, so a refused return records no payment either."""
    with _one_sitting():
        current = _locked(dossier)
        if amount and current.fee_paid < current.fee_amount:
            record_payment(dossier=dossier, officer=officer, amount=amount, receipt=receipt, at=at)
        return return_result(
            dossier=dossier,
            officer=officer,
            receiver_name=receiver_name,
            receiver_id=receiver_id,
            relation=relation,
            originals_returned=originals_returned,
            at=at,
        )


def submit_rating(*, dossier: Dossier, scores: Sequence[int], overall: int, comment: str = "") -> Rating:
    if len(scores) != RATING_CRITERIA or any(s not in (0, 1, 2) for s in scores):
        raise DomainError(_("Cần chấm đủ 11 tiêu chí, mỗi tiêu chí 2, 1 hoặc 0 điểm."))
    if overall not in range(1, 6):
        raise DomainError(_("Đánh giá chung từ 1 đến 5."))
    with transaction.atomic():
        locked = _locked(dossier)
        if locked.status != Status.RETURNED:
            raise Conflict(_("Chỉ đánh giá sau khi đã nhận kết quả."))
        if Rating.objects.filter(dossier=locked).exists():
            raise Conflict(_("Hồ sơ này đã được đánh giá."))
        return Rating.objects.create(
            dossier=locked, scores=list(scores), overall=overall, comment=comment, officer=locked.received_by
        )


# --- apology, withdrawal, stop ------------------------------------------------------------------------------


def apologise(
    *, dossier: Dossier, officer: Staff, reason: str, new_due: datetime, at: datetime | None = None
) -> Dossier:
    """A dossier that will be late: the apology and new appointment (form 04), no later than one working day
    before the deadline, once (domain.md §2)."""
    at = _now(at)
    if not reason.strip():
        raise DomainError(_("Phải nêu lý do chậm trễ."))
    with transaction.atomic():
        locked = _begin(dossier, "apologise", officer)
        if locked.events.filter(action="apologise").exists():
            raise DomainError(_("Hồ sơ đã có văn bản xin lỗi và hẹn lại; chỉ được hẹn lại một lần."))
        cal = calendar_for(locked.center)
        if locked.due_at is None or cal.elapsed(at, locked.due_at) < timedelta(hours=8):
            raise DomainError(
                _("Văn bản xin lỗi phải gửi chậm nhất 01 ngày làm việc trước hạn trả (%(due)s).")
                % {
                    "due": timezone.localtime(locked.due_at).strftime("%H:%M %d/%m/%Y")
                    if locked.due_at
                    else "—"
                }
            )
        if new_due <= locked.due_at:
            raise DomainError(_("Thời hạn hẹn lại phải sau hạn trả hiện tại."))
        old_due = locked.due_at
        locked.due_at = new_due
        data = _form_common(locked, at)
        data.update(
            {
                "received_at": locked.received_at,
                "original_appointment": old_due,
                "reason": reason,
                "new_appointment": new_due,
                "signer_title": (locked.agency.head.title if locked.agency.head else "")
                or _("Thủ trưởng cơ quan"),
                "signer_name": locked.agency.head.full_name if locked.agency.head else "",
            }
        )
        _paper(locked, "04", data, officer)
        _finish(
            locked,
            "apologise",
            officer,
            at,
            reason=reason,
            detail={"old_due": old_due.isoformat(), "new_due": new_due.isoformat()},
        )
    return locked


def request_withdrawal(
    *, dossier: Dossier, officer: Staff, reason: str, at: datetime | None = None
) -> Dossier:
    at = _now(at)
    with transaction.atomic():
        locked = _begin(dossier, "request_withdrawal", officer)
        locked.paused_since = at
        _finish(locked, "request_withdrawal", officer, at, reason=reason)
    return locked


def stop(*, dossier: Dossier, officer: Staff, reason: str, at: datetime | None = None) -> Dossier:
    """Stop processing (form 05), before the result is issued; refused once fees are settled when the province
    says so [domain.md §2, configurable: TAICHO_STOP_REFUSED_AFTER_FEES]."""
    at = _now(at)
    if not reason.strip():
        raise DomainError(_("Phải nêu lý do dừng giải quyết."))
    with transaction.atomic():
        locked = _begin(dossier, "stop", officer)
        if settings.STOP_REFUSED_AFTER_FEES and locked.fee_amount and locked.fee_paid >= locked.fee_amount:
            raise DomainError(_("Hồ sơ đã nộp đủ phí, lệ phí; không dừng giải quyết theo quy định của tỉnh."))
        data = _form_common(locked, at)
        data.update(
            {
                "received_at": locked.received_at,
                "reason": reason,
                "signer_title": officer.title or _("Cán bộ"),
                "signer_name": officer.full_name,
            }
        )
        _paper(locked, "05", data, officer)
        locked.finished_at = at
        _finish(locked, "stop", officer, at, reason=reason)
    return locked
