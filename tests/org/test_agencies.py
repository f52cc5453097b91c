"""Agencies: identifiers, the tree, history; administrative units."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from taicho.org.models import AdministrativeUnit, Agency
from taicho.org.selectors import descendants
from taicho.org.services import create_agency, load_administrative_units, merge_agencies

pytestmark = pytest.mark.django_db


def test_migrate_loads_34_provinces_and_3321_communes():
    assert AdministrativeUnit.objects.filter(kind=AdministrativeUnit.Kind.PROVINCE).count() == 34
    assert AdministrativeUnit.objects.filter(kind=AdministrativeUnit.Kind.COMMUNE).count() == 3321
    ha_long = AdministrativeUnit.objects.get(kind=AdministrativeUnit.Kind.COMMUNE, name="Phường Hạ Long")
    assert "Quảng Ninh" in ha_long.province.name
    # Loading again changes nothing.
    assert load_administrative_units() == (34, 3321)
    assert AdministrativeUnit.objects.count() == 34 + 3321


def test_a_tree_of_any_depth(province, justice):
    office = create_agency(
        code="000.01.12.H49", name="Phòng Hành chính tư pháp", level=Agency.Level.OTHER, parent=justice
    )
    team = create_agency(code="001.01.12.H49", name="Tổ chứng thực", level=Agency.Level.OTHER, parent=office)
    assert [a.code for a in team.ancestors()] == ["000.01.12.H49", "000.00.12.H49", "000.00.00.H49"]
    assert {a.code for a in descendants(province)} == {"000.00.12.H49", "000.01.12.H49", "001.01.12.H49"}


def test_malformed_identifier_is_refused_and_nothing_is_saved():
    with pytest.raises(ValidationError) as exc:
        create_agency(code="H49", name="Sai mã", level=Agency.Level.PROVINCE)
    assert "QCVN 102" in str(exc.value)
    assert not Agency.objects.filter(name="Sai mã").exists()


def test_child_identifier_must_refine_the_parent(province):
    with pytest.raises(ValidationError, match="không thuộc nhánh"):
        create_agency(
            code="000.00.12.H55", name="Sở khác tỉnh", level=Agency.Level.DEPARTMENT, parent=province
        )
    with pytest.raises(ValidationError, match="không thuộc nhánh"):
        create_agency(code="000.00.00.H49", name="Trùng cấp", level=Agency.Level.DEPARTMENT, parent=province)


def test_no_cycles(province, justice):
    province.parent = justice
    with pytest.raises(ValidationError, match="cơ quan cấp dưới"):
        province.full_clean()


def test_merger_keeps_the_old_agency_with_its_successor(province):
    old_a = create_agency(code="000.00.00.H54", name="UBND tỉnh Thái Bình", level=Agency.Level.PROVINCE)
    new = create_agency(code="000.00.00.H33", name="UBND tỉnh Hưng Yên", level=Agency.Level.PROVINCE)
    merge_agencies(merged=[old_a], successor=new, effective=date(2025, 7, 1))
    old_a.refresh_from_db()
    assert old_a.valid_to == date(2025, 6, 30) and old_a.successor == new
    assert list(
        Agency.objects.valid_on(date(2025, 7, 1)).filter(code__in=["000.00.00.H54", "000.00.00.H33"])
    ) == [new]
    assert Agency.objects.valid_on(date(2025, 6, 30)).filter(code="000.00.00.H54").exists()
    with pytest.raises(ValidationError):
        merge_agencies(merged=[new], successor=new, effective=date(2025, 7, 1))


def test_staff_personal_id_is_validated(make_staff, justice):
    with pytest.raises(ValidationError, match="12 chữ số"):
        make_staff("receiving_officer", agency=justice, personal_id="12345")
    officer = make_staff("receiving_officer", "appraiser", agency=justice, personal_id="022186001234")
    assert officer.role_set == {"receiving_officer", "appraiser"}
    assert officer.has_role("appraiser") and not officer.has_role("approver")


def test_api_tokens_are_kept_hashed_and_can_be_revoked(make_staff, justice):
    from django.utils import timezone

    from taicho.org.models import ApiToken
    from taicho.org.services import issue_api_token, staff_for_token

    officer = make_staff("receiving_officer", agency=justice)
    key = issue_api_token(staff=officer, name="Máy quầy 1")
    assert key.startswith("tc_") and not ApiToken.objects.filter(key_hash=key).exists()
    assert staff_for_token(key) == officer
    assert staff_for_token(key + "x") is None
    ApiToken.objects.update(revoked_at=timezone.now())
    assert staff_for_token(key) is None
