"""The demo installation (`taicho demo`): a provincial center with real procedures from the national catalog.

Idempotent: running it again refreshes the same rows and resets the demo passwords. Agency identifiers of the
province are the attested ones (Quảng Ninh: 000.00.00.H49, shared/data/codes); the department and commune
identifiers below it are illustrative, marked as such in the printed summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from importlib import resources
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from taicho.catalog.models import (
    ImportRun,
    OnTheSpotDesignation,
    OnTheSpotStatus,
    Procedure,
    ProcedureCase,
    TimeUnit,
)
from taicho.catalog.services import create_version, import_catalog
from taicho.org.models import (
    AdministrativeUnit,
    Agency,
    Center,
    Counter,
    Delegation,
    Role,
    SigningFormula,
    Staff,
)
from taicho.org.services import create_delegation, load_administrative_units, set_roles

DEMO_PASSWORD = "demo-5taicho"  # noqa: S105 - demo accounts only, printed on purpose

# The procedures the demo runs on the spot (domain.md §1: simple, short, one agency, frequent).
ON_THE_SPOT = {
    "2.000815": "copy certification",  # Chứng thực bản sao từ bản chính
    "1.001193": "birth registration",  # Đăng ký khai sinh
    "1.000894": "marriage registration",  # Đăng ký kết hôn
    "2.000635": "copy of civil-status extract",  # Cấp bản sao Trích lục hộ tịch
    "2.000908": "copy from the master register",  # Cấp bản sao từ sổ gốc
}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    title: str
    roles: tuple[str, ...]
    agency_key: str
    personal_id: str


ACCOUNTS = (
    # The justice counter also keeps the department's e-seal for on-the-spot copy certifications, so one officer
    # takes such a dossier from reception to return in one sitting (same-day path).
    DemoAccount(
        "tiepnhan",
        "Nguyễn Thị Lan",
        "Công chức tiếp nhận",
        (Role.RECEIVING_OFFICER, Role.SEAL_CLERK),
        "justice",
        "022186001234",
    ),
    DemoAccount("thamdinh", "Trần Văn Minh", "Chuyên viên", (Role.APPRAISER,), "justice", "022085002345"),
    DemoAccount("lanhdao", "Phạm Quốc Hùng", "Phó Giám đốc", (Role.APPROVER,), "justice", "022078003456"),
    DemoAccount("giamdocso", "Lê Thị Hồng", "Giám đốc", (Role.APPROVER,), "justice", "022172004567"),
    DemoAccount("vanthu", "Đỗ Thị Mai", "Văn thư", (Role.SEAL_CLERK,), "justice", "022190005678"),
    DemoAccount(
        "giamdoc", "Hoàng Văn Nam", "Giám đốc Trung tâm", (Role.CENTER_DIRECTOR,), "province", "022075006789"
    ),
    DemoAccount("thanhtra", "Vũ Thị Thu", "Thanh tra viên", (Role.INSPECTOR,), "province", "022182007890"),
    DemoAccount(
        "quantri", "Bùi Đức Anh", "Quản trị hệ thống", (Role.ADMINISTRATOR,), "province", "022092008901"
    ),
    DemoAccount(
        "canboxa",
        "Ngô Văn Bình",
        "Công chức Tư pháp - Hộ tịch",
        (Role.RECEIVING_OFFICER, Role.APPRAISER),
        "commune",
        "022088009012",
    ),
    DemoAccount("chutichxa", "Đinh Thị Hạnh", "Phó Chủ tịch", (Role.APPROVER,), "commune", "022180000123"),
    DemoAccount("vanthuxa", "Lý Thị Hoa", "Văn thư", (Role.SEAL_CLERK,), "commune", "022195001357"),
)


def catalog_files() -> list[tuple[str, bytes]]:
    data = resources.files("taicho.catalog.data")
    return [
        (name, data.joinpath(name).read_bytes())
        for name in ("danh-sach-tthc-BoTuPhap.xlsx", "tthc-bo-tu-phap-details.jsonl.gz")
    ]


@dataclass(frozen=True)
class DemoSummary:
    center: Center
    import_run: ImportRun | None
    accounts: list[tuple[str, str, str]]
    password: str
    procedures: list[str]


@transaction.atomic
def build_demo(*, today: date | None = None) -> DemoSummary:
    """Create or refresh the demo data; returns a summary with the logins."""
    today = today or timezone.localdate()
    if not AdministrativeUnit.objects.exists():
        load_administrative_units()
    quang_ninh = AdministrativeUnit.objects.filter(
        kind=AdministrativeUnit.Kind.PROVINCE, name__contains="Quảng Ninh"
    ).first()
    ha_long = AdministrativeUnit.objects.filter(
        kind=AdministrativeUnit.Kind.COMMUNE, name="Phường Hạ Long"
    ).first()

    province = _agency(
        "000.00.00.H49",
        "Ủy ban nhân dân tỉnh Quảng Ninh",
        Agency.Level.PROVINCE,
        None,
        quang_ninh,
        short_name="UBND tỉnh Quảng Ninh",
    )
    justice = _agency(
        "000.00.12.H49",
        "Sở Tư pháp tỉnh Quảng Ninh",
        Agency.Level.DEPARTMENT,
        province,
        quang_ninh,
        short_name="Sở Tư pháp",
    )
    commune = _agency(
        "000.00.31.H49",
        "Ủy ban nhân dân phường Hạ Long",
        Agency.Level.COMMUNE,
        province,
        ha_long,
        short_name="UBND phường Hạ Long",
    )
    agencies = {"province": province, "justice": justice, "commune": commune}

    center, _created = Center.objects.update_or_create(
        code="TTPVHCC-H49",
        defaults={
            "name": "Trung tâm Phục vụ Hành chính công tỉnh Quảng Ninh",
            "agency": province,
            "address": "Tầng 1, Trụ sở Liên cơ quan số 3, phường Hạ Long, tỉnh Quảng Ninh",
            "phone": "0203 3656 888",
            "reception_cutoff": time(15, 0),
        },
    )
    center.served_agencies.set([justice, commune])
    counters = {}
    for number, name, served in (
        (1, "Quầy Sở Tư pháp — Chứng thực", [justice]),
        (2, "Quầy Sở Tư pháp — Hộ tịch", [justice]),
        (3, "Quầy UBND phường Hạ Long", [commune]),
    ):
        counter, _created = Counter.objects.update_or_create(
            center=center, number=number, defaults={"name": name}
        )
        counter.agencies.set(served)
        counters[number] = counter

    staff: dict[str, Staff] = {}
    for account in ACCOUNTS:
        user, _created = Staff.objects.get_or_create(username=account.username)
        user.full_name = account.full_name
        user.title = account.title
        user.agency = agencies[account.agency_key]
        user.center = center
        user.personal_id = account.personal_id
        user.email = f"{account.username}@demo.taicho.invalid"
        user.counter = (
            counters[3]
            if account.agency_key == "commune"
            else (counters[1] if Role.RECEIVING_OFFICER in account.roles else None)
        )
        user.is_staff = Role.ADMINISTRATOR in account.roles
        user.is_superuser = Role.ADMINISTRATOR in account.roles
        user.set_password(DEMO_PASSWORD)
        user.full_clean()
        user.save()
        set_roles(staff=user, roles=account.roles)
        staff[account.username] = user
    Agency.objects.filter(pk=justice.pk).update(head=staff["giamdocso"])
    Agency.objects.filter(pk=commune.pk).update(head=staff["chutichxa"])

    run = None
    if not Procedure.objects.filter(code__in=list(ON_THE_SPOT)).exists():
        run = import_catalog(files=catalog_files(), effective_from=today)
    procedures = {p.code: p for p in Procedure.objects.filter(code__in=list(ON_THE_SPOT))}
    justice.procedures.add(*procedures.values())
    commune.procedures.add(*procedures.values())
    _complete_time_limits(procedures, today)

    for code, procedure in procedures.items():
        for agency in (justice, commune):
            OnTheSpotDesignation.objects.update_or_create(
                procedure=procedure,
                agency=agency,
                case_name="",
                defaults={
                    "status": OnTheSpotStatus.ACTIVE,
                    "counter_appraises": True,
                    "counter_approves": code == "2.000815",
                    "on_the_spot_hours": Decimal("1") if code == "2.000815" else Decimal("4"),
                    "decision_number": "1234/QĐ-UBND",
                    "decision_date": date(2026, 1, 15),
                    "effective_from": date(2026, 2, 1),
                    "note": "Dữ liệu minh họa",
                },
            )

    decisions: list[dict[str, Any]] = [
        {
            "agency": justice,
            "decision_number": "15/QĐ-STP",
            "decision_date": date(2026, 1, 20),
            "delegator": staff["giamdocso"],
            "delegate": staff["lanhdao"],
            "procedures": list(procedures.values()),
            "formula": SigningFormula.KT,
            "signer_title": "PHÓ GIÁM ĐỐC",
        },
        {
            "agency": justice,
            "decision_number": "16/QĐ-STP",
            "decision_date": date(2026, 1, 20),
            "delegator": staff["giamdocso"],
            "delegate_role": Role.RECEIVING_OFFICER,
            "procedures": [procedures["2.000815"]],
            "formula": SigningFormula.TUQ,
            "signer_title": "CÔNG CHỨC TIẾP NHẬN",
        },
        {
            "agency": commune,
            "decision_number": "09/QĐ-UBND",
            "decision_date": date(2026, 1, 22),
            "delegator": staff["chutichxa"],
            "delegate": staff["canboxa"],
            "procedures": [procedures["2.000815"], procedures["2.000635"]],
            "formula": SigningFormula.TUQ,
            "signer_title": "CÔNG CHỨC TƯ PHÁP - HỘ TỊCH",
        },
    ]
    for decision in decisions:
        # A decision already recorded stays as it is: results signed under it point to it.
        if not Delegation.objects.filter(
            agency=decision["agency"], decision_number=decision["decision_number"]
        ).exists():
            create_delegation(**decision, can_appraise=True, can_approve=True, valid_from=date(2026, 2, 1))
    staff_by_name = {username: Staff.objects.get(pk=person.pk) for username, person in staff.items()}
    build_demo_pki(
        staff=staff_by_name, agencies=[Agency.objects.get(pk=justice.pk), Agency.objects.get(pk=commune.pk)]
    )
    from taicho.supervision.demo import build_plan_demo

    build_plan_demo(today)
    return DemoSummary(
        center=center,
        import_run=run,
        accounts=[
            (a.username, a.full_name, ", ".join(str(Role(r).label) for r in a.roles)) for a in ACCOUNTS
        ],
        password=DEMO_PASSWORD,
        procedures=sorted(procedures),
    )


def _agency(
    code: str, name: str, level: str, parent: Agency | None, unit: AdministrativeUnit | None, **extra: str
) -> Agency:
    agency, _created = Agency.objects.update_or_create(
        code=code,
        defaults={"name": name, "level": level, "parent": parent, "administrative_unit": unit, **extra},
    )
    agency.full_clean()
    return agency


# What the portal leaves out of the on-the-spot procedures' in-person time limits, as an administrator completes
# it: (value, unit, text, reason recorded on the new version).
COMPLETED_LIMITS = {
    "2.000815": (
        Decimal("1"),
        TimeUnit.WITHIN_DAY,
        "Trong ngày",
        "Bổ sung thời hạn theo Nghị định 23/2015/NĐ-CP, Điều 21: trong ngày, sau 15 giờ thì ngày làm việc tiếp theo.",
    ),
    "1.001193": (
        Decimal("1"),
        TimeUnit.WORKING_DAYS,
        "1 ngày làm việc",
        "Cổng DVCQG ghi thời hạn “1” không có đơn vị; đơn vị xác định là ngày làm việc (dữ liệu minh họa).",
    ),
    "1.000894": (
        Decimal("1"),
        TimeUnit.WORKING_DAYS,
        "1 ngày làm việc",
        "Cổng DVCQG ghi thời hạn “1” không có đơn vị; đơn vị xác định là ngày làm việc (dữ liệu minh họa).",
    ),
    "2.000635": (
        Decimal("1"),
        TimeUnit.WITHIN_DAY,
        "Trong ngày",
        "Cổng DVCQG không nêu thời hạn; bổ sung: trong ngày, sau 15 giờ thì ngày làm việc tiếp theo (dữ liệu minh họa).",
    ),
}


def _complete_time_limits(procedures: dict[str, Procedure], today: date) -> None:
    """Give each on-the-spot procedure whose in-person limit the portal does not state one, in a new version —
    the way an administrator corrects the catalog (a version in force is never edited)."""
    for code, (value, unit, text, reason) in COMPLETED_LIMITS.items():
        current = procedures[code].version_on(today)
        if current is None:
            continue
        in_person = current.cases.filter(channel="in_person")
        if in_person.exists() and not in_person.filter(time_limit_value__isnull=True).exists():
            continue
        version = create_version(
            source=current,
            effective_from=today,
            origin="manual",
            source_hash="",
            needs_review=False,
            review_notes=[reason],
        )
        ProcedureCase.objects.filter(
            version=version, channel="in_person", time_limit_value__isnull=True
        ).update(time_limit_value=value, time_limit_unit=unit, time_limit_text=text)


# --- Demo PKI (issue: demo root CA, a personal certificate per signing role, the agency's seal certificate, all
# marked DEMO; signature and seal images generated, nothing drawn by hand into the repository) ---------------

DEMO_ROOT_NAME = "taicho DEMO Root CA"
SIGNING_ACCOUNTS = ("lanhdao", "giamdocso", "chutichxa", "tiepnhan", "canboxa")


def build_demo_pki(*, staff: dict[str, Staff], agencies: list[Agency]) -> int:
    """Create what is missing of the demo PKI; returns how many credentials were created."""
    from taicho.signing import pki
    from taicho.signing.models import SigningCredential, TrustedRoot
    from taicho.signing.services import pki_dir, register_credential

    folder = pki_dir()
    root_file = folder / "demo-root.p12"
    root_row = TrustedRoot.objects.filter(name=DEMO_ROOT_NAME).first()
    if root_row is None or not root_file.exists():
        root = pki.make_demo_root(name=DEMO_ROOT_NAME)
        _write_secret(root_file, root.p12)
        (folder / "demo-root.password").write_bytes(root.password)
        TrustedRoot.objects.filter(name=DEMO_ROOT_NAME).delete()
        SigningCredential.objects.filter(label__startswith="DEMO ").delete()
        TrustedRoot.objects.create(name=DEMO_ROOT_NAME, certificate_pem=root.certificate_pem.decode())
    else:
        root = load_demo_root(root_file, (folder / "demo-root.password").read_bytes())
    created = 0
    for username in SIGNING_ACCOUNTS:
        person = staff[username]
        if not SigningCredential.objects.filter(staff=person, is_active=True).exists():
            cred = pki.issue_personal(
                root,
                full_name=person.full_name,
                personal_id=person.personal_id,
                agency=person.agency.name if person.agency else "",
            )
            path = folder / f"{username}.p12"
            _write_secret(path, cred.p12)
            register_credential(
                holder=SigningCredential.Holder.PERSON,
                kind=SigningCredential.Kind.PKCS12,
                label=f"DEMO {person.full_name}",
                certificate_pem=cred.certificate_pem,
                chain_pem=cred.chain_pem,
                staff=person,
                p12_path=str(path),
                p12_password=cred.password.decode(),
            )
            created += 1
        if not person.signature_image:
            person.signature_image.save(
                f"{username}.png", ContentFile(pki.signature_image_png(person.full_name)), save=True
            )
    for agency in agencies:
        if not SigningCredential.objects.filter(
            agency=agency, holder=SigningCredential.Holder.ORGANISATION, is_active=True
        ).exists():
            cred = pki.issue_organisation(root, agency_name=agency.name, agency_code=agency.code)
            path = folder / f"seal-{agency.code}.p12"
            _write_secret(path, cred.p12)
            register_credential(
                holder=SigningCredential.Holder.ORGANISATION,
                kind=SigningCredential.Kind.PKCS12,
                label=f"DEMO Con dấu {agency.name}",
                certificate_pem=cred.certificate_pem,
                chain_pem=cred.chain_pem,
                agency=agency,
                p12_path=str(path),
                p12_password=cred.password.decode(),
            )
            created += 1
        if not agency.seal_image:
            parent = agency.parent.name if agency.parent_id and agency.parent else ""
            agency.seal_image.save(
                f"seal-{agency.code}.png",
                ContentFile(pki.seal_image_png(agency.name, parent_name=parent)),
                save=True,
            )
    return created


def load_demo_root(p12_path, password: bytes):  # type: ignore[no-untyped-def]
    """The demo root CA kept under PKI_DIR (to issue more demo certificates, e.g. in tests)."""
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

    from taicho.signing import pki

    content = p12_path.read_bytes()
    _key, cert, _chain = pkcs12.load_key_and_certificates(content, password)
    if cert is None:
        raise ValueError("demo root PKCS#12 holds no certificate")
    return pki.Credential(
        p12=content, password=password, certificate_pem=cert.public_bytes(Encoding.PEM), chain_pem=[]
    )


def _write_secret(path, content: bytes) -> None:  # type: ignore[no-untyped-def]
    path.write_bytes(content)
    path.chmod(0o600)
