"""Dossiers taken through the real services, for the supervision read models."""

from __future__ import annotations

import pytest

from tests.dossiers.conftest import RESULT_DATA, provided_all, scan_png, to_approval  # noqa: F401


@pytest.fixture
def copy_cert(demo):
    from taicho.catalog.models import Procedure

    return Procedure.objects.get(code="2.000815")


@pytest.fixture
def cycle(people, copy_cert):
    """Receive a copy certification and take it as far as `until` ("approval", "result", "returned",
    "rated")."""
    from taicho.dossiers.services import (
        Applicant,
        approve,
        pay_and_return,
        receive_dossier,
        seal,
        submit_rating,
    )

    def run(
        until: str = "rated", *, appraiser: str = "thamdinh", owner: str = "022186001234", overall: int = 5
    ):
        dossier = receive_dossier(
            officer=people["tiepnhan"],
            procedure=copy_cert,
            applicant=Applicant(name="Nguyễn Thị Lan Anh", id_number=owner, address="phường Hạ Long"),
            components=provided_all(copy_cert),
        )
        if until == "received":
            return dossier
        dossier = to_approval(dossier, people, officer=appraiser)
        if until == "approval":
            return dossier
        approve(dossier=dossier, leader=people["lanhdao"])
        seal(dossier=dossier, clerk=people["vanthu"])
        if until == "result":
            return dossier
        pay_and_return(
            dossier=dossier,
            officer=people["tiepnhan"],
            receiver_name="Nguyễn Thị Lan Anh",
            receiver_id=owner,
            amount=4000,
            receipt="BL-1",
        )
        if until == "returned":
            return dossier
        submit_rating(dossier=dossier, scores=[2] * 11, overall=overall)
        dossier.refresh_from_db()
        return dossier

    return run
