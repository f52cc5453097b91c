"""The director's pages: overview, indicators, substantive checks and their drill-down, with xlsx exports."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from taicho.supervision import checks, indicators, stats
from taicho.supervision.models import DossierFacts
from tests.supervision.conftest import provided_all


def _sheet_values(content: bytes) -> list[list]:
    book = load_workbook(io.BytesIO(content))
    return [[c for c in row] for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def year(cycle, people, copy_cert, make_staff):
    """Three dossiers: one returned and well rated, one appraised away from the center and badly rated, and one
    still waiting (past its appointment, no apology)."""
    from taicho.dossiers.services import Applicant, receive_dossier

    good = cycle("rated", overall=5)
    # An appraiser of the department working at its headquarters, not at the center.
    people["away"] = make_staff("appraiser", agency=people["thamdinh"].agency, username="thamdinh_so")
    bad = cycle("rated", owner="022186003333", overall=1, appraiser="away")
    late = receive_dossier(
        officer=people["tiepnhan"],
        procedure=copy_cert,
        applicant=Applicant(name="Trần Văn Bình", id_number="022186004444", address="phường Hạ Long"),
        components=provided_all(copy_cert),
    )
    # Time passes: its appointment is now behind us.
    type(late).objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=2))
    stats.refresh()
    return {"good": good, "bad": bad, "late": late}


def test_indicators_and_flags_count_what_happened(year, demo):
    from taicho.org.models import Agency

    today = timezone.localdate()
    start = today - timedelta(days=30)
    _rows, total = indicators.by_agency(start, today, Agency.objects.all())
    assert total.received == 3 and total.finished == 2 and total.late == 0
    assert total.on_time_rate == 100.0
    assert total.in_process == 1 and total.past_due == 1
    assert total.ratings == 2 and total.satisfaction == 3.0 and total.satisfied_rate == 50.0
    assert total.on_the_spot == 2 and total.on_the_spot_real == 1 and total.real_rate == 50.0
    assert total.digitized_rate == 100.0 and total.electronic_rate == 100.0

    found = {f.key: f.count for f in checks.flags(start, today, Agency.objects.all())}
    assert found["left_center"] == 1
    assert found["late_no_apology"] == 1
    assert found["supplement_excess"] == 0
    assert found["low_satisfaction_officer"] == 0  # two ratings are not enough to judge
    assert DossierFacts.objects.get(pk=year["bad"].pk).left_center


def test_low_satisfaction_needs_enough_ratings(year, monkeypatch, people):
    from taicho.org.models import Agency

    today = timezone.localdate()
    period = (today - timedelta(days=30), today, Agency.objects.all())
    monkeypatch.setattr(checks, "MIN_RATINGS", 3)
    assert {f.key: f.count for f in checks.flags(*period)}["low_satisfaction_officer"] == 0
    monkeypatch.setattr(
        checks, "MIN_RATINGS", 2
    )  # the officer who handed both over: 5 and 1, average 3 < 3.5
    assert {f.key: f.count for f in checks.flags(*period)}["low_satisfaction_officer"] == 1
    table = checks.flag_items("low_satisfaction_officer", *period)
    assert table.rows == [[people["tiepnhan"].get_full_name(), people["tiepnhan"].agency.name, 2, 2, 3.0, 1]]


def test_pages_render_for_the_director_and_export_xlsx(year, client, people):
    client.force_login(people["giamdoc"])
    today = timezone.localdate()
    query = f"tu={(today - timedelta(days=30)).isoformat()}&den={today.isoformat()}"
    for url in ("/giam-sat/", "/giam-sat/chi-so/", "/giam-sat/thuc-chat/"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200, url
        assert "<svg" in response.content.decode() or url == "/giam-sat/thuc-chat/"
    page = client.get(f"/giam-sat/thuc-chat/?{query}").content.decode()
    assert "Hồ sơ 5 tại chỗ bị chuyển xử lý ngoài Trung tâm" in page

    drill = client.get(f"/giam-sat/thuc-chat/left_center/?{query}").content.decode()
    assert year["bad"].code in drill and year["good"].code not in drill
    late = client.get(f"/giam-sat/thuc-chat/late_no_apology/?{query}").content.decode()
    assert year["late"].code in late
    assert client.get(f"/giam-sat/thuc-chat/khong-co/?{query}").status_code == 404

    export = client.get(f"/giam-sat/chi-so/?{query}&xlsx=1")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    cells = _sheet_values(export.content)
    total_row = next(r for r in cells if r and r[0] == "Toàn Trung tâm")
    assert total_row[2:5] == (3, 2, total_row[4]) or list(total_row[2:4]) == [3, 2]
    flagged = _sheet_values(client.get(f"/giam-sat/thuc-chat/left_center/?{query}&xlsx=1").content)
    assert any(r and r[0] == year["bad"].code for r in flagged)


def test_a_receiving_officer_may_not_see_supervision(client, people, demo):
    client.force_login(people["tiepnhan"])
    assert client.get("/giam-sat/").status_code == 403
    assert client.get("/giam-sat/thuc-chat/left_center/").status_code == 403
