"""The fast QR encoder gives the same symbol as segno (same modules, same SVG, byte for byte) for every
payload: the printed papers must not change when the encoder does."""

from __future__ import annotations

import io
import random
import unicodedata

import pytest
import segno
from PIL import Image
from segno import consts

from taicho.documents import qr
from taicho.documents.render import qr_payload, qr_svg

from .samples import APPOINTMENT, DOSSIER, ISSUED, OWNER_ID, PROCEDURE
from .test_qr_and_boxes import zbar

TYPICAL = (
    "dossier=000.00.31.H49-261127-0001\n"
    "tthc=2.000815\n"
    "owner=022186001234\n"
    "paper=Bằng tốt nghiệp trung học phổ thông số 0123456\n"
    "system=Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh\n"
    "issued=2026-11-27T09:30:00+07:00\n"
    "url=https://taicho.example.vn/v/ABCDEFGH"
)
VIETNAMESE = unicodedata.normalize(
    "NFC",
    "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có thẩm quyền của Việt Nam cấp. "
    "Ủy ban nhân dân phường Hạ Long, tỉnh Quảng Ninh; Nguyễn Thị Ánh Nguyệt, Trần Quốc Hưởng. "
    "ĐĂNG KÝ KHAI SINH — ỨNG DỤNG “DỊCH VỤ CÔNG” ở Đồng Nai, Thừa Thiên Huế, Bà Rịa – Vũng Tàu. ",
)
ASCII = "dossier=000.00.31.H49-261127-0001 url=https://hcc.quangninh.gov.vn/v/Xk3pQ9?a=1&b=[x]_~ "


def segno_code(payload: str) -> segno.QRCode:
    """What ``qr_svg`` did before: segno with level M, no boost, mask 4, no Micro QR."""
    return segno.make(payload, error="m", micro=False, boost_error=False, mask=4)


def assert_same_as_segno(payload: str) -> None:
    expected = segno_code(payload)
    code = qr.encode(payload)
    assert code.version == expected.version
    assert code.matrix == expected.matrix
    assert qr.svg_inline(code, border=2) == expected.svg_inline(scale=1, border=2)


def real_payloads() -> list[str]:
    names = [
        "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        "Chứng thực bản sao đúng với bản chính",
        "Trích lục khai sinh",
        f"Quyết định {PROCEDURE[:1].lower()}{PROCEDURE[1:]}",
    ]
    payloads = []
    for name in names:
        for appointment in (None, APPOINTMENT):
            for url in ("", "https://hcc.quangninh.gov.vn/v/Xk3pQ9"):
                payloads.append(
                    qr_payload(
                        dossier_code=DOSSIER,
                        tthc_code="2.000815",
                        owner_id=OWNER_ID,
                        paper_name=name,
                        system="Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh",
                        issued_at=ISSUED,
                        appointment=appointment,
                        url=url,
                    )
                )
    return payloads


