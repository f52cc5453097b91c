"""Data schema of every template: which keys, their kind, which are required, which are lists of rows.

``prepare(template, data)`` checks ``data`` against the schema and returns the *view*: a JSON-able dict of
already formatted NFC strings that the typst template lays out (templates do no formatting of their own).
A missing required key raises ``RenderError("Thiếu trường bắt buộc: <key> (<nhãn>)")``.

Kinds: ``text`` (str; ints accepted), ``datetime`` (aware datetime or ISO 8601 string with offset → "08 giờ 15
phút, ngày 27/11/2026"), ``date`` (date / ISO date → "27/11/2026"), ``count`` (int ≥ 0), ``money`` (int đồng ≥ 0 →
"8.000 đồng"), ``texts`` (list of str), ``rows`` (list of records, at least one when required), ``record``
(mapping), ``mark`` ("early"/"on_time"/"late" or "Trước hạn"/"Đúng hạn"/"Quá hạn").

Common keys, every template (Decree 30/2020/NĐ-CP, Appendix I):
    parent_agency  text, optional   cơ quan chủ quản ("ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH"), printed upper-case
    agency         text             cơ quan ban hành, printed bold upper-case
    number         text, optional   số, ký hiệu ("125/GTN-HCC"); "Số: ……" when absent
    place          text             địa danh ("Quảng Ninh")
    issued_at      datetime         ngày ban hành → "Quảng Ninh, ngày 27 tháng 11 năm 2026"
    draft_mark     text, optional   a preview's marking ("DỰ THẢO – CHƯA CÓ GIÁ TRỊ PHÁP LÝ"), printed across every
                                    page; never given for a real paper, which then renders exactly as without it
QR (Circular 01/2023/TT-VPCP), every template except form 07 (where it is printed only if ``dossier_code`` is
given): either ``qr`` (a ready payload from ``render.qr_payload``) or the fields it is built from:
    dossier_code, tthc_code, owner_id   text
    paper_name     text, optional   defaults to the paper's title
    system         text, optional   defaults to "taicho"
    short_url      text, optional   printed under the QR and included in the payload
Signed templates (forms 02–05, every result) add the signature block (Decree 30, Appendix I, II.8):
    authority_title text, optional  "KT. GIÁM ĐỐC", "TUQ. GIÁM ĐỐC", "TM. ỦY BAN NHÂN DÂN\\nKT. CHỦ TỊCH"
    signer_title    text            "PHÓ GIÁM ĐỐC"
    signer_name     text            "Nguyễn Văn An"
    recipients      texts, optional "Nơi nhận:" list ("Như trên;", "Lưu: VT.")
    (``formula`` — "KT."/"TUQ."/"TL." — is accepted and ignored: ``authority_title`` already carries it.)

Per template keys: see ``SCHEMAS`` below (each field's Vietnamese label says what it is).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from taicho.documents.formatting import (
    RenderError,
    format_date,
    format_datetime,
    format_money,
    format_place_date,
    nfc,
    to_aware_datetime,
    to_date,
)

MARKS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}


@dataclass(frozen=True)
class Field:
    key: str
    kind: str
    label: str
    required: bool = True
    fields: tuple[Field, ...] = ()


def F(key: str, kind: str, label: str, required: bool = True, *fields: Field) -> Field:
    return Field(key, kind, label, required, tuple(fields))


COMMON = (
    F("parent_agency", "text", "cơ quan chủ quản", False),
    F("agency", "text", "tên cơ quan ban hành"),
    F("number", "text", "số, ký hiệu", False),
    F("place", "text", "địa danh"),
    F("issued_at", "datetime", "ngày ban hành"),
    F("short_url", "text", "đường dẫn ngắn in dưới mã QR", False),
    F("draft_mark", "text", "dấu dự thảo (chỉ trên bản xem trước)", False),
)
SIGNED = (
    F("authority_title", "text", "quyền hạn ký (KT./TUQ./TL.)", False),
    F("signer_title", "text", "chức vụ người ký"),
    F("signer_name", "text", "họ tên người ký"),
    F("recipients", "texts", "nơi nhận", False),
)
OWNER = F(
    "owner",
    "record",
    "chủ hồ sơ",
    True,
    F("name", "text", "họ tên chủ hồ sơ"),
    F("id_number", "text", "số định danh cá nhân chủ hồ sơ", False),
    F("address", "text", "địa chỉ chủ hồ sơ", False),
    F("phone", "text", "số điện thoại chủ hồ sơ", False),
)
DOSSIER = (
    F("dossier_code", "text", "mã hồ sơ"),
    F("procedure_name", "text", "nội dung yêu cầu giải quyết (tên thủ tục)"),
)

SCHEMAS: dict[str, tuple[Field, ...]] = {
    # Form 01, Circular 03/2025/TT-VPCP: Giấy tiếp nhận hồ sơ và hẹn trả kết quả (signed on paper by both).
    "01": (
        *DOSSIER,
        F(
            "submitter",
            "record",
            "người nộp hồ sơ",
            True,
            F("name", "text", "họ tên người nộp hồ sơ"),
            F("id_number", "text", "số định danh cá nhân người nộp hồ sơ"),
            F("address", "text", "địa chỉ người nộp hồ sơ"),
            F("phone", "text", "số điện thoại người nộp hồ sơ", False),
            F("email", "text", "thư điện tử người nộp hồ sơ", False),
        ),
        Field(OWNER.key, "record", OWNER.label, False, OWNER.fields),
        F(
            "components",
            "rows",
            "thành phần hồ sơ",
            True,
            F("name", "text", "tên giấy tờ"),
            F("originals", "count", "số bản chính", False),
            F("certified_copies", "count", "số bản sao chứng thực", False),
            F("copies", "count", "số bản photo", False),
        ),
        F("sets", "count", "số lượng hồ sơ (bộ)"),
        F("time_limit", "text", "thời gian giải quyết theo quy định"),
        F("received_at", "datetime", "thời gian nhận hồ sơ"),
        F("appointment", "datetime", "thời gian hẹn trả kết quả"),
        F("result_delivery", "text", "nơi nhận kết quả"),
        F("fee", "money", "phí, lệ phí", False),
        F("logbook_ref", "text", "vào sổ theo dõi hồ sơ (quyển số, số thứ tự)", False),
        F("receiving_officer", "text", "họ tên người tiếp nhận hồ sơ"),
    ),
    # Form 02: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (once, listing exactly what is missing).
    "02": (
        *DOSSIER,
        OWNER,
        F("received_at", "datetime", "thời gian nhận hồ sơ", False),
        F(
            "components",
            "rows",
            "thành phần cần bổ sung, hoàn thiện",
            True,
            F("name", "text", "tên giấy tờ"),
            F("requirement", "text", "nội dung cần bổ sung, hoàn thiện"),
        ),
        F("reason", "text", "lý do"),
        F("rules_reference", "text", "nơi xem quy định (thủ tục hành chính)"),
        F(
            "officer",
            "record",
            "cán bộ hướng dẫn",
            True,
            F("name", "text", "họ tên cán bộ hướng dẫn"),
            F("phone", "text", "số điện thoại cán bộ hướng dẫn"),
            F("email", "text", "thư điện tử cán bộ hướng dẫn", False),
        ),
        *SIGNED,
    ),
    # Form 03: Phiếu từ chối tiếp nhận giải quyết hồ sơ (the reason in words).
    "03": (*DOSSIER, OWNER, F("reason", "text", "lý do từ chối"), *SIGNED),
    # Form 04: Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết (signed by the agency head).
    "04": (
        *DOSSIER,
        OWNER,
        F("received_at", "datetime", "thời gian nhận hồ sơ"),
        F("original_appointment", "datetime", "thời gian hẹn trả kết quả ban đầu"),
        F("reason", "text", "lý do chậm trễ"),
        F("apology", "text", "lời xin lỗi", False),
        F("new_appointment", "datetime", "thời gian hẹn trả kết quả mới"),
        *SIGNED,
    ),
    # Form 05: Thông báo dừng giải quyết hồ sơ.
    "05": (
        *DOSSIER,
        OWNER,
        F("received_at", "datetime", "thời gian nhận hồ sơ"),
        F("requested_at", "datetime", "thời gian công dân đề nghị dừng", False),
        F("reason", "text", "lý do dừng giải quyết"),
        F("refund", "money", "số tiền phí, lệ phí hoàn trả", False),
        *SIGNED,
    ),
    # Form 06: Phiếu kiểm soát quá trình giải quyết hồ sơ (one row per hand-over).
    "06": (
        *DOSSIER,
        OWNER,
        F("received_at", "datetime", "thời gian nhận hồ sơ"),
        F("appointment", "datetime", "thời gian hẹn trả kết quả"),
        F(
            "steps",
            "rows",
            "các bước giao, nhận hồ sơ",
            True,
            F("from", "text", "bên giao"),
            F("to", "text", "bên nhận"),
            F("at", "datetime", "thời gian giao, nhận"),
            F("result", "text", "kết quả giải quyết", False),
            F("mark", "mark", "đánh giá (Trước hạn/Đúng hạn/Quá hạn)", False),
            F("note", "text", "ghi chú", False),
        ),
    ),
    # Form 07: Sổ theo dõi hồ sơ (landscape, many dossiers).
    "07": (
        F("period", "text", "kỳ theo dõi", False),
        F(
            "entries",
            "rows",
            "các hồ sơ",
            True,
            F("code", "text", "mã hồ sơ"),
            F("content", "text", "nội dung (tên thủ tục)"),
            F("sets", "count", "số lượng hồ sơ (bộ)"),
            F("owner", "text", "tên cá nhân, tổ chức"),
            F("address", "text", "địa chỉ", False),
            F("phone", "text", "số điện thoại", False),
            F("received_at", "datetime", "thời gian nhận hồ sơ"),
            F("appointment", "datetime", "thời gian hẹn trả kết quả"),
            F("returned_at", "datetime", "thời gian trả kết quả", False),
            F("officer", "text", "cán bộ tiếp nhận"),
            F("note", "text", "ghi chú", False),
        ),
    ),
    # Lời chứng chứng thực bản sao từ bản chính (Decree 23/2015/NĐ-CP; Circular 01/2020/TT-BTP).
    "copy_certification": (
        F("document_name", "text", "tên giấy tờ, văn bản được chứng thực"),
        F("requester_name", "text", "họ tên người yêu cầu chứng thực"),
        F("pages", "count", "số trang"),
        F("copies", "count", "số bản sao"),
        F("fee", "money", "lệ phí"),
        F("fee_rate", "text", 'mức lệ phí ("2.000 đồng/trang")', False),
        F("certification_number", "text", "số chứng thực"),
        F("book_number", "text", 'quyển số ("01/2026")'),
        *SIGNED,
    ),
    # Trích lục hộ tịch (bản sao), e.g. TRÍCH LỤC KHAI SINH (BẢN SAO).
    "civil_status_extract": (
        F("title", "text", 'tên trích lục ("TRÍCH LỤC KHAI SINH")'),
        F("subtitle", "text", 'loại bản ("(BẢN SAO)")', False),
        F("register_ref", "text", "số, quyển số đăng ký", False),
        F(
            "entries",
            "rows",
            "nội dung trích lục",
            True,
            F("label", "text", "mục"),
            F("value", "text", "nội dung"),
        ),
        F("note", "text", "ghi chú", False),
        *SIGNED,
    ),
    # Quyết định (cá biệt), giấy phép: Decree 30/2020/NĐ-CP, Appendix I, form 1.4.
    "decision": (
        F("subject", "text", 'trích yếu ("Về việc …")'),
        F("issuer", "text", 'thẩm quyền ban hành ("CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG HẠ LONG")'),
        F("grounds", "texts", "căn cứ ban hành"),
        F("proposal", "text", "theo đề nghị của", False),
        F("articles", "texts", "các điều"),
        *SIGNED,
    ),
}

TITLES = {
    "01": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    "02": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    "03": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
    "04": "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT HỒ SƠ",
    "05": "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
    "06": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
    "07": "SỔ THEO DÕI HỒ SƠ",
    "copy_certification": "CHỨNG THỰC BẢN SAO ĐÚNG VỚI BẢN CHÍNH",
    "decision": "QUYẾT ĐỊNH",
}
SIGNED_TEMPLATES = frozenset(
    {"02", "03", "04", "05", "copy_certification", "civil_status_extract", "decision"}
)


def _missing(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, (list, tuple)) and not value)
    )


def _text(value: Any, path: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise RenderError(f"Trường {path} phải là chuỗi ký tự")
    return nfc(str(value).strip())


def _count(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RenderError(f"Trường {path} phải là số nguyên không âm")
    return value


def _convert(field: Field, value: Any, path: str) -> Any:
    kind = field.kind
    if kind == "text":
        return _text(value, path)
    if kind == "datetime":
        return format_datetime(to_aware_datetime(value, path))
    if kind == "date":
        return format_date(to_date(value, path))
    if kind == "count":
        return str(_count(value, path))
    if kind == "money":
        return format_money(_count(value, path))
    if kind == "mark":
        text = _text(value, path)
        if text in MARKS:
            return MARKS[text]
        if text in MARKS.values():
            return text
        raise RenderError(f"Trường {path} phải là một trong: Trước hạn, Đúng hạn, Quá hạn")
    if kind == "texts":
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise RenderError(f"Trường {path} phải là danh sách")
        return [_text(item, f"{path}[{i}]") for i, item in enumerate(value)]
    if kind == "record":
        if not isinstance(value, Mapping):
            raise RenderError(f"Trường {path} phải là một bản ghi (các cặp khóa - giá trị)")
        return _record(field.fields, value, f"{path}.")
    if kind == "rows":
        if isinstance(value, (str, Mapping)) or not isinstance(value, Sequence):
            raise RenderError(f"Trường {path} phải là danh sách các dòng")
        rows = []
        for i, row in enumerate(value):
            if not isinstance(row, Mapping):
                raise RenderError(f"Dòng {path}[{i}] phải là một bản ghi (các cặp khóa - giá trị)")
            rows.append(_record(field.fields, row, f"{path}[{i}]."))
        return rows
    raise AssertionError(f"unknown kind {kind}")  # pragma: no cover - schema bug


def _record(fields: Sequence[Field], data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    view: dict[str, Any] = {}
    for field in fields:
        path = prefix + field.key
        value = data.get(field.key)
        if _missing(value):
            if field.required:
                raise RenderError(f"Thiếu trường bắt buộc: {path} ({field.label})")
            view[field.key] = [] if field.kind in ("texts", "rows") else None
            continue
        view[field.key] = _convert(field, value, path)
    return view


def prepare(template: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The view for ``template``: ``data`` checked and formatted (see the module docstring)."""
    if not isinstance(data, Mapping):
        raise RenderError("Dữ liệu giấy tờ phải là một bản ghi (các cặp khóa - giá trị)")
    view = _record((*COMMON, *SCHEMAS[template]), data)
    issued = to_aware_datetime(data["issued_at"], "issued_at")
    view["place_date"] = format_place_date(view["place"], issued.date())
    view["parent_agency"] = view["parent_agency"].upper() if view["parent_agency"] else None
    view["agency"] = view["agency"].upper()
    view["title"] = (
        view.get("title") or TITLES[template]
    ).upper()  # type of paper: upper-case (Decree 30, II.5)
    authority = view.get("authority_title")
    view["authority_title"] = (
        [line.strip() for line in authority.upper().splitlines() if line.strip()] if authority else []
    )
    if view.get("signer_title") is not None:
        view["signer_title"] = view["signer_title"].upper()
    view["signed"] = template in SIGNED_TEMPLATES
    return view
