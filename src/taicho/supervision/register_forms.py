"""Forms of the register pages (inspections, recommendations, assignments). They only check shapes and turn
what was typed into the arguments of one service in `registers.py`; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from taicho.catalog.models import Procedure
from taicho.org.models import Agency, Center, Counter, Staff
from taicho.supervision.models import Inspection, Recommendation, StaffAssignment


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def _date(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput())


def _text(label: Any, required: bool = True, rows: int = 2) -> forms.CharField:
    return forms.CharField(label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}))


class Compact(forms.Form):
    """Bootstrap's small controls on every widget."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                continue
            widget.attrs["class"] = (
                "form-select form-select-sm"
                if isinstance(widget, forms.Select)
                else "form-control form-control-sm"
            )


class AgencyChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.short_name or obj.name)


# --- inspections -------------------------------------------------------------------------------------------


class InspectionForm(Compact):
    inspected_on = _date(_("Ngày kiểm tra"))
    team = forms.CharField(label=_("Đoàn kiểm tra"), max_length=300)
    decision_number = forms.CharField(label=_("Quyết định kiểm tra"), max_length=64, required=False)
    agency = AgencyChoice(
        label=_("Cơ quan được kiểm tra"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label=_("— Trung tâm —"),
    )
    scope = _text(_("Phạm vi, nội dung kiểm tra"))
    findings = _text(_("Kết quả, phát hiện"), required=False)
    required_actions = _text(_("Yêu cầu khắc phục"), required=False)
    follow_up_due = _date(_("Hạn khắc phục"), required=False)

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies.order_by("level", "name")  # type: ignore[attr-defined]

    @classmethod
    def initial_from(cls, inspection: Inspection) -> dict[str, Any]:
        return {
            "inspected_on": inspection.inspected_on,
            "team": inspection.team,
            "decision_number": inspection.decision_number,
            "agency": inspection.agency_id,
            "scope": inspection.scope,
            "findings": inspection.findings,
            "required_actions": inspection.required_actions,
            "follow_up_due": inspection.follow_up_due,
        }


class FollowUpForm(Compact):
    inspection = forms.ModelChoiceField(label=_("Cuộc kiểm tra"), queryset=Inspection.objects.none())
    status = forms.ChoiceField(label=_("Tình trạng khắc phục"), choices=Inspection.FollowUp.choices)
    note = _text(_("Kết quả khắc phục"))

    def __init__(self, *args: Any, inspections: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["inspection"]
        field.queryset = inspections.exclude(follow_up_status=Inspection.FollowUp.DONE)  # type: ignore[attr-defined]
        field.label_from_instance = _inspection_label  # type: ignore[attr-defined]


def _inspection_label(i: Inspection) -> str:
    who = (i.agency.short_name or i.agency.name) if i.agency else i.team
    label = f"{i.inspected_on:%d/%m/%Y} — {who}"
    if i.follow_up_due:
        label += " " + str(_("(hạn khắc phục %(due)s)") % {"due": f"{i.follow_up_due:%d/%m/%Y}"})
    return label


# --- recommendations ---------------------------------------------------------------------------------------


class RecommendationForm(Compact):
    procedure = forms.CharField(
        label=_("Mã thủ tục"), max_length=40, help_text=_("Ví dụ: 2.000815"), widget=forms.TextInput()
    )
    agency = AgencyChoice(label=_("Cơ quan kiến nghị"), queryset=Agency.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("Loại kiến nghị"), choices=Recommendation.Kind.choices)
    proposal = _text(_("Nội dung kiến nghị"), rows=3)
    reason = _text(_("Lý do"))
    addressed_to = forms.CharField(label=_("Gửi cơ quan"), max_length=300, required=False)

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies.order_by("level", "name")  # type: ignore[attr-defined]

    def clean_procedure(self) -> Procedure:
        code = self.cleaned_data["procedure"].strip()
        procedure = Procedure.objects.filter(code=code).first()
        if procedure is None:
            raise forms.ValidationError(_("Không tìm thấy thủ tục mã “%(code)s”.") % {"code": code})
        return procedure


def _recommendation_label(r: Recommendation) -> str:
    return f"#{r.pk} {r.procedure.code} — {r.get_kind_display()}: {r.proposal[:60]}"


class PickRecommendationForm(Compact):
    recommendation = forms.ModelChoiceField(label=_("Kiến nghị"), queryset=Recommendation.objects.none())

    def __init__(self, *args: Any, recommendations: Any, status: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["recommendation"]
        field.queryset = recommendations.filter(status=status)  # type: ignore[attr-defined]
        field.label_from_instance = _recommendation_label  # type: ignore[attr-defined]


class AnswerForm(PickRecommendationForm):
    decision = forms.ChoiceField(
        label=_("Kết quả"),
        choices=[("accepted", _("Được chấp nhận")), ("rejected", _("Không chấp nhận"))],
    )
    answer = _text(_("Nội dung trả lời"), required=False)
    answered_on = _date(_("Ngày trả lời"), required=False)


class ImplementForm(PickRecommendationForm):
    note = forms.CharField(label=_("Văn bản thực thi"), max_length=300, required=False)


# --- assignments -------------------------------------------------------------------------------------------


class StaffChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name()} ({obj.username})"


class AssignmentForm(Compact):
    staff = StaffChoice(label=_("Cán bộ"), queryset=Staff.objects.none())
    center = forms.ModelChoiceField(label=_("Trung tâm"), queryset=Center.objects.all())
    counter = forms.ModelChoiceField(
        label=_("Quầy"), queryset=Counter.objects.none(), required=False, empty_label=_("— Không gắn quầy —")
    )
    agency = AgencyChoice(label=_("Cơ quan cử"), queryset=Agency.objects.none())
    duties = forms.CharField(label=_("Nhiệm vụ"), max_length=300, required=False)
    starts = _date(_("Từ ngày"))
    ends = _date(_("Đến ngày"), required=False)
    trained_on = _date(_("Ngày được tập huấn"), required=False)

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = Staff.objects.filter(is_active=True).order_by(  # type: ignore[attr-defined]
            "full_name", "username"
        )
        self.fields["counter"].queryset = Counter.objects.filter(is_active=True).select_related(  # type: ignore[attr-defined]
            "center"
        )
        self.fields["agency"].queryset = agencies.order_by("level", "name")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts") and data.get("ends") and data["ends"] < data["starts"]:
            self.add_error("ends", _("Ngày kết thúc không được trước ngày bắt đầu."))
        return data


def _assignment_label(a: StaffAssignment) -> str:
    place = a.counter or a.center
    return str(_("%(staff)s — %(place)s (%(agency)s) từ %(starts)s")) % {
        "staff": a.staff,
        "place": place,
        "agency": a.agency.short_name or a.agency.name,
        "starts": f"{a.starts:%d/%m/%Y}",
    }


class PickAssignmentForm(Compact):
    assignment = forms.ModelChoiceField(label=_("Phân công"), queryset=StaffAssignment.objects.none())

    def __init__(self, *args: Any, assignments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignment"]
        field.queryset = assignments  # type: ignore[attr-defined]
        field.label_from_instance = _assignment_label  # type: ignore[attr-defined]


class EndAssignmentForm(PickAssignmentForm):
    ends = _date(_("Ngày làm việc cuối cùng"))


class TrainingForm(PickAssignmentForm):
    trained_on = _date(_("Ngày được tập huấn"))