def prefixes(text: str, max_bytes: int, step: int) -> list[str]:
    """Prefixes of ``text`` (repeated as needed) every ``step`` characters, up to ``max_bytes`` in UTF-8."""
    source = text * (max_bytes // len(text) + 2)
    out = []
    for n in range(1, len(source), step):
        if len(source[:n].encode()) > max_bytes:
            break
        out.append(source[:n])
    return out


@pytest.mark.parametrize("payload", real_payloads())
def test_real_payloads(payload):
    assert_same_as_segno(payload)


def test_typical_payload_and_qr_svg():
    """The 275-byte payload of the benchmark (version 12-M); ``render.qr_svg`` is the new encoder."""
    assert len(TYPICAL.encode()) == 275
    assert qr.encode(TYPICAL).version == 12
    assert_same_as_segno(TYPICAL)
    assert qr_svg(TYPICAL) == segno_code(TYPICAL).svg_inline(scale=1, border=2)


@pytest.mark.parametrize(
    ("text", "step"),
    [
        pytest.param(VIETNAMESE, 3, id="vietnamese"),  # UTF-8, byte mode
        pytest.param(ASCII, 5, id="ascii"),  # ISO 8859-1, byte mode
        pytest.param("Café crème, naïve façade — ", 7, id="latin1"),  # "—" is not Latin-1: UTF-8 from there
        pytest.param("0123456789", 9, id="numeric"),
        pytest.param("HTTPS://HCC.QUANGNINH.GOV.VN/V/XK3PQ9 $%*+-./: ", 7, id="alphanumeric"),
    ],
)
def test_lengths_across_versions(text, step):
    """Prefixes of 1 to 600 bytes, through many version boundaries."""
    payloads = prefixes(text, 600, step)
    for payload in payloads:
        assert_same_as_segno(payload)
    versions = {qr.encode(payload).version for payload in payloads}
    assert min(versions) <= 2 and len(versions) >= 10


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "a",
        "0",
        "A",
        "é",
        "ư",
        "Ằ",
        "x" * 5,  # the terminator ends on a codeword boundary: segno adds a zero byte before the pads
        "x" * 14,  # exactly version 1-M's capacity: no terminator, no pad
        "dossier=X\nurl=https://hcc.quangninh.gov.vn/v/abc",
        "“quoted”",  # not Latin-1 but Shift JIS: byte mode with Shift JIS bytes, like segno
        "Ωαβγ",  # Shift JIS too
        "日本語のテキスト",  # Shift JIS, all kanji: kanji mode
        "漢字" * 40,
        "a漢字",  # Shift JIS, not all kanji: byte mode
        "Tiếng Việt 日本",  # neither Latin-1 nor Shift JIS: UTF-8
        "\r\n\t ~\x7f\x80\xff",
        "😀 emoji",
    ],
)
def test_edge_payloads(payload):
    assert_same_as_segno(payload)


@pytest.mark.parametrize("version", range(1, 41))
def test_every_version_at_full_capacity(version):
    """The longest byte-mode payload of each version, and one byte more (the next version)."""
    capacity = consts.SYMBOL_CAPACITY[version][consts.ERROR_LEVEL_M]
    longest = (capacity - 4 - (8 if version < 10 else 16)) // 8
    rng = random.Random(version)
    alphabet = "abcdefghijklmnopqrstuvwxyz=:/.\n"
    for n in (longest, longest + 1):
        payload = "".join(rng.choice(alphabet) for _ in range(n))
        if version == 40 and n > longest:
            with pytest.raises(segno.encoder.DataOverflowError):
                segno_code(payload)
            continue
        assert qr.encode(payload).version == (version if n == longest else version + 1)
        assert_same_as_segno(payload)


def test_random_payloads():
    rng = random.Random(20261127)
    alphabet = "abcdefghijklmnopqrstuvwxyzàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
    alphabet += alphabet.upper() + "0123456789 =:/.-\n"
    for _ in range(60):
        payload = unicodedata.normalize(
            "NFC", "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 250)))
        )
        assert_same_as_segno(payload)


def test_too_long_raises_like_segno():
    payload = "ư" * 2000  # 4000 bytes of UTF-8; version 40-M holds 2331
    with pytest.raises(segno.encoder.DataOverflowError):
        segno_code(payload)
    with pytest.raises(segno.encoder.DataOverflowError):
        qr.encode(payload)
    with pytest.raises(segno.encoder.DataOverflowError):
        qr_svg(payload)
    assert qr.DataOverflowError is segno.encoder.DataOverflowError
    assert issubclass(qr.DataOverflowError, ValueError)


def test_matrix_decodes_with_zbar():
    """Independently of segno: the modules, drawn with a 4-module quiet zone, read back as the payload."""
    payload = real_payloads()[-1]
    code = qr.encode(payload)
    scale, quiet = 4, 4
    side = (code.size + 2 * quiet) * scale
    image = Image.new("L", (side, side), 255)
    for i, row in enumerate(code.rows()):
        for j, module in enumerate(row):
            if module == "1":
                x, y = (j + quiet) * scale, (i + quiet) * scale
                image.paste(0, (x, y, x + scale, y + scale))
    png = io.BytesIO()
    image.save(png, format="PNG")
    assert zbar(png.getvalue()) == [payload]
