"""Review of procedures and their on-the-spot designations (item 1 of the plan).

Thin views (design.md rule 2): parse one form, call one service, redirect back with a message; a DomainError
becomes a red message and changes nothing. Every agency and designation is fetched within what the user may see
(`access.agencies_for`, design.md rule 6), so another agency's leader gets 404, and a receiving officer 403.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from taicho.catalog.models import OnTheSpotDesignation, OnTheSpotStatus, Procedure
from taicho.core.errors import DomainError
from taicho.org.models import Agency
from taicho.supervision import services
from taicho.supervision.access import agencies_for, supervision_view, supervisor_only
from taicho.supervision.filters import read_filters
from taicho.supervision.models import Plan
from taicho.supervision.review import SORTS, ReviewRow, criterion_text, review_rows
from taicho.supervision.review_forms import ApproveForm, DelegationForm, ProposeForm, ReasonForm
from taicho.supervision.tables import Table
from taicho.supervision.views.common import page


def _day(value: Any) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _flags(designation: OnTheSpotDesignation | None) -> str:
    if designation is None:
        return ""
    steps = []
    if designation.counter_appraises:
        steps.append(_("thẩm định"))
    if designation.counter_approves:
        steps.append(_("phê duyệt"))
    return ", ".join(steps)


def review_table(rows: list[ReviewRow], plan: Plan) -> Table:
    """The review as a table (the xlsx export of the page)."""
    return Table(
        key="ra-soat",
        title=_("Rà soát thủ tục theo tiêu chí kế hoạch"),
        columns=[
            _("Mã TTHC"),
            _("Tên thủ tục"),
            _("Số thành phần"),
            _("Đơn giản (≤ %(n)s)") % {"n": plan.simple_max_components},
            _("Thời hạn ngắn nhất (ngày làm việc)"),
            _("Ngắn (≤ %(n)s)") % {"n": f"{Decimal(plan.short_max_days).normalize():f}"},
            _("Một cơ quan"),
            _("Hồ sơ 12 tháng"),
            _("Thường xuyên (≥ %(n)s)") % {"n": plan.frequent_min_dossiers},
            _("Điểm"),
            _("Trạng thái"),
            _("Số quyết định"),
            _("Ngày quyết định"),
            _("Hiệu lực từ"),
            _("Giao cán bộ tiếp nhận"),
        ],
        rows=[
            [
                r.code,
                r.name,
                r.components,
                criterion_text(r.simple),
                r.shortest_days,
                criterion_text(r.short),
                criterion_text(r.one_agency),
                r.dossiers,
                criterion_text(r.frequent),
                r.score,
                _status(r),
                r.main.decision_number if r.main else "",
                _day(r.main.decision_date) if r.main else "",
                _day(r.main.effective_from) if r.main else "",
                _flags(r.main),
            ]
            for r in rows
        ],
        numeric=frozenset({2, 4, 7, 9}),
        empty=_("Cơ quan chưa có thủ tục nào trong danh mục."),
    )


def _status(row: ReviewRow) -> str:
    if not row.designations:
        return _("Chưa đề xuất")
    return "; ".join(
        f"{d.get_status_display()} ({d.case_name})" if d.case_name else str(d.get_status_display())
        for d in row.designations
    )


def _chosen_agency(request: HttpRequest, filters: Any) -> Agency | None:
    if filters.agency is not None:
        return filters.agency
    own = getattr(request.user, "agency_id", None)
    visible = agencies_for(request.user)
    if own and visible.filter(pk=own).exists():
        mine: Agency | None = visible.filter(pk=own).first()
        if mine is not None and mine.procedures.exists():
            return mine
    return visible.filter(procedures__isnull=False).distinct().order_by("level", "code").first()


def _lines(rows: list[ReviewRow], selectable: bool) -> list[dict[str, Any]]:
    """What each row of the review list shows, prepared here: the list may hold 1,500 procedures and the
    template engine pays for every lookup and tag."""
    base = reverse("supervision:review")
    unknown = _("chưa rõ")
    marks = {None: (unknown, "text-muted"), True: ("✓", "text-success"), False: ("✗", "text-muted")}
    lines = []
    for r in rows:
        main = r.main
        lines.append(
            {
                "pk": r.procedure_id,
                "code": r.code,
                "name": r.name,
                "components": unknown if r.components is None else r.components,
                "days": unknown
                if r.shortest_days is None
                else f"{r.shortest_days.normalize():f}".replace(".", ","),
                "marks": [marks[c] for c in r.criteria],
                "dossiers": r.dossiers,
                "score": r.score,
                "designations": [
                    (f"{base}{d.pk}/", d.get_status_display(), d.case_name) for d in r.designations
                ],
                "decision": (
                    f"{main.decision_number} ({_day(main.decision_date)})"
                    if main and main.decision_date
                    else (main.decision_number if main else "")
                ),
                "effective": _day(main.effective_from) if main else "",
                "delegated": _flags(main),
                "main_url": f"{base}{main.pk}/" if main else "",
                "selectable": selectable and main is None,
            }
        )
    return lines


@supervision_view
def review_page(request: HttpRequest) -> HttpResponse:
    from taicho.supervision.stats import ensure_fresh

    ensure_fresh()
    filters = read_filters(request)
    plan = filters.plan or Plan()  # no plan entered yet: the model's default criteria
    agency = _chosen_agency(request, filters)
    sort = request.GET.get("sap_xep", "diem")
    sort = sort if sort in SORTS else "diem"
    today = timezone.localdate()
    rows = review_rows(agency, plan, today, sort) if agency is not None else []
    user = request.user
    can_propose = agency is not None and services.may(user, "propose", "", agency.pk)
    can_declare = agency is not None and services.may(user, "mark_not_eligible", "", agency.pk)
    return page(
        request,
        "supervision/review.html",
        "review",
        [review_table(rows, plan)],
        filters=filters,
        filename="ra-soat-thu-tuc",
        heading=_("Rà soát, lựa chọn thủ tục thực hiện “5 tại chỗ”"),
        lines=_lines(rows, can_propose or can_declare),
        plan=plan,
        agency=agency,
        sort=sort,
        can_propose=can_propose,
        can_declare=can_declare,
        scored=sum(1 for r in rows if r.score >= 3),
        not_proposed=_("Chưa đề xuất"),
    )


def _designations(request: HttpRequest) -> Any:
    return OnTheSpotDesignation.objects.filter(agency__in=agencies_for(request.user)).select_related(
        "procedure", "agency"
    )


EVENT_COLUMNS = [
    gettext_lazy("Lúc"),
    gettext_lazy("Hành động"),
    gettext_lazy("Từ trạng thái"),
    gettext_lazy("Sang trạng thái"),
    gettext_lazy("Người thực hiện"),
    gettext_lazy("Lý do"),
]


def _status_label(value: str) -> str:
    return str(OnTheSpotStatus(value).label) if value in OnTheSpotStatus.values else _("Chưa đề xuất")


# The actions that take only a reason: (service action, url name, button, Bootstrap style).
SIMPLE_ACTIONS = [
    ("propose", "review_repropose", gettext_lazy("Đề xuất lại"), "primary"),
    ("activate", "review_activate", gettext_lazy("Đưa vào thực hiện"), "success"),
    ("suspend", "review_suspend", gettext_lazy("Tạm dừng"), "warning"),
    ("mark_not_eligible", "review_not_eligible", gettext_lazy("Không đủ điều kiện"), "outline-secondary"),
]


@supervision_view
def designation_page(request: HttpRequest, designation_id: int) -> HttpResponse:
    designation = get_object_or_404(_designations(request), pk=designation_id)
    events = list(designation.events.select_related("actor").order_by("at", "pk"))
    history = Table(
        key="dien-bien",
        title=_("Diễn biến trạng thái"),
        columns=[str(c) for c in EVENT_COLUMNS],
        rows=[
            [
                timezone.localtime(e.at).strftime("%H:%M %d/%m/%Y"),
                str(services.ACTION_LABELS.get(e.action, e.action)),
                _status_label(e.from_status),
                _status_label(e.to_status),
                (e.actor.get_full_name() if e.actor else _("Hệ thống")),
                e.reason,
            ]
            for e in events
        ],
        empty=_("Chưa có diễn biến nào được ghi nhận."),
    )
    actions = services.allowed_actions(request.user, designation)
    simple_actions = [
        (action, reverse(f"supervision:{name}", args=[designation.pk]), label, style)
        for action, name, label, style in SIMPLE_ACTIONS
        if action in actions
    ]
    return page(
        request,
        "supervision/review_designation.html",
        "review",
        [history],
        filename=f"dien-bien-{designation.procedure.code}",
        heading=_("Thủ tục “5 tại chỗ”: %(code)s") % {"code": designation.procedure.code},
        designation=designation,
        actions=actions,
        simple_actions=simple_actions,
        approve_form=ApproveForm(
            initial={
                "decision_number": designation.decision_number,
                "decision_date": designation.decision_date,
                "effective_from": designation.effective_from,
                "counter_appraises": designation.counter_appraises,
                "counter_approves": designation.counter_approves,
                "on_the_spot_hours": designation.on_the_spot_hours,
            }
        ),
        delegation_form=DelegationForm(
            initial={
                "counter_appraises": designation.counter_appraises,
                "counter_approves": designation.counter_approves,
            }
        ),
        review_url=f"{reverse('supervision:review')}?co_quan={designation.agency_id}",
    )


# --- actions: one URL each, one service each ---------------------------------------------------------------


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


def _act(
    request: HttpRequest, form: forms.Form, run: Callable[[dict[str, Any]], Any], done: str, default: str
) -> HttpResponse:
    """POST-redirect-GET around one service call."""
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else str(error), extra_tags="danger")
        return _back(request, default)
    try:
        run(form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message, extra_tags="danger")
    else:
        messages.success(request, done)
    return _back(request, default)


def _detail_url(designation: OnTheSpotDesignation) -> str:
    return reverse("supervision:review_designation", args=[designation.pk])


def _posted_agency(request: HttpRequest) -> Agency:
    """The agency posted with a list action, within what the user sees; else 404."""
    agency_id = request.POST.get("agency", "")
    if not agency_id.isdigit():
        raise Http404
    return get_object_or_404(agencies_for(request.user), pk=int(agency_id))


def _listed(agency: Agency, ids: list[int]) -> list[Procedure]:
    """The ticked procedures, all of them on the agency's list; else 404."""
    procedures = list(Procedure.objects.filter(agencies=agency, pk__in=ids).order_by("code"))
    if len(procedures) != len(ids):
        raise Http404
    return procedures


