"""The draft result before it is signed: the appraiser's "Xem trước" renders the filled template with the
dossier's data through the same renderer as the signed paper, marked as a draft, and saves nothing; the leader
opens the submitted, unsigned draft from the approval page. Through the services, the page and the API."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.urls import reverse

from taicho.core.errors import Conflict, DomainError, NotAllowed
from taicho.documents.models import DocumentEvent, IssuedDocument
from taicho.dossiers.models import Dossier, DossierEvent
from taicho.dossiers.services import approve, draft_pdf, preview_result, start_appraisal
from taicho.dossiers.states import Status
from tests.dossiers.conftest import RESULT_DATA, to_approval
from tests.dossiers.test_api import Api, assert_error
from tests.dossiers.test_views import draft_post, login, page

pytestmark = pytest.mark.django_db

MARK = "DỰ THẢO – CHƯA CÓ GIÁ TRỊ PHÁP LÝ"
TITLE = "Bản sao được chứng thực từ bản chính"


def text_of(pdf: bytes) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (poppler-utils) không có trên máy này")
    out = subprocess.run([tool, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def snapshot(dossier) -> tuple:
    """Everything a preview must leave as it was."""
    row = Dossier.objects.get(pk=dossier.pk)
    return (
        row.status,
        row.row_version,
        row.result_id,
        DossierEvent.objects.filter(dossier=dossier).count(),
        IssuedDocument.objects.count(),
        DocumentEvent.objects.count(),
        row.papers.count(),
    )


def preview(dossier, officer, **data):
    return preview_result(
        dossier=dossier,
        officer=officer,
        template="copy_certification",
        title=TITLE,
        data=dict(RESULT_DATA) | data,
    )


# --- the appraiser's preview --------------------------------------------------------------------------------


@pytest.mark.parametrize("appraise_first", [True, False], ids=["appraising", "received"])
def test_the_preview_is_a_marked_pdf_of_the_filled_template_and_saves_nothing(
    received, people, appraise_first
):
    if appraise_first:
        start_appraisal(dossier=received, officer=people["thamdinh"])
    before = snapshot(received)
    pdf = preview(received, people["thamdinh"], document_name="Bằng tốt nghiệp số 0999")
    assert pdf.startswith(b"%PDF-")
    text = text_of(pdf)
    assert MARK in text
    assert "CHỨNG THỰC BẢN SAO ĐÚNG VỚI BẢN CHÍNH" in text  # the result template itself
    assert "Bằng tốt nghiệp số 0999" in text and RESULT_DATA["requester_name"] in text  # what was typed
    assert received.agency.name.upper() in text  # and the dossier's data (_form_common)
    assert snapshot(received) == before  # no document, no event, the dossier as it was


def test_the_preview_is_refused_to_others_and_out_of_appraisal(received, people):
    with pytest.raises(NotAllowed):
        preview(received, people["lanhdao"])
    with pytest.raises(NotAllowed):
        preview(received, people["canboxa"])
    to_approval(received, people)
    with pytest.raises(Conflict):
        preview(received, people["thamdinh"])


def test_a_draft_the_template_cannot_take_is_said_before_submission(received, people):
    with pytest.raises(DomainError) as unknown:
        preview_result(dossier=received, officer=people["thamdinh"], template="nope", title=TITLE, data={})
    assert unknown.value.code == "unknown_template"
    with pytest.raises(DomainError) as missing:
        preview(received, people["thamdinh"], document_name="")
    assert missing.value.code == "invalid_draft" and "Thiếu trường bắt buộc" in missing.value.message


def test_the_preview_button_returns_the_pdf_inline(client, received, people):
    start_appraisal(dossier=received, officer=people["thamdinh"])
    login(client, "thamdinh")
    html = page(client.get(reverse("dossiers:detail", args=[received.code])))
    assert 'id="btn-preview"' in html and reverse("dossiers:preview_result", args=[received.code]) in html
    before = snapshot(received)
    response = client.post(reverse("dossiers:preview_result", args=[received.code]), draft_post())
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert MARK in text_of(response.content)
    assert snapshot(received) == before


def test_an_invalid_preview_shows_the_errors_next_to_the_fields_and_keeps_the_rest(client, received):
    login(client, "thamdinh")
    posted = draft_post(
        copy_certification__document_name="", copy_certification__requester_name="Trần Văn Bình"
    )
    response = client.post(reverse("dossiers:preview_result", args=[received.code]), posted)
    html = page(response)
    assert response.status_code == 400 and "Trường này là bắt buộc." in html
    assert 'value="Trần Văn Bình"' in html  # nothing typed is lost
    assert snapshot(received)[0] == Status.RECEIVED


def test_the_preview_needs_a_post(client, received):
    login(client, "thamdinh")
    assert client.get(reverse("dossiers:preview_result", args=[received.code])).status_code == 405


# --- the leader reads the unsigned draft before signing ------------------------------------------------------


def test_the_leader_opens_the_unsigned_draft_from_the_approval_page(client, received, people):
    to_approval(received, people)
    received.refresh_from_db()
    assert not received.result.pdf  # the draft is rendered for real only when signed
    login(client, "lanhdao")
    draft_url = reverse("dossiers:draft_file", args=[received.code])
    assert draft_url in page(client.get(reverse("dossiers:approval")))
    assert draft_url in page(client.get(reverse("dossiers:detail", args=[received.code])))
    before = snapshot(received)
    response = client.get(draft_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = text_of(response.content)
    assert MARK in text and RESULT_DATA["document_name"] in text
    assert people["lanhdao"].full_name in text  # the signature block as the leader will sign it
    assert snapshot(received) == before
    # Signed, the paper carries no draft marking; there is no draft to show any more.
    approve(dossier=received, leader=people["lanhdao"])
    received.refresh_from_db()
    signed = text_of(received.result.pdf.open("rb").read())
    assert "DỰ THẢO" not in signed and RESULT_DATA["document_name"] in signed
    assert client.get(draft_url).status_code == 404
    login(client, "canboxa")
    assert client.get(draft_url).status_code == 404  # scoped like every dossier file


def test_the_draft_and_the_signed_paper_say_the_same(received, people):
    """Same template, same data, same renderer: apart from the marking (and the QR's link), the leader reads
    what they sign."""
    to_approval(received, people)
    received.refresh_from_db()
    draft = text_of(draft_pdf(dossier=received, viewer=people["lanhdao"]))
    approve(dossier=received, leader=people["lanhdao"])
    received.refresh_from_db()
    signed = text_of(received.result.pdf.open("rb").read())
    links = {w for w in (draft + " " + signed).split() if w.startswith("http")}  # tracking vs verification
    marking = set(MARK.split()) | set("DỰTHẢO")  # the diagonal "DỰ THẢO" comes out letter by letter
    # The certification number is the register's, given at the signature; the draft says so.
    number = received.result.data["certification_number"]
    assert "Số chứng thực: (cấp khi ký)," in " ".join(draft.split())
    assert f"Số chứng thực: {number}," in " ".join(signed.split())
    assert set(signed.split()) - set(draft.split()) <= links | {f"{number},"}
    assert set(draft.split()) - set(signed.split()) <= links | marking | {"(cấp", "khi", "ký),"}


# --- the API -------------------------------------------------------------------------------------------------


@pytest.fixture
def api(client, people) -> Api:
    from taicho.org.services import issue_api_token

    tokens = {n: issue_api_token(staff=people[n], name="kiểm thử") for n in ("thamdinh", "lanhdao")}
    return Api(client, tokens)


def test_the_preview_and_the_draft_through_the_api(api, received, people):
    base = f"/api/dossiers/{received.code}"
    body = {"template": "copy_certification", "title": TITLE, "data": RESULT_DATA, "number": "125/SCT-STP"}
    before = snapshot(received)
    response = api.post("thamdinh", base + "/preview-result", body)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert MARK in text_of(response.content)
    assert snapshot(received) == before
    assert_error(
        api.post("thamdinh", base + "/preview-result", body | {"template": "nope"}), 422, "unknown_template"
    )
    assert_error(api.post("lanhdao", base + "/preview-result", body), 403, "not_allowed")
    assert_error(api.post("thamdinh", base + "/preview-result", {"title": TITLE}), 422, "invalid_request")
    assert_error(api.get("lanhdao", base + "/draft.pdf"), 404, "not_found")  # nothing submitted yet
    api.post("thamdinh", base + "/start-appraisal")
    assert api.post("thamdinh", base + "/submit-for-approval", body).status_code == 200
    draft = api.get("lanhdao", base + "/draft.pdf")
    assert draft.status_code == 200 and MARK in text_of(draft.content)
