"""Two officers acting on the same dossier at once: exactly one succeeds, the other gets a clear message."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from taicho.core.errors import Conflict
from taicho.dossiers.models import DossierEvent


@pytest.mark.django_db(transaction=True)
def test_two_appraisers_start_the_same_dossier_at_once(settings, tmp_path):
    settings.PKI_DIR = tmp_path / "pki"
    settings.MEDIA_ROOT = tmp_path / "media"
    from taicho.catalog.models import Procedure
    from taicho.demo import build_demo
    from taicho.dossiers.services import Applicant, receive_dossier, start_appraisal
    from taicho.org.models import Staff

    from .conftest import provided_all

    build_demo()
    people = {s.username: s for s in Staff.objects.all()}
    procedure = Procedure.objects.get(code="2.000815")
    dossier = receive_dossier(
        officer=people["tiepnhan"],
        procedure=procedure,
        components=provided_all(procedure, files=False),
        applicant=Applicant(name="Nguyễn Thị Lan Anh", id_number="022186001234", address="Phường Hạ Long"),
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(username: str) -> None:
        barrier.wait()
        try:
            start_appraisal(dossier=dossier, officer=people[username])
            outcomes.append("ok")
        except Conflict as exc:
            assert "người khác vừa xử lý" in exc.message
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(u,)) for u in ("thamdinh", "tiepnhan")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert DossierEvent.objects.filter(dossier=dossier, action="start_appraisal").count() == 1
