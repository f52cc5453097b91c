"""Issuing a result: the leader signs (within authority or a delegation), the clerk seals, release only after the
signatures validate — checked by our validation and independently by poppler's pdfsig."""

from __future__ import annotations

import io
import threading
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.utils import timezone

from taicho.core.errors import Conflict, DomainError, NotAllowed
from taicho.documents.models import DocumentEvent, DocumentStatus, IssuedDocument
from taicho.documents.services import ReleaseRefused, approve_document, release_document, seal_document
from taicho.signing.models import TrustedRoot

from .conftest import demo_root, pdfsig_report


def issue(draft, people, leader="lanhdao"):
    signed = approve_document(document=draft, leader=people[leader])
    sealed = seal_document(document=signed, clerk=people["vanthu"])
    return release_document(document=sealed, by=people["vanthu"])


def test_sign_seal_validate_release(draft, people, tmp_path):
    released = issue(draft, people)
    assert released.status == DocumentStatus.RELEASED
    report = released.validation
    assert report["ok"] and len(report["signatures"]) == 2
    leader, seal = report["signatures"]
    assert not leader["organisation"] and seal["organisation"]
    assert seal["covers_whole_document"]
    assert [e.action for e in released.events.all()] == ["drafted", "signed", "sealed", "released"]
    assert (
        released.delegation.decision_number == "15/QĐ-STP"
    )  # KT. Phó Giám đốc under the director's decision

    pdf = tmp_path / "ket-qua.pdf"
    pdf.write_bytes(released.pdf.open("rb").read())
    out = pdfsig_report(pdf, TrustedRoot.objects.get().certificate_pem.encode(), tmp_path)
    if out is None:
        pytest.skip("pdfsig/certutil (poppler-utils, libnss3-tools) chưa được cài")
    assert out.count("Signature is Valid.") == 2, out
    assert (
        out.strip().splitlines()[-1].strip().endswith("Total document signed")
        or "Total document signed" in out.split("Signature #2")[1]
    )


def test_the_signature_block_follows_the_delegation(draft, people):
    signed = approve_document(document=draft, leader=people["lanhdao"])
    # The stored data stays what the appraiser drafted, with the certification register's number given at signing.
    assert signed.data == {**draft.data, "certification_number": "1"}
    import subprocess

    text = subprocess.run(
        ["pdftotext", "-", "-"], input=signed.pdf.open("rb").read(), capture_output=True
    ).stdout.decode()
    assert "KT. GIÁM ĐỐC" in text and "PHÓ GIÁM ĐỐC" in text and "Phạm Quốc Hùng" in text


def test_counter_officer_approves_copy_certification_by_authorisation(draft, people):
    signed = approve_document(document=draft, leader=people["tiepnhan"])
    assert signed.delegation.decision_number == "16/QĐ-STP"


def test_approval_outside_authority_is_refused_and_changes_nothing(draft, people):
    with pytest.raises(NotAllowed, match="không có thẩm quyền"):
        approve_document(document=draft, leader=people["thamdinh"])
    with pytest.raises(NotAllowed):
        approve_document(document=draft, leader=people["chutichxa"])  # a leader of another agency
    draft.refresh_from_db()
    assert draft.status == DocumentStatus.DRAFT and not draft.pdf
    assert list(draft.events.values_list("action", flat=True)) == ["drafted"]


