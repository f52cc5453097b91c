"""The certification register (sổ chứng thực, Decree 23/2015/NĐ-CP; Circular 01/2020/TT-BTP): each copy
certification takes the next number of its agency's register for the year when the leader signs — in signing
order, from 1 each year, never twice, never skipped by a signature that failed, never typed by the appraiser."""

from __future__ import annotations

import subprocess
from datetime import datetime

import pytest

from taicho.core.errors import DomainError
from taicho.documents.services import (
    approve_document,
    draft_result,
    prepare_agent_signature,
    revise_draft,
)

from .conftest import VN, copy_certification_data

pytestmark = pytest.mark.django_db


def _draft(people, *, agency_code="000.00.12.H49", data=None, code="000.00.12.H49-261128-0002"):
    from taicho.catalog.models import Procedure
    from taicho.org.models import Agency

    return draft_result(
        agency=Agency.objects.get(code=agency_code),
        procedure=Procedure.objects.get(code="2.000815"),
        template="copy_certification",
        title="Bản sao được chứng thực từ bản chính",
        data=copy_certification_data() if data is None else data,
        created_by=people["tiepnhan"],
        dossier_code=code,
        owner_id="022186001234",
    )


def _text(document) -> str:
    pdf = document.pdf.open("rb").read()
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=False).stdout
    return " ".join(out.decode().split())


def test_certifications_are_numbered_in_signing_order(draft, people):
    later_drafted = _draft(people)
    first = approve_document(document=later_drafted, leader=people["lanhdao"])
    second = approve_document(document=draft, leader=people["lanhdao"])
    assert first.data["certification_number"] == "1"  # signed first, whatever the drafting order
    assert second.data["certification_number"] == "2"
    assert second.data["book_number"] == "01/2026"  # what the appraiser drafted
    if subprocess.run(["which", "pdftotext"], capture_output=True).returncode == 0:
        assert "Số chứng thực: 2, Quyển số: 01/2026-SCT/BS" in _text(second)


def test_each_agency_keeps_its_own_register(draft, people):
    approve_document(document=draft, leader=people["lanhdao"])
    commune = _draft(people, agency_code="000.00.31.H49", code="000.00.31.H49-261128-0001")
    signed = approve_document(document=commune, leader=people["chutichxa"])
    assert signed.data["certification_number"] == "1"


def test_the_register_starts_again_with_the_year_of_vietnam(people):
    """The year is the local one: 31/12 17:30 UTC is already 1 January in Hà Nội."""
    data = copy_certification_data() | {"book_number": ""}
    old_year = approve_document(
        document=_draft(people, data=data),
        leader=people["lanhdao"],
        at=datetime(2026, 12, 31, 16, 59, tzinfo=VN),
    )
    new_year = approve_document(
        document=_draft(people, data=data),
        leader=people["lanhdao"],
        at=datetime(2027, 1, 1, 0, 30, tzinfo=VN),
    )
    assert (old_year.data["certification_number"], old_year.data["book_number"]) == ("1", "01/2026")
    assert (new_year.data["certification_number"], new_year.data["book_number"]) == ("1", "01/2027")


def test_a_failed_signature_gives_its_number_back(people):
    unreadable = copy_certification_data()
    del unreadable[
        "document_name"
    ]  # the paper cannot be rendered: the signature fails after the number was taken
    broken = _draft(people, data=unreadable)
    with pytest.raises(Exception, match="document_name"):
        approve_document(document=broken, leader=people["lanhdao"])
    broken.refresh_from_db()
    assert "certification_number" not in broken.data
    assert (
        approve_document(document=_draft(people), leader=people["lanhdao"]).data["certification_number"]
        == "1"
    )


def test_the_appraiser_cannot_type_the_number(people):
    with pytest.raises(DomainError, match="Số chứng thực do hệ thống cấp theo sổ chứng thực") as refused:
        _draft(people, data=copy_certification_data() | {"certification_number": "7"})
    assert refused.value.code == "register_number_given"


def test_a_prepared_agent_signature_keeps_its_number_through_a_redraft(draft, people):
    prepare_agent_signature(document=draft, leader=people["lanhdao"])
    draft.refresh_from_db()
    assert draft.data["certification_number"] == "1"
    revised = revise_draft(
        document=draft,
        template="copy_certification",
        title=draft.title,
        data=copy_certification_data() | {"copies": 3},
        number=draft.number,
        by=people["thamdinh"],
    )
    assert (revised.data["certification_number"], revised.data["copies"]) == ("1", 3)
    assert approve_document(document=revised, leader=people["lanhdao"]).data["certification_number"] == "1"
    assert (
        approve_document(document=_draft(people), leader=people["lanhdao"]).data["certification_number"]
        == "2"
    )
