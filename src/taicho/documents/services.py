"""Issuing a result: draft → leader's signature → agency's e-seal → validation → release (domain.md §2, §5).

Each step is one service, locks the document row (two people can never both sign or seal it), checks who may
act, and writes an append-only DocumentEvent in the same transaction. Signing happens under the lock: the PDF
and its state change together or not at all.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from taicho.catalog.models import Procedure
from taicho.core.errors import Conflict, DomainError, NotAllowed
from taicho.core.prepared import Prepared, create_row, update_row
from taicho.core.services import next_yearly_number
from taicho.documents.models import DocumentEvent, DocumentStatus, IssuedDocument
from taicho.org.models import Agency, Delegation, Role, SigningFormula, Staff
from taicho.org.selectors import authority_to_approve
from taicho.signing import services as signing

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise


@dataclass(frozen=True)
class Register:
    """A register the system keeps for a kind of result: the field of the result's data that takes the issuing
    agency's next number for the year when the paper is signed, and the field naming the book."""

    field: str
    book_field: str
    label: StrOrPromise
    name: StrOrPromise


#: Copy certification: the certification register (sổ chứng thực, Decree 23/2015/NĐ-CP; Circular
#: 01/2020/TT-BTP): certifications are numbered in the order they are made, through the year. The number is taken
#: under the document's lock in the signing transaction, so a failed signature gives it back (no gap, no
#: duplicate), and an appraiser cannot type one that another certification already carries.
REGISTERS: dict[str, Register] = {
    "copy_certification": Register(
        "certification_number", "book_number", _lazy("Số chứng thực"), _lazy("sổ chứng thực")
    ),
}


def _refuse_register_number(template: str, data: dict[str, Any]) -> None:
    register = REGISTERS.get(template)
    if register is not None and data.get(register.field) not in (None, ""):
        raise DomainError(
            _(
                "%(label)s do hệ thống cấp theo %(register)s của cơ quan khi lãnh đạo ký; dự thảo không ghi số này."
            )
            % {"label": register.label, "register": register.name},
            code="register_number_given",
        )


def _enter_in_register(locked: IssuedDocument, at: datetime) -> None:
    """Give the paper about to be signed its number in the agency's register for the year of signing (and the
    year's first book when the draft names none). Kept in the document's data, so a signature prepared for the
    leader's agent and completed later, or a re-drafted paper, keeps the number it was given."""
    register = REGISTERS.get(locked.template)
    if register is None or locked.data.get(register.field):
        return
    year = timezone.localdate(at).year
    number = next_yearly_number(scope=f"register:{locked.template}:{locked.agency_id}", year=year)
    data = dict(locked.data)
    data[register.field] = str(number)
    data[register.book_field] = data.get(register.book_field) or _first_book(year)
    locked.data = data


def _first_book(year: int) -> str:
    return f"01/{year}"


def register_to_come(template: str, view: dict[str, Any], at: datetime) -> None:
    """A draft's view of the register's number, which only the signature gives: "(cấp khi ký)", in the book
    `_enter_in_register` would use."""
    register = REGISTERS.get(template)
    if register is not None:
        view[register.book_field] = view.get(register.book_field) or _first_book(timezone.localdate(at).year)
        view[register.field] = view.get(register.field) or _("(cấp khi ký)")


def verification_url(document: IssuedDocument) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/v/{document.verification_code}"


def draft_result(
    *,
    agency: Agency,
    template: str,
    title: str,
    data: dict[str, Any],
    created_by: Staff | None,
    procedure: Procedure | None = None,
    dossier_code: str = "",
    owner_id: str = "",
    number: str = "",
    savepoint: bool = True,
) -> IssuedDocument:
    """A draft result filled with the dossier's data; it is rendered for real when the leader signs.
    ``savepoint=False``: the caller owns the transaction and lets a failure undo all of it (a dossier step)."""
    from taicho.documents.render import RESULT_TEMPLATES

    if template not in RESULT_TEMPLATES:
        raise DomainError(_("Không có mẫu kết quả “%(name)s”.") % {"name": template})
    _refuse_register_number(template, data)
    with transaction.atomic(savepoint=savepoint):
        document = IssuedDocument.objects.create(
            kind="result",
            template=template,
            title=title,
            number=number,
            agency=agency,
            procedure=procedure,
            dossier_code=dossier_code,
            owner_id=owner_id,
            data=data,
            created_by=created_by,
        )
        _event(document, "drafted", created_by, "", DocumentStatus.DRAFT)
    return document


