from datetime import date

import pytest
from django.core.exceptions import ValidationError

from taicho.core.codes import (
    format_dossier_code,
    parse_agency_identifier,
    parse_personal_id,
    validate_agency_identifier,
    validate_result_code,
    validate_tthc_code,
)


@pytest.mark.parametrize(
    "code", ["000.00.00.H49", "000.00.53.H48", "000.00.00.G01", "000.01.12.H55", "123.45.67.H30"]
)
def test_valid_agency_identifiers(code):
    validate_agency_identifier(code)


@pytest.mark.parametrize(
    "code",
    [
        "",
        "H49",
        "000.00.00.h49",
        "000.00.00.149",
        "00.00.00.H49",
        "000.00.00.H49 x",
        "000-00-00-H49",
        "000.00.00.HH",
    ],
)
def test_malformed_agency_identifier_is_refused_in_vietnamese(code):
    with pytest.raises(ValidationError) as exc:
        validate_agency_identifier(code)
    assert "không đúng cấu trúc QCVN 102:2016" in exc.value.messages[0]


def test_a_lower_level_needs_the_level_above():
    with pytest.raises(ValidationError, match="cấp dưới khi cấp trên"):
        validate_agency_identifier("000.12.00.H49")
    with pytest.raises(ValidationError, match="cấp dưới khi cấp trên"):
        validate_agency_identifier("001.00.05.H49")


def test_identifier_depth_and_tree():
    province = parse_agency_identifier("000.00.00.H49")
    department = parse_agency_identifier("000.00.12.H49")
    office = parse_agency_identifier("000.03.12.H49")
    assert (province.depth, department.depth, office.depth) == (1, 2, 3)
    assert department.is_within(province) and office.is_within(department)
    assert not department.is_within(parse_agency_identifier("000.00.00.H55"))
    assert str(office) == "000.03.12.H49"


def test_attested_identifiers_from_shared_data_are_valid(shared_data):
    import csv

    for name in ("agency_codes_provinces_attested.csv", "agency_codes_ministries_qd09_2025.csv"):
        with (shared_data / "codes" / name).open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert rows
        for row in rows:
            validate_agency_identifier(row["full_identifier"])


@pytest.mark.parametrize("code", ["1.000894", "2.000884", "2.000884.000.00.00.H55", "3.000323"])
def test_valid_tthc_codes(code):
    validate_tthc_code(code)


@pytest.mark.parametrize("code", ["1.00089", "1000894", "A.000894", "2.000884.H55", "2.000884.000.12.00.H55"])
def test_invalid_tthc_codes(code):
    with pytest.raises(ValidationError):
        validate_tthc_code(code)


def test_result_codes():
    validate_result_code("KQ.G15.000031")
    with pytest.raises(ValidationError, match="Mã kết quả"):
        validate_result_code("KQ.15.000031")


def test_personal_id_reads_province_gender_and_birth_year():
    info = parse_personal_id("022186001234", today=date(2026, 11, 27))
    assert (info.province_code, info.province_name, info.male, info.birth_year) == (
        "022",
        "Quảng Ninh",
        False,
        1986,
    )
    info = parse_personal_id("001205012345", today=date(2026, 11, 27))
    assert (info.province_name, info.male, info.birth_year) == ("Hà Nội", True, 2005)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("02218600123", "đúng 12 chữ số"),
        ("0221860012345", "đúng 12 chữ số"),
        ("02218600123a", "đúng 12 chữ số"),
        ("003186001234", "mã tỉnh"),  # 003 is not a province code (Circular 07/2016 Appendix 1)
        ("001230012345", "sau năm hiện tại"),  # digit 2 + 30 → born 2030
    ],
)
def test_invalid_personal_ids(value, message):
    with pytest.raises(ValidationError) as exc:
        parse_personal_id(value, today=date(2026, 11, 27))
    assert message in exc.value.messages[0]


def test_every_province_code_of_the_table_is_accepted():
    import csv

    from tests.conftest import PACKAGE_DATA

    with (PACKAGE_DATA / "core" / "data" / "cccd_province_codes.csv").open(encoding="utf-8") as fh:
        codes = [row["cccd_province_code"] for row in csv.DictReader(fh)]
    assert len(codes) == 63
    for code in codes:
        parse_personal_id(f"{code}090123456", today=date(2026, 1, 1))


def test_dossier_code_format():
    assert format_dossier_code("000.00.53.H48", date(2022, 9, 21), 99) == "000.00.53.H48-220921-0099"
    with pytest.raises(ValueError):
        format_dossier_code("000.00.53.H48", date(2022, 9, 21), 0)
