"""The appraiser's checklist of the papers (issue item 3): "Đạt" / "Không đạt" with a note per component, who
and when, an append-only event; no submission for approval while a paper fails; a supplement request starts
from the failed papers and their notes; a supplemented paper is checked again. Through the services, the page
and the API."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from taicho.core.errors import Conflict, DomainError, NotAllowed
from taicho.dossiers import selectors
from taicho.dossiers.models import ComponentCheck, DossierEvent
from taicho.dossiers.services import (
    Check,
    Provided,
    Upload,
    appraise_and_submit,
    receive_dossier,
    record_checklist,
    request_supplement,
    start_appraisal,
    submit_for_approval,
    supplement_received,
)
from taicho.dossiers.states import Status
from tests.dossiers.conftest import RESULT_DATA, provided_all, scan_png
from tests.dossiers.test_api import Api, assert_error
from tests.dossiers.test_views import act, detail, draft_post, login, page

pytestmark = pytest.mark.django_db

BLURRED = "Bản chụp mờ, không đọc được số hiệu văn bằng."


@pytest.fixture
def appraising(received, people):
    return start_appraisal(dossier=received, officer=people["thamdinh"])


@pytest.fixture
def two_papers(people, copy_cert, applicant):
    """A copy certification whose procedure also lists an optional form, both brought: two papers to check."""
    from taicho.catalog.models import Component

    version = copy_cert.version_on(timezone.localdate())
    form = Component.objects.create(
        version=version,
        ordinal=version.components.count() + 1,
        name="Tờ khai yêu cầu chứng thực",
        required=False,
        copies=1,
    )
    dossier = receive_dossier(
        officer=people["tiepnhan"],
        procedure=copy_cert,
        applicant=applicant,
        components=[
            *provided_all(copy_cert),
            Provided(form.pk, "original", files=[Upload("to-khai.png", scan_png(), "image/png")]),
        ],
    )
    return start_appraisal(dossier=dossier, officer=people["thamdinh"])


def papers(dossier) -> list[int]:
    """The component ids of the dossier's papers, in order."""
    return list(dossier.components.order_by("component__ordinal").values_list("component_id", flat=True))


def submit(dossier, officer, **extra):
    return submit_for_approval(
        dossier=dossier,
        officer=officer,
        template="copy_certification",
        title="Bản sao được chứng thực từ bản chính",
        data=dict(RESULT_DATA),
        **extra,
    )


def checks_of(dossier) -> dict[int, ComponentCheck]:
    return {
        c.dossier_component.component_id: c
        for c in ComponentCheck.objects.filter(dossier_component__dossier=dossier).select_related(
            "dossier_component"
        )
    }


# --- recording ----------------------------------------------------------------------------------------------


def test_checks_are_recorded_with_who_and_when_in_an_append_only_event(two_papers, people):
    appraising = two_papers
    ids = papers(appraising)
    assert len(ids) == 2
    at = timezone.now() + timedelta(minutes=5)
    record_checklist(
        dossier=appraising,
        officer=people["thamdinh"],
        checks=[Check(ids[0], passed=False, note=BLURRED), *(Check(pk, passed=True) for pk in ids[1:])],
        at=at,
    )
    stored = checks_of(appraising)
    assert set(stored) == set(ids)
    assert not stored[ids[0]].passed and stored[ids[0]].note == BLURRED
    assert all(c.checked_by == people["thamdinh"] and c.checked_at == at for c in stored.values())
    event = DossierEvent.objects.get(dossier=appraising, action="record_checklist")
    # No state change: the checklist is recorded while appraising.
    assert (event.from_status, event.to_status, event.step) == (Status.APPRAISING,) * 2 + ("appraisal",)
    assert event.actor == people["thamdinh"] and event.at == at
    assert event.detail["checks"][0] == {"component_id": ids[0], "passed": False, "note": BLURRED}
    appraising.refresh_from_db()
    assert appraising.status == Status.APPRAISING


def test_a_failed_paper_needs_a_note_and_nothing_is_recorded_without_it(appraising, people):
    ids = papers(appraising)
    with pytest.raises(DomainError) as refused:
        record_checklist(dossier=appraising, officer=people["thamdinh"], checks=[Check(ids[0], False, "  ")])
    assert refused.value.code == "note_required" and "phải ghi rõ lý do" in refused.value.message
    assert not checks_of(appraising)
    assert not DossierEvent.objects.filter(dossier=appraising, action="record_checklist").exists()