def revise_draft(
    *,
    document: IssuedDocument | int,
    template: str,
    title: str,
    data: dict[str, Any],
    number: str,
    by: Staff | None,
    savepoint: bool = True,
) -> IssuedDocument:
    """The appraiser's new draft of a result not yet signed (after the leader sent it back): template, title,
    data and number replaced; the earlier draft stays in the document's events."""
    from taicho.documents.render import RESULT_TEMPLATES

    if template not in RESULT_TEMPLATES:
        raise DomainError(_("Không có mẫu kết quả “%(name)s”.") % {"name": template})
    _refuse_register_number(template, data)
    with transaction.atomic(savepoint=savepoint):
        locked = _lock(document, DocumentStatus.DRAFT)
        register = REGISTERS.get(template)
        if register is not None and locked.template == template and locked.data.get(register.field):
            # A number already given (a signature prepared for the leader's agent) stays with the paper.
            data = {
                **data,
                register.field: locked.data[register.field],
                register.book_field: data.get(register.book_field) or locked.data.get(register.book_field),
            }
        earlier = {
            "template": locked.template,
            "title": locked.title,
            "number": locked.number,
            "data": locked.data,
        }
        locked.template, locked.title, locked.data, locked.number = template, title, data, number
        locked.save(update_fields=["template", "title", "data", "number"])
        _event(locked, "revised", by, DocumentStatus.DRAFT, DocumentStatus.DRAFT, {"earlier": earlier})
    return locked


def signature_block(*, leader: Staff, agency: Agency, delegation: Delegation | None) -> dict[str, str]:
    """The title lines above the signature (Decree 30/2020/NĐ-CP, Appendix I, section II.8): the head signs
    with their title; a deputy signs "KT. <head's title>" then their own; by authorisation "TUQ. …", by order
    "TL. …". A collective body (a People's Committee) signs "TM. ỦY BAN NHÂN DÂN" above that."""
    head_title = (
        (agency.head.title if agency.head_id and agency.head else "") or _("Thủ trưởng cơ quan")
    ).upper()
    own_title = (
        (delegation.signer_title if delegation and delegation.signer_title else "") or leader.title
    ).upper()
    collective = agency.name.lower().startswith("ủy ban nhân dân")
    lines = ["TM. ỦY BAN NHÂN DÂN"] if collective else []
    formula = ""
    if delegation is not None:
        formula = {SigningFormula.KT: "KT.", SigningFormula.TUQ: "TUQ.", SigningFormula.TL: "TL."}[
            SigningFormula(delegation.formula)
        ]
    elif agency.head_id is not None and agency.head_id != leader.pk:
        formula = "KT."  # a deputy leader signs on behalf of the head (ký thay)
    if formula:
        lines.append(f"{formula} {('CHỦ TỊCH' if collective else head_title)}")
    return {
        "formula": formula,
        "authority_title": "\n".join(lines),
        "signer_title": own_title,
        "signer_name": leader.full_name,
    }


def _authorise(locked: IssuedDocument, leader: Staff, at: datetime) -> Delegation | None:
    try:
        if locked.procedure is not None:
            return authority_to_approve(
                staff=leader, procedure=locked.procedure, agency=locked.agency, on=timezone.localdate(at)
            )
        _own_authority(leader, locked.agency)
        return None
    except PermissionDenied as exc:
        raise NotAllowed(str(exc)) from exc


def _trust() -> tuple[list[bytes], list[bytes]]:
    """The trust roots and CRLs, read once per step and used both to check the certificate and to sign."""
    return signing.trust_material()


def _check(signer: Any, at: datetime, roots: list[bytes], crls: list[bytes]) -> None:
    from taicho.signing.sign import SigningRefused, check_certificate

    try:
        check_certificate(signer, at=at, trust_roots=roots, crls=crls)
    except SigningRefused as exc:
        raise DomainError(str(exc)) from exc


def _render_for_signature(locked: IssuedDocument, leader: Staff, delegation: Delegation | None, at: datetime):  # type: ignore[no-untyped-def]
    """The final paper: the drafted data, dated and with the signer's block and the QR (Circular 01/2023)."""
    from taicho.documents.render import qr_payload, render_result

    _enter_in_register(locked, at)
    data = dict(locked.data)
    data["issued_at"] = at  # the paper is dated the day the competent person signs it
    if locked.number:
        data["number"] = locked.number  # số, ký hiệu (Decree 30/2020/NĐ-CP, Appendix I, II.3)
    data.update(signature_block(leader=leader, agency=locked.agency, delegation=delegation))
    data["qr"] = qr_payload(
        dossier_code=locked.dossier_code,
        tthc_code=locked.procedure.code if locked.procedure else "",
        owner_id=locked.owner_id,
        paper_name=locked.title,
        issued_at=at,
        url=verification_url(locked),
    )
    data["short_url"] = verification_url(locked)
    return render_result(locked.template, data)


