"""Register pages (item 7): inspections and their follow-up, recommendations to amend procedures, staff
assignments at the center.

Thin views (design.md rule 2): read the filters, build the tables, or parse one form and call one service of
`taicho.supervision.registers`. A DomainError or an invalid form re-renders the page with the typed values and a
red message; success redirects back with the same filters (POST-redirect-GET). Reads go through the
`*_visible_to(user)` querysets (design.md rule 6); writes need a supervisor (`access.supervisor_only`), except
that an agency's leader may draft and send recommendations for the agency.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from taicho.core.errors import DomainError
from taicho.supervision import registers
from taicho.supervision.access import agencies_for, is_supervisor, supervision_view, supervisor_only
from taicho.supervision.filters import Filters, read_filters, today
from taicho.supervision.models import Inspection, Recommendation, StaffAssignment
from taicho.supervision.register_forms import (
    AnswerForm,
    AssignmentForm,
    EndAssignmentForm,
    FollowUpForm,
    ImplementForm,
    InspectionForm,
    PickRecommendationForm,
    RecommendationForm,
    TrainingForm,
)
from taicho.supervision.tables import Light, Link, Table
from taicho.supervision.views.common import page

FollowUp = Inspection.FollowUp
RecStatus = Recommendation.Status


def _query(request: HttpRequest, *drop: str) -> str:
    query = request.GET.copy()
    for key in ("xlsx", *drop):
        query.pop(key, None)
    return query.urlencode()


def _back(request: HttpRequest, name: str) -> HttpResponse:
    query = _query(request)
    return redirect(reverse(name) + (f"?{query}" if query else ""))


def _handle(
    request: HttpRequest,
    form: forms.Form,
    run: Callable[[dict[str, Any]], Any],
    done: str,
    back: str,
    rerender: Callable[[forms.Form], HttpResponse],
) -> HttpResponse:
    """Validate `form`, call the service; success → message and redirect, failure → the page again with the
    bound form (nothing was written: each service is one transaction)."""
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message, extra_tags="danger")
        else:
            messages.success(request, done)
            return _back(request, back)
    else:
        messages.error(
            request,
            _("Thông tin chưa hợp lệ, vui lòng kiểm tra lại các ô được đánh dấu."),
            extra_tags="danger",
        )
    return rerender(form)


def _agency_scope(qs: QuerySet[Any], filters: Filters) -> QuerySet[Any]:
    """Rows of the chosen agencies; rows about the center itself (no agency) unless an agency or level is
    chosen."""
    if filters.agency is not None or filters.level:
        return qs.filter(agency__in=filters.agencies)
    return qs.filter(Q(agency__in=filters.agencies) | Q(agency__isnull=True))


def _agency_name(agency: Any) -> str:
    return str(agency.short_name or agency.name) if agency is not None else ""


# --- inspections -------------------------------------------------------------------------------------------


def inspection_status(inspection: Inspection, on: date) -> Light:
    """Overdue follow-ups are red; done green; in progress yellow; open (not yet due) grey."""
    label = inspection.get_follow_up_status_display()
    if registers.is_overdue(inspection, on):
        return Light("red", _("Quá hạn — %(status)s") % {"status": label})
    colors: dict[str, str] = {FollowUp.DONE: "green", FollowUp.IN_PROGRESS: "yellow"}
    color = colors.get(inspection.follow_up_status, "grey")
    return Light(color, str(label))


def inspections_table(rows: list[Inspection], on: date, edit_query: str | None = None) -> Table:
    """`edit_query`: the page's query string when the user may edit (the date links to the edit form)."""
    table = Table(
        key="kiem-tra",
        title=_("Các cuộc kiểm tra, thanh tra"),
        columns=[
            _("Ngày kiểm tra"),
            _("Đoàn kiểm tra"),
            _("Quyết định"),
            _("Cơ quan được kiểm tra"),
            _("Phạm vi, nội dung"),
            _("Kết quả, phát hiện"),
            _("Yêu cầu khắc phục"),
            _("Hạn khắc phục"),
            _("Tình trạng khắc phục"),
            _("Kết quả khắc phục"),
        ],
        empty=_("Chưa có cuộc kiểm tra nào trong kỳ."),
    )
    for i in rows:
        when: Any = i.inspected_on
        if edit_query is not None:
            sep = "&" if edit_query else ""
            when = Link(i.inspected_on, f"?{edit_query}{sep}sua={i.pk}#form-inspection")
        table.rows.append(
            [
                when,
                i.team,
                i.decision_number,
                _agency_name(i.agency) or (str(i.center) if i.center else _("Trung tâm")),
                i.scope,
                i.findings,
                i.required_actions,
                i.follow_up_due,
                inspection_status(i, on),
                i.follow_up_note,
            ]
        )
    return table


