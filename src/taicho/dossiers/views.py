"""Staff workspace pages: the inboxes, reception at the counter, the dossier page with its actions, batch signing
and the logbook export.

Thin views (design.md rule 2): parse the input, call one service, redirect back with a message. A DomainError
becomes a red message and changes nothing (the services run in a transaction). Every dossier is fetched through
`Dossier.objects.visible_to(request.user)`, so an officer of another agency gets 404 (design.md rule 6).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Q
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from taicho.catalog.models import OnTheSpotDesignation, OnTheSpotStatus, Procedure, ProcedureVersion
from taicho.core.errors import DomainError
from taicho.documents.models import DocumentStatus
from taicho.dossiers import datastore, selectors, services
from taicho.dossiers.forms import (
    TEMPLATE_FIELDS,
    ApologyForm,
    ApplicantForm,
    ChecklistForm,
    LogbookForm,
    OptionalReasonForm,
    PayAndReturnForm,
    PaymentForm,
    PrintForm,
    RatingForm,
    ReasonForm,
    ResultDraftForm,
    SupplementForm,
    component_rows,
    missing_ids,
    parse_components,
    supplement_initial,
)
from taicho.dossiers.models import Dossier, DossierComponent, Rating
from taicho.dossiers.states import TRANSITIONS, Status
from taicho.org.models import Role

PROCEDURES_SHOWN = 30


def _visible(request: HttpRequest, code: str) -> Dossier:
    return get_object_or_404(
        Dossier.objects.visible_to(request.user).select_related(
            "procedure", "version", "case", "agency", "center", "counter", "result", "received_by"
        ),
        code=code,
    )


def _error(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message, extra_tags="danger")


# --- workspace home ----------------------------------------------------------------------------------------


def _quick_procedures(user: Any) -> list[Procedure]:
    """The on-the-spot procedures of the officer's agency: one click from the home page to the reception form."""
    if not user.has_role(Role.RECEIVING_OFFICER) or not user.agency_id:
        return []
    return list(
        Procedure.objects.filter(
            on_the_spot__agency_id=user.agency_id, on_the_spot__status=OnTheSpotStatus.ACTIVE
        )
        .distinct()
        .order_by("code")[:8]
    )


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    user = request.user
    tabs = selectors.inbox_counts(user)  # type: ignore[arg-type]
    names = [name for name, _label, _count in tabs]
    current = request.GET.get("tab") or (names[0] if names else "")
    if current not in names:
        current = names[0] if names else ""
    rows = []
    if current:
        dossiers = selectors.inbox(user, current).select_related("center")[:200]  # type: ignore[arg-type]
        rows = [(d, selectors.due_state(d)) for d in dossiers]
    return render(
        request,
        "dossiers/workspace.html",
        {
            "tabs": tabs,
            "current": current,
            "rows": rows,
            "quick": _quick_procedures(user),
            "can_receive": user.has_role(Role.RECEIVING_OFFICER),  # type: ignore[union-attr]
            "can_approve": bool(user.role_set & TRANSITIONS["approve"].roles),  # type: ignore[union-attr]
        },
    )


# --- reception ---------------------------------------------------------------------------------------------


@login_required
def reception(request: HttpRequest) -> HttpResponse:
    """Find the procedure by code or name: those with a version in force, on-the-spot ones first."""
    q = request.GET.get("q", "").strip()
    today = timezone.localdate()
    agency_id = getattr(request.user, "agency_id", None) or 0  # no agency: no on-the-spot designation matches
    in_force = ProcedureVersion.objects.filter(procedure=OuterRef("pk"), effective_from__lte=today)
    on_spot = OnTheSpotDesignation.objects.filter(
        procedure=OuterRef("pk"), agency_id=agency_id, status=OnTheSpotStatus.ACTIVE
    )
    procedures = (
        Procedure.objects.annotate(on_spot=Exists(on_spot))
        .filter(Exists(in_force))
        .order_by("-on_spot", "code")
    )
    if q:
        procedures = procedures.filter(Q(code__icontains=q) | Q(name__icontains=q))
    return render(
        request,
        "dossiers/reception_search.html",
        {"q": q, "procedures": procedures[:PROCEDURES_SHOWN]},
    )