def _mark_signed(
    locked: IssuedDocument,
    leader: Staff,
    delegation: Delegation | None,
    at: datetime,
    pdf: bytes,
    detail: dict,
) -> None:
    _store_pdf(locked, pdf)
    locked.status = DocumentStatus.SIGNED
    locked.signed_by = leader
    locked.signed_at = at
    locked.delegation = delegation
    locked.pending_signature = None
    # The columns a signature changes (layout: set by the caller with the rendered paper's boxes; data: with the
    # register's number, `_enter_in_register`).
    update_row(
        locked,
        [
            "data",
            "pdf",
            "sha256",
            "status",
            "signed_by",
            "signed_at",
            "delegation",
            "pending_signature",
            "layout",
        ],
    )
    _event(
        locked,
        "signed",
        leader,
        DocumentStatus.DRAFT,
        DocumentStatus.SIGNED,
        {"delegation": delegation.decision_number if delegation else "", **detail},
    )


def approve_document(
    *, document: IssuedDocument | int, leader: Staff, at: datetime | None = None, savepoint: bool = True
) -> IssuedDocument:
    """The leader approves by digital signature (step 3, phê duyệt) with a key the server can use (PKCS#12,
    PKCS#11 token or HSM, remote-signing service). Refused outside the leader's own authority or a delegation
    in force, or with a certificate that is expired, not yet valid or revoked. ``savepoint=False``: the caller
    owns the transaction and lets a refusal undo all of it (a dossier step; saves two round trips)."""
    from taicho.signing.sign import SignatureBox, sign_as_leader

    at = at or timezone.now()
    with transaction.atomic(savepoint=savepoint):
        locked = _lock(document, DocumentStatus.DRAFT, "agency__head")
        delegation = _authorise(locked, leader, at)
        credential = signing.personal_credential(leader)
        signer = signing.signer_for(credential)
        roots, crls = _trust()
        _check(signer, at, roots, crls)
        rendered = _render_for_signature(locked, leader, delegation, at)
        box = rendered.boxes["signature"]
        signed = sign_as_leader(
            rendered.pdf,
            signer=signer,
            box=SignatureBox(box.page, box.x1, box.y1, box.x2, box.y2),
            image_png=_image_bytes(leader.signature_image) or _generated_signature(leader),
            signing_time=at,
            timestamp_url=settings.TIMESTAMP_URL or None,
            fetch_revocation=settings.FETCH_REVOCATION,
            trust_roots=roots,
            crls=crls,
        )
        locked.layout = {name: [b.page, b.x1, b.y1, b.x2, b.y2] for name, b in rendered.boxes.items()}
        _mark_signed(locked, leader, delegation, at, signed, {"credential": credential.label})
    return locked


def prepare_agent_signature(
    *, document: IssuedDocument, leader: Staff, at: datetime | None = None
) -> dict[str, str]:
    """Interrupted signing, step 1: for a leader whose key is on a token at their own PC, the server lays out
    the signature and returns what the signing agent must sign (base64 of the DER signed attributes and of
    their SHA-256). Same authority and certificate checks as `approve_document`; the document stays a draft."""
    import base64

    from taicho.signing import signers
    from taicho.signing.sign import SignatureBox

    at = at or timezone.now()
    with transaction.atomic():
        locked = _lock(document, DocumentStatus.DRAFT)
        delegation = _authorise(locked, leader, at)
        credential = signing.personal_credential(leader)
        chain = signing.pem_list(credential.chain_pem)
        _check(signers.certificate_only_signer(credential.certificate_pem.encode(), chain), at, *_trust())
        rendered = _render_for_signature(locked, leader, delegation, at)
        box = rendered.boxes["signature"]
        prepared = signers.prepare_interrupted(
            rendered.pdf,
            signer_cert=credential.certificate_pem.encode(),
            chain=chain,  # type: ignore[arg-type]
            field=signers.FieldSpec("LanhDao", SignatureBox(box.page, box.x1, box.y1, box.x2, box.y2)),
            image_png=_image_bytes(leader.signature_image) or _generated_signature(leader),
            signing_time=at,
        )
        locked.layout = {name: [b.page, b.x1, b.y1, b.x2, b.y2] for name, b in rendered.boxes.items()}
        locked.pending_signature = {
            "leader": leader.pk,
            "delegation": delegation.pk if delegation else None,
            "at": at.isoformat(),
            "state": prepared.state.decode(),
            "credential": credential.label,
        }
        locked.save(update_fields=["data", "layout", "pending_signature"])
        _event(locked, "agent_prepared", leader, DocumentStatus.DRAFT, DocumentStatus.DRAFT, {})
    return {
        "to_sign": base64.b64encode(prepared.to_sign).decode(),
        "digest": base64.b64encode(prepared.digest).decode(),
        "digest_algorithm": prepared.digest_algorithm,
        "signature_algorithm": prepared.signature_algorithm,
    }