def _inspections_page(
    request: HttpRequest,
    *,
    form: InspectionForm | None = None,
    editing: Inspection | None = None,
    follow_form: FollowUpForm | None = None,
) -> HttpResponse:
    filters = read_filters(request)
    on = today()
    visible = registers.inspections_visible_to(request.user)
    scoped = _agency_scope(visible, filters)
    # Overdue follow-ups stay on the page whatever the period: nothing late hides behind a filter.
    qs = scoped.filter(Q(inspected_on__range=(filters.start, filters.end)) | registers.overdue_q(on))
    status = request.GET.get("tinh_trang", "")
    if status == "overdue":
        qs = qs.filter(registers.overdue_q(on))
    elif status in FollowUp.values:
        qs = qs.filter(follow_up_status=status)
    else:
        status = ""
    counts = scoped.aggregate(
        overdue=Count("pk", filter=registers.overdue_q(on)),
        open=Count("pk", filter=Q(follow_up_status=FollowUp.OPEN)),
        in_progress=Count("pk", filter=Q(follow_up_status=FollowUp.IN_PROGRESS)),
    )
    writer = is_supervisor(request.user)
    query = _query(request, "sua", "tinh_trang")
    table = inspections_table(list(qs), on, _query(request, "sua") if writer else None)
    context: dict[str, Any] = {
        "heading": _("Kiểm tra, thanh tra việc thực hiện “5 tại chỗ”"),
        "sub": "inspections",
        "status": status,
        "status_choices": [
            ("", _("Tất cả"), None),
            ("overdue", _("Quá hạn khắc phục"), counts["overdue"]),
            (FollowUp.OPEN, FollowUp.OPEN.label, counts["open"]),
            (FollowUp.IN_PROGRESS, FollowUp.IN_PROGRESS.label, counts["in_progress"]),
            (FollowUp.DONE, FollowUp.DONE.label, None),
        ],
        "status_query": query,
        "writer": writer,
    }
    if writer:
        agencies = agencies_for(request.user)
        if editing is None and request.GET.get("sua", "").isdigit():
            editing = visible.filter(pk=int(request.GET["sua"])).first()
            if editing is not None and form is None:
                form = InspectionForm(initial=InspectionForm.initial_from(editing), agencies=agencies)
        context["editing"] = editing
        context["form"] = form or InspectionForm(initial={"inspected_on": on}, agencies=agencies)
        context["follow_form"] = follow_form or FollowUpForm(inspections=visible)
        context["form_query"] = _query(request, "sua")
    return page(
        request,
        "supervision/registers_inspections.html",
        "registers",
        [table],
        filters,
        filename="kiem-tra",
        **context,
    )


@supervision_view
def inspections(request: HttpRequest) -> HttpResponse:
    return _inspections_page(request)


@require_POST
@supervisor_only
def inspection_create(request: HttpRequest) -> HttpResponse:
    form = InspectionForm(request.POST, agencies=agencies_for(request.user))
    return _handle(
        request,
        form,
        lambda data: registers.create_inspection(actor=request.user, **data),  # type: ignore[arg-type]
        _("Đã ghi nhận cuộc kiểm tra."),
        "supervision:inspections",
        lambda f: _inspections_page(request, form=f),  # type: ignore[arg-type]
    )


