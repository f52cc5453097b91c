"""Writes of the organisation: agencies and their history, staff accounts and roles, delegations."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from taicho.core.prepared import Prepared
from taicho.org.models import (
    AdministrativeUnit,
    Agency,
    ApiToken,
    Delegation,
    Role,
    SigningFormula,
    Staff,
    StaffRole,
)

if TYPE_CHECKING:
    from taicho.catalog.models import Procedure


def create_agency(
    *,
    code: str,
    name: str,
    level: str,
    parent: Agency | None = None,
    administrative_unit: AdministrativeUnit | None = None,
    valid_from: date | None = None,
    **fields: object,
) -> Agency:
    agency = Agency(
        code=code.strip(),
        name=name.strip(),
        level=level,
        parent=parent,
        administrative_unit=administrative_unit,
        valid_from=valid_from,
        **fields,
    )
    agency.full_clean()
    agency.save()
    return agency


@transaction.atomic
def merge_agencies(*, merged: Iterable[Agency], successor: Agency, effective: date) -> list[Agency]:
    """Record that ``merged`` agencies cease on the day before ``effective`` and ``successor`` takes over
    (the mergers of 1 July 2025). Their rows and codes stay, so old dossiers keep their agency."""
    done = []
    for agency in Agency.objects.select_for_update().filter(pk__in=[a.pk for a in merged]):
        if agency.pk == successor.pk:
            raise ValidationError(_("Cơ quan kế thừa không thể nằm trong danh sách bị hợp nhất."))
        agency.valid_to = effective - timedelta(days=1)
        agency.successor = successor
        agency.full_clean()
        agency.save(update_fields=["valid_to", "successor"])
        done.append(agency)
    return done


@transaction.atomic
def create_staff(
    *,
    username: str,
    password: str | None,
    full_name: str,
    roles: Iterable[str],
    agency: Agency | None = None,
    **fields: object,
) -> Staff:
    """Create a staff account with its roles. Administrators also get Django admin access."""
    roles = list(dict.fromkeys(roles))
    for role in roles:
        if role not in Role.values:
            raise ValidationError(_("Vai trò “%(role)s” không tồn tại.") % {"role": role})
    staff = Staff(username=username, full_name=full_name, agency=agency, **fields)
    staff.is_staff = Role.ADMINISTRATOR in roles or bool(fields.get("is_staff"))
    if password:
        staff.set_password(password)
    else:
        staff.set_unusable_password()
    staff.full_clean()
    staff.save()
    StaffRole.objects.bulk_create([StaffRole(staff=staff, role=role) for role in roles])
    return staff


@transaction.atomic
def set_roles(*, staff: Staff, roles: Iterable[str]) -> None:
    wanted = set(roles)
    unknown = wanted - set(Role.values)
    if unknown:
        raise ValidationError(_("Vai trò không tồn tại: %(roles)s") % {"roles": ", ".join(sorted(unknown))})
    StaffRole.objects.filter(staff=staff).exclude(role__in=wanted).delete()
    have = set(StaffRole.objects.filter(staff=staff).values_list("role", flat=True))
    StaffRole.objects.bulk_create([StaffRole(staff=staff, role=r) for r in wanted - have])
    staff.__dict__.pop("_role_cache", None)


def validate_delegation(delegation: Delegation, procedures: Iterable[Procedure] = ()) -> None:
    """Rules of a delegation decision beyond the database constraints (raises ValidationError)."""
    errors: dict[str, list[str]] = {}
    delegator = delegation.delegator
    if delegator.agency_id != delegation.agency_id or not delegator.has_role(Role.APPROVER):
        errors.setdefault("delegator", []).append(
            _("Người ủy quyền phải là lãnh đạo có thẩm quyền phê duyệt của chính cơ quan này.")
        )
    if delegation.delegate is not None and delegation.delegate.agency_id not in (delegation.agency_id, None):
        # Authorising someone of another agency needs a decision of the province, not of this agency's leader.
        errors.setdefault("delegate", []).append(_("Người được ủy quyền phải thuộc cơ quan ủy quyền."))
    if delegation.formula == SigningFormula.KT and delegation.delegate is None:
        errors.setdefault("formula", []).append(
            _("Ký thay (KT.) phải giao cho một cấp phó cụ thể, không giao cho vai trò.")
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_delegation(
    *,
    agency: Agency,
    decision_number: str,
    decision_date: date,
    delegator: Staff,
    procedures: Iterable[Procedure],
    formula: str,
    valid_from: date,
    valid_to: date | None = None,
    delegate: Staff | None = None,
    delegate_role: str = "",
    can_appraise: bool = False,
    can_approve: bool = False,
    signer_title: str = "",
) -> Delegation:
    procedures = list(procedures)
    if not procedures:
        raise ValidationError(_("Quyết định ủy quyền phải nêu ít nhất một thủ tục."))
    delegation = Delegation(
        agency=agency,
        decision_number=decision_number.strip(),
        decision_date=decision_date,
        delegator=delegator,
        delegate=delegate,
        delegate_role=delegate_role,
        can_appraise=can_appraise,
        can_approve=can_approve,
        formula=formula,
        valid_from=valid_from,
        valid_to=valid_to,
        signer_title=signer_title,
    )
    delegation.full_clean()
    validate_delegation(delegation, procedures)
    delegation.save()
    delegation.procedures.set(procedures)
    return delegation


@transaction.atomic
def revoke_delegation(*, delegation: Delegation) -> Delegation:
    locked = Delegation.objects.select_for_update().get(pk=delegation.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
    return locked


@transaction.atomic
def load_administrative_units() -> tuple[int, int]:
    """Load (or refresh) the 34 provinces and 3,321 communes of the `vietnam-provinces` package.
    Returns (provinces, communes)."""
    from vietnam_provinces import Province, Ward

    existing = {(u.kind, u.code): u for u in AdministrativeUnit.objects.all()}
    provinces: dict[int, AdministrativeUnit] = {}
    for p in Province.iter_all():
        unit = existing.get((AdministrativeUnit.Kind.PROVINCE, int(p.code)))
        names = {"name": p.name, "division_type": str(p.division_type.value)}
        if unit is None:
            unit = AdministrativeUnit.objects.create(
                kind=AdministrativeUnit.Kind.PROVINCE, code=int(p.code), **names
            )
        elif any(getattr(unit, k) != v for k, v in names.items()):
            AdministrativeUnit.objects.filter(pk=unit.pk).update(**names)
        provinces[int(p.code)] = unit
    new_wards = []
    for w in Ward.iter_all():
        values: dict[str, Any] = {
            "name": w.name,
            "division_type": str(w.division_type.value),
            "province": provinces[int(w.province_code)],
        }
        unit = existing.get((AdministrativeUnit.Kind.COMMUNE, int(w.code)))
        if unit is None:
            new_wards.append(
                AdministrativeUnit(kind=AdministrativeUnit.Kind.COMMUNE, code=int(w.code), **values)
            )
        elif unit.name != values["name"] or unit.division_type != values["division_type"]:
            AdministrativeUnit.objects.filter(pk=unit.pk).update(
                name=values["name"], division_type=values["division_type"]
            )
    AdministrativeUnit.objects.bulk_create(new_wards, batch_size=1000)
    return (
        AdministrativeUnit.objects.filter(kind=AdministrativeUnit.Kind.PROVINCE).count(),
        AdministrativeUnit.objects.filter(kind=AdministrativeUnit.Kind.COMMUNE).count(),
    )


def issue_api_token(*, staff: Staff, name: str) -> str:
    """Create an API token for ``staff``; returns the key, shown once (only its SHA-256 is kept)."""
    import hashlib
    import secrets

    key = "tc_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        staff=staff, name=name, key_hash=hashlib.sha256(key.encode()).hexdigest(), prefix=key[:8]
    )
    return key


#: Every API request asks for its token: compiled once per connection (`core.prepared`).
_TOKEN: Prepared[ApiToken] = Prepared(
    lambda key_hash: (
        ApiToken.objects.select_related("staff")
        .filter(key_hash=key_hash, revoked_at__isnull=True, staff__is_active=True)
        .order_by("pk")[:1]
    ),
    models.CharField(),
)


def staff_for_token(key: str) -> Staff | None:
    """The active staff account behind an API token, or None."""
    import hashlib

    token = _TOKEN.first(hashlib.sha256(key.encode()).hexdigest())
    if token is None:
        return None
    now = timezone.now()
    # "Last used" to the minute is enough to spot a stale token; a write per request is not worth it.
    if token.last_used_at is None or now - token.last_used_at >= timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.staff
