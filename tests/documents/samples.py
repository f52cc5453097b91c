"""Fixed, realistic data for every template (Quảng Ninh, Hạ Long ward, 27 November 2026)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

VN = timezone(timedelta(hours=7))
ISSUED = datetime(2026, 11, 27, 9, 30, tzinfo=VN)
RECEIVED = datetime(2026, 11, 27, 8, 15, tzinfo=VN)
APPOINTMENT = datetime(2026, 11, 27, 15, 30, tzinfo=VN)
DOSSIER = "000.00.31.H49-261127-0001"
OWNER_ID = "022186001234"
OWNER_NAME = "Nguyễn Thị Ánh Nguyệt"
PROCEDURE = "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có thẩm quyền của Việt Nam cấp hoặc chứng nhận"

COMMON: dict[str, Any] = {
    "parent_agency": "Ủy ban nhân dân tỉnh Quảng Ninh",
    "agency": "Ủy ban nhân dân phường Hạ Long",
    "place": "Quảng Ninh",
    "issued_at": ISSUED,
    "dossier_code": DOSSIER,
    "tthc_code": "2.000815",
    "owner_id": OWNER_ID,
    "short_url": "https://hcc.quangninh.gov.vn/v/Xk3pQ9",
}
SIGNER: dict[str, Any] = {
    "authority_title": "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH",
    "signer_title": "Phó Chủ tịch",
    "signer_name": "Trần Quốc Hưởng",
    "recipients": ["Ông/Bà Nguyễn Thị Ánh Nguyệt;", "Lưu: VT, HCC."],
}
OWNER = {
    "name": OWNER_NAME,
    "id_number": OWNER_ID,
    "address": "Tổ 3, khu 5, phường Hạ Long, tỉnh Quảng Ninh",
    "phone": "0912345678",
}

FORMS: dict[str, dict[str, Any]] = {
    "01": {
        **COMMON,
        "number": "0001/GTN-HCC",
        "procedure_name": PROCEDURE,
        "submitter": {**OWNER, "email": "anh.nguyet@example.vn"},
        "components": [
            {"name": "Bản chính giấy tờ, văn bản làm cơ sở để chứng thực bản sao", "originals": 1},
            {"name": "Bản sao cần chứng thực (Giấy khai sinh, 4 trang)", "copies": 4},
            {"name": "Căn cước công dân của người yêu cầu chứng thực", "originals": 1, "certified_copies": 0},
        ],
        "sets": 1,
        "time_limit": "Trong ngày",
        "received_at": RECEIVED,
        "appointment": APPOINTMENT,
        "result_delivery": "Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh",
        "fee": 8000,
        "logbook_ref": "Quyển số 11/2026, số thứ tự 0001",
        "receiving_officer": "Phạm Thu Hường",
    },
    "02": {
        **COMMON,
        **SIGNER,
        "authority_title": "",
        "signer_title": "Người hướng dẫn",
        "signer_name": "Phạm Thu Hường",
        "number": "0001/PYC-HCC",
        "procedure_name": PROCEDURE,
        "owner": OWNER,
        "received_at": RECEIVED,
        "components": [
            {
                "name": "Bản chính Giấy khai sinh",
                "requirement": "Xuất trình bản chính để đối chiếu (bản đã nộp là bản photo)",
            },
            {"name": "Bản sao cần chứng thực", "requirement": "Bản sao bị mờ trang 3, đề nghị sao lại"},
        ],
        "reason": "Hồ sơ chưa có bản chính để đối chiếu; bản sao không đọc được đầy đủ.",
        "rules_reference": "Cổng Dịch vụ công quốc gia https://dichvucong.gov.vn, thủ tục mã 2.000815",
        "officer": {"name": "Phạm Thu Hường", "phone": "0203 3835 555", "email": "huong.pt@quangninh.gov.vn"},
        "recipients": [],
    },
    "03": {
        **COMMON,
        **SIGNER,
        "authority_title": "",
        "signer_title": "Người tiếp nhận hồ sơ",
        "signer_name": "Phạm Thu Hường",
        "number": "0001/PTC-HCC",
        "procedure_name": PROCEDURE,
        "owner": OWNER,
        "reason": "Giấy tờ yêu cầu chứng thực là bản chính bị tẩy xóa, sửa chữa nội dung, không được chứng thực bản sao theo khoản 1 Điều 22 Nghị định số 23/2015/NĐ-CP; phí dự kiến 8.000 đồng không thu.",
        "recipients": [],
    },
    "04": {
        **COMMON,
        **SIGNER,
        "number": "125/UBND-HCC",
        "procedure_name": PROCEDURE,
        "owner": OWNER,
        "received_at": RECEIVED,
        "original_appointment": APPOINTMENT,
        "reason": "Hệ thống cơ sở dữ liệu hộ tịch gián đoạn, chưa đối chiếu được thông tin.",
        "new_appointment": datetime(2026, 11, 30, 10, 0, tzinfo=VN),
    },
    "05": {
        **COMMON,
        **SIGNER,
        "number": "126/TB-UBND",
        "procedure_name": PROCEDURE,
        "owner": OWNER,
        "received_at": RECEIVED,
        "requested_at": datetime(2026, 11, 27, 10, 5, tzinfo=VN),
        "reason": "Người yêu cầu rút hồ sơ theo đề nghị ngày 27/11/2026.",
        "refund": 8000,
    },
    "06": {
        **COMMON,
        "procedure_name": PROCEDURE,
        "owner": OWNER,
        "received_at": RECEIVED,
        "appointment": APPOINTMENT,
        "steps": [
            {
                "from": "Bộ phận Một cửa (Phạm Thu Hường)",
                "to": "Công chức Tư pháp - Hộ tịch (Lê Văn Đức)",
                "at": datetime(2026, 11, 27, 8, 20, tzinfo=VN),
                "result": "Chuyển thẩm định",
                "mark": "early",
            },
            {
                "from": "Công chức Tư pháp - Hộ tịch (Lê Văn Đức)",
                "to": "Phó Chủ tịch (Trần Quốc Hưởng)",
                "at": datetime(2026, 11, 27, 9, 10, tzinfo=VN),
                "result": "Trình ký",
                "mark": "on_time",
            },
            {
                "from": "Phó Chủ tịch (Trần Quốc Hưởng)",
                "to": "Bộ phận Một cửa",
                "at": datetime(2026, 11, 27, 16, 0, tzinfo=VN),
                "result": "Đã ký, chuyển trả",
                "mark": "late",
                "note": "phí 8.000 đồng đã thu",
            },
        ],
    },
    "07": {
        "parent_agency": "Ủy ban nhân dân tỉnh Quảng Ninh",
        "agency": "Ủy ban nhân dân phường Hạ Long",
        "place": "Quảng Ninh",
        "issued_at": ISSUED,
        "period": "Tháng 11 năm 2026",
        "entries": [
            {
                "code": DOSSIER,
                "content": PROCEDURE,
                "sets": 1,
                "owner": OWNER_NAME,
                "address": "Tổ 3, khu 5, phường Hạ Long",
                "phone": "0912345678",
                "received_at": RECEIVED,
                "appointment": APPOINTMENT,
                "returned_at": datetime(2026, 11, 27, 15, 10, tzinfo=VN),
                "officer": "Phạm Thu Hường",
                "note": "Lệ phí 8.000 đồng",
            },
            {
                "code": "000.00.31.H49-261127-0002",
                "content": "Đăng ký khai sinh",
                "sets": 1,
                "owner": "Đỗ Quang Vũ",
                "address": "Tổ 7, khu 2, phường Hạ Long",
                "received_at": datetime(2026, 11, 27, 8, 40, tzinfo=VN),
                "appointment": datetime(2026, 11, 28, 8, 40, tzinfo=VN),
                "officer": "Phạm Thu Hường",
            },
        ],
    },
}

RESULTS: dict[str, dict[str, Any]] = {
    "copy_certification": {
        **COMMON,
        **SIGNER,
        "number": "125/SCT-UBND",
        "document_name": "Giấy khai sinh số 215/2019, Ủy ban nhân dân phường Hồng Gai cấp ngày 05/02/2019",
        "requester_name": OWNER_NAME,
        "pages": 4,
        "copies": 1,
        "fee": 8000,
        "fee_rate": "2.000 đồng/trang",
        "certification_number": "125",
        "book_number": "01/2026",
    },
    "civil_status_extract": {
        **COMMON,
        **SIGNER,
        "number": "215/TLKS-BS",
        "tthc_code": "2.000635",
        "title": "Trích lục khai sinh",
        "subtitle": "(BẢN SAO)",
        "register_ref": "Số: 215, Quyển số: 01/2019",
        "entries": [
            {"label": "Họ, chữ đệm, tên", "value": "Nguyễn Thị Ánh Nguyệt"},
            {
                "label": "Ngày, tháng, năm sinh",
                "value": "12/03/1986 (Mười hai tháng Ba năm một nghìn chín trăm tám mươi sáu)",
            },
            {"label": "Giới tính", "value": "Nữ"},
            {"label": "Dân tộc", "value": "Kinh"},
            {"label": "Quốc tịch", "value": "Việt Nam"},
            {"label": "Nơi sinh", "value": "Bệnh viện Bãi Cháy, tỉnh Quảng Ninh"},
            {"label": "Số định danh cá nhân", "value": OWNER_ID},
            {"label": "Họ, chữ đệm, tên người mẹ", "value": "Lê Thị Huệ"},
            {"label": "Họ, chữ đệm, tên người cha", "value": "Nguyễn Văn Đức"},
            {"label": "Nơi đăng ký khai sinh", "value": "Ủy ban nhân dân phường Hồng Gai"},
        ],
        "note": "Lệ phí cấp bản sao trích lục: 8.000 đồng.",
    },
    "decision": {
        **COMMON,
        **SIGNER,
        "number": "2150/QĐ-UBND",
        "tthc_code": "1.001612",
        "subject": "Về việc cấp Giấy phép xây dựng nhà ở riêng lẻ",
        "issuer": "ỦY BAN NHÂN DÂN PHƯỜNG HẠ LONG",
        "grounds": [
            "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;",
            "Căn cứ Luật Xây dựng ngày 18 tháng 6 năm 2014 và các luật sửa đổi, bổ sung;",
        ],
        "proposal": "công chức Địa chính - Xây dựng",
        "articles": [
            "Cấp Giấy phép xây dựng cho bà Nguyễn Thị Ánh Nguyệt, số định danh cá nhân 022186001234, được xây dựng nhà ở riêng lẻ tại thửa đất số 125, tờ bản đồ số 12, phường Hạ Long. Lệ phí: 8.000 đồng.",
            "Quyết định này có hiệu lực kể từ ngày ký.",
            "Chánh Văn phòng Ủy ban nhân dân phường, bà Nguyễn Thị Ánh Nguyệt và các cơ quan, cá nhân có liên quan chịu trách nhiệm thi hành Quyết định này./.",
        ],
    },
}


def sample(kind: str, name: str) -> dict[str, Any]:
    return dict((FORMS if kind == "form" else RESULTS)[name])