def complete_agent_signature(*, document: IssuedDocument, leader: Staff, signature: bytes) -> IssuedDocument:
    """Interrupted signing, step 2: embed the agent's signature. Only the leader the signature was prepared
    for may complete it, and the signature must verify against their certificate."""
    from taicho.signing import signers

    with transaction.atomic():
        locked = _lock(document, DocumentStatus.DRAFT)
        pending = locked.pending_signature
        if not pending or pending.get("leader") != leader.pk:
            raise Conflict(_("Không có chữ ký nào đang chờ %(name)s cho văn bản này.") % {"name": leader})
        try:
            signed = signers.complete_interrupted(pending["state"].encode(), signature)
        except ValueError as exc:
            raise DomainError(str(exc)) from exc
        delegation = (
            Delegation.objects.filter(pk=pending["delegation"]).first() if pending["delegation"] else None
        )
        _mark_signed(
            locked,
            leader,
            delegation,
            datetime.fromisoformat(pending["at"]),
            signed,
            {"credential": pending["credential"], "agent": True},
        )
    return locked


def seal_document(
    *, document: IssuedDocument | int, clerk: Staff, at: datetime | None = None, savepoint: bool = True
) -> IssuedDocument:
    """The clerk who holds the agency's seal applies the e-seal (step 4, đóng dấu): a second, incremental
    signature with the organisation's certificate. ``savepoint``: as in `approve_document`."""
    from taicho.signing.sign import SignatureBox, apply_seal

    at = at or timezone.now()
    with transaction.atomic(savepoint=savepoint):
        locked = _lock(document, DocumentStatus.SIGNED)
        if not clerk.has_role(Role.SEAL_CLERK) or clerk.agency_id != locked.agency_id:
            raise NotAllowed(
                _("Chỉ văn thư giữ con dấu của %(agency)s được đóng dấu văn bản này.")
                % {"agency": locked.agency.name}
            )
        credential = signing.seal_credential(locked.agency)
        signer = signing.signer_for(credential)
        roots, crls = _trust()
        _check(signer, at, roots, crls)
        page, x1, y1, x2, y2 = locked.layout.get("seal") or locked.layout["signature"]
        with locked.pdf.open("rb") as fh:
            current = fh.read()
        sealed = apply_seal(
            current,
            signer=signer,
            box=SignatureBox(page, x1, y1, x2, y2),
            seal_png=_image_bytes(locked.agency.seal_image) or _generated_seal(locked.agency),
            agency_name=locked.agency.name,
            signing_time=at,
            timestamp_url=settings.TIMESTAMP_URL or None,
            fetch_revocation=settings.FETCH_REVOCATION,
            trust_roots=roots,
            crls=crls,
        )
        _store_pdf(locked, sealed)
        locked.status = DocumentStatus.SEALED
        locked.sealed_by = clerk
        locked.sealed_at = at
        update_row(locked, ["pdf", "sha256", "status", "sealed_by", "sealed_at"])
        _event(
            locked,
            "sealed",
            clerk,
            DocumentStatus.SIGNED,
            DocumentStatus.SEALED,
            {"credential": credential.label},
        )
    return locked


class ReleaseRefused(DomainError):
    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message, code="release_refused")
        self.problems = problems


def release_document(
    *, document: IssuedDocument | int, by: Staff | None, savepoint: bool = True
) -> IssuedDocument:
    """Release the electronic result only when every signature on it validates (domain.md §2: before release
    the system verifies that it carries valid signatures). A refusal is recorded with its reasons (by the
    caller, `record_release_refusal`, when this runs inside its transaction: the refusal rolls that back).
    ``savepoint``: as in `approve_document`."""
    from taicho.signing.validate import validate_pdf

    with transaction.atomic(savepoint=savepoint):
        locked = _lock(document, DocumentStatus.SEALED)
        # The stored file is what is released and served, so it is what is validated.
        with locked.pdf.open("rb") as fh:
            content = fh.read()
        roots, crls = signing.trust_material()
        report = validate_pdf(content, trust_roots=roots, crls=crls, expect_seal=True)
        summary = report_summary(report)
        if report.ok and hashlib.sha256(content).hexdigest() == locked.sha256:
            locked.status = DocumentStatus.RELEASED
            locked.released_at = timezone.now()
            locked.validation = summary
            update_row(locked, ["status", "released_at", "validation"])
            _event(
                locked,
                "released",
                by,
                DocumentStatus.SEALED,
                DocumentStatus.RELEASED,
                {"sha256": locked.sha256},
            )
            return locked
    problems = (
        list(report.problems)
        or [p for s in report.signatures for p in s.problems]
        or [_("Tệp đã thay đổi sau khi đóng dấu.")]
    )
    record_release_refusal(document=locked, by=by, problems=problems)
    raise ReleaseRefused(
        _("Không phát hành: chữ ký trên văn bản không hợp lệ. %(why)s") % {"why": " ".join(problems)},
        problems,
    )


