"""The center's director in a real browser: from the overview to a flag, from the flag to the dossier behind it,
then each agency against the plan's targets and the report."""

from __future__ import annotations

from tests.browser.conftest import SCREENSHOTS
from tests.dossiers.conftest import RESULT_DATA, provided_all


def _dossier_appraised_away_from_the_center():
    """A copy certification whose appraisal was done by an officer at the department's headquarters."""
    from taicho.catalog.models import Procedure
    from taicho.dossiers.services import (
        Applicant,
        approve,
        pay_and_return,
        receive_dossier,
        seal,
        start_appraisal,
        submit_for_approval,
    )
    from taicho.org.models import Staff
    from taicho.org.services import create_staff
    from taicho.supervision import stats

    people = {s.username: s for s in Staff.objects.all()}
    away = create_staff(
        username="thamdinh_so",
        password="mật-khẩu-thử-1",
        full_name="Lê Văn Sở",
        roles=["appraiser"],
        agency=people["thamdinh"].agency,
    )
    procedure = Procedure.objects.get(code="2.000815")
    dossier = receive_dossier(
        officer=people["tiepnhan"],
        procedure=procedure,
        applicant=Applicant(name="Nguyễn Thị Lan Anh", id_number="022186001234", address="phường Hạ Long"),
        components=provided_all(procedure),
    )
    start_appraisal(dossier=dossier, officer=away)
    submit_for_approval(
        dossier=dossier,
        officer=away,
        template="copy_certification",
        title="Bản sao được chứng thực từ bản chính",
        data=dict(RESULT_DATA),
        number="125/SCT-STP",
    )
    approve(dossier=dossier, leader=people["lanhdao"])
    seal(dossier=dossier, clerk=people["vanthu"])
    pay_and_return(
        dossier=dossier,
        officer=people["tiepnhan"],
        receiver_name="Nguyễn Thị Lan Anh",
        receiver_id="022186001234",
        amount=4000,
        receipt="BL-1",
    )
    stats.refresh()
    return dossier


def _in_a_thread(work):
    """Playwright's sync API keeps an event loop in the test's thread; signing (which runs its own) goes to
    another thread, as it would in the server."""
    import threading

    from django.db import connection

    box = {}

    def run():
        try:
            box["value"] = work()
        except BaseException as exc:  # re-raised in the test's thread
            box["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def test_the_director_follows_a_flag_to_the_dossier_and_sees_the_targets(as_user, demo_site):
    dossier = _in_a_thread(_dossier_appraised_away_from_the_center)
    page = as_user("giamdoc")
    page.click("#nav-supervision")
    page.wait_for_selector("#kpis")
    assert page.locator("#flags svg, .chart").count() >= 1
    page.click("#supervision-nav >> text=Kiểm tra thực chất")
    page.click("#flag-cards >> text=Hồ sơ 5 tại chỗ bị chuyển xử lý ngoài Trung tâm")
    page.wait_for_selector(f"text={dossier.code}")
    page.screenshot(path=str(SCREENSHOTS / "taicho-supervision-flag.png"), full_page=True)
    page.click(f"text={dossier.code}")
    page.wait_for_url(f"**/ho-so/{dossier.code}/")
    assert "Lê Văn Sở" in page.content()  # the officer at headquarters is in the dossier's timeline

    page.goto(f"{demo_site}/giam-sat/chi-tieu/")
    assert "Sở Tư pháp" in page.content()
    assert page.locator(".badge.light-green, .badge.light-yellow, .badge.light-red").count() >= 1
    page.screenshot(path=str(SCREENSHOTS / "taicho-supervision-compliance.png"), full_page=True)
    page.goto(f"{demo_site}/giam-sat/")
    href = page.get_attribute("#summary-pdf", "href")
    report = page.request.get(f"{demo_site}{href}")  # with the director's session
    assert report.ok and report.body().startswith(b"%PDF")
