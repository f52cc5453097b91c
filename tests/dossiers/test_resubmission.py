"""What the leader signs is what the appraiser last submitted: the paper's number is printed, a draft sent back
and submitted again is the new draft (the old one kept in the document's events), and the same-day
"appraise and submit" step through the API."""

from __future__ import annotations

import pytest

from taicho.documents.models import DocumentEvent
from taicho.dossiers.models import Dossier
from taicho.dossiers.services import approve, send_back, submit_for_approval
from taicho.dossiers.states import Status
from tests.dossiers.conftest import RESULT_DATA, to_approval
from tests.dossiers.test_api import Api, assert_error
from tests.dossiers.test_draft_preview import text_of

pytestmark = pytest.mark.django_db
TITLE = "Bản sao được chứng thực từ bản chính"


def _signed_text(dossier) -> str:
    dossier = Dossier.objects.select_related("result").get(pk=dossier.pk)
    return text_of(dossier.result.pdf.read())


def test_the_signed_result_prints_its_number(received, people):
    to_approval(received, people)  # number "125/SCT-STP"
    approve(dossier=received, leader=people["lanhdao"])
    assert "125/SCT-STP" in _signed_text(received)


def test_a_draft_sent_back_and_submitted_again_is_signed_as_resubmitted(received, people):
    to_approval(received, people)
    first = Dossier.objects.get(pk=received.pk).result_id
    send_back(dossier=received, leader=people["lanhdao"], reason="Sai tên giấy tờ")
    submit_for_approval(
        dossier=received,
        officer=people["thamdinh"],
        template="copy_certification",
        title=TITLE,
        data=dict(RESULT_DATA) | {"document_name": "Giấy khai sinh số 77/2001"},
        number="126/SCT-STP",
    )
    again = Dossier.objects.get(pk=received.pk)
    assert again.status == Status.AWAITING_APPROVAL and again.result_id == first
    revised = DocumentEvent.objects.get(document_id=first, action="revised")
    assert revised.detail["earlier"]["number"] == "125/SCT-STP"
    assert revised.detail["earlier"]["data"]["document_name"] == RESULT_DATA["document_name"]
    approve(dossier=received, leader=people["lanhdao"])
    text = _signed_text(received)
    assert "Giấy khai sinh số 77/2001" in text and "126/SCT-STP" in text
    assert RESULT_DATA["document_name"] not in text


@pytest.fixture
def api(client, people) -> Api:
    from taicho.org.services import issue_api_token

    tokens = {name: issue_api_token(staff=people[name], name="kiểm thử") for name in ("tiepnhan", "thamdinh")}
    return Api(client, tokens)


def test_appraise_and_submit_through_the_api(api, received):
    body = {"template": "copy_certification", "title": TITLE, "data": RESULT_DATA, "number": "127/SCT-STP"}
    response = api.post("thamdinh", f"/api/dossiers/{received.code}/appraise-and-submit", body)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "awaiting_approval"
    actions = list(received.events.order_by("at", "pk").values_list("action", flat=True))
    assert actions[-2:] == ["start_appraisal", "submit_for_approval"]


def test_appraise_and_submit_refused_leaves_the_dossier_received(api, received):
    """A paper checked "Không đạt" refuses the submission; the appraisal is not started either."""
    component = received.components.first()
    body = {
        "template": "copy_certification",
        "title": TITLE,
        "data": RESULT_DATA,
        "checks": [{"component_id": component.component_id, "passed": False, "note": "Bản chụp mờ"}],
    }
    response = api.post("thamdinh", f"/api/dossiers/{received.code}/appraise-and-submit", body)
    assert_error(response, response.status_code, "checklist_failed")
    dossier = Dossier.objects.get(pk=received.pk)
    assert dossier.status == Status.RECEIVED and dossier.result_id is None
    assert not dossier.events.filter(action="start_appraisal").exists()


def test_the_form_after_a_send_back_starts_from_the_submitted_draft(client, received, people):
    """The appraiser corrects the draft the leader sent back, not a blank form."""
    from django.urls import reverse

    from tests.dossiers.test_views import login, page

    to_approval(received, people)
    send_back(dossier=received, leader=people["lanhdao"], reason="Sai số trang")
    html = page(login(client, "thamdinh").get(reverse("dossiers:detail", args=[received.code])))
    assert 'value="125/SCT-STP"' in html  # the number submitted
    assert f'value="{RESULT_DATA["document_name"]}"' in html  # and the paper's own fields
