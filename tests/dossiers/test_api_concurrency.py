"""Two officers send the same step for the same dossier at the same instant, over real HTTP to a threaded live
server: exactly one 200, the other a 409 in Vietnamese. Runs on whichever database the suite uses (SQLite with
BEGIN IMMEDIATE, or PostgreSQL with SELECT … FOR UPDATE when DATABASE_URL points at it)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest

from taicho.dossiers.models import DossierEvent


def _post(url: str, token: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    request = urllib.request.Request(  # noqa: S310 - the test's own live server
        url,
        data=b"{}",
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_the_same_step_at_the_same_instant_gives_one_200_and_one_409(live_server, settings, tmp_path, round_):
    settings.PKI_DIR = tmp_path / "pki"
    settings.MEDIA_ROOT = tmp_path / "media"
    from taicho.catalog.models import Procedure
    from taicho.demo import build_demo
    from taicho.dossiers.services import Applicant, receive_dossier
    from taicho.org.models import Staff
    from taicho.org.services import issue_api_token

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
    tokens = [issue_api_token(staff=people[u], name="song song") for u in ("thamdinh", "tiepnhan")]
    url = f"{live_server.url}/api/dossiers/{dossier.code}/start-appraisal"
    barrier = threading.Barrier(len(tokens))
    outcomes: list[tuple[int, dict]] = []  # type: ignore[type-arg]

    def act(token: str) -> None:
        barrier.wait()
        outcomes.append(_post(url, token))

    threads = [threading.Thread(target=act, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(status for status, _body in outcomes) == [200, 409], outcomes
    refused = next(body for status, body in outcomes if status == 409)
    assert refused["error"]["code"] == "conflict"
    assert "người khác vừa xử lý" in refused["error"]["message"]
    assert DossierEvent.objects.filter(dossier=dossier, action="start_appraisal").count() == 1