def _procedure(code: str) -> tuple[Procedure, ProcedureVersion]:
    procedure = get_object_or_404(Procedure, code=code)
    version = procedure.version_on(timezone.localdate())
    if version is None:
        raise Http404
    return procedure, version


def _reception_page(
    request: HttpRequest,
    procedure: Procedure,
    version: ProcedureVersion,
    form: ApplicantForm,
    *,
    incomplete: bool = False,
    status: int = 200,
    lookup: bool = False,
) -> HttpResponse:
    components = list(version.components.order_by("ordinal"))
    data = request.POST if request.method == "POST" else None
    owner_id = _owner_id(data) if data is not None else ""
    papers = datastore.papers_of(owner_id) if owner_id else []
    suggested = datastore.suggestions(components, papers) if lookup else None
    return render(
        request,
        "dossiers/reception_form.html",
        {
            "procedure": procedure,
            "version": version,
            "form": form,
            "rows": component_rows(components, data, suggested),
            "provided_choices": DossierComponent.ProvidedAs.choices,
            "incomplete": incomplete,
            "papers": papers,
            "looked_up": lookup,
            "owner_id": owner_id,
        },
        status=status,
    )


def _owner_id(data: Any) -> str:
    """Whose data store to open: the owner's ID when the owner is not the applicant, else the applicant's."""
    owner = str(data.get("owner_id") or "").strip()
    if owner and not data.get("owner_is_applicant"):
        return owner
    return str(data.get("id_number") or "").strip()


@login_required
def reception_form(request: HttpRequest, procedure_code: str) -> HttpResponse:
    procedure, version = _procedure(procedure_code)
    if request.method != "POST":
        return _reception_page(request, procedure, version, ApplicantForm())
    form = ApplicantForm(request.POST)
    if "lookup" in request.POST:
        # Open the owner's data store before scanning anything (Circular 01/2023: never ask twice).
        found = datastore.papers_of(_owner_id(request.POST))
        if not found:
            messages.info(request, _("Kho dữ liệu của chủ hồ sơ chưa có giấy tờ nào đã số hóa."))
        return _reception_page(request, procedure, version, form, lookup=True)
    components = list(version.components.order_by("ordinal"))
    provided, errors = parse_components(components, request.POST, request.FILES)
    if not form.is_valid() or errors:
        for message in errors:
            messages.error(request, message, extra_tags="danger")
        return _reception_page(request, procedure, version, form, status=400)
    try:
        dossier = services.receive_dossier(
            officer=request.user,  # type: ignore[arg-type]
            procedure=procedure,
            applicant=form.applicant(),
            components=provided,
        )
    except DomainError as exc:
        _error(request, exc)
        return _reception_page(
            request, procedure, version, form, incomplete=exc.code == "incomplete", status=400
        )
    messages.success(
        request,
        _("Đã tiếp nhận hồ sơ %(code)s; in Giấy tiếp nhận và hẹn trả kết quả (mẫu 01).")
        % {"code": dossier.code},
    )
    return redirect("dossiers:detail", code=dossier.code)


@login_required
@require_POST
def reception_guide(request: HttpRequest, procedure_code: str) -> HttpResponse:
    """Incomplete: the guidance (form 02) naming exactly the missing components, in one click."""
    procedure, version = _procedure(procedure_code)
    form = ApplicantForm(request.POST)
    components = list(version.components.order_by("ordinal"))
    provided, _errors = parse_components(components, request.POST, None)
    if not form.is_valid():
        return _reception_page(request, procedure, version, form, incomplete=True, status=400)
    try:
        dossier = services.guide_dossier(
            officer=request.user,  # type: ignore[arg-type]
            procedure=procedure,
            applicant=form.applicant(),
            missing=missing_ids(components, provided),
            reason=form.cleaned_data["reason"],
        )
    except DomainError as exc:
        _error(request, exc)
        return _reception_page(request, procedure, version, form, incomplete=True, status=400)
    messages.success(request, _("Đã lập Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (mẫu 02)."))
    return redirect("dossiers:detail", code=dossier.code)


