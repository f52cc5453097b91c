"""Forms of the review pages: each parses one action's input for one service (design.md rule 2)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class ReasonForm(forms.Form):
    # The services refuse an empty reason with their own message; the form only keeps the text.
    reason = forms.CharField(
        label=_("Lý do"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class IdsField(forms.Field):
    """Several ids posted under one name (the checkboxes of a list)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        try:
            return sorted({int(v) for v in value})
        except (TypeError, ValueError):
            raise ValidationError(_("Danh sách thủ tục không hợp lệ."), code="invalid") from None


class ProposeForm(ReasonForm):
    """Propose (or find not eligible) the procedures ticked in the review list, with one reason."""

    procedure = IdsField(
        label=_("Thủ tục"), error_messages={"required": _("Vui lòng chọn ít nhất một thủ tục.")}
    )
    case_name = forms.CharField(
        label=_("Chỉ trường hợp (để trống: mọi trường hợp)"), required=False, max_length=500
    )


class ApproveForm(ReasonForm):
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=64)
    decision_date = forms.DateField(
        label=_("Ngày quyết định"), input_formats=DATE_FORMATS, widget=forms.DateInput(attrs={"type": "date"})
    )
    effective_from = forms.DateField(
        label=_("Hiệu lực từ ngày"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    counter_appraises = forms.BooleanField(label=_("Giao cán bộ tiếp nhận thẩm định"), required=False)
    counter_approves = forms.BooleanField(label=_("Giao cán bộ tiếp nhận phê duyệt"), required=False)
    on_the_spot_hours = forms.DecimalField(
        label=_("Thời gian giải quyết tại chỗ (giờ làm việc)"),
        required=False,
        max_digits=5,
        decimal_places=2,
        min_value=0,
    )


class DelegationForm(ReasonForm):
    counter_appraises = forms.BooleanField(label=_("Giao cán bộ tiếp nhận thẩm định"), required=False)
    counter_approves = forms.BooleanField(label=_("Giao cán bộ tiếp nhận phê duyệt"), required=False)