def test_only_the_dossiers_own_papers_once_each(appraising, people, copy_cert):
    ids = papers(appraising)
    with pytest.raises(DomainError) as stranger:
        record_checklist(dossier=appraising, officer=people["thamdinh"], checks=[Check(999_999, True)])
    assert stranger.value.code == "invalid_checklist"
    with pytest.raises(DomainError) as twice:
        record_checklist(
            dossier=appraising,
            officer=people["thamdinh"],
            checks=[Check(ids[0], True), Check(ids[0], False, "x")],
        )
    assert twice.value.code == "invalid_checklist"
    assert not checks_of(appraising)


def test_an_unchanged_verdict_keeps_who_checked_it_and_writes_nothing(appraising, people):
    ids = papers(appraising)
    first = timezone.now() + timedelta(minutes=1)
    record_checklist(dossier=appraising, officer=people["thamdinh"], checks=[Check(ids[0], True)], at=first)
    record_checklist(
        dossier=appraising,
        officer=people["tiepnhan"],  # delegated to appraise copy certifications in the demo
        checks=[Check(ids[0], True)],
        at=first + timedelta(minutes=1),
    )
    check = checks_of(appraising)[ids[0]]
    assert (check.checked_by, check.checked_at) == (people["thamdinh"], first)
    assert DossierEvent.objects.filter(dossier=appraising, action="record_checklist").count() == 1


def test_only_an_appraiser_while_appraising(received, people):
    ids = papers(received)
    with pytest.raises(Conflict):  # received, not yet taken for appraisal
        record_checklist(dossier=received, officer=people["thamdinh"], checks=[Check(ids[0], True)])
    start_appraisal(dossier=received, officer=people["thamdinh"])
    with pytest.raises(NotAllowed):  # the leader approves; the appraiser checks
        record_checklist(dossier=received, officer=people["lanhdao"], checks=[Check(ids[0], True)])
    with pytest.raises(NotAllowed):  # another agency
        record_checklist(dossier=received, officer=people["canboxa"], checks=[Check(ids[0], True)])
    assert not checks_of(received)


# --- the rule: no approval while a paper fails -------------------------------------------------------------


def test_submission_is_refused_while_a_paper_stands_failed(appraising, people):
    ids = papers(appraising)
    record_checklist(dossier=appraising, officer=people["thamdinh"], checks=[Check(ids[0], False, BLURRED)])
    with pytest.raises(DomainError) as refused:
        submit(appraising, people["thamdinh"])
    assert refused.value.code == "checklist_failed"
    assert "Không đạt" in refused.value.message and "yêu cầu bổ sung" in refused.value.message
    appraising.refresh_from_db()
    assert appraising.status == Status.APPRAISING and appraising.result_id is None
    # Checked again and found right: the draft goes to the leader.
    record_checklist(dossier=appraising, officer=people["thamdinh"], checks=[Check(ids[0], True)])
    submit(appraising, people["thamdinh"])
    appraising.refresh_from_db()
    assert appraising.status == Status.AWAITING_APPROVAL


def test_checks_sent_with_the_submission_are_recorded_or_refuse_it(two_papers, people):
    appraising = two_papers
    ids = papers(appraising)
    with pytest.raises(DomainError) as refused:
        submit(appraising, people["thamdinh"], checks=[Check(ids[0], False, BLURRED)])
    assert refused.value.code == "checklist_failed"
    assert not checks_of(appraising)  # one transaction: a refused submission records nothing
    submit(appraising, people["thamdinh"], checks=[Check(pk, True) for pk in ids])
    assert all(c.passed for c in checks_of(appraising).values()) and len(checks_of(appraising)) == len(ids)
    event = DossierEvent.objects.get(dossier=appraising, action="submit_for_approval")
    assert event.detail["template"] == "copy_certification"
    assert [c["component_id"] for c in event.detail["checks"]] == ids


def test_the_same_day_path_with_a_failed_paper_leaves_the_dossier_received(received, people):
    ids = papers(received)
    with pytest.raises(DomainError):
        appraise_and_submit(
            dossier=received,
            officer=people["tiepnhan"],
            template="copy_certification",
            title="Bản sao được chứng thực từ bản chính",
            data=dict(RESULT_DATA),
            checks=[Check(ids[0], False, BLURRED)],
        )
    received.refresh_from_db()
    assert received.status == Status.RECEIVED and received.events.count() == 1 and not checks_of(received)


def test_clients_that_send_no_checks_keep_working(appraising, people):
    submit(appraising, people["thamdinh"])
    appraising.refresh_from_db()
    assert appraising.status == Status.AWAITING_APPROVAL
    event = DossierEvent.objects.get(dossier=appraising, action="submit_for_approval")
    assert event.detail == {"template": "copy_certification"}