@login_required
@require_POST
def reception_refuse(request: HttpRequest, procedure_code: str) -> HttpResponse:
    """Not admissible: the refusal in words (form 03)."""
    procedure, version = _procedure(procedure_code)
    form = ApplicantForm(request.POST)
    if not form.is_valid():
        return _reception_page(request, procedure, version, form, status=400)
    try:
        dossier = services.refuse_reception(
            officer=request.user,  # type: ignore[arg-type]
            reason=form.cleaned_data["reason"],
            procedure=procedure,
            applicant=form.applicant(),
        )
    except DomainError as exc:
        _error(request, exc)
        return _reception_page(request, procedure, version, form, status=400)
    messages.success(request, _("Đã lập Phiếu từ chối tiếp nhận giải quyết hồ sơ (mẫu 03)."))
    return redirect("dossiers:detail", code=dossier.code)


# --- the dossier page --------------------------------------------------------------------------------------

FORM_NAMES = {
    "01": gettext_lazy("Mẫu 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
    "02": gettext_lazy("Mẫu 02 — Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
    "03": gettext_lazy("Mẫu 03 — Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
    "04": gettext_lazy("Mẫu 04 — Văn bản xin lỗi và đề nghị gia hạn"),
    "05": gettext_lazy("Mẫu 05 — Thông báo dừng giải quyết hồ sơ"),
}
ACTION_LABELS = {
    "receive": gettext_lazy("Tiếp nhận"),
    "guide": gettext_lazy("Hướng dẫn bổ sung"),
    "refuse_reception": gettext_lazy("Từ chối tiếp nhận"),
    "start_appraisal": gettext_lazy("Nhận thẩm định"),
    "request_supplement": gettext_lazy("Yêu cầu bổ sung"),
    "supplement_received": gettext_lazy("Nhận hồ sơ bổ sung"),
    "request_obligation": gettext_lazy("Thông báo nghĩa vụ tài chính"),
    "obligation_fulfilled": gettext_lazy("Hoàn thành nghĩa vụ tài chính"),
    "record_checklist": gettext_lazy("Kiểm tra thành phần hồ sơ"),
    "submit_for_approval": gettext_lazy("Trình ký"),
    "refuse": gettext_lazy("Từ chối giải quyết"),
    "send_back": gettext_lazy("Trả lại thẩm định"),
    "approve": gettext_lazy("Ký duyệt"),
    "seal": gettext_lazy("Đóng dấu"),
    "release": gettext_lazy("Phát hành"),
    "record_print": gettext_lazy("In kết quả"),
    "payment": gettext_lazy("Thu phí, lệ phí"),
    "return_result": gettext_lazy("Trả kết quả"),
    "apologise": gettext_lazy("Xin lỗi, hẹn lại"),
    "request_withdrawal": gettext_lazy("Đề nghị rút hồ sơ"),
    "stop": gettext_lazy("Dừng giải quyết"),
}
RESULT_STATES = {Status.RESULT_READY, Status.PRINTED, Status.REFUSED}


def available_actions(user: Any, dossier: Dossier) -> set[str]:
    """What this user may do on this dossier now: the transitions whose source is the status, whose roles the
    user holds and whose agency, delegation and authority checks pass (the service checks again)."""
    roles = user.role_set
    actions = {
        name
        for name, t in TRANSITIONS.items()
        if dossier.status in t.sources and roles & t.roles and name != "release"
    }
    if (
        Role.RECEIVING_OFFICER in roles
        and dossier.status in RESULT_STATES
        and dossier.fee_paid < dossier.fee_amount
    ):
        actions.add("record_payment")
    if dossier.status == Status.RETURNED and not Rating.objects.filter(dossier=dossier).exists():
        actions.add("rate")
    # Only what can succeed: agency, delegation and signing authority, as the services will check them.
    actions = {a for a in actions if services.may_act(user, dossier, a)}
    if "submit_for_approval" not in actions:
        actions.discard("record_checklist")  # checking the papers is appraising: the same people, same rules
    return actions


def _hours(seconds: int | None) -> str:
    return selectors.format_working(timedelta(seconds=seconds)) if seconds is not None else "—"


def _event_note(event: Any) -> str:
    """The timeline's note: the reason, or for a checklist what was found."""
    checks = event.detail.get("checks") if isinstance(event.detail, dict) else None
    if event.reason or not checks:
        return str(event.reason)
    passed = sum(1 for c in checks if c.get("passed"))
    text = _("Kiểm tra %(n)d thành phần: %(ok)d đạt, %(bad)d không đạt") % {
        "n": len(checks),
        "ok": passed,
        "bad": len(checks) - passed,
    }
    notes = "; ".join(c.get("note", "") for c in checks if not c.get("passed") and c.get("note"))
    return f"{text} ({notes})" if notes else text


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    return _detail_page(request, _visible(request, code))


def _detail_page(
    request: HttpRequest,
    dossier: Dossier,
    *,
    draft_form: ResultDraftForm | None = None,
    checklist_form: ChecklistForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The dossier page. A refused or invalid appraisal form comes back bound (``draft_form``,
    ``checklist_form``), its errors next to the fields and nothing the officer typed lost."""
    actions = available_actions(request.user, dossier)
    components = list(
        dossier.components.select_related("component", "appraisal_check__checked_by").order_by(
            "component__ordinal"
        )
    )
    digitized = [c for c in components if c.digitized]
    selected = None
    if request.GET.get("c"):
        selected = next((c for c in digitized if str(c.pk) == request.GET["c"]), None)
    selected = selected or (digitized[0] if digitized else None)
    history = selectors.timeline(dossier)
    events = [
        (
            e,
            str(ACTION_LABELS.get(e.action, e.action)),
            str(Status(e.to_status).label) if e.to_status in Status.values else e.to_status,
            "—" if e.action in selectors.NOT_HAND_OVERS else _hours(e.budget_seconds),
            _hours(e.used_seconds),
            step_mark,  # "" for a checklist or a payment: not a hand-over between steps (form 06)
            _event_note(e),
        )
        for e, step_mark in zip(history, selectors.step_marks(history), strict=True)
    ]
    due = dossier.fee_amount - dossier.fee_paid
    owner = {"receiver_name": dossier.owner_name, "receiver_id": dossier.owner_id}
    context: dict[str, Any] = {
        "dossier": dossier,
        "due": selectors.due_state(dossier),
        "actions": actions,
        "components": components,
        "selected": selected,
        "papers": [(p, FORM_NAMES.get(p.form, p.form)) for p in dossier.papers.all()],
        "events": events,
        "mark_labels": selectors.MARK_LABELS,
        "fee_due": max(due, 0),
        "fast": dossier.on_the_spot,
        "template_fields": TEMPLATE_FIELDS,
        "draft_pending": dossier.result is not None and dossier.result.status == DocumentStatus.DRAFT,
    }
    if actions & {"submit_for_approval", "start_appraisal"}:
        context["draft_form"] = draft_form or ResultDraftForm(dossier=dossier)
        context["checklist_form"] = checklist_form or ChecklistForm(rows=components)
    failed = context["checklist_form"].failed() if "checklist_form" in context else {}
    context["failed_checks"] = failed
    if "request_supplement" in actions:
        context["supplement_form"] = SupplementForm(
            dossier=dossier, initial=supplement_initial(dossier, failed) if failed else None
        )
    if "supplement_received" in actions:
        asked = dossier.events.filter(action="request_supplement").order_by("-at", "-pk").first()
        ids = set(asked.detail.get("components", [])) if asked else set()
        context["supplement_rows"] = component_rows(dossier.version.components.filter(pk__in=ids))
    if "receive" in actions:
        context["guided_rows"] = component_rows(dossier.version.components.filter(pk__in=dossier.guidance))
    if actions & {"record_print"}:
        context["print_form"] = PrintForm()
    if "record_payment" in actions:
        context["payment_form"] = PaymentForm(initial={"amount": max(due, 0)})
    if "return_result" in actions:
        initial = {**owner, "originals_returned": True, "amount": max(due, 0)}
        context["return_form"] = PayAndReturnForm(initial=initial)
    if "rate" in actions:
        context["rating_form"] = RatingForm()
    if "apologise" in actions:
        context["apology_form"] = ApologyForm()
    context["provided_choices"] = DossierComponent.ProvidedAs.choices
    return render(request, "dossiers/detail.html", context, status=status)


def _serve(field: FieldFile | None, filename: str) -> FileResponse:
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, content_type="application/pdf", filename=filename, as_attachment=False)


@xframe_options_sameorigin  # shown in the dossier page's embedded viewer
@login_required
def component_file(request: HttpRequest, code: str, pk: int) -> FileResponse:
    dossier = _visible(request, code)
    row = get_object_or_404(DossierComponent, dossier=dossier, pk=pk)
    return _serve(row.digitized, f"{dossier.code}-{row.component_id}.pdf")


@login_required
def paper_file(request: HttpRequest, code: str, pk: int) -> FileResponse:
    dossier = _visible(request, code)
    paper = get_object_or_404(dossier.papers, pk=pk)
    return _serve(paper.file, f"{dossier.code}-mau{paper.form}.pdf")


@login_required
def result_file(request: HttpRequest, code: str) -> FileResponse:
    dossier = _visible(request, code)
    if dossier.result is None:
        raise Http404
    return _serve(dossier.result.pdf, f"{dossier.code}-ket-qua.pdf")


@login_required
def control_slip(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _visible(request, code)
    response = HttpResponse(selectors.control_slip_pdf(dossier), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{dossier.code}-mau06.pdf"'
    return response


# --- actions: one URL each, one service each ---------------------------------------------------------------


def _act(
    request: HttpRequest,
    code: str,
    run: Callable[[Dossier], Any],
    done: str,
    form: Any = None,
) -> HttpResponse:
    """POST-redirect-GET around one service call: a DomainError (or an invalid form) is a red message and nothing
    changes; success is a green message."""
    dossier = _visible(request, code)
    if form is not None and not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error, extra_tags="danger")
        return redirect("dossiers:detail", code=dossier.code)
    try:
        run(dossier)
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, done)
    return redirect("dossiers:detail", code=dossier.code)


def _staff(request: HttpRequest) -> Any:
    return request.user


@login_required
@require_POST
def act_start_appraisal(request: HttpRequest, code: str) -> HttpResponse:
    return _act(
        request,
        code,
        lambda d: services.start_appraisal(dossier=d, officer=_staff(request)),
        _("Đã nhận thẩm định hồ sơ."),
    )


@login_required
@require_POST
def act_request_supplement(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _visible(request, code)
    form = SupplementForm(request.POST, dossier=dossier)
    return _act(
        request,
        code,
        lambda d: services.request_supplement(
            dossier=d,
            officer=_staff(request),
            components=form.cleaned_data["components"],
            reason=form.cleaned_data["reason"],
        ),
        _("Đã lập Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (mẫu 02); tạm dừng tính thời hạn."),
        form,
    )


def _provided(request: HttpRequest, ids: list[int], dossier: Dossier) -> list[services.Provided]:
    components = list(dossier.version.components.filter(pk__in=ids).order_by("ordinal"))
    provided, errors = parse_components(components, request.POST, request.FILES)
    if errors:
        raise DomainError(" ".join(errors))
    return [p for p in provided if p.provided_as != DossierComponent.ProvidedAs.MISSING]


@login_required
@require_POST
def act_supplement_received(request: HttpRequest, code: str) -> HttpResponse:
    def run(d: Dossier) -> Any:
        asked = d.events.filter(action="request_supplement").order_by("-at", "-pk").first()
        ids = list(asked.detail.get("components", [])) if asked else []
        return services.supplement_received(
            dossier=d, officer=_staff(request), components=_provided(request, ids, d)
        )

    return _act(request, code, run, _("Đã nhận hồ sơ bổ sung; tiếp tục tính thời hạn."))


@login_required
@require_POST
def act_receive_guided(request: HttpRequest, code: str) -> HttpResponse:
    return _act(
        request,
        code,
        lambda d: services.receive_guided(
            dossier=d, officer=_staff(request), components=_provided(request, list(d.guidance), d)
        ),
        _("Đã tiếp nhận hồ sơ sau hướng dẫn; in Giấy tiếp nhận (mẫu 01)."),
    )


@login_required
@require_POST
def act_refuse_reception(request: HttpRequest, code: str) -> HttpResponse:
    form = ReasonForm(request.POST)
    return _act(
        request,
        code,
        lambda d: services.refuse_reception(
            dossier=d, officer=_staff(request), reason=form.cleaned_data["reason"]
        ),
        _("Đã lập Phiếu từ chối tiếp nhận (mẫu 03)."),
        form,
    )


def _appraisal_forms(request: HttpRequest, dossier: Dossier) -> tuple[ResultDraftForm, ChecklistForm]:
    """The draft result and the checklist, bound to what was posted (one form on the page holds both)."""
    rows = dossier.components.select_related("component", "appraisal_check__checked_by").order_by(
        "component__ordinal"
    )
    return ResultDraftForm(request.POST, dossier=dossier), ChecklistForm(request.POST, rows=rows)


def _appraisal_step(
    request: HttpRequest,
    code: str,
    run: Callable[[Dossier, ResultDraftForm, ChecklistForm], Any],
    done: str,
    *,
    draft_needed: bool = True,
) -> HttpResponse:
    """Like `_act`, but a refused or invalid post comes back as the dossier page with the forms as typed and
    the errors next to the fields (status 400), so the appraiser loses nothing."""
    dossier = _visible(request, code)
    draft, checklist = _appraisal_forms(request, dossier)
    if not draft_needed:
        # Kept as typed, but not judged: only the checklist is being saved.
        draft = ResultDraftForm(dossier=dossier, initial=request.POST.dict())
    valid = checklist.is_valid() and (not draft_needed or draft.is_valid())
    if valid:
        try:
            run(dossier, draft, checklist)
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, done)
            return redirect("dossiers:detail", code=dossier.code)
    else:
        messages.error(request, _("Kiểm tra lại các trường được đánh dấu."), extra_tags="danger")
    return _detail_page(request, dossier, draft_form=draft, checklist_form=checklist, status=400)


@login_required
@require_POST
def act_record_checklist(request: HttpRequest, code: str) -> HttpResponse:
    """Save the checklist of the papers (the draft result posted with it is not needed, and not saved)."""
    return _appraisal_step(
        request,
        code,
        lambda d, _draft, checklist: services.record_checklist(
            dossier=d, officer=_staff(request), checks=checklist.checks()
        ),
        _("Đã lưu kết quả kiểm tra thành phần hồ sơ."),
        draft_needed=False,
    )


def _submitting(
    request: HttpRequest, service: Callable[..., Dossier]
) -> Callable[[Dossier, ResultDraftForm, ChecklistForm], Dossier]:
    """The draft and the checklist as posted, handed to ``service`` (submit, or appraise and submit)."""

    def run(d: Dossier, form: ResultDraftForm, checklist: ChecklistForm) -> Dossier:
        return service(
            dossier=d,
            officer=_staff(request),
            template=form.cleaned_data["template"],
            title=form.cleaned_data["title"],
            data=form.result_data(),
            number=form.cleaned_data["number"],
            checks=checklist.checks() or None,
        )

    return run


@login_required
@require_POST
def act_submit_for_approval(request: HttpRequest, code: str) -> HttpResponse:
    return _appraisal_step(
        request, code, _submitting(request, services.submit_for_approval), _("Đã trình ký dự thảo kết quả.")
    )


@login_required
@require_POST
def act_appraise_and_submit(request: HttpRequest, code: str) -> HttpResponse:
    """Same-day path: appraisal starts and the draft goes to approval in one click."""
    return _appraisal_step(
        request,
        code,
        _submitting(request, services.appraise_and_submit),
        _("Đã thẩm định và trình ký dự thảo kết quả."),
    )


@xframe_options_sameorigin
@login_required
@require_POST
def preview_result(request: HttpRequest, code: str) -> HttpResponse:
    """The "Xem trước" button: the draft result as typed, rendered as it will be signed and marked as a draft,
    inline; nothing is saved. An invalid or refused form comes back as the dossier page with the errors."""
    dossier = _visible(request, code)
    draft, checklist = _appraisal_forms(request, dossier)
    if draft.is_valid():
        try:
            pdf = services.preview_result(
                dossier=dossier,
                officer=_staff(request),
                template=draft.cleaned_data["template"],
                title=draft.cleaned_data["title"],
                data=draft.result_data(),
                number=draft.cleaned_data["number"],
            )
        except DomainError as exc:
            _error(request, exc)
        else:
            return _inline_pdf(pdf, f"{dossier.code}-du-thao.pdf")
    else:
        messages.error(request, _("Kiểm tra lại các trường được đánh dấu."), extra_tags="danger")
    checklist.is_valid()  # show the checklist as typed, with its own errors if any
    return _detail_page(request, dossier, draft_form=draft, checklist_form=checklist, status=400)


@xframe_options_sameorigin
@login_required
def draft_file(request: HttpRequest, code: str) -> HttpResponse:
    """The submitted draft result before it is signed, marked as a draft (the leader reads it first)."""
    dossier = _visible(request, code)
    try:
        pdf = services.draft_pdf(dossier=dossier, viewer=_staff(request))
    except DomainError as exc:
        raise Http404(exc.message) from exc
    return _inline_pdf(pdf, f"{dossier.code}-du-thao.pdf")


def _inline_pdf(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"  # a draft changes until it is signed
    return response


@login_required
@require_POST
def act_refuse(request: HttpRequest, code: str) -> HttpResponse:
    form = ReasonForm(request.POST)
    return _act(
        request,
        code,
        lambda d: services.refuse(dossier=d, officer=_staff(request), reason=form.cleaned_data["reason"]),
        _("Đã từ chối giải quyết hồ sơ."),
        form,
    )


@login_required
@require_POST
def act_request_obligation(request: HttpRequest, code: str) -> HttpResponse:
    form = ReasonForm(request.POST)
    return _act(
        request,
        code,
        lambda d: services.request_obligation(
            dossier=d, officer=_staff(request), reason=form.cleaned_data["reason"]
        ),
        _("Đã thông báo nghĩa vụ tài chính; tạm dừng tính thời hạn."),
        form,
    )


@login_required
@require_POST
def act_obligation_fulfilled(request: HttpRequest, code: str) -> HttpResponse:
    return _act(
        request,
        code,
        lambda d: services.obligation_fulfilled(dossier=d, officer=_staff(request)),
        _("Đã hoàn thành nghĩa vụ tài chính; tiếp tục tính thời hạn."),
    )


@login_required
@require_POST
def act_send_back(request: HttpRequest, code: str) -> HttpResponse:
    form = OptionalReasonForm(request.POST)
    return _act(
        request,
        code,
        lambda d: services.send_back(dossier=d, leader=_staff(request), reason=form.cleaned_data["reason"]),
        _("Đã trả lại hồ sơ để thẩm định lại."),
        form,
    )


@login_required
@require_POST
def act_approve(request: HttpRequest, code: str) -> HttpResponse:
    return _act(
        request,
        code,
        lambda d: services.approve(dossier=d, leader=_staff(request)),
        _("Đã ký duyệt kết quả."),
    )


@login_required
@require_POST
def act_seal(request: HttpRequest, code: str) -> HttpResponse:
    return _act(
        request,
        code,
        lambda d: services.seal(dossier=d, clerk=_staff(request)),
        _("Đã đóng dấu và phát hành kết quả."),
    )


@login_required
@require_POST
def act_record_print(request: HttpRequest, code: str) -> HttpResponse:
    form = PrintForm(request.POST)
    return _act(
        request,
        code,
        lambda d: services.record_print(
            dossier=d,
            clerk=_staff(request),
            copies=form.cleaned_data["copies"],
            physical_seal=form.cleaned_data["physical_seal"],
        ),
        _("Đã ghi sổ bản in kết quả."),
        form,
    )


@login_required
@require_POST
def act_record_payment(request: HttpRequest, code: str) -> HttpResponse:
    form = PaymentForm(request.POST)
    return _act(
        request,
        code,
        lambda d: services.record_payment(
            dossier=d,
            officer=_staff(request),
            amount=form.cleaned_data["amount"],
            receipt=form.cleaned_data["receipt"],
        ),
        _("Đã thu phí, lệ phí."),
        form,
    )


@login_required
@require_POST
def act_return_result(request: HttpRequest, code: str) -> HttpResponse:
    """Hand-over; when the fee is still due and the form carries it, the payment is recorded first (same-day
    path: one click at the counter)."""
    form = PayAndReturnForm(request.POST)

    def run(d: Dossier) -> Dossier:
        data = form.cleaned_data
        return services.pay_and_return(
            dossier=d,
            officer=_staff(request),
            receiver_name=data["receiver_name"],
            receiver_id=data["receiver_id"].strip(),
            relation=data["relation"],
            originals_returned=data["originals_returned"],
            amount=data.get("amount") or 0,
            receipt=data.get("receipt", ""),
        )

    return _act(request, code, run, _("Đã trả kết quả. Mời công dân đánh giá mức độ hài lòng."), form)


@login_required
@require_POST
def act_rate(request: HttpRequest, code: str) -> HttpResponse:
    form = RatingForm(request.POST)
    return _act(
        request,
        code,
        lambda d: services.submit_rating(
            dossier=d,
            scores=form.scores(),
            overall=form.cleaned_data["overall"],
            comment=form.cleaned_data["comment"],
        ),
        _("Cảm ơn ông/bà đã đánh giá."),
        form,
    )


@login_required
@require_POST
def act_apologise(request: HttpRequest, code: str) -> HttpResponse:
    form = ApologyForm(request.POST)
    return _act(
        request,
        code,
        lambda d: services.apologise(
            dossier=d,
            officer=_staff(request),
            reason=form.cleaned_data["reason"],
            new_due=form.cleaned_data["new_due"],
        ),
        _("Đã lập Văn bản xin lỗi và hẹn lại (mẫu 04)."),
        form,
    )


@login_required
@require_POST
def act_request_withdrawal(request: HttpRequest, code: str) -> HttpResponse:
    form = OptionalReasonForm(request.POST)
    return _act(
        request,
        code,
        lambda d: services.request_withdrawal(
            dossier=d, officer=_staff(request), reason=form.cleaned_data["reason"]
        ),
        _("Đã ghi nhận đề nghị rút hồ sơ; tạm dừng tính thời hạn."),
        form,
    )


@login_required
@require_POST
def act_stop(request: HttpRequest, code: str) -> HttpResponse:
    form = ReasonForm(request.POST)
    return _act(
        request,
        code,
        lambda d: services.stop(dossier=d, officer=_staff(request), reason=form.cleaned_data["reason"]),
        _("Đã dừng giải quyết hồ sơ (mẫu 05)."),
        form,
    )


# --- batch signing, logbook --------------------------------------------------------------------------------


@login_required
def approval(request: HttpRequest) -> HttpResponse:
    """The approval inbox with batch signing: each dossier is signed in its own transaction, each outcome shown."""
    user: Any = request.user
    if request.method == "POST":
        ids = [int(pk) for pk in request.POST.getlist("dossier") if pk.isdigit()]
        if not ids:
            messages.error(request, _("Chưa chọn hồ sơ nào."), extra_tags="danger")
            return redirect("dossiers:approval")
        chosen = list(selectors.inbox(user, "approval").filter(pk__in=ids))
        for outcome in services.approve_batch(dossiers=chosen, leader=user):
            if outcome.ok:
                messages.success(request, _("%(code)s: đã ký duyệt.") % {"code": outcome.dossier.code})
            else:
                messages.error(
                    request,
                    _("%(code)s: %(message)s") % {"code": outcome.dossier.code, "message": outcome.message},
                    extra_tags="danger",
                )
        return redirect("dossiers:approval")
    dossiers = selectors.inbox(user, "approval").select_related("center", "result")[:200]
    return render(
        request,
        "dossiers/approval.html",
        {"rows": [(d, selectors.due_state(d)) for d in dossiers]},
    )


@login_required
def logbook(request: HttpRequest) -> HttpResponse:
    """The logbook (form 07) for a date range, as an xlsx download."""
    today = timezone.localdate()
    if "start" in request.GET:
        form = LogbookForm(request.GET)
        if form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
            content = selectors.logbook_xlsx(request.user, start, end)  # type: ignore[arg-type]
            response = HttpResponse(
                content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
            response["Content-Disposition"] = (
                f'attachment; filename="so-theo-doi-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"'
            )
            return response
    else:
        form = LogbookForm(initial={"start": today.replace(day=1), "end": today})
    return render(
        request, "dossiers/logbook.html", {"form": form, "workspace": reverse("dossiers:workspace")}
    )
