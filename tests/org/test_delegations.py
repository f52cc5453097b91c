"""Delegations: who may appraise or approve which procedure, when (design.md: approval outside a valid
delegation is refused)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taicho.catalog.models import Procedure
from taicho.org.models import Role, SigningFormula
from taicho.org.selectors import Step, authority_to_approve, delegation_for
from taicho.org.services import create_delegation, revoke_delegation

pytestmark = pytest.mark.django_db
ON = date(2026, 11, 27)


@pytest.fixture
def procedures():
    return (
        Procedure.objects.create(code="2.000815", name="Chứng thực bản sao từ bản chính"),
        Procedure.objects.create(code="1.001193", name="Đăng ký khai sinh"),
    )


@pytest.fixture
def people(make_staff, justice, other_agency):
    return {
        "director": make_staff(Role.APPROVER, agency=justice, full_name="Giám đốc Sở"),
        "deputy": make_staff(Role.APPROVER, agency=justice, full_name="Phó Giám đốc"),
        "officer": make_staff(Role.RECEIVING_OFFICER, agency=justice, full_name="Cán bộ tiếp nhận"),
        "appraiser": make_staff(Role.APPRAISER, agency=justice, full_name="Chuyên viên"),
        "stranger": make_staff(Role.RECEIVING_OFFICER, agency=other_agency, full_name="Cán bộ sở khác"),
    }


def delegate(people, justice, procedures, **kwargs):
    values = {
        "agency": justice,
        "decision_number": "16/QĐ-STP",
        "decision_date": date(2026, 1, 20),
        "delegator": people["director"],
        "procedures": procedures,
        "formula": SigningFormula.TUQ,
        "valid_from": date(2026, 2, 1),
        "can_approve": True,
    }
    values.update(kwargs)
    return create_delegation(**values)


def test_a_leader_of_the_agency_approves_in_their_own_right(people, justice, procedures):
    assert (
        authority_to_approve(staff=people["director"], procedure=procedures[0], agency=justice, on=ON) is None
    )


def test_a_role_delegation_covers_its_procedures_only(people, justice, procedures):
    made = delegate(people, justice, [procedures[0]], delegate_role=Role.RECEIVING_OFFICER)
    assert (
        authority_to_approve(staff=people["officer"], procedure=procedures[0], agency=justice, on=ON) == made
    )
    with pytest.raises(PermissionDenied, match="không có thẩm quyền phê duyệt"):
        authority_to_approve(staff=people["officer"], procedure=procedures[1], agency=justice, on=ON)
    # The same role in another agency is not covered.
    with pytest.raises(PermissionDenied):
        authority_to_approve(staff=people["stranger"], procedure=procedures[0], agency=justice, on=ON)


def test_validity_period_and_revocation(people, justice, procedures):
    made = delegate(people, justice, procedures, delegate=people["appraiser"], valid_to=date(2026, 12, 31))
    assert (
        delegation_for(staff=people["appraiser"], procedure=procedures[1], step=Step.APPROVE, on=ON) == made
    )
    assert (
        delegation_for(
            staff=people["appraiser"], procedure=procedures[1], step=Step.APPROVE, on=date(2026, 1, 31)
        )
        is None
    )
    assert (
        delegation_for(
            staff=people["appraiser"], procedure=procedures[1], step=Step.APPROVE, on=date(2027, 1, 1)
        )
        is None
    )
    revoke_delegation(delegation=made)
    with pytest.raises(PermissionDenied):
        authority_to_approve(staff=people["appraiser"], procedure=procedures[1], agency=justice, on=ON)


def test_steps_are_separate(people, justice, procedures):
    delegate(people, justice, procedures, delegate=people["appraiser"], can_approve=False, can_appraise=True)
    assert delegation_for(staff=people["appraiser"], procedure=procedures[0], step=Step.APPRAISE, on=ON)
    assert (
        delegation_for(staff=people["appraiser"], procedure=procedures[0], step=Step.APPROVE, on=ON) is None
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"delegator_key": "officer"}, "lãnh đạo có thẩm quyền"),
        ({"delegate_key": "stranger"}, "phải thuộc cơ quan"),
        ({"delegate_role": Role.APPRAISER, "formula": SigningFormula.KT}, "Ký thay"),
        ({"can_approve": False}, ""),
        ({"valid_to": date(2026, 1, 1)}, ""),
        ({"procedures": []}, "ít nhất một thủ tục"),
    ],
)
def test_invalid_delegations_are_refused(people, justice, procedures, changes, message):
    kwargs = dict(changes)
    if "delegator_key" in kwargs:
        kwargs["delegator"] = people[kwargs.pop("delegator_key")]
    if "delegate_key" in kwargs:
        kwargs["delegate"] = people[kwargs.pop("delegate_key")]
    if "delegate" not in kwargs and "delegate_role" not in kwargs:
        kwargs["delegate"] = people["deputy"]
    with pytest.raises(ValidationError) as exc:
        delegate(people, justice, kwargs.pop("procedures", procedures), **kwargs)
    assert message in " ".join(exc.value.messages)


def test_a_delegation_covers_only_its_own_agency(people, justice, other_agency, procedures):
    delegate(people, justice, procedures, delegate=people["appraiser"])
    assert authority_to_approve(staff=people["appraiser"], procedure=procedures[0], agency=justice, on=ON)
    with pytest.raises(PermissionDenied):
        authority_to_approve(staff=people["appraiser"], procedure=procedures[0], agency=other_agency, on=ON)