# --- supplement: from the failed papers, and checked again after -------------------------------------------


def _pdftotext(pdf: bytes) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (poppler-utils) không có trên máy này")
    return subprocess.run(
        [tool, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def test_the_supplement_request_takes_the_failed_notes_as_its_reason(appraising, people):
    ids = papers(appraising)
    record_checklist(dossier=appraising, officer=people["thamdinh"], checks=[Check(ids[0], False, BLURRED)])
    request_supplement(dossier=appraising, officer=people["thamdinh"], components=[ids[0]], reason="")
    appraising.refresh_from_db()
    assert appraising.status == Status.SUPPLEMENT_REQUESTED
    event = DossierEvent.objects.get(dossier=appraising, action="request_supplement")
    name = appraising.version.components.get(pk=ids[0]).name
    assert event.reason == f"{name[:120]}: {BLURRED}"
    form02 = appraising.papers.get(form="02")
    text = " ".join(_pdftotext(form02.file.open("rb").read()).split())
    assert "mờ, không đọc được số hiệu văn bằng" in text  # the note is the row's "what to supplement"


def test_a_supplement_request_with_no_reason_and_no_note_is_refused(appraising, people):
    ids = papers(appraising)
    with pytest.raises(DomainError) as refused:
        request_supplement(dossier=appraising, officer=people["thamdinh"], components=[ids[0]], reason=" ")
    assert refused.value.code == "reason_required"


def test_the_supplemented_paper_is_checked_again(two_papers, people):
    appraising = two_papers
    ids = papers(appraising)
    others = [Check(pk, True) for pk in ids[1:]]
    record_checklist(
        dossier=appraising, officer=people["thamdinh"], checks=[Check(ids[0], False, BLURRED), *others]
    )
    request_supplement(dossier=appraising, officer=people["thamdinh"], components=[ids[0]], reason="")
    supplement_received(
        dossier=appraising,
        officer=people["tiepnhan"],
        components=[Provided(ids[0], "original", files=[Upload("moi.png", scan_png(), "image/png")])],
    )
    stored = checks_of(appraising)
    assert ids[0] not in stored  # the new paper has no verdict yet
    assert set(stored) == {ids[1]} and stored[ids[1]].passed  # the other paper keeps its verdict
    submit(appraising, people["thamdinh"])  # nothing stands failed any more
    appraising.refresh_from_db()
    assert appraising.status == Status.AWAITING_APPROVAL


# --- the control slip ----------------------------------------------------------------------------------------


def test_a_checklist_is_not_a_hand_over_and_its_time_counts_for_the_next_one():
    def event(action, used, budget=3600):
        return SimpleNamespace(action=action, used_seconds=used, budget_seconds=budget)

    events = [
        event("start_appraisal", 60),
        event("record_checklist", 3000),
        event("submit_for_approval", 1000),
    ]
    # 3000 + 1000 s against a 3600 s budget: late, although the submission alone took 1000 s.
    assert selectors.step_marks(events) == [selectors.MARK_EARLY, "", selectors.MARK_LATE]


def test_the_control_slip_leaves_out_the_checklist(appraising, people):
    ids = papers(appraising)
    record_checklist(dossier=appraising, officer=people["thamdinh"], checks=[Check(ids[0], True)])
    submit(appraising, people["thamdinh"])
    rows = selectors.control_slip(appraising)
    assert len(rows) == appraising.events.exclude(action="record_checklist").count()


# --- the page ------------------------------------------------------------------------------------------------


def test_the_page_shows_the_checklist_and_a_missing_note_loses_nothing(client, appraising, people):
    ids = papers(appraising)
    login(client, "thamdinh")
    html = page(client.get(detail(appraising.code)))
    assert 'id="checklist"' in html and f'name="check-{ids[0]}"' in html and 'id="btn-save-checklist"' in html
    posted = draft_post(copy_certification__document_name="Bằng cử nhân số 777") | {
        f"check-{ids[0]}": "failed",
        f"note-{ids[0]}": "",
    }
    response = client.post(act(appraising.code, "record_checklist"), posted)
    html = page(response)
    assert response.status_code == 400
    assert "Ghi rõ lý do không đạt" in html and "invalid-feedback" in html  # next to the note
    assert 'value="Bằng cử nhân số 777"' in html  # the draft as typed is still there
    assert f'name="check-{ids[0]}" value="failed" id="id_check-{ids[0]}_1" checked>' in html  # as ticked
    assert not checks_of(appraising)


def test_a_failed_paper_preselects_the_supplement_request_in_the_page(client, appraising, people):
    ids = papers(appraising)
    login(client, "thamdinh")
    posted = draft_post() | {f"check-{ids[0]}": "failed", f"note-{ids[0]}": BLURRED}
    response = client.post(act(appraising.code, "record_checklist"), posted)
    assert response.status_code == 302
    html = page(client.get(detail(appraising.code)))
    assert "Không đạt" in html and people["thamdinh"].full_name in html  # who checked
    assert 'id="checklist-warning"' in html
    assert '<details class="mb-1" id="supplement" open>' in html
    assert f'name="components" value="{ids[0]}" id="id_components_0" checked>' in html  # preselected
    assert BLURRED in html.split('id="supplement-form"')[1]  # the reason is prefilled with the note
    timeline = html.split('class="table table-sm small mb-0 timeline"')[1]
    assert "Kiểm tra thành phần hồ sơ" in timeline and "1 không đạt" in timeline


def test_submitting_with_a_failed_paper_in_the_page_is_refused_and_keeps_the_form(client, appraising):
    ids = papers(appraising)
    login(client, "thamdinh")
    posted = draft_post(copy_certification__document_name="Bằng cử nhân số 778") | {
        f"check-{ids[0]}": "failed",
        f"note-{ids[0]}": BLURRED,
    }
    response = client.post(act(appraising.code, "submit_for_approval"), posted)
    html = page(response)
    assert response.status_code == 400 and "alert-danger" in html and "Không trình ký được" in html
    assert 'value="Bằng cử nhân số 778"' in html and BLURRED in html
    appraising.refresh_from_db()
    assert appraising.status == Status.APPRAISING


def test_ticking_every_paper_and_submitting_in_the_page(client, appraising, people):
    ids = papers(appraising)
    login(client, "thamdinh")
    posted = draft_post() | {f"check-{pk}": "passed" for pk in ids}
    response = client.post(act(appraising.code, "submit_for_approval"), posted)
    assert response.status_code == 302
    appraising.refresh_from_db()
    assert appraising.status == Status.AWAITING_APPROVAL
    assert {pk: c.passed for pk, c in checks_of(appraising).items()} == dict.fromkeys(ids, True)
    login(client, "lanhdao")
    html = page(client.get(reverse("dossiers:detail", args=[appraising.code])))
    assert html.count("check-badge") == len(ids)  # the leader sees what the appraiser found


# --- the API -------------------------------------------------------------------------------------------------


@pytest.fixture
def api(client, people) -> Api:
    from taicho.org.services import issue_api_token

    tokens = {n: issue_api_token(staff=people[n], name="kiểm thử") for n in ("thamdinh", "lanhdao")}
    return Api(client, tokens)


def test_the_checklist_through_the_api(api, appraising, people):
    ids = papers(appraising)
    base = f"/api/dossiers/{appraising.code}"
    assert_error(
        api.post("thamdinh", base + "/checklist", {"checks": [{"component_id": ids[0], "passed": False}]}),
        422,
        "note_required",
        "phải ghi rõ lý do",
    )
    assert_error(api.post("thamdinh", base + "/checklist", {"checks": []}), 422, "invalid_request")
    assert_error(
        api.post("lanhdao", base + "/checklist", {"checks": [{"component_id": ids[0], "passed": True}]}),
        403,
        "not_allowed",
    )
    failed = {"checks": [{"component_id": ids[0], "passed": False, "note": BLURRED}]}
    response = api.post("thamdinh", base + "/checklist", failed)
    assert response.status_code == 200 and response.json()["status"] == "appraising"
    components = api.get("thamdinh", base).json()["components"]
    first = next(c for c in components if c["component_id"] == ids[0])
    assert first["check"]["passed"] is False and first["check"]["note"] == BLURRED
    assert first["check"]["checked_by"] == str(people["thamdinh"])
    body = {"template": "copy_certification", "title": "Bản sao", "data": RESULT_DATA}
    # A client that sends no checks is refused too while a paper stands failed.
    assert_error(api.post("thamdinh", base + "/submit-for-approval", body), 422, "checklist_failed")
    passed = body | {"checks": [{"component_id": pk, "passed": True} for pk in ids]}
    response = api.post("thamdinh", base + "/submit-for-approval", passed)
    assert response.status_code == 200 and response.json()["status"] == "awaiting_approval"
    assert_error(
        api.post("thamdinh", base + "/checklist", {"checks": [{"component_id": ids[0], "passed": True}]}),
        409,
        "conflict",
    )


def test_the_openapi_document_lists_the_checklist(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/dossiers/{code}/checklist" in paths
    submit_body = paths["/api/dossiers/{code}/submit-for-approval"]["post"]["requestBody"]
    assert "SubmitIn" in str(submit_body)
