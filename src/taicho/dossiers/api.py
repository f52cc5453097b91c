"""JSON API of the dossier steps (design.md rule 2: parse, call ONE service, return).

Every endpoint finds the dossier through `Dossier.objects.visible_to(user)` (design.md rule 6): a dossier of
another agency answers 404 exactly as an unknown code does, so the API does not tell which codes exist. The
service decides whether the step is allowed (role, delegation, state); its DomainError becomes the one error
format registered in `taicho.api`.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.db import DEFAULT_DB_ALIAS, models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from taicho.catalog.models import OnTheSpotStatus, Procedure, ProcedureCase, ProcedureVersion
from taicho.core.errors import DomainError
from taicho.core.prepared import Prepared
from taicho.dossiers import selectors, services
from taicho.dossiers.models import Dossier, DossierComponent
from taicho.dossiers.states import Status
from taicho.org.models import Staff

router = Router(tags=["hồ sơ"])

PREFIX = "/api"
LIST_LIMIT = 200


def _staff(request: HttpRequest) -> Staff:
    """The account behind the request: the session user or the owner of the bearer token (see taicho.api)."""
    return request.auth  # type: ignore[attr-defined, no-any-return]


def _visible(request: HttpRequest, code: str) -> Dossier:
    """The dossier if this user may see it; otherwise 404, the same answer as for an unknown code."""
    return get_object_or_404(Dossier.objects.visible_to(_staff(request)), code=code)


def _target(request: HttpRequest, code: str) -> Dossier:
    """The dossier a step acts on, scoped like `_visible` but reading only its id: the service locks and
    reads the row itself (`select_for_update`)."""
    pk = Dossier.objects.visible_id(_staff(request), code)
    if pk is None:
        raise Http404
    return Dossier.from_db(DEFAULT_DB_ALIAS, ["id"], [pk])  # as `.only("id")` gives it


# --- schemas -------------------------------------------------------------------------------------------------


class ErrorBody(Schema):
    code: str = Field(description="Mã lỗi máy đọc được, ví dụ `conflict`, `not_allowed`, `incomplete`.")
    message: str = Field(description="Thông báo lỗi bằng tiếng Việt, để hiển thị cho cán bộ.")
    details: list[Any] = Field(default_factory=list, description="Chi tiết (ví dụ các trường không hợp lệ).")


class ErrorOut(Schema):
    error: ErrorBody


ERRORS: dict[int, type[Schema]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class FeeOut(Schema):
    kind: str = Field(description="Loại: phí hoặc lệ phí.")
    amount: int = Field(description="Số tiền (đồng).")
    per_unit: str = Field(description="Tính theo (trang, bản…); rỗng: thu một lần.")


class CaseOut(Schema):
    id: int
    name: str = Field(description="Tên trường hợp.")
    channel: str = Field(description="Hình thức nộp.")
    time_limit: str = Field(description="Thời hạn giải quyết, như người đọc (ví dụ “Trong ngày”).")
    time_limit_value: float | None = Field(description="Giá trị thời hạn.")
    time_limit_unit: str = Field(description="Đơn vị thời hạn.")
    fees: list[FeeOut] = Field(description="Phí, lệ phí.")


class ComponentOut(Schema):
    id: int = Field(description="Mã thành phần, dùng khi tiếp nhận (`component_id`).")
    ordinal: int
    name: str = Field(description="Tên giấy tờ.")
    required: bool = Field(description="Bắt buộc.")
    originals: int = Field(description="Số bản chính.")
    certified_copies: int = Field(description="Số bản sao chứng thực.")
    copies: int = Field(description="Số bản sao.")


class ProcedureOut(Schema):
    code: str = Field(description="Mã thủ tục hành chính (TTHC).")
    name: str = Field(description="Tên thủ tục theo phiên bản đang có hiệu lực.")
    version: int = Field(description="Số phiên bản đang có hiệu lực.")
    effective_from: date = Field(description="Phiên bản áp dụng từ ngày.")
    on_the_spot: bool = Field(description="Thực hiện “5 tại chỗ” tại cơ quan của người gọi.")
    components: list[ComponentOut] = Field(description="Thành phần hồ sơ.")
    cases: list[CaseOut] = Field(description="Các trường hợp, thời hạn và phí.")


class ApplicantIn(Schema):
    name: str = Field(max_length=200, description="Họ tên người nộp hồ sơ.")
    id_number: str = Field(max_length=12, description="Số định danh cá nhân (CCCD, 12 chữ số).")
    address: str = Field("", max_length=300, description="Địa chỉ người nộp.")
    phone: str = Field("", max_length=32, description="Điện thoại.")
    email: str = Field("", max_length=254, description="Thư điện tử.")
    owner_name: str = Field("", max_length=200, description="Họ tên chủ hồ sơ (rỗng: chính người nộp).")
    owner_id: str = Field("", max_length=12, description="Số định danh chủ hồ sơ.")
    owner_address: str = Field("", max_length=300, description="Địa chỉ chủ hồ sơ.")


class FileIn(Schema):
    name: str = Field(max_length=255, description="Tên tệp.")
    content_type: str = Field(max_length=100, description="Kiểu nội dung, ví dụ image/png, application/pdf.")
    content_base64: str = Field(description="Nội dung tệp mã hóa base64 (một PDF, hoặc các ảnh quét).")

    @field_validator("content_base64")
    @classmethod
    def _is_base64(cls, value: str) -> str:
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("Nội dung tệp không phải base64 hợp lệ.") from exc
        return value


ProvidedAs = Literal["original", "certified_copy", "copy", "electronic", "missing"]


class ProvidedIn(Schema):
    component_id: int = Field(description="Mã thành phần của thủ tục (xem GET /api/procedures).")
    provided_as: ProvidedAs = Field(
        description="Hình thức: bản chính, bản sao chứng thực, bản sao, bản điện tử."
    )
    count: int = Field(1, ge=1, le=1000, description="Số bản.")
    files: list[FileIn] = Field(default_factory=list, description="Bản quét để số hóa.")
    reuse_from: int | None = Field(
        None, description="Dùng lại giấy tờ đã số hóa của chủ hồ sơ (mã thành phần cũ)."
    )


class ReceiveIn(Schema):
    procedure: str = Field(description="Mã thủ tục, ví dụ 2.000815.")
    case_id: int | None = Field(None, description="Trường hợp (mặc định: trường hợp nộp trực tiếp đầu tiên).")
    applicant: ApplicantIn
    components: list[ProvidedIn] = Field(description="Thành phần hồ sơ đã nhận.")
    content: str = Field("", description="Nội dung yêu cầu (mặc định: tên thủ tục).")
    sets: int = Field(1, ge=1, le=100, description="Số bộ hồ sơ.")
    result_delivery: Literal["center", "post", "online"] = Field("center", description="Nơi nhận kết quả.")


class GuideIn(Schema):
    procedure: str = Field(description="Mã thủ tục.")
    case_id: int | None = None
    applicant: ApplicantIn
    missing: list[int] = Field(
        description="Các thành phần còn thiếu (mẫu 02 liệt kê đúng các thành phần này)."
    )
    reason: str = Field("", description="Lý do, hướng dẫn.")


class RefuseReceptionIn(Schema):
    reason: str = Field(description="Lý do từ chối tiếp nhận, bằng lời (mẫu 03).")
    code: str | None = Field(None, description="Hồ sơ đã hướng dẫn bổ sung (nếu có).")
    procedure: str | None = Field(None, description="Mã thủ tục (khi chưa có hồ sơ).")
    applicant: ApplicantIn | None = None


class ComponentsIn(Schema):
    components: list[ProvidedIn] = Field(description="Các thành phần nhận thêm.")


class ReasonIn(Schema):
    reason: str = Field(description="Lý do (bằng tiếng Việt, ghi vào diễn biến hồ sơ và biểu mẫu).")


class SupplementIn(Schema):
    components: list[int] = Field(description="Các thành phần cần bổ sung (chỉ trong danh mục của thủ tục).")
    reason: str = Field(description="Lý do yêu cầu bổ sung.")


class CheckIn(Schema):
    component_id: int = Field(
        description="Mã thành phần của thủ tục (như `component_id` của thành phần đã nộp)."
    )
    passed: bool = Field(description="true: Đạt; false: Không đạt.")
    note: str = Field(
        "", max_length=1000, description="Ghi chú; bắt buộc khi không đạt (nội dung cần bổ sung, hoàn thiện)."
    )


class ChecklistIn(Schema):
    checks: list[CheckIn] = Field(min_length=1, description="Kết quả kiểm tra từng thành phần hồ sơ.")


class SubmitIn(Schema):
    template: str = Field(description="Mẫu kết quả, ví dụ copy_certification.")
    title: str = Field(description="Tên giấy tờ kết quả.")
    data: dict[str, Any] = Field(
        default_factory=dict,
        description="Dữ liệu điền vào mẫu kết quả. Số chứng thực (copy_certification) không ghi ở đây: hệ thống "
        "cấp theo sổ chứng thực của cơ quan khi lãnh đạo ký.",
    )
    number: str = Field("", description="Số, ký hiệu của kết quả.")
    checks: list[CheckIn] | None = Field(
        None,
        description="Kết quả kiểm tra thành phần hồ sơ ghi cùng lúc trình ký (tùy chọn). Không trình ký được "
        "khi còn thành phần “Không đạt”.",
    )


class BatchIn(Schema):
    codes: list[str] = Field(min_length=1, max_length=200, description="Mã các hồ sơ cần ký duyệt.")


class BatchOutcomeOut(Schema):
    code: str
    ok: bool = Field(description="Đã ký duyệt.")
    message: str = Field(description="Lý do khi không ký được.")
    status: str = Field(description="Trạng thái sau khi xử lý.")


class PrintIn(Schema):
    copies: int = Field(ge=1, le=100, description="Số bản in.")
    physical_seal: bool = Field(True, description="Đã đóng dấu đỏ trên bản in.")


class PaymentIn(Schema):
    amount: int = Field(gt=0, description="Số tiền thu (đồng).")
    receipt: str = Field(max_length=64, description="Số biên lai.")


class ReturnIn(Schema):
    receiver_name: str = Field(max_length=200, description="Họ tên người nhận kết quả.")
    receiver_id: str = Field(max_length=12, description="Số định danh người nhận.")
    relation: str = Field("", max_length=100, description="Quan hệ với chủ hồ sơ.")
    originals_returned: bool = Field(False, description="Đã trả lại bản chính.")


class PayAndReturnIn(ReturnIn):
    amount: int = Field(0, ge=0, description="Số tiền còn phải thu (đồng); 0 khi đã thu đủ.")
    receipt: str = Field("", max_length=64, description="Số biên lai (khi có thu).")


class RatingIn(Schema):
    scores: list[int] = Field(description="11 tiêu chí, mỗi tiêu chí 2, 1 hoặc 0 điểm.")
    overall: int = Field(description="Đánh giá chung từ 1 đến 5.")
    comment: str = Field("", description="Ý kiến của người dân.")


class ApologyIn(Schema):
    reason: str = Field(description="Lý do chậm trễ (mẫu 04).")
    new_due: datetime = Field(description="Thời hạn hẹn lại (ISO 8601 có múi giờ).")


class DueOut(Schema):
    level: str = Field(description="ok, soon (còn dưới 1 ngày làm việc), overdue hoặc paused.")
    text: str = Field(description="Thời gian còn lại như người đọc.")
    left_seconds: int = Field(description="Số giây làm việc còn lại (âm: đã quá hạn).")


class DossierOut(Schema):
    code: str = Field(description="Mã hồ sơ (không bao giờ thay đổi).")
    status: str = Field(description="Trạng thái nội bộ.")
    status_label: str = Field(description="Trạng thái, bằng tiếng Việt.")
    national_status: int = Field(description="Mã trạng thái đồng bộ Cổng DVCQG (1–10).")
    procedure: str = Field(description="Mã thủ tục.")
    procedure_name: str
    agency: str = Field(description="Cơ quan giải quyết.")
    applicant_name: str
    owner_name: str
    on_the_spot: bool
    received_at: datetime | None
    due_at: datetime | None = Field(description="Hẹn trả kết quả.")
    due: DueOut | None = Field(description="Thời gian làm việc còn lại.")
    fee_amount: int = Field(description="Phí, lệ phí phải thu (đồng).")
    fee_paid: int = Field(description="Đã thu (đồng).")
    url: str = Field(description="Đường dẫn API của hồ sơ.")


class DossierListOut(Schema):
    count: int = Field(description="Tổng số hồ sơ khớp điều kiện.")
    items: list[DossierOut]


class CheckOut(Schema):
    passed: bool = Field(description="true: Đạt; false: Không đạt.")
    note: str
    checked_by: str = Field(description="Người kiểm tra.")
    checked_at: datetime


class ProvidedOut(Schema):
    component_id: int
    name: str
    provided_as: str
    count: int
    digitization_code: str = Field(description="Mã số hóa.")
    reused: bool = Field(description="Dùng lại giấy tờ đã số hóa.")
    check: CheckOut | None = Field(description="Kết quả kiểm tra khi thẩm định (chưa kiểm tra: null).")


class PaperOut(Schema):
    id: int
    form: str = Field(description="Mẫu (01 tiếp nhận, 02 hướng dẫn, 03 từ chối, 04 xin lỗi, 05 dừng).")
    created_at: datetime
    url: str


class ResultOut(Schema):
    title: str
    number: str
    status: str
    verification_code: str
    released_at: datetime | None
    url: str | None = Field(description="Tải bản điện tử (PDF) nếu đã có.")


class EventOut(Schema):
    action: str
    step: str
    from_status: str
    to_status: str
    actor: str
    at: datetime
    reason: str
    budget_seconds: int | None
    used_seconds: int | None


class DossierDetailOut(DossierOut):
    content: str
    components: list[ProvidedOut]
    papers: list[PaperOut]
    result: ResultOut | None
    timeline: list[EventOut]


# --- conversion ----------------------------------------------------------------------------------------------


def _url(dossier: Dossier, tail: str = "") -> str:
    return f"{PREFIX}/dossiers/{dossier.code}{tail}"


def summary(dossier: Dossier) -> dict[str, Any]:
    """The dossier as every step answers it. Reads `procedure`, `agency` and `center` (select them)."""
    due = selectors.due_state(dossier)
    return {
        "code": dossier.code,
        "status": dossier.status,
        "status_label": str(Status(dossier.status).label),
        "national_status": dossier.national_status,
        "procedure": dossier.procedure.code,
        "procedure_name": dossier.procedure.name,
        "agency": dossier.agency.name,
        "applicant_name": dossier.applicant_name,
        "owner_name": dossier.owner_name,
        "on_the_spot": dossier.on_the_spot,
        "received_at": dossier.received_at,
        "due_at": dossier.due_at,
        "due": {"level": due.level, "text": due.text, "left_seconds": int(due.left.total_seconds())}
        if due
        else None,
        "fee_amount": dossier.fee_amount,
        "fee_paid": dossier.fee_paid,
        "url": _url(dossier),
    }


def _upload(item: FileIn) -> services.Upload:
    return services.Upload(item.name, base64.b64decode(item.content_base64), item.content_type)


def _provided(items: list[ProvidedIn]) -> list[services.Provided]:
    return [
        services.Provided(
            component_id=p.component_id,
            provided_as=p.provided_as,
            count=p.count,
            files=[_upload(f) for f in p.files],
            reuse_from=p.reuse_from,
        )
        for p in items
    ]


#: `Procedure.objects.filter(code=code).first()`, compiled once per connection (every reception asks).
_PROCEDURE_BY_CODE: Prepared[Procedure] = Prepared(
    lambda code: Procedure.objects.filter(code=code)[:1], models.CharField()
)


def _procedure(code: str) -> Procedure:
    procedure = _PROCEDURE_BY_CODE.first(code)
    if procedure is None:
        raise DomainError(
            _("Không có thủ tục mã %(code)s trong danh mục.") % {"code": code}, code="unknown_procedure"
        )
    return procedure


def _case(case_id: int | None) -> ProcedureCase | None:
    if case_id is None:
        return None
    case = ProcedureCase.objects.filter(pk=case_id).first()
    if case is None:
        raise DomainError(_("Không có trường hợp mã %(id)s.") % {"id": case_id}, code="unknown_case")
    return case


def _applicant(data: ApplicantIn) -> services.Applicant:
    return services.Applicant(**data.dict())


# --- catalog -------------------------------------------------------------------------------------------------


@router.get(
    "/procedures", response={200: list[ProcedureOut], **ERRORS}, summary="Thủ tục có phiên bản hiệu lực"
)
def procedures(
    request: HttpRequest,
    q: str = Query("", description="Tìm theo mã hoặc tên thủ tục."),
    limit: int = Query(50, ge=1, le=LIST_LIMIT, description="Số thủ tục tối đa."),
) -> list[dict[str, Any]]:
    """Thủ tục đang có phiên bản hiệu lực hôm nay: thành phần hồ sơ (kèm mã), các trường hợp, thời hạn và phí."""
    from django.db.models import Q, prefetch_related_objects

    today = timezone.localdate()
    rows = Procedure.objects.filter(versions__effective_from__lte=today).distinct().order_by("code")
    if q.strip():
        rows = rows.filter(Q(code__icontains=q.strip()) | Q(name__icontains=q.strip()))
    chosen = list(rows[:limit])
    latest: dict[int, ProcedureVersion] = {}
    for version in ProcedureVersion.objects.filter(procedure__in=chosen, effective_from__lte=today).order_by(
        "procedure_id", "-effective_from", "-number"
    ):
        latest.setdefault(version.procedure_id, version)
    prefetch_related_objects(list(latest.values()), "components", "cases__fees")
    agency_id = _staff(request).agency_id
    spot = Procedure.objects.filter(pk__in=[p.pk for p in chosen], on_the_spot__status=OnTheSpotStatus.ACTIVE)
    if agency_id:
        spot = spot.filter(on_the_spot__agency_id=agency_id)
    on_the_spot = set(spot.values_list("pk", flat=True))
    out = []
    for procedure in chosen:
        version = latest[procedure.pk]
        out.append(
            {
                "code": procedure.code,
                "name": version.name,
                "version": version.number,
                "effective_from": version.effective_from,
                "on_the_spot": procedure.pk in on_the_spot,
                "components": [
                    {
                        "id": c.pk,
                        "ordinal": c.ordinal,
                        "name": c.name,
                        "required": c.required,
                        "originals": c.originals,
                        "certified_copies": c.certified_copies,
                        "copies": c.copies,
                    }
                    for c in sorted(version.components.all(), key=lambda c: c.ordinal)
                ],
                "cases": [
                    {
                        "id": case.pk,
                        "name": case.name,
                        "channel": case.channel,
                        "time_limit": case.time_limit_display(),
                        "time_limit_value": float(case.time_limit_value)
                        if case.time_limit_value is not None
                        else None,
                        "time_limit_unit": case.time_limit_unit,
                        "fees": [
                            {"kind": f.kind, "amount": f.amount, "per_unit": f.per_unit}
                            for f in case.fees.all()
                        ],
                    }
                    for case in sorted(version.cases.all(), key=lambda c: c.ordinal)
                ],
            }
        )
    return out


# --- reception -----------------------------------------------------------------------------------------------


@router.post("/dossiers", response={200: DossierOut, **ERRORS}, summary="Tiếp nhận hồ sơ (mẫu 01)")
def receive(request: HttpRequest, body: ReceiveIn) -> dict[str, Any]:
    """Tiếp nhận hồ sơ đầy đủ: số hóa các bản quét, cấp Giấy tiếp nhận và hẹn trả kết quả (mẫu 01)."""
    dossier = services.receive_dossier(
        officer=_staff(request),
        procedure=_procedure(body.procedure),
        case=_case(body.case_id),
        applicant=_applicant(body.applicant),
        components=_provided(body.components),
        content=body.content,
        sets=body.sets,
        result_delivery=body.result_delivery,
    )
    return summary(dossier)


@router.post("/dossiers/guide", response={200: DossierOut, **ERRORS}, summary="Hướng dẫn bổ sung (mẫu 02)")
def guide(request: HttpRequest, body: GuideIn) -> dict[str, Any]:
    """Hồ sơ chưa đầy đủ: lập Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (mẫu 02), một lần, đúng các thành phần thiếu."""
    dossier = services.guide_dossier(
        officer=_staff(request),
        procedure=_procedure(body.procedure),
        case=_case(body.case_id),
        applicant=_applicant(body.applicant),
        missing=body.missing,
        reason=body.reason,
    )
    return summary(dossier)


@router.post(
    "/dossiers/refuse-reception", response={200: DossierOut, **ERRORS}, summary="Từ chối tiếp nhận (mẫu 03)"
)
def refuse_reception(request: HttpRequest, body: RefuseReceptionIn) -> dict[str, Any]:
    """Không đủ điều kiện tiếp nhận: Phiếu từ chối tiếp nhận giải quyết hồ sơ (mẫu 03), nêu rõ lý do."""
    dossier = services.refuse_reception(
        officer=_staff(request),
        reason=body.reason,
        dossier=_visible(request, body.code) if body.code else None,
        procedure=_procedure(body.procedure) if body.procedure else None,
        applicant=_applicant(body.applicant) if body.applicant else None,
    )
    return summary(dossier)


@router.post(
    "/dossiers/approve-batch", response={200: list[BatchOutcomeOut], **ERRORS}, summary="Ký duyệt nhiều hồ sơ"
)
def approve_batch(request: HttpRequest, body: BatchIn) -> list[dict[str, Any]]:
    """Ký duyệt nhiều hồ sơ cuối buổi: mỗi hồ sơ một giao dịch; trả kết quả từng hồ sơ."""
    found = {d.code: d for d in Dossier.objects.visible_to(_staff(request)).filter(code__in=body.codes)}
    outcomes = {
        o.dossier.code: o
        for o in services.approve_batch(
            dossiers=[found[c] for c in dict.fromkeys(body.codes) if c in found], leader=_staff(request)
        )
    }
    missing = _("Không tìm thấy hồ sơ hoặc bạn không có quyền xem hồ sơ này.")
    return [
        {"code": code, "ok": o.ok, "message": o.message, "status": o.dossier.status}
        if (o := outcomes.get(code))
        else {"code": code, "ok": False, "message": missing, "status": ""}
        for code in dict.fromkeys(body.codes)
    ]


# --- reads ---------------------------------------------------------------------------------------------------

Inbox = Literal["reception", "appraisal", "approval", "stamping", "return"]


@router.get("/dossiers", response={200: DossierListOut, **ERRORS}, summary="Danh sách hồ sơ")
def dossiers(
    request: HttpRequest,
    inbox: Annotated[
        Inbox | None, Query(description="Hộp việc theo vai trò; bỏ trống: mọi hồ sơ được xem.")
    ] = None,
    status: Annotated[Status | None, Query(description="Lọc theo trạng thái nội bộ.")] = None,
    limit: int = Query(50, ge=1, le=LIST_LIMIT),
    offset: int = Query(0, ge=0),
) -> dict[str, Any]:
    """Hồ sơ người gọi được xem (theo cơ quan, quầy), hạn sớm nhất trước, kèm thời gian còn lại."""
    staff = _staff(request)
    if inbox:
        rows = selectors.inbox(staff, inbox)
    else:
        rows = Dossier.objects.visible_to(staff).order_by("-created_at", "-pk")
    if status:
        rows = rows.filter(status=status)
    rows = rows.select_related("procedure", "agency", "center")
    return {"count": rows.count(), "items": [summary(d) for d in rows[offset : offset + limit]]}


@router.get("/dossiers/{code}", response={200: DossierDetailOut, **ERRORS}, summary="Chi tiết hồ sơ")
def detail(request: HttpRequest, code: str) -> dict[str, Any]:
    """Trạng thái, hạn, thành phần đã nộp, các biểu mẫu đã lập (đường dẫn tải), kết quả và diễn biến."""
    dossier = get_object_or_404(
        Dossier.objects.visible_to(_staff(request)).select_related("procedure", "agency", "center", "result"),
        code=code,
    )
    out = summary(dossier)
    result = dossier.result
    out.update(
        {
            "content": dossier.content,
            "components": [
                {
                    "component_id": row.component_id,
                    "name": row.component.name,
                    "provided_as": row.provided_as,
                    "count": row.count,
                    "digitization_code": row.digitization_code,
                    "reused": row.reused_from_id is not None,
                    "check": {
                        "passed": check.passed,
                        "note": check.note,
                        "checked_by": str(check.checked_by),
                        "checked_at": check.checked_at,
                    }
                    if (check := getattr(row, "appraisal_check", None))
                    else None,
                }
                for row in DossierComponent.objects.filter(dossier=dossier)
                .select_related("component", "appraisal_check__checked_by")
                .order_by("component__ordinal")
            ],
            "papers": [
                {
                    "id": p.pk,
                    "form": p.form,
                    "created_at": p.created_at,
                    "url": _url(dossier, f"/papers/{p.form}?id={p.pk}"),
                }
                for p in dossier.papers.order_by("created_at", "pk")
            ],
            "result": {
                "title": result.title,
                "number": result.number,
                "status": result.status,
                "verification_code": result.verification_code,
                "released_at": result.released_at,
                "url": _url(dossier, "/result.pdf") if result.pdf else None,
            }
            if result
            else None,
            "timeline": [
                {
                    "action": e.action,
                    "step": e.step,
                    "from_status": e.from_status,
                    "to_status": e.to_status,
                    "actor": str(e.actor) if e.actor else "",
                    "at": e.at,
                    "reason": e.reason,
                    "budget_seconds": e.budget_seconds,
                    "used_seconds": e.used_seconds,
                }
                for e in selectors.timeline(dossier)
            ],
        }
    )
    return out


def _pdf(content: Any, filename: str) -> FileResponse:
    return FileResponse(content, content_type="application/pdf", filename=filename)


@router.get("/dossiers/{code}/papers/{form}", response={200: bytes, **ERRORS}, summary="Tải biểu mẫu (PDF)")
def paper(
    request: HttpRequest, code: str, form: str, id: int | None = Query(None, description="Biểu mẫu cụ thể.")
) -> FileResponse:
    """Bản PDF đã lập của một biểu mẫu (mới nhất, hoặc theo `id`)."""
    dossier = _visible(request, code)
    papers = dossier.papers.filter(form=form)
    if id is not None:
        papers = papers.filter(pk=id)
    found = papers.order_by("-created_at", "-pk").first()
    if found is None:
        raise Http404
    return _pdf(found.file.open("rb"), f"{dossier.code}-mau-{form}.pdf")


@router.get("/dossiers/{code}/result.pdf", response={200: bytes, **ERRORS}, summary="Tải kết quả (PDF)")
def result_pdf(request: HttpRequest, code: str) -> FileResponse:
    """Bản điện tử của kết quả (đã ký số khi đã phê duyệt)."""
    dossier = _visible(request, code)
    if dossier.result is None or not dossier.result.pdf:
        raise Http404
    return _pdf(dossier.result.pdf.open("rb"), f"{dossier.code}-ket-qua.pdf")


@router.get(
    "/dossiers/{code}/control-slip.pdf", response={200: bytes, **ERRORS}, summary="Phiếu kiểm soát (mẫu 06)"
)
def control_slip(request: HttpRequest, code: str) -> HttpResponse:
    """Phiếu kiểm soát quá trình giải quyết hồ sơ (mẫu 06), lập từ diễn biến hồ sơ."""
    dossier = _visible(request, code)
    response = HttpResponse(selectors.control_slip_pdf(dossier), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{dossier.code}-mau-06.pdf"'
    return response


@router.get("/logbook.xlsx", response={200: bytes, **ERRORS}, summary="Sổ theo dõi hồ sơ (mẫu 07)")
def logbook(
    request: HttpRequest,
    start: Annotated[date, Query(description="Từ ngày (YYYY-MM-DD).")],
    end: Annotated[date, Query(description="Đến ngày (YYYY-MM-DD).")],
) -> HttpResponse:
    """Sổ theo dõi hồ sơ (mẫu 07) của các hồ sơ được xem, tiếp nhận trong khoảng ngày."""
    if end < start:
        raise DomainError(_("Ngày kết thúc phải sau ngày bắt đầu."), code="invalid_period")
    response = HttpResponse(
        selectors.logbook_xlsx(_staff(request), start, end),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="so-theo-doi-{start}-{end}.xlsx"'
    return response


# --- steps: one POST per transition, each calling exactly one service ----------------------------------------

STEP = {200: DossierOut, **ERRORS}


@router.post("/dossiers/{code}/receive", response=STEP, summary="Tiếp nhận hồ sơ đã hướng dẫn")
def receive_guided(request: HttpRequest, code: str, body: ComponentsIn) -> dict[str, Any]:
    """Công dân quay lại sau khi được hướng dẫn: chỉ yêu cầu đúng các thành phần đã nêu trong mẫu 02."""
    return summary(
        services.receive_guided(
            dossier=_target(request, code), officer=_staff(request), components=_provided(body.components)
        )
    )


@router.post("/dossiers/{code}/start-appraisal", response=STEP, summary="Bắt đầu thẩm định")
def start_appraisal(request: HttpRequest, code: str) -> dict[str, Any]:
    """Nhận hồ sơ để thẩm định."""
    return summary(services.start_appraisal(dossier=_target(request, code), officer=_staff(request)))


@router.post("/dossiers/{code}/request-supplement", response=STEP, summary="Yêu cầu bổ sung (mẫu 02)")
def request_supplement(request: HttpRequest, code: str, body: SupplementIn) -> dict[str, Any]:
    """Yêu cầu bổ sung trong khi giải quyết: tạm dừng tính thời hạn; mỗi cơ quan một lần."""
    return summary(
        services.request_supplement(
            dossier=_target(request, code),
            officer=_staff(request),
            components=body.components,
            reason=body.reason,
        )
    )


@router.post("/dossiers/{code}/supplement-received", response=STEP, summary="Nhận hồ sơ bổ sung")
def supplement_received(request: HttpRequest, code: str, body: ComponentsIn) -> dict[str, Any]:
    """Nhận các thành phần đã yêu cầu bổ sung; thời hạn được cộng lại thời gian chờ."""
    return summary(
        services.supplement_received(
            dossier=_target(request, code), officer=_staff(request), components=_provided(body.components)
        )
    )


@router.post(
    "/dossiers/{code}/request-obligation", response=STEP, summary="Yêu cầu thực hiện nghĩa vụ tài chính"
)
def request_obligation(request: HttpRequest, code: str, body: ReasonIn) -> dict[str, Any]:
    """Chờ người dân thực hiện nghĩa vụ tài chính; tạm dừng tính thời hạn."""
    return summary(
        services.request_obligation(
            dossier=_target(request, code), officer=_staff(request), reason=body.reason
        )
    )


@router.post(
    "/dossiers/{code}/obligation-fulfilled", response=STEP, summary="Đã thực hiện nghĩa vụ tài chính"
)
def obligation_fulfilled(request: HttpRequest, code: str) -> dict[str, Any]:
    """Người dân đã thực hiện nghĩa vụ tài chính; tiếp tục tính thời hạn."""
    return summary(services.obligation_fulfilled(dossier=_target(request, code), officer=_staff(request)))


def _checks(items: list[CheckIn] | None) -> list[services.Check] | None:
    if items is None:
        return None
    return [services.Check(component_id=c.component_id, passed=c.passed, note=c.note) for c in items]


@router.post("/dossiers/{code}/checklist", response=STEP, summary="Kiểm tra thành phần hồ sơ")
def record_checklist(request: HttpRequest, code: str, body: ChecklistIn) -> dict[str, Any]:
    """Ghi kết quả kiểm tra từng thành phần hồ sơ khi thẩm định: Đạt / Không đạt (kèm ghi chú). Thành phần
    “Không đạt” được chọn sẵn khi yêu cầu bổ sung; còn thành phần “Không đạt” thì không trình ký được."""
    return summary(
        services.record_checklist(
            dossier=_target(request, code), officer=_staff(request), checks=_checks(body.checks) or []
        )
    )


def _draft(body: SubmitIn) -> dict[str, Any]:
    """The draft result and the optional checks of a submission, as the services take them."""
    return {
        "template": body.template,
        "title": body.title,
        "data": body.data,
        "number": body.number,
        "checks": _checks(body.checks),
    }


@router.post("/dossiers/{code}/submit-for-approval", response=STEP, summary="Trình ký")
def submit_for_approval(request: HttpRequest, code: str, body: SubmitIn) -> dict[str, Any]:
    """Dự thảo kết quả từ mẫu với dữ liệu hồ sơ, trình lãnh đạo ký duyệt (kèm kết quả kiểm tra, tùy chọn)."""
    return summary(
        services.submit_for_approval(dossier=_target(request, code), officer=_staff(request), **_draft(body))
    )


@router.post(
    "/dossiers/{code}/appraise-and-submit",
    response=STEP,
    summary="Thẩm định và trình ký trong một lần (tại chỗ)",
)
def appraise_and_submit(request: HttpRequest, code: str, body: SubmitIn) -> dict[str, Any]:
    """Thủ tục giải quyết tại chỗ: nhận thẩm định và trình ký dự thảo kết quả trong một lần; hai bước vẫn ghi
    riêng; bước sau bị từ chối thì hồ sơ giữ nguyên như trước."""
    return summary(
        services.appraise_and_submit(dossier=_target(request, code), officer=_staff(request), **_draft(body))
    )


@router.post(
    "/dossiers/{code}/preview-result", response={200: bytes, **ERRORS}, summary="Xem trước dự thảo kết quả"
)
def preview_result(request: HttpRequest, code: str, body: SubmitIn) -> HttpResponse:
    """Dự thảo kết quả (cùng nội dung gửi khi trình ký) điền dữ liệu hồ sơ, in dấu “DỰ THẢO”; không lưu gì."""
    dossier = _visible(request, code)
    pdf = services.preview_result(
        dossier=dossier,
        officer=_staff(request),
        template=body.template,
        title=body.title,
        data=body.data,
        number=body.number,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{dossier.code}-du-thao.pdf"'
    return response


@router.get("/dossiers/{code}/draft.pdf", response={200: bytes, **ERRORS}, summary="Dự thảo kết quả chờ ký")
def draft_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """Dự thảo kết quả đã trình, chưa ký (in dấu “DỰ THẢO”), để lãnh đạo đọc trước khi ký."""
    dossier = _visible(request, code)
    try:
        pdf = services.draft_pdf(dossier=dossier, viewer=_staff(request))
    except DomainError as exc:  # no draft waiting for signature: nothing to show, as for result.pdf
        raise Http404 from exc
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{dossier.code}-du-thao.pdf"'
    return response


@router.post("/dossiers/{code}/refuse", response=STEP, summary="Từ chối giải quyết")
def refuse(request: HttpRequest, code: str, body: ReasonIn) -> dict[str, Any]:
    """Từ chối giải quyết sau thẩm định, nêu rõ lý do."""
    return summary(
        services.refuse(dossier=_target(request, code), officer=_staff(request), reason=body.reason)
    )


@router.post("/dossiers/{code}/send-back", response=STEP, summary="Trả lại để thẩm định lại")
def send_back(request: HttpRequest, code: str, body: ReasonIn) -> dict[str, Any]:
    """Lãnh đạo trả dự thảo về người thẩm định."""
    return summary(
        services.send_back(dossier=_target(request, code), leader=_staff(request), reason=body.reason)
    )


@router.post("/dossiers/{code}/approve", response=STEP, summary="Ký duyệt (chữ ký số)")
def approve(request: HttpRequest, code: str) -> dict[str, Any]:
    """Lãnh đạo (hoặc người được ủy quyền) ký số kết quả."""
    return summary(services.approve(dossier=_target(request, code), leader=_staff(request)))


@router.post("/dossiers/{code}/seal", response=STEP, summary="Đóng dấu (chữ ký số cơ quan) và phát hành")
def seal(request: HttpRequest, code: str) -> dict[str, Any]:
    """Văn thư ký số của cơ quan; kết quả chỉ phát hành khi các chữ ký hợp lệ."""
    return summary(services.seal(dossier=_target(request, code), clerk=_staff(request)))


@router.post("/dossiers/{code}/print", response=STEP, summary="Ghi nhận in kết quả")
def record_print(request: HttpRequest, code: str, body: PrintIn) -> dict[str, Any]:
    """Ghi số bản in và việc đóng dấu đỏ trên bản in."""
    return summary(
        services.record_print(
            dossier=_target(request, code),
            clerk=_staff(request),
            copies=body.copies,
            physical_seal=body.physical_seal,
        )
    )


@router.post("/dossiers/{code}/payments", response=STEP, summary="Thu phí, lệ phí")
def record_payment(request: HttpRequest, code: str, body: PaymentIn) -> dict[str, Any]:
    """Ghi nhận khoản phí, lệ phí đã thu và số biên lai."""
    return summary(
        services.record_payment(
            dossier=_target(request, code), officer=_staff(request), amount=body.amount, receipt=body.receipt
        )
    )


@router.post("/dossiers/{code}/return", response=STEP, summary="Trả kết quả")
def return_result(request: HttpRequest, code: str, body: ReturnIn) -> dict[str, Any]:
    """Trao kết quả (sau khi đã thu đủ phí), ghi người nhận."""
    return summary(
        services.return_result(
            dossier=_target(request, code),
            officer=_staff(request),
            receiver_name=body.receiver_name,
            receiver_id=body.receiver_id,
            relation=body.relation,
            originals_returned=body.originals_returned,
        )
    )


@router.post("/dossiers/{code}/pay-and-return", response=STEP, summary="Thu phí và trả kết quả")
def pay_and_return(request: HttpRequest, code: str, body: PayAndReturnIn) -> dict[str, Any]:
    """Tại quầy, trong một lần: ghi khoản phí còn phải thu (nếu có) rồi trao kết quả; trả không được thì
    khoản thu cũng không được ghi."""
    return summary(
        services.pay_and_return(
            dossier=_target(request, code),
            officer=_staff(request),
            receiver_name=body.receiver_name,
            receiver_id=body.receiver_id,
            relation=body.relation,
            originals_returned=body.originals_returned,
            amount=body.amount,
            receipt=body.receipt,
        )
    )


@router.post("/dossiers/{code}/rating", response=STEP, summary="Đánh giá của người dân")
def rating(request: HttpRequest, code: str, body: RatingIn) -> dict[str, Any]:
    """Ghi đánh giá của người dân khi nhận kết quả (11 tiêu chí và đánh giá chung)."""
    dossier = _visible(request, code)
    services.submit_rating(dossier=dossier, scores=body.scores, overall=body.overall, comment=body.comment)
    return summary(dossier)


@router.post("/dossiers/{code}/apologise", response=STEP, summary="Xin lỗi và hẹn lại (mẫu 04)")
def apologise(request: HttpRequest, code: str, body: ApologyIn) -> dict[str, Any]:
    """Văn bản xin lỗi và đề nghị gia hạn, chậm nhất 01 ngày làm việc trước hạn; một lần."""
    return summary(
        services.apologise(
            dossier=_target(request, code), officer=_staff(request), reason=body.reason, new_due=body.new_due
        )
    )


@router.post("/dossiers/{code}/request-withdrawal", response=STEP, summary="Công dân xin rút hồ sơ")
def request_withdrawal(request: HttpRequest, code: str, body: ReasonIn) -> dict[str, Any]:
    """Ghi nhận đề nghị rút hồ sơ của công dân (trước khi có kết quả)."""
    return summary(
        services.request_withdrawal(
            dossier=_target(request, code), officer=_staff(request), reason=body.reason
        )
    )


@router.post("/dossiers/{code}/stop", response=STEP, summary="Dừng giải quyết (mẫu 05)")
def stop(request: HttpRequest, code: str, body: ReasonIn) -> dict[str, Any]:
    """Thông báo dừng giải quyết hồ sơ (mẫu 05)."""
    return summary(services.stop(dossier=_target(request, code), officer=_staff(request), reason=body.reason))
