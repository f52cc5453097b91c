"""Reads of the organisation: who may appraise or approve what, and the agency tree."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from taicho.core.prepared import Prepared, related
from taicho.org.models import Agency, Delegation, Role, Staff

if TYPE_CHECKING:
    from taicho.catalog.models import Procedure


class Step:
    APPRAISE = "appraise"  # thẩm định
    APPROVE = "approve"  # phê duyệt


def delegation_for(*, staff: Staff, procedure: Procedure, step: str, on: date) -> Delegation | None:
    """The delegation in force on ``on`` that lets ``staff`` take ``step`` on ``procedure``, if any: one naming
    the person, or one naming a role the person holds within the same agency."""
    roles = sorted(staff.role_set) if staff.agency_id is not None else []
    if roles:
        return _delegation_query(step, len(roles)).first(staff.pk, procedure.pk, on, staff.agency_id, *roles)
    return _delegation_query(step, 0).first(staff.pk, procedure.pk, on)


#: `delegation_for`'s query per step and number of roles, compiled once per connection (`core.prepared`;
#: ~3 ms of Django's time at every approval).
_DELEGATIONS: dict[tuple[str, int], Prepared[Delegation]] = {}


def _delegation_query(step: str, roles: int) -> Prepared[Delegation]:
    query = _DELEGATIONS.get((step, roles))
    if query is None:
        step_filter = {Step.APPRAISE: Q(can_appraise=True), Step.APPROVE: Q(can_approve=True)}[step]

        def build(staff: int, procedure: int, on: date, agency: int | None = None, *held: str) -> Any:
            who = Q(delegate_id=staff)
            if held:
                who |= Q(delegate__isnull=True, delegate_role__in=list(held), agency_id=agency)
            return (
                Delegation.objects.in_force_on(on)
                .filter(step_filter, who, procedures=procedure)
                .select_related("delegator", "agency")
                .order_by("-decision_date", "-pk")[:1]
            )

        key: models.Field[Any, Any] = models.IntegerField()
        fields = [key, key, models.DateField()] + ([key] + [models.CharField()] * roles if roles else [])
        query = _DELEGATIONS[(step, roles)] = Prepared(build, *fields)
    return query


def authority_to_approve(
    *, staff: Staff, procedure: Procedure, agency: Agency, on: date
) -> Delegation | None:
    """Check that ``staff`` may approve (sign) a result of ``procedure`` for ``agency`` on ``on``.

    A delegation in force that covers the person (by name or role) is returned, so the paper and the record
    show the decision they sign under; failing that, a leader of the competent agency signs in their own right
    (returns None). Raises PermissionDenied with the reason otherwise (design.md: approval outside a valid
    delegation is refused; Decree 30/2020/NĐ-CP, Art. 13 on signing authority)."""
    delegation = delegation_for(staff=staff, procedure=procedure, step=Step.APPROVE, on=on)
    if delegation is not None and delegation.agency_id == agency.pk:
        return delegation
    if staff.has_role(Role.APPROVER) and staff.agency_id == agency.pk:
        return None
    raise PermissionDenied(
        _("%(name)s không có thẩm quyền phê duyệt thủ tục này và không có quyết định ủy quyền còn hiệu lực.")
        % {"name": staff}
    )


def descendants(agency: Agency) -> list[Agency]:
    """All agencies below ``agency`` (breadth first; one query per level)."""
    found: list[Agency] = []
    frontier = [agency.pk]
    seen = {agency.pk}
    while frontier:
        children = list(Agency.objects.filter(parent_id__in=frontier).exclude(pk__in=seen))
        found.extend(children)
        frontier = [c.pk for c in children]
        seen.update(frontier)
    return found


def place_name(agency: Agency) -> str:
    """The place written before the date on a paper (Decree 30/2020: the province's name, e.g. "Quảng Ninh")."""
    unit = related(agency, "administrative_unit")
    if unit is None:
        return ""
    province = related(unit, "province") or unit
    name = province.name
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name