@require_POST
@supervision_view
def act_propose(request: HttpRequest) -> HttpResponse:
    agency = _posted_agency(request)
    return _act(
        request,
        ProposeForm(request.POST),
        lambda d: services.propose_many(
            procedures=_listed(agency, d["procedure"]),
            agency=agency,
            actor=request.user,
            reason=d["reason"],
            case_name=d["case_name"],
        ),
        _("Đã đề xuất thực hiện “5 tại chỗ” các thủ tục đã chọn."),
        f"{reverse('supervision:review')}?co_quan={agency.pk}",
    )


@require_POST
@supervision_view
def act_declare_not_eligible(request: HttpRequest) -> HttpResponse:
    agency = _posted_agency(request)
    return _act(
        request,
        ProposeForm(request.POST),
        lambda d: services.declare_not_eligible_many(
            procedures=_listed(agency, d["procedure"]),
            agency=agency,
            actor=request.user,
            reason=d["reason"],
            case_name=d["case_name"],
        ),
        _("Đã ghi nhận các thủ tục đã chọn không đủ điều kiện thực hiện “5 tại chỗ”."),
        f"{reverse('supervision:review')}?co_quan={agency.pk}",
    )


@require_POST
@supervision_view
def act_repropose(request: HttpRequest, designation_id: int) -> HttpResponse:
    designation = get_object_or_404(_designations(request), pk=designation_id)
    return _act(
        request,
        ReasonForm(request.POST),
        lambda d: services.propose(
            procedure=designation.procedure,
            agency=designation.agency,
            actor=request.user,
            reason=d["reason"],
            case_name=designation.case_name,
        ),
        _("Đã đề xuất lại thủ tục thực hiện “5 tại chỗ”."),
        _detail_url(designation),
    )


