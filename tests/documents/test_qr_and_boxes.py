"""The QR code decodes to the Circular 01/2023/TT-VPCP payload; the signature box is where the signer's image
goes: inside the page, between the title and the name, 40 × 25 mm."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, datetime, timedelta, timezone

import pytest
from PIL import Image

from taicho.documents import render as rendering
from taicho.documents.render import (
    FORMS,
    RESULT_TEMPLATES,
    qr_payload,
    render_form,
    render_png,
    render_result,
)

from .samples import DOSSIER, ISSUED, OWNER_ID, sample

MM = 72 / 25.4
SIGNED = [("form", n) for n in ("02", "03", "04", "05")] + [("result", n) for n in RESULT_TEMPLATES]


def test_qr_payload_is_compact_stable_text():
    payload = qr_payload(
        dossier_code=DOSSIER,
        tthc_code="2.000815",
        owner_id=OWNER_ID,
        paper_name="Giấy tiếp nhận hồ sơ\nvà hẹn trả kết quả",
        issued_at=datetime(2026, 11, 27, 2, 30, tzinfo=UTC),
        appointment=datetime(2026, 11, 27, 15, 30, tzinfo=timezone(timedelta(hours=7))),
        url="https://hcc.quangninh.gov.vn/v/Xk3pQ9",
    )
    assert payload == (
        "dossier=000.00.31.H49-261127-0001\n"
        "tthc=2.000815\n"
        "owner=022186001234\n"
        "paper=Giấy tiếp nhận hồ sơ và hẹn trả kết quả\n"
        "system=taicho\n"
        "issued=2026-11-27T09:30:00+07:00\n"
        "appointment=2026-11-27T15:30:00+07:00\n"
        "url=https://hcc.quangninh.gov.vn/v/Xk3pQ9"
    )


def zbar(png: bytes) -> list[str]:
    tool = shutil.which("zbarimg")
    if tool is None:
        pytest.skip("zbarimg (Debian zbar-tools) không có trên máy này")
    out = subprocess.run(
        [tool, "--raw", "-q", "-Sbinary", "-"], input=png, capture_output=True, check=True
    ).stdout
    return [out.decode("utf-8").rstrip("\n")]


@pytest.mark.parametrize(("kind", "name"), [("form", "01"), ("result", "copy_certification")])
def test_printed_qr_decodes_to_the_payload(kind, name):
    """The PDF page rasterised by poppler at 200 dpi, as a scanner or phone would see the print."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm (poppler-utils) không có trên máy này")
    data = sample(kind, name)
    pdf = (render_form if kind == "form" else render_result)(name, data).pdf
    png = subprocess.run(
        [pdftoppm, "-r", "200", "-f", "1", "-l", "1", "-png", "-"], input=pdf, capture_output=True, check=True
    ).stdout
    expected = qr_payload(
        dossier_code=DOSSIER,
        tthc_code="2.000815",
        owner_id=OWNER_ID,
        paper_name="Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
        if kind == "form"
        else "Chứng thực bản sao đúng với bản chính",
        issued_at=ISSUED,
        appointment=data.get("appointment"),
        url="https://hcc.quangninh.gov.vn/v/Xk3pQ9",
    )
    assert zbar(png) == [expected]


def test_ready_payload_is_printed_as_given():
    data = sample("result", "decision")
    data["qr"] = "dossier=X\nurl=https://hcc.quangninh.gov.vn/v/abc"
    png = render_png("result", "decision", data, ppi=200)[0]
    assert zbar(png) == ["dossier=X\nurl=https://hcc.quangninh.gov.vn/v/abc"]


@pytest.mark.parametrize(("kind", "name"), SIGNED)
def test_signature_box_between_title_and_name(kind, name):
    data = sample(kind, name)
    rendered = (render_form if kind == "form" else render_result)(name, data)
    box = rendered.boxes["signature"]
    assert rendered.boxes["seal"] == box
    assert box.page == 0
    assert 0 < box.x1 < box.x2 < 595.28 and 0 < box.y1 < box.y2 < 841.89
    assert box.x2 - box.x1 == pytest.approx(40 * MM, abs=0.1)
    assert box.y2 - box.y1 == pytest.approx(25 * MM, abs=0.1)
    assert box.x2 <= 595.28 - 15 * MM  # within the right margin (Decree 30: 15–20 mm)

    # In the lower half of the signature block (typst's top-left positions of the block's top and bottom).
    _, positions = rendering._render(name, data)
    top = 841.89 - positions["signature-block-top"]["y"]
    bottom = 841.89 - positions["signature-block-bottom"]["y"]
    assert bottom < box.y1 < box.y2 < top
    assert (box.y1 + box.y2) / 2 < (top + bottom) / 2

    # The box is empty on the page, with the title's ink right above it and the name's right below it.
    page = Image.open(io.BytesIO(render_png(kind, name, data, ppi=72)[0])).convert("L")
    height = page.height

    def ink(x1, y1, x2, y2):  # PDF coordinates → pixels at 72 ppi (1 px = 1 pt)
        region = page.crop((round(x1), round(height - y2), round(x2), round(height - y1)))
        return region.getextrema()[0] < 128

    assert not ink(box.x1, box.y1 + 1, box.x2, box.y2 - 1)
    assert ink(box.x1 - 20, box.y2, box.x2 + 20, box.y2 + 16)  # signer's title
    assert ink(box.x1 - 20, box.y1 - 16, box.x2 + 20, box.y1)  # signer's name


@pytest.mark.parametrize("name", ["01", "06", "07"])
def test_unsigned_forms_have_no_box(name):
    assert render_form(name, sample("form", name)).boxes == {}


def test_forms_tuple():
    assert FORMS == ("01", "02", "03", "04", "05", "06", "07")
