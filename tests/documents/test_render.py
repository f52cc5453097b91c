"""Every form and result renders a valid PDF whose text is the NFC Vietnamese the data gave."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from datetime import datetime
from typing import Any

import pytest

from taicho.documents.formatting import format_money, format_place_date
from taicho.documents.render import FORMS, RESULT_TEMPLATES, RenderError, render_form, render_result

from .samples import OWNER_NAME, sample

ALL = [("form", name) for name in FORMS] + [("result", name) for name in RESULT_TEMPLATES]
TITLES = {
    "01": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    "02": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    "03": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
    "04": "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT HỒ SƠ",
    "05": "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
    "06": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
    "07": "SỔ THEO DÕI HỒ SƠ",
    "copy_certification": "CHỨNG THỰC BẢN SAO ĐÚNG VỚI BẢN CHÍNH",
    "civil_status_extract": "TRÍCH LỤC KHAI SINH",
    "decision": "QUYẾT ĐỊNH",
}
WITH_MONEY = {"01", "05", "copy_certification"}  # templates with a money field (fee, refund)


def render(kind: str, name: str, data: dict[str, Any]):
    return (render_form if kind == "form" else render_result)(name, data)


def text_of(pdf: bytes, pdftotext: str) -> str:
    out = subprocess.run(
        [pdftotext, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout
    return " ".join(out.decode("utf-8").split())


def nfd(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFD", value)
    if isinstance(value, dict):
        return {k: nfd(v) for k, v in value.items()}
    if isinstance(value, list):
        return [nfd(v) for v in value]
    return value


@pytest.mark.parametrize(("kind", "name"), ALL)
def test_renders_vietnamese_text(kind, name, pdftotext):
    rendered = render(kind, name, sample(kind, name))
    assert rendered.pdf.startswith(b"%PDF-")
    text = text_of(rendered.pdf, pdftotext)
    assert unicodedata.is_normalized("NFC", text)
    assert TITLES[name] in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "ỦY BAN NHÂN DÂN PHƯỜNG HẠ LONG" in text
    assert "Quảng Ninh, ngày 27 tháng 11 năm 2026" in text
    assert OWNER_NAME in text
    if name in WITH_MONEY:
        assert "8.000 đồng" in text


def test_receipt_shows_times_in_vietnam_wall_clock(pdftotext):
    text = text_of(render_form("01", sample("form", "01")).pdf, pdftotext)
    assert "Mã hồ sơ: 000.00.31.H49-261127-0001" in text
    assert "08 giờ 15 phút, ngày 27/11/2026" in text
    assert "15 giờ 30 phút, ngày 27/11/2026" in text
    assert "NGƯỜI NỘP HỒ SƠ" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text


def test_copy_certification_wording(pdftotext):
    text = text_of(render_result("copy_certification", sample("result", "copy_certification")).pdf, pdftotext)
    assert "Chứng thực bản sao đúng với bản chính." in text
    assert "Số chứng thực: 125, Quyển số: 01/2026-SCT/BS" in text
    assert "8.000 đồng (2.000 đồng/trang)" in text
    assert "KT. CHỦ TỊCH" in text
    assert "PHÓ CHỦ TỊCH" in text
    assert "Trần Quốc Hưởng" in text
    assert "Nơi nhận:" in text


def test_decision_wording(pdftotext):
    text = text_of(render_result("decision", sample("result", "decision")).pdf, pdftotext)
    assert "Về việc cấp Giấy phép xây dựng nhà ở riêng lẻ" in text
    assert "Căn cứ Luật Xây dựng" in text
    assert "Điều 1. Cấp Giấy phép" in text
    assert "Điều 3." in text


def test_control_slip_marks(pdftotext):
    text = text_of(render_form("06", sample("form", "06")).pdf, pdftotext)
    for mark in ("Trước hạn", "Đúng hạn", "Quá hạn"):
        assert mark in text


@pytest.mark.parametrize(("kind", "name"), ALL)
def test_nfd_input_renders_like_nfc(kind, name):
    data = sample(kind, name)
    assert render(kind, name, nfd(data)).pdf == render(kind, name, data).pdf


def test_rendering_is_reproducible():
    data = sample("result", "copy_certification")
    assert render_result("copy_certification", data) == render_result("copy_certification", data)


@pytest.mark.parametrize(
    ("kind", "name", "path"),
    [
        ("result", "copy_certification", "agency"),
        ("result", "copy_certification", "signer_name"),
        ("result", "decision", "articles"),
        ("form", "01", "submitter.name"),
        ("form", "01", "components"),
        ("form", "06", "steps"),
        ("form", "07", "issued_at"),
    ],
)
def test_missing_key_is_named_in_vietnamese(kind, name, path):
    data = sample(kind, name)
    if "." in path:
        outer, inner = path.split(".")
        data[outer] = {k: v for k, v in data[outer].items() if k != inner}
    else:
        del data[path]
    with pytest.raises(RenderError, match="^Thiếu trường bắt buộc: " + re.escape(path) + r" \("):
        render(kind, name, data)


def test_missing_qr_field_is_named():
    data = sample("result", "copy_certification")
    del data["tthc_code"]
    with pytest.raises(RenderError, match="Thiếu trường bắt buộc: tthc_code"):
        render_result("copy_certification", data)


def test_missing_row_field_is_named_with_its_row():
    data = sample("form", "01")
    data["components"] = [*data["components"], {"originals": 1}]
    with pytest.raises(RenderError, match=r"Thiếu trường bắt buộc: components\[3\]\.name \(tên giấy tờ\)"):
        render_form("01", data)


def test_naive_datetime_is_refused():
    data = sample("form", "01")
    data["received_at"] = datetime(2026, 11, 27, 8, 15)
    with pytest.raises(RenderError, match="received_at phải có múi giờ"):
        render_form("01", data)


def test_iso_strings_from_json_are_accepted(pdftotext):
    data = sample("form", "01")
    data["appointment"] = "2026-11-27T08:30:00+00:00"  # 15:30 in Vietnam
    assert "15 giờ 30 phút, ngày 27/11/2026" in text_of(render_form("01", data).pdf, pdftotext)


def test_unknown_template_is_refused():
    with pytest.raises(RenderError, match="Không có biểu mẫu"):
        render_form("08", {})
    with pytest.raises(RenderError, match="Không có mẫu kết quả"):
        render_result("birth", {})


def test_money_and_dates_formatting():
    assert format_money(8000) == "8.000 đồng"
    assert format_money(1250000) == "1.250.000 đồng"
    assert format_money(0) == "0 đồng"
    # Decree 30/2020/NĐ-CP, Appendix I, II.4: leading zero for days < 10 and months < 3.
    assert (
        format_place_date("Quảng Ninh", datetime(2026, 2, 5).date())
        == "Quảng Ninh, ngày 05 tháng 02 năm 2026"
    )
    assert format_place_date("Hà Nội", datetime(2026, 4, 5).date()) == "Hà Nội, ngày 05 tháng 4 năm 2026"


def test_an_issue_time_with_microseconds_renders():
    """Times taken from the clock carry microseconds; typst's document date takes whole seconds."""
    from datetime import datetime, timedelta, timezone

    from taicho.documents.render import render_result

    from .samples import RESULTS

    data = dict(RESULTS["copy_certification"])
    data["issued_at"] = datetime(2026, 11, 27, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=7)))
    assert render_result("copy_certification", data).pdf.startswith(b"%PDF")