@require_POST
@supervisor_only
def act_approve(request: HttpRequest, designation_id: int) -> HttpResponse:
    designation = get_object_or_404(_designations(request), pk=designation_id)
    return _act(
        request,
        ApproveForm(request.POST),
        lambda d: services.approve_designation(
            designation=designation,
            actor=request.user,
            decision_number=d["decision_number"],
            decision_date=d["decision_date"],
            effective_from=d["effective_from"],
            reason=d["reason"],
            counter_appraises=d["counter_appraises"],
            counter_approves=d["counter_approves"],
            on_the_spot_hours=d["on_the_spot_hours"],
        ),
        _("Đã phê duyệt thủ tục thực hiện “5 tại chỗ”."),
        _detail_url(designation),
    )


@require_POST
@supervisor_only
def act_activate(request: HttpRequest, designation_id: int) -> HttpResponse:
    designation = get_object_or_404(_designations(request), pk=designation_id)
    return _act(
        request,
        ReasonForm(request.POST),
        lambda d: services.activate(designation=designation, actor=request.user, reason=d["reason"]),
        _("Đã đưa thủ tục vào thực hiện “5 tại chỗ”."),
        _detail_url(designation),
    )


@require_POST
@supervisor_only
def act_suspend(request: HttpRequest, designation_id: int) -> HttpResponse:
    designation = get_object_or_404(_designations(request), pk=designation_id)
    return _act(
        request,
        ReasonForm(request.POST),
        lambda d: services.suspend(designation=designation, actor=request.user, reason=d["reason"]),
        _("Đã tạm dừng thực hiện “5 tại chỗ”."),
        _detail_url(designation),
    )