@require_POST
@supervisor_only
def inspection_update(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_object_or_404(registers.inspections_visible_to(request.user), pk=pk)
    form = InspectionForm(request.POST, agencies=agencies_for(request.user))
    return _handle(
        request,
        form,
        lambda data: registers.update_inspection(actor=request.user, inspection=inspection, **data),  # type: ignore[arg-type]
        _("Đã cập nhật cuộc kiểm tra."),
        "supervision:inspections",
        lambda f: _inspections_page(request, form=f, editing=inspection),  # type: ignore[arg-type]
    )


@require_POST
@supervisor_only
def inspection_follow_up(request: HttpRequest) -> HttpResponse:
    form = FollowUpForm(request.POST, inspections=registers.inspections_visible_to(request.user))
    return _handle(
        request,
        form,
        lambda data: registers.record_follow_up(actor=request.user, **data),  # type: ignore[arg-type]
        _("Đã ghi nhận kết quả khắc phục."),
        "supervision:inspections",
        lambda f: _inspections_page(request, follow_form=f),  # type: ignore[arg-type]
    )


# --- recommendations ---------------------------------------------------------------------------------------

OPEN_RECOMMENDATIONS = (RecStatus.DRAFT, RecStatus.SUBMITTED, RecStatus.ACCEPTED)


def recommendation_status(rec: Recommendation) -> Light:
    color = {
        RecStatus.DRAFT: "grey",
        RecStatus.SUBMITTED: "yellow",
        RecStatus.ACCEPTED: "green",
        RecStatus.REJECTED: "red",
        RecStatus.IMPLEMENTED: "green",
    }[RecStatus(rec.status)]
    return Light(color, str(rec.get_status_display()))


def recommendations_table(rows: list[Recommendation]) -> Table:
    table = Table(
        key="kien-nghi",
        title=_("Kiến nghị sửa đổi, đơn giản hóa thủ tục hành chính"),
        columns=[
            _("Số"),
            _("Ngày lập"),
            _("Thủ tục"),
            _("Cơ quan kiến nghị"),
            _("Loại"),
            _("Nội dung kiến nghị"),
            _("Lý do"),
            _("Gửi cơ quan"),
            _("Ngày gửi"),
            _("Trạng thái"),
            _("Trả lời"),
            _("Ngày trả lời"),
        ],
        numeric=frozenset({0}),
        empty=_("Chưa có kiến nghị nào."),
    )
    for r in rows:
        table.rows.append(
            [
                r.pk,
                timezone.localdate(r.created_at),
                f"{r.procedure.code} — {r.procedure.name}",
                _agency_name(r.agency),
                r.get_kind_display(),
                r.proposal,
                r.reason,
                r.addressed_to,
                r.submitted_on,
                recommendation_status(r),
                r.answer,
                r.answered_on,
            ]
        )
    return table


def _recommendations_page(request: HttpRequest, **forms_: forms.Form) -> HttpResponse:
    filters = read_filters(request)
    visible = registers.recommendations_visible_to(request.user)
    # Still-open recommendations stay on the page whatever the period.
    qs = _agency_scope(visible, filters).filter(
        Q(created_at__date__range=(filters.start, filters.end)) | Q(status__in=OPEN_RECOMMENDATIONS)
    )
    supervisor = is_supervisor(request.user)
    agencies = agencies_for(request.user)
    context: dict[str, Any] = {
        "heading": _("Kiến nghị sửa đổi, đơn giản hóa thủ tục"),
        "sub": "recommendations",
        "supervisor": supervisor,
        "form": forms_.get("form") or RecommendationForm(agencies=agencies),
        "submit_form": forms_.get("submit_form")
        or PickRecommendationForm(recommendations=visible, status=RecStatus.DRAFT),
        "form_query": _query(request),
    }
    if supervisor:
        context["answer_form"] = forms_.get("answer_form") or AnswerForm(
            recommendations=visible, status=RecStatus.SUBMITTED, initial={"answered_on": today()}
        )
        context["implement_form"] = forms_.get("implement_form") or ImplementForm(
            recommendations=visible, status=RecStatus.ACCEPTED
        )
    return page(
        request,
        "supervision/registers_recommendations.html",
        "registers",
        [recommendations_table(list(qs))],
        filters,
        filename="kien-nghi",
        **context,
    )


@supervision_view
def recommendations(request: HttpRequest) -> HttpResponse:
    return _recommendations_page(request)


@require_POST
@supervision_view
def recommendation_create(request: HttpRequest) -> HttpResponse:
    form = RecommendationForm(request.POST, agencies=agencies_for(request.user))
    return _handle(
        request,
        form,
        lambda data: registers.create_recommendation(actor=request.user, **data),  # type: ignore[arg-type]
        _("Đã lập dự thảo kiến nghị."),
        "supervision:recommendations",
        lambda f: _recommendations_page(request, form=f),
    )


@require_POST
@supervision_view
def recommendation_submit(request: HttpRequest) -> HttpResponse:
    visible = registers.recommendations_visible_to(request.user)
    form = PickRecommendationForm(request.POST, recommendations=visible, status=RecStatus.DRAFT)
    return _handle(
        request,
        form,
        lambda data: registers.submit_recommendation(actor=request.user, **data),  # type: ignore[arg-type]
        _("Đã gửi kiến nghị."),
        "supervision:recommendations",
        lambda f: _recommendations_page(request, submit_form=f),
    )


@require_POST
@supervisor_only
def recommendation_answer(request: HttpRequest) -> HttpResponse:
    visible = registers.recommendations_visible_to(request.user)
    form = AnswerForm(request.POST, recommendations=visible, status=RecStatus.SUBMITTED)
    return _handle(
        request,
        form,
        lambda data: registers.answer_recommendation(
            actor=request.user,  # type: ignore[arg-type]
            recommendation=data["recommendation"],
            accepted=data["decision"] == "accepted",
            answer=data["answer"],
            on=data["answered_on"],
        ),
        _("Đã ghi nhận trả lời kiến nghị."),
        "supervision:recommendations",
        lambda f: _recommendations_page(request, answer_form=f),
    )


@require_POST
@supervisor_only
def recommendation_implement(request: HttpRequest) -> HttpResponse:
    visible = registers.recommendations_visible_to(request.user)
    form = ImplementForm(request.POST, recommendations=visible, status=RecStatus.ACCEPTED)
    return _handle(
        request,
        form,
        lambda data: registers.implement_recommendation(actor=request.user, **data),  # type: ignore[arg-type]
        _("Đã ghi nhận kiến nghị được thực thi."),
        "supervision:recommendations",
        lambda f: _recommendations_page(request, implement_form=f),
    )


# --- assignments -------------------------------------------------------------------------------------------


def _trained(a: StaffAssignment) -> Any:
    return a.trained_on if a.trained_on else Light("red", _("Chưa tập huấn"))


def assignments_today_table(rows: list[StaffAssignment], on: date) -> Table:
    table = Table(
        key="hom-nay",
        title=_("Cán bộ làm việc tại Trung tâm ngày %(day)s") % {"day": f"{on:%d/%m/%Y}"},
        columns=[
            _("Quầy"),
            _("Cơ quan cử"),
            _("Cán bộ"),
            _("Nhiệm vụ"),
            _("Từ ngày"),
            _("Đến ngày"),
            _("Tập huấn"),
        ],
        empty=_("Chưa có cán bộ nào được phân công hôm nay."),
    )
    for a in rows:
        table.rows.append(
            [
                str(a.counter) if a.counter else str(a.center),
                _agency_name(a.agency),
                a.staff.get_full_name(),
                a.duties,
                a.starts,
                a.ends,
                _trained(a),
            ]
        )
    return table


def assignments_history_table(rows: list[StaffAssignment], on: date) -> Table:
    table = Table(
        key="lich-su",
        title=_("Lịch sử phân công"),
        columns=[
            _("Cán bộ"),
            _("Cơ quan cử"),
            _("Trung tâm"),
            _("Quầy"),
            _("Nhiệm vụ"),
            _("Từ ngày"),
            _("Đến ngày"),
            _("Tập huấn"),
            _("Tình trạng"),
        ],
        empty=_("Không có phân công nào trong kỳ."),
    )
    for a in rows:
        if a.starts > on:
            state = Light("grey", _("Sắp bắt đầu"))
        elif a.ends is not None and a.ends < on:
            state = Light("grey", _("Đã kết thúc"))
        else:
            state = Light("green", _("Đang làm việc"))
        table.rows.append(
            [
                a.staff.get_full_name(),
                _agency_name(a.agency),
                str(a.center),
                str(a.counter) if a.counter else "",
                a.duties,
                a.starts,
                a.ends,
                _trained(a),
                state,
            ]
        )
    return table


def _assignments_page(request: HttpRequest, **forms_: forms.Form) -> HttpResponse:
    filters = read_filters(request)
    on = today()
    visible = registers.assignments_visible_to(request.user).filter(agency__in=filters.agencies)
    current = list(
        visible.filter(registers.in_force_q(on)).order_by("center_id", "counter__number", "staff__full_name")
    )
    history = list(
        visible.filter(starts__lte=filters.end)
        .filter(Q(ends__isnull=True) | Q(ends__gte=filters.start))
        .order_by("-starts", "staff__full_name")
    )
    writer = is_supervisor(request.user)
    context: dict[str, Any] = {
        "heading": _("Phân công cán bộ tại Trung tâm"),
        "sub": "assignments",
        "writer": writer,
        "form_query": _query(request),
    }
    if writer:
        agencies = agencies_for(request.user)
        open_ones = registers.assignments_visible_to(request.user).filter(
            Q(ends__isnull=True) | Q(ends__gte=on)
        )
        user_center = getattr(request.user, "center_id", None)
        context["form"] = forms_.get("form") or AssignmentForm(
            agencies=agencies, initial={"starts": on, "center": user_center}
        )
        context["end_form"] = forms_.get("end_form") or EndAssignmentForm(
            assignments=open_ones, initial={"ends": on}
        )
        context["training_form"] = forms_.get("training_form") or TrainingForm(
            assignments=registers.assignments_visible_to(request.user).filter(trained_on__isnull=True),
            initial={"trained_on": on},
        )
    return page(
        request,
        "supervision/registers_assignments.html",
        "registers",
        [assignments_today_table(current, on), assignments_history_table(history, on)],
        filters,
        filename="phan-cong",
        **context,
    )


@supervision_view
def assignments(request: HttpRequest) -> HttpResponse:
    return _assignments_page(request)


@require_POST
@supervisor_only
def assignment_create(request: HttpRequest) -> HttpResponse:
    form = AssignmentForm(request.POST, agencies=agencies_for(request.user))
    return _handle(
        request,
        form,
        lambda data: registers.assign_staff(actor=request.user, **data),  # type: ignore[arg-type]
        _("Đã phân công cán bộ."),
        "supervision:assignments",
        lambda f: _assignments_page(request, form=f),
    )


@require_POST
@supervisor_only
def assignment_end(request: HttpRequest) -> HttpResponse:
    form = EndAssignmentForm(request.POST, assignments=registers.assignments_visible_to(request.user))
    return _handle(
        request,
        form,
        lambda data: registers.end_assignment(actor=request.user, **data),  # type: ignore[arg-type]
        _("Đã kết thúc phân công."),
        "supervision:assignments",
        lambda f: _assignments_page(request, end_form=f),
    )


@require_POST
@supervisor_only
def assignment_training(request: HttpRequest) -> HttpResponse:
    form = TrainingForm(request.POST, assignments=registers.assignments_visible_to(request.user))
    return _handle(
        request,
        form,
        lambda data: registers.record_training(actor=request.user, **data),  # type: ignore[arg-type]
        _("Đã ghi nhận ngày tập huấn."),
        "supervision:assignments",
        lambda f: _assignments_page(request, training_form=f),
    )


urlpatterns: list[URLPattern] = [
    path("kiem-tra/", inspections, name="inspections"),
    path("kiem-tra/them", inspection_create, name="inspection_create"),
    path("kiem-tra/<int:pk>/sua", inspection_update, name="inspection_update"),
    path("kiem-tra/khac-phuc", inspection_follow_up, name="inspection_follow_up"),
    path("kien-nghi/", recommendations, name="recommendations"),
    path("kien-nghi/them", recommendation_create, name="recommendation_create"),
    path("kien-nghi/gui", recommendation_submit, name="recommendation_submit"),
    path("kien-nghi/tra-loi", recommendation_answer, name="recommendation_answer"),
    path("kien-nghi/thuc-thi", recommendation_implement, name="recommendation_implement"),
    path("phan-cong/", assignments, name="assignments"),
    path("phan-cong/them", assignment_create, name="assignment_create"),
    path("phan-cong/ket-thuc", assignment_end, name="assignment_end"),
    path("phan-cong/tap-huan", assignment_training, name="assignment_training"),
]
