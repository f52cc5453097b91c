"""Forms of the staff workspace: they parse what the officer typed into the arguments of one service.

Validation of the domain (personal ID numbers, completeness, who may act) stays in the services; these forms only
check shapes (numbers are numbers, dates are dates) so that the service gets typed values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from taicho.catalog.models import Component
from taicho.dossiers.models import Dossier, DossierComponent
from taicho.dossiers.services import Applicant, Check, Provided, Upload

# Each component can bring at most this many scanned files (one PDF, or the pages of one paper as images).
MAX_FILES_PER_COMPONENT = 40
MAX_UPLOAD_BYTES = 25 * 1024 * 1024


def _autofocus(field: forms.Field) -> None:
    field.widget.attrs["autofocus"] = "autofocus"


class Compact(forms.Form):
    """Bootstrap's small controls on every widget (counter screens are 1366×768)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            widget.attrs["class"] = css


class ApplicantForm(Compact):
    """The person at the counter and, when someone else, the owner of the dossier (form 01)."""

    name = forms.CharField(label=_("Họ tên người nộp"), max_length=200)
    id_number = forms.CharField(
        label=_("Số định danh cá nhân"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    address = forms.CharField(label=_("Địa chỉ"), max_length=300, required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=32, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    owner_is_applicant = forms.BooleanField(label=_("Người nộp là chủ hồ sơ"), required=False, initial=True)
    owner_name = forms.CharField(label=_("Họ tên chủ hồ sơ"), max_length=200, required=False)
    owner_id = forms.CharField(label=_("Số định danh chủ hồ sơ"), max_length=12, required=False)
    owner_address = forms.CharField(label=_("Địa chỉ chủ hồ sơ"), max_length=300, required=False)
    reason = forms.CharField(
        label=_("Lý do (khi hướng dẫn bổ sung hoặc từ chối)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _autofocus(self.fields["name"])

    def applicant(self) -> Applicant:
        d = self.cleaned_data
        own = d["owner_is_applicant"] or not d["owner_name"].strip()
        return Applicant(
            name=d["name"].strip(),
            id_number=d["id_number"].strip(),
            address=d["address"].strip(),
            phone=d["phone"].strip(),
            email=d["email"].strip(),
            owner_name="" if own else d["owner_name"].strip(),
            owner_id="" if own else d["owner_id"].strip(),
            owner_address="" if own else d["owner_address"].strip(),
        )


PROVIDED_CHOICES = DossierComponent.ProvidedAs.choices


def component_rows(
    components: Iterable[Component],
    data: Mapping[str, Any] | None = None,
    suggested: Mapping[int, int] | None = None,
) -> list[dict]:
    """The checklist of the pinned version for the template: one row per component with what was chosen, and
    the earlier digitized paper to reuse (chosen by the officer, else suggested from the owner's data store)."""
    rows = []
    for c in components:
        default = DossierComponent.ProvidedAs.ORIGINAL if c.required else DossierComponent.ProvidedAs.MISSING
        chosen = (data or {}).get(f"c{c.pk}-as", default)
        count = (data or {}).get(f"c{c.pk}-count", max(c.originals, c.certified_copies, c.copies, 1))
        reuse = (data or {}).get(f"c{c.pk}-reuse") or (suggested or {}).get(c.pk) or ""
        if suggested and c.pk in suggested and not (data or {}).get(f"c{c.pk}-reuse"):
            chosen = DossierComponent.ProvidedAs.ELECTRONIC
        rows.append({"component": c, "chosen": chosen, "count": count, "reuse": str(reuse)})
    return rows


def parse_components(
    components: Iterable[Component], data: Mapping[str, Any], files: Any
) -> tuple[list[Provided], list[str]]:
    """What was provided for each component (``c<pk>-as``, ``c<pk>-count``, ``c<pk>-files``); errors in words."""
    provided, errors = [], []
    valid = {value for value, _label in PROVIDED_CHOICES}
    for c in components:
        kind = data.get(f"c{c.pk}-as", DossierComponent.ProvidedAs.MISSING)
        if kind not in valid:
            errors.append(str(_("Hình thức nộp không hợp lệ.")))
            continue
        try:
            count = int(data.get(f"c{c.pk}-count") or 1)
        except ValueError:
            count = 0
        if not 1 <= count <= 99:
            errors.append(str(_("Số bản phải từ 1 đến 99.")))
            continue
        uploads = []
        chosen: list[UploadedFile] = files.getlist(f"c{c.pk}-files") if files else []
        if len(chosen) > MAX_FILES_PER_COMPONENT:
            errors.append(str(_("Quá nhiều tệp cho một thành phần.")))
            continue
        for f in chosen:
            if f.size and f.size > MAX_UPLOAD_BYTES:
                errors.append(str(_("Tệp “%(name)s” lớn hơn 25 MB.") % {"name": f.name}))
                continue
            uploads.append(Upload(f.name or "scan", f.read(), f.content_type or "application/octet-stream"))
        reuse = str(data.get(f"c{c.pk}-reuse") or "").strip()
        if reuse and not reuse.isdigit():
            errors.append(str(_("Giấy tờ dùng lại không hợp lệ.")))
            continue
        if reuse and kind == DossierComponent.ProvidedAs.MISSING:
            # Circular 01/2023: the digitized paper stands for the paper.
            kind = DossierComponent.ProvidedAs.ELECTRONIC
        provided.append(
            Provided(
                component_id=c.pk,
                provided_as=kind,
                count=count,
                files=[] if reuse else uploads,
                reuse_from=int(reuse) if reuse else None,
            )
        )
    return provided, errors


def missing_ids(components: Iterable[Component], provided: Iterable[Provided]) -> list[int]:
    """The components to name in the guidance (form 02): the required ones not provided, else any marked
    missing."""
    marked = {p.component_id for p in provided if p.provided_as == DossierComponent.ProvidedAs.MISSING}
    required = [c.pk for c in components if c.required and c.pk in marked]
    return required or sorted(marked)


class ReasonForm(Compact):
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _autofocus(self.fields["reason"])


class OptionalReasonForm(Compact):
    reason = forms.CharField(label=_("Lý do"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SupplementForm(Compact):
    """Only the components of the pinned version may be asked for (domain.md §2): the choices are exactly those."""

    components = forms.TypedMultipleChoiceField(
        label=_("Thành phần cần bổ sung"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["components"].choices = [  # type: ignore[attr-defined]
            (c.pk, f"{c.ordinal}. {c.name[:120]}") for c in dossier.version.components.order_by("ordinal")
        ]


PASSED, FAILED = "passed", "failed"
VERDICTS = [(PASSED, _("Đạt")), (FAILED, _("Không đạt"))]


class ChecklistForm(Compact):
    """The appraiser's checklist: for each paper of the dossier "Đạt" / "Không đạt" (``check-<component id>``)
    and a note (``note-<component id>``), required when not passed: it says what the citizen must supplement.
    Prefilled with the verdicts recorded so far; a paper left unmarked is not recorded."""

    def __init__(self, *args: Any, rows: Iterable[DossierComponent], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = list(rows)
        for row in self.rows:
            current = recorded_check(row)
            verdict = forms.ChoiceField(
                label=f"{row.component.ordinal}. {row.component.name}",
                choices=VERDICTS,
                required=False,
                widget=forms.RadioSelect,
                initial=(PASSED if current.passed else FAILED) if current else None,
            )
            note = forms.CharField(
                label=_("Ghi chú"),
                required=False,
                max_length=1000,
                initial=current.note if current else "",
                widget=forms.TextInput(
                    attrs={
                        "class": "form-control form-control-sm",
                        "placeholder": _("Ghi chú (bắt buộc khi không đạt)"),
                        "aria-label": _("Ghi chú: %(name)s") % {"name": row.component.name[:80]},
                    }
                ),
            )
            self.fields[f"check-{row.component_id}"] = verdict
            self.fields[f"note-{row.component_id}"] = note

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for row in self.rows:
            if (
                data.get(f"check-{row.component_id}") == FAILED
                and not data.get(f"note-{row.component_id}", "").strip()
            ):
                key = f"note-{row.component_id}"
                if not self.errors:
                    _autofocus(self.fields[key])  # the page opens on the first note to write
                self.add_error(key, _("Ghi rõ lý do không đạt (nội dung cần bổ sung, hoàn thiện)."))
        return data

    def lines(self) -> list[tuple[DossierComponent, forms.BoundField, forms.BoundField, Any]]:
        """(paper, verdict field, note field, the verdict recorded so far or None) for the page."""
        return [
            (row, self[f"check-{row.component_id}"], self[f"note-{row.component_id}"], recorded_check(row))
            for row in self.rows
        ]

    def checks(self) -> list[Check]:
        """The papers marked (valid form only); unmarked ones are left out."""
        out = []
        for row in self.rows:
            verdict = self.cleaned_data.get(f"check-{row.component_id}")
            if verdict in (PASSED, FAILED):
                note = self.cleaned_data.get(f"note-{row.component_id}", "").strip()
                out.append(Check(component_id=row.component_id, passed=verdict == PASSED, note=note))
        return out

    def failed(self) -> dict[int, str]:
        """The papers marked "Không đạt" on this form (bound and valid), else as recorded: component id →
        note. The supplement request starts from these."""
        if self.is_bound and self.is_valid():
            return {c.component_id: c.note for c in self.checks() if not c.passed}
        return {
            row.component_id: current.note
            for row in self.rows
            if (current := recorded_check(row)) is not None and not current.passed
        }


def recorded_check(row: DossierComponent) -> Any:
    """The verdict recorded on a paper, or None (the reverse one-to-one raises when there is none)."""
    return getattr(row, "appraisal_check", None)


def supplement_initial(dossier: Dossier, failed: Mapping[int, str]) -> dict[str, Any]:
    """The supplement request preselected from the papers checked "Không đạt": those components, and their
    notes as the reason's lines."""
    names = dict(dossier.version.components.filter(pk__in=list(failed)).values_list("pk", "name"))
    return {
        "components": list(failed),
        "reason": "\n".join(f"{names.get(pk, '')[:120]}: {note}" for pk, note in failed.items()),
    }


class SupplementReceivedForm(Compact):
    """The papers the citizen brought back; only those asked for are accepted (the service checks)."""


# The fields of each result template (documents/templates/*.typ), with how to read them from the form.
TEMPLATE_FIELDS: dict[str, list[tuple[str, Any, str]]] = {
    "copy_certification": [
        ("document_name", _("Tên giấy tờ, văn bản"), "text"),
        ("requester_name", _("Người yêu cầu chứng thực"), "text"),
        ("pages", _("Số trang"), "int"),
        ("copies", _("Số bản sao"), "int"),
        ("fee", _("Lệ phí (đồng)"), "int"),
        ("book_number", _("Quyển số"), "text"),
    ],
    "civil_status_extract": [
        ("subtitle", _("Tiêu đề phụ"), "text"),
        ("register_ref", _("Số, quyển sổ gốc"), "text"),
        ("entries", _("Nội dung (mỗi dòng “mục: giá trị”)"), "pairs"),
        ("note", _("Ghi chú"), "text"),
    ],
    "decision": [
        ("subject", _("Trích yếu"), "text"),
        ("grounds", _("Căn cứ (mỗi dòng một căn cứ)"), "lines"),
        ("proposal", _("Xét đề nghị của"), "text"),
        ("articles", _("Các điều (mỗi dòng một điều)"), "lines"),
        ("issuer", _("Nơi nhận"), "text"),
    ],
}
# What the appraiser does not fill in, said beside the template's fields.
TEMPLATE_NOTES = {
    "copy_certification": _(
        "Số chứng thực: hệ thống cấp số tiếp theo trong sổ chứng thực của cơ quan khi lãnh đạo ký "
        "(Nghị định 23/2015/NĐ-CP; Thông tư 01/2020/TT-BTP)."
    ),
}
TEMPLATE_LABELS = {
    "copy_certification": _("Chứng thực bản sao từ bản chính"),
    "civil_status_extract": _("Trích lục hộ tịch"),
    "decision": _("Quyết định"),
}


class ResultDraftForm(Compact):
    """The draft result the appraiser submits for approval (template, title, number and the template's fields)."""

    template = forms.ChoiceField(label=_("Mẫu kết quả"))
    title = forms.CharField(label=_("Tên giấy tờ kết quả"), max_length=300)
    number = forms.CharField(label=_("Số, ký hiệu"), max_length=100, required=False)

    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any) -> None:
        from taicho.documents.render import RESULT_TEMPLATES

        kwargs.setdefault("initial", self.initial_for(dossier))
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(t, TEMPLATE_LABELS.get(t, t)) for t in RESULT_TEMPLATES]  # type: ignore[attr-defined]
        for template, fields in TEMPLATE_FIELDS.items():
            for name, label, kind in fields:
                key = f"{template}__{name}"
                if kind == "int":
                    field: forms.Field = forms.IntegerField(label=label, min_value=0, required=False)
                elif kind in ("lines", "pairs"):
                    field = forms.CharField(
                        label=label, required=False, widget=forms.Textarea(attrs={"rows": 2})
                    )
                else:
                    field = forms.CharField(label=label, required=False, max_length=500)
                field.widget.attrs["data-template"] = template
                field.widget.attrs["class"] = "form-control form-control-sm"
                self.fields[key] = field
        _autofocus(self.fields["copy_certification__document_name"])

    def groups(self) -> list[tuple[str, list[forms.BoundField], str]]:
        """The fields of each template and its note, for the page to show the chosen template's only."""
        return [
            (
                template,
                [self[f"{template}__{name}"] for name, _label, _kind in fields],
                str(TEMPLATE_NOTES.get(template, "")),
            )
            for template, fields in TEMPLATE_FIELDS.items()
        ]

    @staticmethod
    def initial_for(dossier: Dossier) -> dict[str, Any]:
        """Prefilled from the dossier: requester = owner, fee = the fee due, one page and the copies brought."""
        copies = sum(c.count for c in dossier.components.all()) or 1
        today = dossier.received_at or dossier.created_at
        return {
            "template": "copy_certification",
            "title": str(_("Bản sao được chứng thực từ bản chính")),
            "copy_certification__document_name": dossier.content or dossier.version.name,
            "copy_certification__requester_name": dossier.owner_name,
            "copy_certification__pages": 1,
            "copy_certification__copies": copies,
            "copy_certification__fee": dossier.fee_amount,
            "copy_certification__book_number": f"01/{today:%Y}" if today else "01",
            "decision__subject": dossier.version.name,
            "civil_status_extract__subtitle": dossier.version.name,
        } | ResultDraftForm._from_draft(dossier)

    @staticmethod
    def _from_draft(dossier: Dossier) -> dict[str, Any]:
        """A draft already submitted and sent back by the leader: the form starts from it, not from scratch."""
        from taicho.documents.models import DocumentStatus

        draft = dossier.result if dossier.result_id else None
        if draft is None or draft.status != DocumentStatus.DRAFT or draft.template not in TEMPLATE_FIELDS:
            return {}
        out: dict[str, Any] = {"template": draft.template, "title": draft.title, "number": draft.number}
        for name, _label, kind in TEMPLATE_FIELDS[draft.template]:
            value = draft.data.get(name)
            if value is None:
                continue
            if kind == "lines" and isinstance(value, list):
                value = "\n".join(str(line) for line in value)
            elif kind == "pairs" and isinstance(value, list):
                value = "\n".join(
                    f"{p.get('label', '')}: {p.get('value', '')}" for p in value if isinstance(p, dict)
                )
            out[f"{draft.template}__{name}"] = value
        return out

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        template = data.get("template")
        if template == "copy_certification":
            for name, _label, _kind in TEMPLATE_FIELDS[template]:
                value = data.get(f"{template}__{name}")
                if value in (None, ""):
                    self.add_error(f"{template}__{name}", _("Trường này là bắt buộc."))
        return data

    def result_data(self) -> dict[str, Any]:
        template = self.cleaned_data["template"]
        out: dict[str, Any] = {}
        for name, _label, kind in TEMPLATE_FIELDS.get(template, []):
            value = self.cleaned_data.get(f"{template}__{name}")
            if kind == "lines":
                value = [line.strip() for line in (value or "").splitlines() if line.strip()]
            elif kind == "pairs":
                pairs = []
                for line in (value or "").splitlines():
                    label, _sep, val = line.partition(":")
                    if label.strip():
                        pairs.append({"label": label.strip(), "value": val.strip()})
                value = pairs
            out[name] = value if value is not None else ""
        return out


class PrintForm(Compact):
    copies = forms.IntegerField(label=_("Số bản in"), min_value=1, max_value=99, initial=1)
    physical_seal = forms.BooleanField(label=_("Đóng dấu đỏ trên bản in"), required=False, initial=True)


class PaymentForm(Compact):
    amount = forms.IntegerField(label=_("Số tiền (đồng)"), min_value=1)
    receipt = forms.CharField(label=_("Số biên lai"), max_length=64)


class ReturnForm(Compact):
    receiver_name = forms.CharField(label=_("Người nhận"), max_length=200)
    receiver_id = forms.CharField(label=_("Số định danh người nhận"), max_length=12)
    relation = forms.CharField(label=_("Quan hệ với chủ hồ sơ"), max_length=100, required=False)
    originals_returned = forms.BooleanField(label=_("Đã trả lại bản chính"), required=False, initial=True)


class PayAndReturnForm(ReturnForm):
    """Same-day path: the fee still due and the hand-over in one form."""

    amount = forms.IntegerField(label=_("Thu phí (đồng)"), min_value=0, required=False)
    receipt = forms.CharField(label=_("Số biên lai"), max_length=64, required=False)


# domain.md §7: satisfaction at hand-over, 11 criteria scored 2/1/0 and a five-level overall rating.
RATING_CRITERIA = (
    _("Thời gian giải quyết so với quy định"),
    _("Số lần phải liên hệ để hoàn thiện hồ sơ"),
    _("Số cơ quan, đơn vị phải đến"),
    _("Thái độ của cán bộ tiếp nhận"),
    _("Thái độ của cán bộ giải quyết"),
    _("Hướng dẫn kê khai, hoàn thiện hồ sơ"),
    _("Công khai thủ tục, phí, lệ phí"),
    _("Tiếp nhận và trả kết quả đúng hẹn"),
    _("Kết quả đúng quy định"),
    _("Cơ sở vật chất nơi tiếp nhận"),
    _("Tiếp nhận, xử lý ý kiến phản ánh"),
)
SCORE_CHOICES = [(2, _("Tốt (2)")), (1, _("Đạt (1)")), (0, _("Chưa đạt (0)"))]
OVERALL_CHOICES = [
    (5, _("Rất hài lòng")),
    (4, _("Hài lòng")),
    (3, _("Bình thường")),
    (2, _("Chưa hài lòng")),
    (1, _("Không hài lòng")),
]


class RatingForm(Compact):
    overall = forms.TypedChoiceField(
        label=_("Đánh giá chung"), choices=OVERALL_CHOICES, coerce=int, initial=5, widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("Ý kiến"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i, label in enumerate(RATING_CRITERIA):
            self.fields[f"s{i}"] = forms.TypedChoiceField(
                label=label, choices=SCORE_CHOICES, coerce=int, initial=2, widget=forms.RadioSelect
            )

    def scores(self) -> list[int]:
        return [self.cleaned_data[f"s{i}"] for i in range(len(RATING_CRITERIA))]

    def criteria(self) -> list[forms.BoundField]:
        return [self[f"s{i}"] for i in range(len(RATING_CRITERIA))]


class ApologyForm(Compact):
    reason = forms.CharField(label=_("Lý do chậm trễ"), widget=forms.Textarea(attrs={"rows": 2}))
    new_due = forms.DateTimeField(
        label=_("Hẹn trả mới"),
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class LogbookForm(Compact):
    start = forms.DateField(label=_("Từ ngày"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Đến ngày"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("Ngày bắt đầu phải trước ngày kết thúc."))
        return data
