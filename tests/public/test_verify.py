"""The public verification page the QR opens: authentic originals answer, forgeries are refused, nothing
personal beyond the paper, rate-limited."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from taicho.documents.services import approve_document, release_document, seal_document


@pytest.fixture
def released(draft, people):
    signed = approve_document(document=draft, leader=people["lanhdao"])
    return release_document(
        document=seal_document(document=signed, clerk=people["vanthu"]), by=people["vanthu"]
    )


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()


def test_the_page_shows_signers_seal_time_and_hash_but_not_the_owner(client, released):
    page = client.get(f"/v/{released.verification_code}").content.decode()
    assert "Văn bản điện tử gốc hợp lệ" in page
    assert "Phạm Quốc Hùng" in page and "Con dấu điện tử của cơ quan" in page
    assert released.sha256 in page and "000.00.12.H49-261127-0001" in page
    assert "022186001234" not in page  # the owner's ID number is not shown


def test_uploading_the_genuine_file_matches(client, released):
    original = released.pdf.open("rb").read()
    page = client.post(
        f"/v/{released.verification_code}",
        {"pdf": SimpleUploadedFile("goc.pdf", original, "application/pdf")},
    ).content.decode()
    assert "trùng khớp với bản điện tử gốc" in page


def test_a_forged_file_is_refused(client, released):
    forged = bytearray(released.pdf.open("rb").read())
    forged[len(forged) // 2] ^= 0x20
    page = client.post(
        f"/v/{released.verification_code}",
        {"pdf": SimpleUploadedFile("gia.pdf", bytes(forged), "application/pdf")},
    ).content.decode()
    assert "KHÔNG phải bản điện tử gốc" in page
    not_pdf = client.post(
        f"/v/{released.verification_code}", {"pdf": SimpleUploadedFile("x.pdf", b"hello", "application/pdf")}
    ).content.decode()
    assert "KHÔNG phải bản điện tử gốc" in not_pdf


def test_unknown_and_unreleased_codes_are_not_found(client, draft):
    assert client.get("/v/khong-ton-tai-123").status_code == 404
    assert client.get(f"/v/{draft.verification_code}").status_code == 404  # a draft is not public
    assert "Không tìm thấy văn bản" in client.get("/v/abc").content.decode()


def test_verification_codes_are_unguessable(draft):
    assert len(draft.verification_code) >= 16


def test_rate_limited(client, settings, released):
    settings.VERIFY_RATE_PER_MINUTE = 3
    codes = [client.get(f"/v/{released.verification_code}").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]


def test_tracking_a_dossier_by_the_code_on_the_receipt(client, people, demo):
    from taicho.catalog.models import Procedure
    from taicho.dossiers.services import Applicant, receive_dossier
    from tests.dossiers.conftest import provided_all

    procedure = Procedure.objects.get(code="2.000815")
    dossier = receive_dossier(
        officer=people["tiepnhan"],
        procedure=procedure,
        components=provided_all(procedure, files=False),
        applicant=Applicant(name="Nguyễn Thị Lan Anh", id_number="022186001234", address="Phường Hạ Long"),
    )
    page = client.get(f"/tra-cuu/{dossier.code}").content.decode()
    assert "Đã tiếp nhận" in page and "Sở Tư pháp tỉnh Quảng Ninh" in page
    assert "Nguyễn Thị Lan Anh" not in page and "022186001234" not in page
    assert client.get("/tra-cuu/000.00.12.H49-000000-9999").status_code == 404