def test_an_expired_certificate_is_refused(draft, people):
    from taicho.signing.models import SigningCredential

    credential = SigningCredential.objects.get(staff=people["lanhdao"])
    credential.is_active = False
    credential.save()
    from taicho.signing import pki
    from taicho.signing.services import pki_dir, register_credential

    old = pki.issue_personal(
        demo_root(),
        full_name="Phạm Quốc Hùng",
        personal_id="022078003456",
        agency="Sở Tư pháp",
        not_before=timezone.now() - timedelta(days=800),
        valid_days=30,
    )
    path = pki_dir() / "expired.p12"
    path.write_bytes(old.p12)
    register_credential(
        holder="person",
        kind="pkcs12",
        label="DEMO hết hạn",
        certificate_pem=old.certificate_pem,
        chain_pem=old.chain_pem,
        staff=people["lanhdao"],
        p12_path=str(path),
        p12_password=old.password.decode(),
    )
    with pytest.raises(DomainError, match="hết hạn"):
        approve_document(document=draft, leader=people["lanhdao"])
    draft.refresh_from_db()
    assert draft.status == DocumentStatus.DRAFT


def test_a_revoked_certificate_is_refused(draft, people):
    from taicho.signing import pki
    from taicho.signing.models import SigningCredential

    root = demo_root()
    serial = int(SigningCredential.objects.get(staff=people["lanhdao"]).serial, 16)
    TrustedRoot.objects.update(crl_der=pki.make_crl(root, [serial]))
    with pytest.raises(DomainError, match="thu hồi"):
        approve_document(document=draft, leader=people["lanhdao"])


def test_a_revocation_published_after_a_signature_is_honoured_at_the_next(draft, people):
    """The trust decision is cached per certificate and CRL: a CRL published afterwards is a new decision."""
    from taicho.signing import pki
    from taicho.signing.models import SigningCredential

    from .conftest import copy_certification_data

    signed = approve_document(document=draft, leader=people["lanhdao"])  # trusted, and cached
    seal_document(document=signed, clerk=people["vanthu"])
    second = IssuedDocument.objects.create(
        kind="result",
        template="copy_certification",
        title=draft.title,
        agency=draft.agency,
        procedure=draft.procedure,
        dossier_code="000.00.12.H49-261127-0002",
        owner_id=draft.owner_id,
        data=copy_certification_data(),
    )
    serial = int(SigningCredential.objects.get(staff=people["lanhdao"]).serial, 16)
    TrustedRoot.objects.update(crl_der=pki.make_crl(demo_root(), [serial]))
    with pytest.raises(DomainError, match="thu hồi"):
        approve_document(document=second, leader=people["lanhdao"])
    second.refresh_from_db()
    assert second.status == DocumentStatus.DRAFT


def test_a_revoked_seal_certificate_is_refused_after_a_cached_seal(draft, people):
    from taicho.signing import pki
    from taicho.signing.models import SigningCredential

    from .conftest import copy_certification_data

    first = issue(draft, people)
    assert first.status == DocumentStatus.RELEASED
    second = approve_document(
        document=IssuedDocument.objects.create(
            kind="result",
            template="copy_certification",
            title=draft.title,
            agency=draft.agency,
            procedure=draft.procedure,
            dossier_code="000.00.12.H49-261127-0002",
            owner_id=draft.owner_id,
            data=copy_certification_data(),
        ),
        leader=people["lanhdao"],
    )
    seal = SigningCredential.objects.get(holder="organisation", agency=draft.agency, is_active=True)
    TrustedRoot.objects.update(crl_der=pki.make_crl(demo_root(), [int(seal.serial, 16)]))
    with pytest.raises(DomainError, match="thu hồi"):
        seal_document(document=second, clerk=people["vanthu"])
    second.refresh_from_db()
    assert second.status == DocumentStatus.SIGNED


def test_only_the_agency_clerk_seals(draft, people):
    signed = approve_document(document=draft, leader=people["lanhdao"])
    for who in ("thamdinh", "lanhdao", "vanthuxa"):
        with pytest.raises(NotAllowed, match="văn thư"):
            seal_document(document=signed, clerk=people[who])
    with pytest.raises(Conflict):
        release_document(document=signed, by=people["vanthu"])  # not sealed yet


