"""Code formats of the domain (domain.md §4): agency identifiers (QCVN 102:2016), TTHC codes, result codes,
the 12-digit personal identification number (CCCD), and the dossier code.

Every validator raises ``django.core.exceptions.ValidationError`` with a Vietnamese message, so it can be used
directly as a model/form field validator and by services and commands alike.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# QCVN 102:2016/BTTTT, "Cấu trúc mã định danh và định dạng dữ liệu gói tin phục vụ kết nối các hệ thống quản lý
# văn bản và điều hành": V1V2V3.Z1Z2.Y1Y2.MX1X2 — level 1 (M = letter of the group: G ministries, H provinces…,
# X1X2 its number), level 2 (Y1Y2), level 3 (Z1Z2), level 4 (V1V2V3). Positions are digits or capital letters;
# "00"/"000" means the level is not used.
AGENCY_ID_RE = re.compile(
    r"^(?P<l4>[0-9A-Z]{3})\.(?P<l3>[0-9A-Z]{2})\.(?P<l2>[0-9A-Z]{2})\.(?P<l1>[A-Z][0-9A-Z]{2})$"
)
# A TTHC code as the national database issues it (e.g. 1.000894), optionally followed by the identifier of the
# agency that published a local variant (2.000884.000.00.00.H55).
TTHC_CODE_RE = re.compile(
    r"^(?P<base>\d\.\d{6})(?:\.(?P<agency>[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9A-Z]{2}))?$"
)
RESULT_CODE_RE = re.compile(r"^KQ\.[A-Z][0-9A-Z]{2}\.\d{6}$")
PERSONAL_ID_RE = re.compile(r"^\d{12}$")


@dataclass(frozen=True)
class AgencyIdentifier:
    """A parsed QCVN 102 identifier; ``levels`` lists the used levels from level 1 down."""

    level1: str
    level2: str
    level3: str
    level4: str

    def __str__(self) -> str:
        return f"{self.level4}.{self.level3}.{self.level2}.{self.level1}"

    @property
    def depth(self) -> int:
        """How many levels are used (1 = a ministry or a provincial People's Committee)."""
        if self.level4 != "000":
            return 4
        if self.level3 != "00":
            return 3
        if self.level2 != "00":
            return 2
        return 1

    def is_within(self, other: AgencyIdentifier) -> bool:
        """True when ``self`` lies under ``other`` in the identifier tree (or is the same)."""
        mine = [self.level1, self.level2, self.level3, self.level4]
        theirs = [other.level1, other.level2, other.level3, other.level4]
        return all(mine[i] == theirs[i] for i in range(other.depth))


def parse_agency_identifier(value: str) -> AgencyIdentifier:
    """Parse and validate an agency identifier; raises ValidationError with the reason in Vietnamese."""
    text = (value or "").strip()
    match = AGENCY_ID_RE.match(text)
    if not match:
        raise ValidationError(
            _(
                "Mã định danh cơ quan “%(value)s” không đúng cấu trúc QCVN 102:2016 "
                "(V1V2V3.Z1Z2.Y1Y2.MX1X2, ví dụ 000.00.00.H49)."
            ),
            code="agency_identifier",
            params={"value": value},
        )
    ident = AgencyIdentifier(match["l1"], match["l2"], match["l3"], match["l4"])
    # Levels are read right to left: a lower level cannot be used when the level above it is not.
    if (ident.level3 != "00" and ident.level2 == "00") or (ident.level4 != "000" and ident.level3 == "00"):
        raise ValidationError(
            _("Mã định danh cơ quan “%(value)s” dùng cấp dưới khi cấp trên đang để trống (00)."),
            code="agency_identifier_levels",
            params={"value": value},
        )
    return ident


def validate_agency_identifier(value: str) -> None:
    parse_agency_identifier(value)


def validate_tthc_code(value: str) -> None:
    """A national TTHC code N.NNNNNN, or a local variant N.NNNNNN.{agency identifier}."""
    match = TTHC_CODE_RE.match((value or "").strip())
    if not match:
        raise ValidationError(
            _("Mã thủ tục hành chính “%(value)s” không hợp lệ (dạng 1.000894 hoặc 2.000884.000.00.00.H55)."),
            code="tthc_code",
            params={"value": value},
        )
    if match["agency"]:
        parse_agency_identifier(match["agency"])


def validate_result_code(value: str) -> None:
    if not RESULT_CODE_RE.match((value or "").strip()):
        raise ValidationError(
            _("Mã kết quả “%(value)s” không hợp lệ (dạng KQ.G15.000031)."),
            code="result_code",
            params={"value": value},
        )


# --- Personal identification number (Circular 07/2016/TT-BCA Art. 7, kept by Circular 59/2021/TT-BCA Art. 4) ---


@dataclass(frozen=True)
class PersonalIdInfo:
    """What a 12-digit personal ID number states about its holder."""

    province_code: str
    province_name: str
    male: bool
    birth_year: int


@cache
def _province_codes() -> dict[str, str]:
    with resources.files("taicho.core.data").joinpath("cccd_province_codes.csv").open(encoding="utf-8") as fh:
        return {row["cccd_province_code"]: row["province_name_pre2025"] for row in csv.DictReader(fh)}


@cache
def _century_digits() -> dict[str, tuple[bool, int]]:
    path = resources.files("taicho.core.data").joinpath("cccd_gender_century_digit.csv")
    with path.open(encoding="utf-8") as fh:
        return {
            row["digit_4"]: (row["gender"].startswith("Nam"), int(row["birth_years"].split("-")[0]))
            for row in csv.DictReader(fh)
        }


def parse_personal_id(value: str, *, today: date | None = None) -> PersonalIdInfo:
    """Validate a 12-digit CCCD number: 3-digit province of birth registration, gender/century digit, 2-digit
    birth year, 6 random digits. A birth year in the future is refused."""
    text = (value or "").strip()
    if not PERSONAL_ID_RE.match(text):
        raise ValidationError(
            _("Số định danh cá nhân “%(value)s” phải gồm đúng 12 chữ số."),
            code="personal_id_format",
            params={"value": value},
        )
    provinces = _province_codes()
    if text[:3] not in provinces:
        raise ValidationError(
            _("Số định danh cá nhân “%(value)s” có mã tỉnh nơi đăng ký khai sinh “%(code)s” không tồn tại."),
            code="personal_id_province",
            params={"value": value, "code": text[:3]},
        )
    male, century_start = _century_digits()[text[3]]
    birth_year = century_start + int(text[4:6])
    if birth_year > (today or date.today()).year:
        raise ValidationError(
            _("Số định danh cá nhân “%(value)s” cho năm sinh %(year)s, sau năm hiện tại."),
            code="personal_id_year",
            params={"value": value, "year": birth_year},
        )
    return PersonalIdInfo(text[:3], provinces[text[:3]], male, birth_year)


def validate_personal_id(value: str) -> None:
    parse_personal_id(value)


# --- Dossier code (domain.md §4) ---


def format_dossier_code(agency_identifier: str, day: date, ordinal: int) -> str:
    """`{agency identifier}-{YYMMDD}-{NNNN}`: NNNN is the ordinal of the dossier the agency received that day."""
    if ordinal < 1:
        raise ValueError("ordinal starts at 1")
    return f"{agency_identifier}-{day:%y%m%d}-{ordinal:04d}"