def record_release_refusal(*, document: IssuedDocument | int, by: Staff | None, problems: list[str]) -> None:
    """Record that the release was refused and why (an append-only DocumentEvent, in its own transaction when
    called outside one)."""
    pk = document if isinstance(document, int) else document.pk
    with transaction.atomic():
        DocumentEvent.objects.create(
            document_id=pk,
            action="release_refused",
            actor=by,
            from_status=DocumentStatus.SEALED,
            to_status=DocumentStatus.SEALED,
            detail={"problems": problems},
        )


def report_summary(report: Any) -> dict[str, Any]:
    """What the validation found, as JSON for the record and the public page (no personal data beyond the
    signers' names and titles the paper shows)."""
    return {
        "ok": report.ok,
        "sha256": report.sha256,
        "problems": list(report.problems),
        "signatures": [
            {
                "field": s.field,
                "signer": s.signer_name,
                "organisation": s.signer_is_organisation,
                "signing_time": timezone.localtime(s.signing_time).isoformat() if s.signing_time else None,
                "intact": s.intact,
                "trusted": s.trusted,
                "valid_at_signing_time": s.valid_at_signing_time,
                "modification_level": s.modification_level,
                "covers_whole_document": s.covers_whole_document,
                "certificate_subject": s.certificate_subject,
                "certificate_serial": format(s.certificate_serial, "x"),
            }
            for s in report.signatures
        ],
    }


# --- helpers ---------------------------------------------------------------------------------------------


#: The paper's row lock with its related rows, compiled once per connection (`core.prepared`), per set of
#: related rows asked for.
_LOCKS: dict[tuple[str, ...], Prepared[IssuedDocument]] = {}


def _lock(document: IssuedDocument | int, expected: str, *related: str) -> IssuedDocument:
    pk = document if isinstance(document, int) else document.pk
    query = _LOCKS.get(related)
    if query is None:
        query = _LOCKS[related] = Prepared(
            lambda pk: (
                IssuedDocument.objects.select_for_update(of=("self",))
                .select_related("agency", "procedure", *related)
                .filter(pk=pk)
            ),
            IssuedDocument._meta.pk,  # type: ignore[arg-type]
        )
    locked = query.get(pk)
    if locked.status != expected:
        raise Conflict(
            _(
                "Văn bản đang ở trạng thái “%(now)s”, không thực hiện được bước này (có thể người khác vừa thực hiện)."
            )
            % {"now": locked.get_status_display()}
        )
    return locked


def _own_authority(leader: Staff, agency: Agency) -> None:
    if not (leader.has_role(Role.APPROVER) and leader.agency_id == agency.pk):
        raise PermissionDenied(
            _("%(name)s không có thẩm quyền ký văn bản của %(agency)s.")
            % {"name": leader, "agency": agency.name}
        )


def _event(
    document: IssuedDocument, action: str, actor: Staff | None, old: str, new: str, detail: dict | None = None
) -> None:
    create_row(
        DocumentEvent,
        document=document,
        action=action,
        actor=actor,
        from_status=old,
        to_status=new,
        detail=detail or {},
    )


def _store_pdf(document: IssuedDocument, content: bytes) -> None:
    document.sha256 = hashlib.sha256(content).hexdigest()
    name = f"{document.verification_code}-{document.sha256[:12]}.pdf"
    document.pdf.save(name, ContentFile(content), save=False)


def _image_bytes(field: Any) -> bytes | None:
    if not field:
        return None
    with field.open("rb") as fh:
        return fh.read()


def _generated_signature(staff: Staff) -> bytes:
    from taicho.signing.pki import signature_image_png

    return signature_image_png(staff.full_name)


def _generated_seal(agency: Agency) -> bytes:
    from taicho.signing.pki import seal_image_png

    return seal_image_png(
        agency.name, parent_name=agency.parent.name if agency.parent_id and agency.parent else ""
    )