def test_steps_cannot_be_repeated(draft, people):
    signed = approve_document(document=draft, leader=people["lanhdao"])
    with pytest.raises(Conflict, match="trạng thái"):
        approve_document(document=draft, leader=people["giamdocso"])
    seal_document(document=signed, clerk=people["vanthu"])
    with pytest.raises(Conflict):
        seal_document(document=signed, clerk=people["vanthu"])


def _tamper(document: IssuedDocument, content: bytes) -> None:
    name = document.pdf.name
    storage = document.pdf.storage
    storage.delete(name)
    storage.save(name, io.BytesIO(content))


def test_a_byte_flipped_after_sealing_blocks_release(draft, people):
    sealed = seal_document(
        document=approve_document(document=draft, leader=people["lanhdao"]), clerk=people["vanthu"]
    )
    content = bytearray(sealed.pdf.open("rb").read())
    index = content.index(b"/Contents", 200) - 50
    content[index] = (content[index] + 1) % 256
    _tamper(sealed, bytes(content))
    with pytest.raises(ReleaseRefused) as exc:
        release_document(document=sealed, by=people["vanthu"])
    assert exc.value.problems
    sealed.refresh_from_db()
    assert sealed.status == DocumentStatus.SEALED
    assert DocumentEvent.objects.filter(document=sealed, action="release_refused").exists()


def test_an_update_appended_after_the_seal_blocks_release(draft, people):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    sealed = seal_document(
        document=approve_document(document=draft, leader=people["lanhdao"]), clerk=people["vanthu"]
    )
    from pyhanko.pdf_utils import generic

    original = sealed.pdf.open("rb").read()
    writer = IncrementalPdfFileWriter(io.BytesIO(original))
    writer.root["/Lang"] = generic.pdf_string("vi")  # any change after the last signature
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    assert out.getvalue().startswith(original) and len(out.getvalue()) > len(original)
    _tamper(sealed, out.getvalue())
    with pytest.raises(ReleaseRefused) as exc:
        release_document(document=sealed, by=people["vanthu"])
    assert "toàn bộ" in " ".join(exc.value.problems)  # our validation, not only the stored hash, refuses it


@pytest.mark.django_db(transaction=True)
def test_two_leaders_signing_at_once_only_one_succeeds(settings, tmp_path):
    settings.PKI_DIR = tmp_path / "pki"
    settings.MEDIA_ROOT = tmp_path / "media"
    from taicho.demo import build_demo
    from taicho.org.models import Staff

    from .conftest import copy_certification_data

    build_demo()
    from taicho.catalog.models import Procedure
    from taicho.documents.services import draft_result
    from taicho.org.models import Agency

    people = {s.username: s for s in Staff.objects.all()}
    document = draft_result(
        agency=Agency.objects.get(code="000.00.12.H49"),
        procedure=Procedure.objects.get(code="2.000815"),
        template="copy_certification",
        title="Bản sao được chứng thực từ bản chính",
        data=copy_certification_data(),
        created_by=people["tiepnhan"],
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def sign(username: str) -> None:
        barrier.wait()
        try:
            approve_document(document=document, leader=people[username])
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign, args=(u,)) for u in ("lanhdao", "giamdocso")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert DocumentEvent.objects.filter(document=document, action="signed").count() == 1


def test_verify_pdf_command(draft, people, tmp_path):
    released = issue(draft, people)
    good = tmp_path / "goc.pdf"
    good.write_bytes(released.pdf.open("rb").read())
    out = io.StringIO()
    call_command("verify-pdf", str(good), stdout=out)
    text = out.getvalue()
    assert "Phạm Quốc Hùng" in text and "Sở Tư pháp tỉnh Quảng Ninh" in text
    bad = tmp_path / "sua.pdf"
    content = bytearray(good.read_bytes())
    content[len(content) // 3] ^= 0x01
    bad.write_bytes(bytes(content))
    with pytest.raises(CommandError, match="KHÔNG hợp lệ"):
        call_command("verify-pdf", str(bad), stdout=io.StringIO())
