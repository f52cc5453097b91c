"""The portal parser against real text from ../shared/data/catalog (the 270 Ministry of Justice records).

Snippets in the unit tests are copied from the data file; the whole-file tests parse every record.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taicho.catalog.parsing import (
    ParsedChannel,
    ParsedFee,
    ParsedRecord,
    ParseError,
    TimeUnit,
    normalize_text,
    parse_channels,
    parse_components,
    parse_fees,
    parse_legal_basis,
    parse_record,
    parse_results,
    parse_time_limit,
)

REPO = Path(__file__).resolve().parents[2]
DETAILS = "tthc-bo-tu-phap-details.jsonl.gz"
HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
COMPONENT_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"


@pytest.fixture(scope="module")
def catalog_dir() -> Path:
    """The real public data: `../shared/data/catalog` beside the repository, else the copy the package ships."""
    for path in (REPO.parent / "shared" / "data" / "catalog", REPO / "src" / "taicho" / "catalog" / "data"):
        if (path / DETAILS).is_file():
            return path
    pytest.fail(f"Không tìm thấy dữ liệu thật {DETAILS} (../shared/data hoặc dữ liệu kèm gói)")


@pytest.fixture(scope="module")
def raw_records(catalog_dir: Path) -> dict[str, dict]:
    with gzip.open(catalog_dir / DETAILS, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    return {record["ma_thu_tuc"]: record for record in records}


@pytest.fixture(scope="module")
def parsed(raw_records: dict[str, dict]) -> dict[str, ParsedRecord]:
    return {code: parse_record(record) for code, record in raw_records.items()}


def in_person(record: ParsedRecord) -> list[ParsedChannel]:
    return [channel for channel in record.channels if channel.channel == "in_person"]


# --------------------------------------------------------------------------------------------------------
# Time limits
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("5 Ngày làm việc", Decimal("5"), TimeUnit.WORKING_DAYS),
        ("87 Ngày làm việc", Decimal("87"), TimeUnit.WORKING_DAYS),
        ("30 Ngày", Decimal("30"), TimeUnit.CALENDAR_DAYS),
        ("05 ngày", Decimal("5"), TimeUnit.CALENDAR_DAYS),
        ("0.5 Ngày làm việc", Decimal("0.5"), TimeUnit.WORKING_DAYS),
        ("0,5 ngày làm việc", Decimal("0.5"), TimeUnit.WORKING_DAYS),
        ("4 Giờ", Decimal("4"), TimeUnit.WORKING_HOURS),
        ("8 giờ làm việc", Decimal("8"), TimeUnit.WORKING_HOURS),
        ("Trong ngày", Decimal("1"), TimeUnit.WITHIN_DAY),
        ("ngay trong ngày", Decimal("1"), TimeUnit.WITHIN_DAY),
        ("Trong thời hạn 15 ngày", Decimal("15"), TimeUnit.CALENDAR_DAYS),
    ],
)
def test_parse_time_limit_units(text: str, value: Decimal, unit: str) -> None:
    limit = parse_time_limit(text)
    assert limit is not None
    assert (limit.value, limit.unit, limit.text) == (value, unit, text)


@pytest.mark.parametrize("text", ["", "Không có thông tin", "  không có thông tin  ", "Không quy định"])
def test_parse_time_limit_not_stated(text: str) -> None:
    assert parse_time_limit(text) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # "Trực tuyến1Miễn phí" (1.001193): the unit was not printed, so the number alone means nothing.
        ("1", "Thời hạn giải quyết chỉ có số, không có đơn vị thời gian: '1'"),
        ("105", "Thời hạn giải quyết chỉ có số, không có đơn vị thời gian: '105'"),
        ("3 Tháng", "Đơn vị thời gian không được hỗ trợ: '3 Tháng'"),
        ("1 năm", "Đơn vị thời gian không được hỗ trợ: '1 năm'"),
        ("2 tuần", "Đơn vị thời gian không được hỗ trợ: '2 tuần'"),
        ("5 Ngày lễ", "Đơn vị thời gian không xác định: '5 Ngày lễ'"),
        ("Theo quy định", "Không đọc được thời hạn giải quyết: 'Theo quy định'"),
        ("0 Ngày", "Thời hạn giải quyết phải lớn hơn 0: '0 Ngày'"),
    ],
)
def test_parse_time_limit_errors(text: str, message: str) -> None:
    with pytest.raises(ParseError) as excinfo:
        parse_time_limit(text)
    assert str(excinfo.value) == message


def test_parse_time_limit_normalises_decomposed_text() -> None:
    decomposed = unicodedata.normalize("NFD", "5 Ngày làm việc")
    limit = parse_time_limit(decomposed)
    assert limit is not None
    assert limit.unit == TimeUnit.WORKING_DAYS
    assert limit.text == "5 Ngày làm việc"


# --------------------------------------------------------------------------------------------------------
# Fees
# --------------------------------------------------------------------------------------------------------


def fee_tuples(fees: list[ParsedFee]) -> list[tuple[int, str, str, str]]:
    return [(fee.amount, fee.currency, fee.per_unit, fee.kind) for fee in fees]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Miễn phí", [(0, "VND", "", "")]),
        ("Không", [(0, "VND", "", "")]),
        ("Miễn phí(Phí thẩm định)", [(0, "VND", "", "")]),
        ("Không có thông tin", []),
        ("", []),
        # 2.000815: per-page fee at the commune, per-copy fee abroad.
        ("2,000 Việt Nam Đồng(/trang)", [(2000, "VND", "trang", "")]),
        ("10 USD(/bản)", [(10, "USD", "bản", "")]),
        ("150 USD(Mức lệ phí được quy đổi ra đồng tiền của nước sở tại…)", [(150, "USD", "", "")]),
        # 2.000635
        ("8,000 VNĐ", [(8000, "VND", "", "")]),
        ("2.000 đồng", [(2000, "VND", "", "")]),
        ("500,000 Việt Nam Đồng(/hồ sơ)", [(500000, "VND", "hồ sơ", "")]),
        ("80,000 Việt Nam Đồng(/hồ sơ (Thông tư số 61/2023/TT-BTC))", [(80000, "VND", "hồ sơ", "")]),
        (
            "25,000 Việt Nam Đồng(/trường hợp (Thông tư số 61/2023/TT-BTC))",
            [(25000, "VND", "trường hợp", "")],
        ),
        ("50,000 Việt Nam Đồng(/di chúc)", [(50000, "VND", "di chúc", "")]),
        (
            "1,800,000 Việt Nam Đồng(/Lần. Giá trị giao dịch dưới 2,1 tỷ đồng)",
            [(1800000, "VND", "lần", "")],
        ),
        ("550,000 Việt Nam Đồng(/1 lần (Thông tư số 193/2016/TT-BTC))", [(550000, "VND", "lần", "")]),
        ("50 VNĐ((hồ sơ))", [(50, "VND", "hồ sơ", "")]),
        # The unit restated inside the note (1.011432, 2.002516).
        (
            "30,000 Việt Nam Đồng(Đăng ký thông báo xử lý tài sản bảo đảm: 30.000 đồng/hồ sơ)",
            [(30000, "VND", "hồ sơ", "")],
        ),
        (
            "8,000 VNĐ(8.000 đồng/Văn bản xác nhận về một việc hộ tịch của cá nhân)",
            [(8000, "VND", "văn bản", "")],
        ),
        # A temporary reduced rate in the note is not a second fee (Thông tư 64/2025/TT-BTC).
        (
            "3,500,000 Việt Nam Đồng(/hồ sơ)(áp dụng mức phí 1.750.000 đồng/hồ sơ kể từ ngày 01/7/2025 đến hết "
            "ngày 31/12/2026 theo Thông tư số 64/2025/TT-BTC).",
            [(3500000, "VND", "hồ sơ", "")],
        ),
        # 1.002681: the fee cell, then the description naming the fee and an additional lệ phí.
        (
            "800,000 Việt Nam Đồng(/hồ sơ)Phí: 800.000 đồng/hồ sơ (áp dụng mức phí 400.000 đồng/hồ sơ kể từ "
            "ngày 01/7/2025 đến hết ngày 31/12/2026 theo Thông tư số 64/2025/TT-BTC). \n \nLệ phí: 100.000 "
            "đồng/hồ sơ.",
            [(800000, "VND", "hồ sơ", "phí"), (100000, "VND", "hồ sơ", "lệ phí")],
        ),
        # 1.003160 and 2.001263: the note names the kind of the same amount.
        (
            "4,500,000 Việt Nam Đồng(Lệ phí: 4.500.000 Đồng (bốn triệu năm trăm nghìn Việt Nam đồng))",
            [(4500000, "VND", "", "lệ phí")],
        ),
        (
            "400,000 Việt Nam Đồng(Lệ phí : 400.000 Đồng (Mức thu lệ phí: 400.000đ/trường hợp. Miễn lệ phí "
            "đăng ký nuôi con nuôi trong nước đối với trường hợp cha dượng hoặc mẹ kế nhận con riêng))",
            [(400000, "VND", "trường hợp", "lệ phí")],
        ),
        (
            "Lệ phí : 100.000 Đồng; Phí : 8.000 Đồng",
            [(100000, "VND", "", "lệ phí"), (8000, "VND", "", "phí")],
        ),
    ],
)
def test_parse_fees(text: str, expected: list[tuple[int, str, str, str]]) -> None:
    assert fee_tuples(parse_fees(text)) == expected


def test_parse_fees_keeps_source_text() -> None:
    (fee,) = parse_fees("2,000 Việt Nam Đồng(/trang)Tại Ủy ban nhân dân cấp xã: 2.000 đồng/trang")
    assert fee.text == "2,000 Việt Nam Đồng(/trang)"


@given(st.text())
@settings(max_examples=300, deadline=None)
def test_parse_fees_never_raises_and_amounts_are_non_negative_ints(text: str) -> None:
    for fee in parse_fees(text):
        assert isinstance(fee.amount, int)
        assert fee.amount >= 0
        assert fee.currency in {"VND", "USD"}


_fee_like = st.builds(
    lambda amount, currency, unit: f"{amount:,} {currency}{unit}",
    st.integers(min_value=0, max_value=10**9),
    st.sampled_from(["Việt Nam Đồng", "VNĐ", "USD", "đồng"]),
    st.sampled_from(["", "(/trang)", "(/hồ sơ)", "(ghi chú)"]),
)


@given(_fee_like)
def test_parse_fees_reads_portal_formatted_amounts(text: str) -> None:
    (fee, *_rest) = parse_fees(text)
    assert fee.amount == int(text.split(" ")[0].replace(",", ""))


@given(st.text())
@settings(max_examples=300, deadline=None)
def test_parse_time_limit_fails_only_with_parse_error(text: str) -> None:
    try:
        parse_time_limit(text)
    except ParseError as exc:
        assert str(exc)


# --------------------------------------------------------------------------------------------------------
# Channels
# --------------------------------------------------------------------------------------------------------


def test_parse_channels_bare_numbers_are_not_guessed() -> None:
    text = HEADER + "Trực tuyến1Miễn phíDịch vụ bưu chính1Miễn phíTrực tiếp1Miễn phí"
    channels = parse_channels(text)
    assert [c.channel for c in channels] == ["online", "post", "in_person"]
    for channel in channels:
        assert channel.time_limit is None
        assert channel.time_limit_text == "1"
        assert fee_tuples(channel.fees) == [(0, "VND", "", "")]
        assert channel.problems == ["Thời hạn giải quyết chỉ có số, không có đơn vị thời gian: '1'"]


def test_parse_channels_two_in_person_tariffs() -> None:
    text = (
        HEADER
        + "Trực tiếpKhông có thông tin2,000 Việt Nam Đồng(/trang)Tại Ủy ban nhân dân cấp xã, Tổ chức hành "
        "nghề công chứng: 2.000 đồng/trang; từ trang thứ 3 trở lên thu 1.000 đồng/trang, tối đa thu không quá "
        "200.000 đồng/bản.;Trực tiếpKhông có thông tin10 USD(/bản)Tại cơ quan đại diện: 10 USD/bản."
    )
    first, second = parse_channels(text)
    assert first.time_limit is None and first.time_limit_text == "Không có thông tin"
    assert fee_tuples(first.fees) == [(2000, "VND", "trang", "")]
    assert first.description.startswith("Tại Ủy ban nhân dân cấp xã")
    assert fee_tuples(second.fees) == [(10, "USD", "bản", "")]
    assert second.description == "Tại cơ quan đại diện: 10 USD/bản."
    assert first.problems == ["Không có thông tin về thời hạn giải quyết"]


def test_parse_channels_fee_glued_to_description() -> None:
    text = HEADER + "Trực tiếp5 Ngày làm việcMiễn phíNộp hồ sơ trực tiếp tại Sở Tư pháp tỉnh/thành phố."
    (channel,) = parse_channels(text)
    assert channel.time_limit is not None
    assert (channel.time_limit.value, channel.time_limit.unit) == (Decimal("5"), TimeUnit.WORKING_DAYS)
    assert fee_tuples(channel.fees) == [(0, "VND", "", "")]
    assert channel.description == "Nộp hồ sơ trực tiếp tại Sở Tư pháp tỉnh/thành phố."
    assert channel.problems == []


def test_parse_channels_ignores_channel_words_in_descriptions() -> None:
    # 2.002516: "Trực tiếp thực hiện…" in the description column is not a new row.
    text = (
        HEADER
        + "Trực tuyếnKhông có thông tin8,000 VNĐ(8.000 đồng/Văn bản xác nhận.)Trực tiếp thực hiện hoặc ủy "
        "quyền cho người khác thực hiện nộp hồ sơ Trực tiếpKhông có thông tin8,000 VNĐ"
    )
    online, in_person_row = parse_channels(text)
    assert online.description == "Trực tiếp thực hiện hoặc ủy quyền cho người khác thực hiện nộp hồ sơ"
    assert in_person_row.channel == "in_person"
    assert fee_tuples(in_person_row.fees) == [(8000, "VND", "", "")]


def test_parse_channels_run_together_digits_are_reported() -> None:
    # 1.004757: time "1" (no unit) and fee "200 VNĐ", or "12"/"00", or "120"/"0"? Not decidable.
    (channel,) = parse_channels(HEADER + "Trực tiếp1200 VNĐ")
    assert channel.time_limit is None
    assert channel.fees == []
    assert channel.problems == [
        "Không tách được thời hạn giải quyết và mức phí vì chữ số dính liền: '1200 VNĐ'"
    ]


def test_parse_channels_flags_implausible_and_provincial_fees() -> None:
    text = (
        HEADER + "Trực tuyến7 Ngày làm việc50 VNĐ((áp dụng mức phí 25.000 đồng/hồ sơ))"
        "Trực tiếp7Miễn phí(Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh, thành phố trực thuộc Trung ương quyết "
        "định. Miễn lệ phí cho người thuộc hộ nghèo.)"
        "Dịch vụ bưu chính7 Ngày làm việcMiễn phí((áp dụng mức phí 2.500.000 đồng/hồ sơ))"
    )
    online, in_person_row, post = parse_channels(text)
    assert online.problems == ["Mức phí bất thường (dưới 1.000 đồng), có thể nhập sai: '50 VNĐ'"]
    assert fee_tuples(online.fees) == [(50, "VND", "", "")]
    assert "Mức lệ phí do Hội đồng nhân dân cấp tỉnh quyết định, dữ liệu không nêu số tiền" in (
        in_person_row.problems
    )
    assert post.problems == [
        "Ghi 'Miễn phí' nhưng phần ghi chú nêu mức thu: 'áp dụng mức phí 2.500.000 đồng/hồ sơ'"
    ]


def test_parse_channels_no_fee_information() -> None:
    (channel,) = parse_channels(HEADER + "Trực tuyến3 Ngày làm việcKhông có thông tin")
    assert channel.time_limit is not None
    assert channel.fees == []
    assert channel.problems == ["Không có thông tin về phí, lệ phí"]


def test_parse_channels_extra_closing_parenthesis_stays_in_the_note() -> None:
    # 1.001695: the fee note ends with one ")" too many.
    text = (
        HEADER
        + "Dịch vụ bưu chính10 NgàyMiễn phí(Phí cấp bản sao … của Bộ Tài chính.))Trực tiếp10 NgàyMiễn phí"
    )
    post, in_person_row = parse_channels(text)
    assert post.description == ""
    assert in_person_row.channel == "in_person"


# --------------------------------------------------------------------------------------------------------
# Components
# --------------------------------------------------------------------------------------------------------


def test_parse_components_groups_counts_and_conditions() -> None:
    text = (
        "* Giấy tờ phải nộp:"
        + COMPONENT_HEADER
        + "- Bản sao giấy tờ chứng minh nhân thân.0 bản chính,1 bản sao"
        "- Giấy tờ do cơ quan có thẩm quyền cấp, xác nhận người không có vợ hoặc không có chồng;1 bản chính"
        "- Văn bản ủy quyền (được chứng thực) trong trường hợp ủy quyền thực hiện việc đăng ký.1 bản chính"
        "* Giấy tờ phải xuất trình:" + COMPONENT_HEADER + "- Hộ chiếu hoặc Thẻ căn cước.1 bản chính"
        "* Lưu ý:"
        + COMPONENT_HEADER
        + "+) Khi nộp hồ sơ tại UBND cấp xã, cần chứng minh nơi cư trú.1 bản chính"
        "--" + COMPONENT_HEADER + "Tờ khai đăng ký kết hôn theo mẫu;1 bản chính"
        "- Chứng cứ chứng minh quan hệ cha, con gồm:0 bản chính"
    )
    components = parse_components(text)
    summary = [(c.group, c.originals, c.copies, c.required) for c in components]
    assert summary == [
        ("Giấy tờ phải nộp", 0, 1, True),
        ("Giấy tờ phải nộp", 1, 0, True),
        ("Giấy tờ phải nộp", 1, 0, False),
        ("Giấy tờ phải xuất trình", 1, 0, True),
        ("Lưu ý", 1, 0, False),
        ("", 1, 0, True),
        ("", 0, 0, False),
    ]
    assert components[0].name == "Bản sao giấy tờ chứng minh nhân thân."
    assert components[4].name.startswith("Khi nộp hồ sơ")
    assert components[5].text == "Tờ khai đăng ký kết hôn theo mẫu;1 bản chính"


def test_parse_components_forms_and_certified_copies() -> None:
    text = (
        "--"
        + COMPONENT_HEADER
        + "Văn bản đề nghị cấp Chứng chỉ hành nghề luật sư theo mẫu do Bộ Tư pháp ban hành"
        "Mẫu số 01-PLIII-LS.docx1 bản chính"
        "Đơn đề nghị cấp chứng chỉ hành nghề Quản tài viên theo Mẫu TP-QTV-02Mẫu TP-QTV-02.docx1 bản chính"
        "Đơn đăng ký tập sự hành nghề công chứng.Mẫu TP-TSCC-01a.docxMẫu TP-TSCC-01b.docx1 bản chính"
        "Bản sao có chứng thực Giấy phép thành lập.0 bản chính,1 bản sao"
        "Bản sao có chứng thực hoặc bản sao kèm bản chính để đối chiếu Giấy chứng nhận.0 bản chính,1 bản sao"
    )
    components = parse_components(text)
    assert [(c.name, c.form) for c in components[:3]] == [
        (
            "Văn bản đề nghị cấp Chứng chỉ hành nghề luật sư theo mẫu do Bộ Tư pháp ban hành",
            "Mẫu số 01-PLIII-LS.docx",
        ),
        ("Đơn đề nghị cấp chứng chỉ hành nghề Quản tài viên theo Mẫu TP-QTV-02", "Mẫu TP-QTV-02.docx"),
        ("Đơn đăng ký tập sự hành nghề công chứng.", "Mẫu TP-TSCC-01a.docx; Mẫu TP-TSCC-01b.docx"),
    ]
    assert (components[3].certified_copies, components[3].copies) == (1, 0)
    assert (components[4].certified_copies, components[4].copies) == (0, 1)


def test_parse_components_counts_inside_names_are_not_cells() -> None:
    # 1.011423: "(01 bản chính hoặc 01 bản sao có chứng thực)" is part of the name.
    text = (
        "--"
        + COMPONENT_HEADER
        + "Hợp đồng bảo đảm (01 bản chính hoặc 01 bản sao có chứng thực) (khoản 1 Điều 39 "
        "Nghị định số 99/2022/NĐ-CP).1 bản chính,1 bản saoPhiếu yêu cầu theo Mẫu số 01b tại Phụ lục (01 bản chính) "
        "(khoản 1 Điều 39 Nghị định số 99/2022/NĐ-CP).Mau so 01b_Dang ky BPBD tau bay.docx1 bản chính"
    )
    first, second = parse_components(text)
    assert first.name.startswith("Hợp đồng bảo đảm (01 bản chính hoặc 01 bản sao có chứng thực)")
    assert (first.originals, first.copies) == (1, 1)
    assert second.form == "Mau so 01b_Dang ky BPBD tau bay.docx"
    assert second.name.endswith("(khoản 1 Điều 39 Nghị định số 99/2022/NĐ-CP).")


def test_parse_components_keeps_a_row_without_quantity() -> None:
    text = "--" + COMPONENT_HEADER + "Phiếu yêu cầu.1 bản chínhTrường hợp nộp hồ sơ qua hệ thống trực tuyến."
    first, last = parse_components(text)
    assert first.name == "Phiếu yêu cầu."
    assert (last.name, last.originals, last.copies, last.required) == (
        "Trường hợp nộp hồ sơ qua hệ thống trực tuyến.",
        0,
        0,
        False,
    )


# --------------------------------------------------------------------------------------------------------
# Results and legal basis
# --------------------------------------------------------------------------------------------------------

RESULT_TRAILER = (
    "Từ khóaKhông có thông tinMô tảKhông có thông tinChọn cơ quan thực hiệnTỉnh/ Thành phốNộp hồ sơ"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Giấy khai sinhMã: KQ.G15.000031" + RESULT_TRAILER, [("Giấy khai sinh", "KQ.G15.000031")]),
        (
            "Giấy khai sinhMã: KQ.G15.000031Trích lục đăng ký nhận cha, mẹ, conMã: KQ.G15.000033"
            + RESULT_TRAILER,
            [("Giấy khai sinh", "KQ.G15.000031"), ("Trích lục đăng ký nhận cha, mẹ, con", "KQ.G15.000033")],
        ),
        (
            "Giấy đăng ký hoạt động của công ty luật hợp danhMã: 000.00.00.G15-KQ0187",
            [("Giấy đăng ký hoạt động của công ty luật hợp danh", "000.00.00.G15-KQ0187")],
        ),
        # Placeholder codes typed into the portal are not result codes.
        (
            "Quyết định cấp lại chứng chỉ hành nghề Quản tài viênMã: utwChứng chỉ hành nghề Quản tài viênMã: sgga"
            + RESULT_TRAILER,
            [
                ("Quyết định cấp lại chứng chỉ hành nghề Quản tài viên", ""),
                ("Chứng chỉ hành nghề Quản tài viên", ""),
            ],
        ),
        (
            "Văn phòng giám định tư pháp được cấp lại Giấy đăng ký hoạt động.Mã: 12231",
            [
                ("Văn phòng giám định tư pháp được cấp lại Giấy đăng ký hoạt động.", ""),
            ],
        ),
        (RESULT_TRAILER, []),
    ],
)
def test_parse_results(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(r.name, r.code) for r in parse_results(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Tên văn bản pháp lýMã văn bảnThông tư 01/2010/TT-BTP01/2010/TT-BTPThông tư sửa đổi một số thủ tục "
            "hành chính quy định tại các thông tư trong lĩnh vực bổ trợ tư pháp30/2025/TT-BTP",
            [
                ("Thông tư 01/2010/TT-BTP", "01/2010/TT-BTP"),
                (
                    "Thông tư sửa đổi một số thủ tục hành chính quy định tại các thông tư trong lĩnh vực bổ trợ tư "
                    "pháp",
                    "30/2025/TT-BTP",
                ),
            ],
        ),
        (
            "Nghị định 42/2020/NĐ-CP42/2020/NĐ-CPLuật 60/2014/QH1360/2014/QH13",
            [("Nghị định 42/2020/NĐ-CP", "42/2020/NĐ-CP"), ("Luật 60/2014/QH13", "60/2014/QH13")],
        ),
        (
            "Thông tư số 03/2023/TT-BTP ngày 02/8/2023 của Bộ trưởng Bộ Tư phápThông tư số 03/2023/TT-BTPNghị quyết "
            "số 66.7/2025/NQ-CP của Chính phủ: Quy định cắt giảm thủ tục hành chính dựa trên dữ liệu66.7/2025/NQ-CP",
            [
                ("Thông tư số 03/2023/TT-BTP ngày 02/8/2023 của Bộ trưởng Bộ Tư pháp", "03/2023/TT-BTP"),
                (
                    "Nghị quyết số 66.7/2025/NQ-CP của Chính phủ: Quy định cắt giảm thủ tục hành chính dựa trên dữ "
                    "liệu",
                    "66.7/2025/NQ-CP",
                ),
            ],
        ),
        (
            "Luật Đấu giá tài sản năm 201601/2016/QH14Quy định chi tiết một số điều của Luật phí và lệ phí, có "
            "hiệu lực từ ngày 01/01/2017120/2016/NĐ-CP",
            [
                ("Luật Đấu giá tài sản năm 2016", "01/2016/QH14"),
                (
                    "Quy định chi tiết một số điều của Luật phí và lệ phí, có hiệu lực từ ngày 01/01/2017",
                    "120/2016/NĐ-CP",
                ),
            ],
        ),
        (
            "Thông tư số 08/2025/TT-BTP ngày 12/6/2025 của Bộ trưởng Bộ Tư pháp08/2025/TT-BTP Nghị định quy định về "
            "Cơ sở dữ liệu hộ tịch điện tử87/2020/NĐ-CPThông tư số 64/2025/TT-BCTThông tư số 64/2025/TT-BCT",
            [
                ("Thông tư số 08/2025/TT-BTP ngày 12/6/2025 của Bộ trưởng Bộ Tư pháp", "08/2025/TT-BTP"),
                ("Nghị định quy định về Cơ sở dữ liệu hộ tịch điện tử", "87/2020/NĐ-CP"),
                ("Thông tư số 64/2025/TT-BCT", "64/2025/TT-BCT"),
            ],
        ),
        (
            "Quyết định 2338/QĐ-BTP Hướng dẫn phối hợp2338/QĐ-BTP",
            [
                ("Quyết định 2338/QĐ-BTP Hướng dẫn phối hợp", "2338/QĐ-BTP"),
            ],
        ),
    ],
)
def test_parse_legal_basis(text: str, expected: list[tuple[str, str]]) -> None:
    assert parse_legal_basis(text) == expected


def test_normalize_text() -> None:
    assert normalize_text("Ủy ban Nhân dân\xa0xã,\xa0phường") == "Ủy ban Nhân dân xã, phường"
    assert normalize_text("đăng k\u200eý  hộ\ttịch\n") == "đăng ký hộ tịch"
    assert normalize_text(unicodedata.normalize("NFD", "Giấy khai sinh")) == "Giấy khai sinh"
    assert normalize_text(None) == ""


# --------------------------------------------------------------------------------------------------------
# Specific real records
# --------------------------------------------------------------------------------------------------------


def test_birth_registration_1_001193(parsed: dict[str, ParsedRecord]) -> None:
    record = parsed["1.001193"]
    assert record.name == "Thủ tục đăng ký khai sinh"
    assert record.sector == "Hộ tịch"
    assert record.levels == ["Cấp xã"]
    assert [c.channel for c in record.channels] == ["online", "post", "in_person"]
    (row,) = in_person(record)
    # The portal prints "1" without a unit: reported, not guessed.
    assert row.time_limit is None and row.time_limit_text == "1"
    assert fee_tuples(row.fees) == [(0, "VND", "", "")]
    assert "Trực tiếp: Thời hạn giải quyết chỉ có số, không có đơn vị thời gian: '1'" in record.problems
    assert [(r.name, r.code) for r in record.results] == [("Giấy khai sinh", "KQ.G15.000031")]
    groups = {c.group for c in record.components}
    assert {"Giấy tờ phải nộp", "Giấy tờ phải xuất trình", "Lưu ý"} <= groups
    required = [c.name for c in record.components if c.required]
    assert any(name.startswith("Giấy chứng sinh") for name in required)
    assert any(name.startswith("Tờ khai đăng ký khai sinh") for name in required)
    assert ("Luật 60/2014/QH13", "60/2014/QH13") in record.legal_basis


def test_copy_certification_2_000815(parsed: dict[str, ParsedRecord]) -> None:
    record = parsed["2.000815"]
    rows = in_person(record)
    assert len(rows) == 2
    assert all(row.time_limit is None and row.time_limit_text == "Không có thông tin" for row in rows)
    fees = [fee for row in rows for fee in row.fees]
    assert fee_tuples(fees) == [(2000, "VND", "trang", ""), (10, "USD", "bản", "")]
    assert record.problems == ["Trực tiếp: Không có thông tin về thời hạn giải quyết"] * 2


def test_marriage_registration_1_000894(parsed: dict[str, ParsedRecord]) -> None:
    record = parsed["1.000894"]
    assert record.name == "Thủ tục đăng ký kết hôn"
    (row,) = in_person(record)
    assert fee_tuples(row.fees) == [(0, "VND", "", "")]
    assert row.fees[0].text.startswith("Miễn phí(Miễn lệ phí.")
    assert row.time_limit is None and row.time_limit_text == "1"
    assert [(r.name, r.code) for r in record.results] == [("Giấy chứng nhận kết hôn", "KQ.G15.000032")]
    assert any(c.required and c.name.startswith("Tờ khai đăng ký kết hôn") for c in record.components)


def test_copy_of_civil_status_extract_2_000635(parsed: dict[str, ParsedRecord]) -> None:
    record = parsed["2.000635"]
    assert [c.channel for c in record.channels] == ["online", "post", "in_person"]
    for channel in record.channels:
        assert fee_tuples(channel.fees) == [(8000, "VND", "", "")]
        assert channel.time_limit is None
        assert channel.problems == ["Không có thông tin về thời hạn giải quyết"]


def test_fee_and_lệ_phí_of_bankruptcy_administrator_1_002681(parsed: dict[str, ParsedRecord]) -> None:
    (row,) = in_person(parsed["1.002681"])
    assert row.time_limit is not None
    assert (row.time_limit.value, row.time_limit.unit) == (Decimal("6"), TimeUnit.WORKING_DAYS)
    assert fee_tuples(row.fees) == [(800000, "VND", "hồ sơ", "phí"), (100000, "VND", "hồ sơ", "lệ phí")]


@pytest.mark.parametrize(
    ("code", "result"),
    [
        ("1.001193", ("Giấy khai sinh", "KQ.G15.000031")),
        ("1.000656", ("Trích lục khai tử", "KQ.G15.000034")),
        ("1.000689", ("Trích lục đăng ký nhận cha, mẹ, con", "KQ.G15.000033")),
        (
            "1.002079",
            (
                "Giấy đăng ký hoạt động của công ty luật trách nhiệm hữu hạn hai thành viên trở lên, "
                "công ty luật hợp danh",
                "000.00.00.G15-KQ0187",
            ),
        ),
    ],
)
def test_result_codes(parsed: dict[str, ParsedRecord], code: str, result: tuple[str, str]) -> None:
    assert result in [(r.name, r.code) for r in parsed[code].results]


# --------------------------------------------------------------------------------------------------------
# The whole file
# --------------------------------------------------------------------------------------------------------

# An in-person row whose time (number + unit) and fee (free or an amount with currency) are readable, as
# checked on the raw text independently of the parser.
READABLE_IN_PERSON_ROW = re.compile(
    r"Trực tiếp(?:[0-9]+(?:[.,][0-9]+)? ?(?:Ngày làm việc|Ngày|Giờ làm việc|Giờ)|Trong ngày)"
    r"(?:Miễn phí|[0-9]{1,3}(?:,[0-9]{3})* ?(?:Việt Nam Đồng|VNĐ|USD))"
)
# Every kind of problem the real file produces. A new kind fails the test so that someone looks at it.
KNOWN_PROBLEMS = (
    "Thời hạn giải quyết chỉ có số, không có đơn vị thời gian",
    "Không có thông tin về thời hạn giải quyết",
    "Mức lệ phí do Hội đồng nhân dân cấp tỉnh quyết định, dữ liệu không nêu số tiền",
    "Mã kết quả không đúng định dạng, đã bỏ qua",
    "Không có thông tin về phí, lệ phí",
    "Mức phí bất thường (dưới 1.000 đồng), có thể nhập sai",
    "Không tách được thời hạn giải quyết và mức phí vì chữ số dính liền",
    "Thành phần hồ sơ không ghi số lượng",
    "Ghi 'Miễn phí' nhưng phần ghi chú nêu mức thu",
)


def problem_kind(problem: str) -> str:
    problem = re.sub(r"^(?:Trực tiếp|Trực tuyến|Dịch vụ bưu chính): ", "", problem)
    return next((kind for kind in KNOWN_PROBLEMS if problem.startswith(kind)), problem)


def test_every_record_parses(raw_records: dict[str, dict], parsed: dict[str, ParsedRecord]) -> None:
    assert len(raw_records) == 270
    for code, record in parsed.items():
        assert record.code == code
        assert record.name
        assert record.channels, code
        assert record.components, code
        assert record.legal_basis, code


def test_readable_in_person_rows_are_parsed(
    raw_records: dict[str, dict], parsed: dict[str, ParsedRecord]
) -> None:
    readable = [
        code
        for code, raw in raw_records.items()
        if READABLE_IN_PERSON_ROW.search(unicodedata.normalize("NFC", raw["cach_thuc_thuc_hien"]))
    ]
    assert len(readable) >= 180  # 184 in the June–July 2026 crawl
    missing = [code for code in readable if not any(r.time_limit and r.fees for r in in_person(parsed[code]))]
    assert missing == []


def test_problems_are_known_and_legitimate(parsed: dict[str, ParsedRecord]) -> None:
    """Each flag is checked against what the row really says, so a parser gap cannot hide as a data gap."""
    for code, record in parsed.items():
        assert all(problem_kind(p) in KNOWN_PROBLEMS for p in record.problems), (code, record.problems)
        for channel in record.channels:
            for problem in channel.problems:
                kind = problem_kind(problem)
                if kind == "Thời hạn giải quyết chỉ có số, không có đơn vị thời gian":
                    assert channel.time_limit_text.isdigit(), code
                elif kind == "Không có thông tin về thời hạn giải quyết":
                    assert channel.time_limit_text == "Không có thông tin", code
                elif kind == "Không tách được thời hạn giải quyết và mức phí vì chữ số dính liền":
                    assert channel.time_limit_text == "" and channel.fees == [], code
                elif kind == "Mức phí bất thường (dưới 1.000 đồng), có thể nhập sai":
                    assert any(0 < fee.amount < 1000 for fee in channel.fees), code
            # A channel problem is always repeated on the record with the channel's name.
            assert len(channel.problems) <= len(record.problems)


def test_summary_of_the_whole_file(parsed: dict[str, ParsedRecord]) -> None:
    """Counts for the import report (run with -s to see them)."""
    with_time = [c for c, r in parsed.items() if any(ch.time_limit for ch in in_person(r))]
    with_fees = [c for c, r in parsed.items() if any(ch.fees for ch in in_person(r))]
    flagged = [c for c, r in parsed.items() if r.problems]
    by_kind: dict[str, set[str]] = defaultdict(set)
    for code, record in parsed.items():
        for problem in record.problems:
            by_kind[problem_kind(problem)].add(code)
    print(f"\nBản ghi: {len(parsed)}")
    print(f"Có thời hạn giải quyết (trực tiếp) đọc được: {len(with_time)}")
    print(f"Có phí, lệ phí (trực tiếp) đọc được: {len(with_fees)}")
    print(f"Bản ghi bị gắn cờ: {len(flagged)}")
    for kind, codes in sorted(by_kind.items(), key=lambda item: -len(item[1])):
        print(f"  {len(codes):4d}  {kind}")
    assert len(with_time) >= 190
    assert len(with_fees) >= 259
    assert set(by_kind) <= set(KNOWN_PROBLEMS)


@given(
    st.fixed_dictionaries(
        {
            key: st.one_of(st.none(), st.text(max_size=300))
            for key in (
                "ma_thu_tuc",
                "ten_thu_tuc",
                "cap_thuc_hien",
                "cach_thuc_thuc_hien",
                "thanh_phan_ho_so",
                "ket_qua_xu_ly",
                "can_cu_phap_ly",
            )
        }
    )
)
@settings(max_examples=200, deadline=None)
def test_parse_record_never_raises(record: dict) -> None:
    result = parse_record(record)
    assert isinstance(result.problems, list)