@require_POST
@supervision_view
def act_not_eligible(request: HttpRequest, designation_id: int) -> HttpResponse:
    designation = get_object_or_404(_designations(request), pk=designation_id)
    return _act(
        request,
        ReasonForm(request.POST),
        lambda d: services.mark_not_eligible(designation=designation, actor=request.user, reason=d["reason"]),
        _("Đã ghi nhận thủ tục không đủ điều kiện thực hiện “5 tại chỗ”."),
        _detail_url(designation),
    )


@require_POST
@supervision_view
def act_delegation(request: HttpRequest, designation_id: int) -> HttpResponse:
    designation = get_object_or_404(_designations(request), pk=designation_id)
    return _act(
        request,
        DelegationForm(request.POST),
        lambda d: services.set_delegation(
            designation=designation,
            actor=request.user,
            counter_appraises=d["counter_appraises"],
            counter_approves=d["counter_approves"],
            reason=d["reason"],
        ),
        _("Đã cập nhật phân cấp, ủy quyền cho cán bộ tiếp nhận."),
        _detail_url(designation),
    )


urlpatterns = [
    path("ra-soat/", review_page, name="review"),
    path("ra-soat/de-xuat/", act_propose, name="review_propose"),
    path("ra-soat/khong-du-dieu-kien/", act_declare_not_eligible, name="review_declare_not_eligible"),
    path("ra-soat/<int:designation_id>/", designation_page, name="review_designation"),
    path("ra-soat/<int:designation_id>/de-xuat/", act_repropose, name="review_repropose"),
    path("ra-soat/<int:designation_id>/phe-duyet/", act_approve, name="review_approve"),
    path("ra-soat/<int:designation_id>/thuc-hien/", act_activate, name="review_activate"),
    path("ra-soat/<int:designation_id>/tam-dung/", act_suspend, name="review_suspend"),
    path("ra-soat/<int:designation_id>/khong-du-dieu-kien/", act_not_eligible, name="review_not_eligible"),
    path("ra-soat/<int:designation_id>/phan-cap/", act_delegation, name="review_delegation"),
]
