"""A demo center with its PKI; helpers to take a copy certification through the steps."""

from __future__ import annotations

import io

import pytest
from PIL import Image


def scan_png(text: str = "scan") -> bytes:
    image = Image.new("RGB", (320, 200), "white")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def copy_cert(demo):
    from taicho.catalog.models import Procedure

    return Procedure.objects.get(code="2.000815")


@pytest.fixture
def applicant():
    from taicho.dossiers.services import Applicant

    return Applicant(
        name="Nguyễn Thị Lan Anh",
        id_number="022186001234",
        address="Tổ 3, khu 5, phường Hạ Long",
        phone="0912345678",
    )


def provided_all(procedure, *, files: bool = True, count: int = 2):
    from django.utils import timezone

    from taicho.dossiers.services import Provided, Upload

    version = procedure.version_on(timezone.localdate())
    return [
        Provided(
            component_id=c.pk,
            provided_as="original",
            count=count,
            files=[
                Upload("trang-1.png", scan_png(), "image/png"),
                Upload("trang-2.png", scan_png(), "image/png"),
            ]
            if files
            else [],
        )
        for c in version.components.filter(required=True)
    ]


RESULT_DATA = {
    "document_name": "Bằng tốt nghiệp trung học phổ thông số 0123456",
    "requester_name": "Nguyễn Thị Lan Anh",
    "pages": 1,
    "copies": 2,
    "fee": 4000,
    "book_number": "01/2026",
}


@pytest.fixture
def received(people, copy_cert, applicant):
    from taicho.dossiers.services import receive_dossier

    return receive_dossier(
        officer=people["tiepnhan"],
        procedure=copy_cert,
        applicant=applicant,
        components=provided_all(copy_cert),
    )


def to_approval(dossier, people, officer="thamdinh"):
    from taicho.dossiers.services import start_appraisal, submit_for_approval

    start_appraisal(dossier=dossier, officer=people[officer])
    return submit_for_approval(
        dossier=dossier,
        officer=people[officer],
        template="copy_certification",
        title="Bản sao được chứng thực từ bản chính",
        data=dict(RESULT_DATA),
        number="125/SCT-STP",
    )
