from django import forms
from django.utils.translation import gettext_lazy as _


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".xlsx,.jsonl,.gz,.json"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):  # type: ignore[no-untyped-def]
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class CatalogImportForm(forms.Form):
    uploads = MultipleFileField(
        label=_("Tệp danh mục"),
        help_text=_(
            "Danh sách TTHC (.xlsx) xuất từ Cổng DVCQG và/hoặc bản ghi chi tiết (.jsonl, .jsonl.gz)."
        ),
    )
    effective_from = forms.DateField(
        label=_("Áp dụng từ ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Ngày áp dụng của các phiên bản mới; để trống là hôm nay."),
    )
