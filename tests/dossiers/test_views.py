"""The staff workspace through the Django test client: each page for the right role, scoping by agency, every
action posting to its own URL and redirecting, domain errors as Vietnamese messages that change nothing."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from taicho.demo import DEMO_PASSWORD
from taicho.dossiers.models import Dossier
from taicho.dossiers.states import Status
from tests.dossiers.conftest import RESULT_DATA, provided_all, scan_png, to_approval

pytestmark = pytest.mark.django_db


def login(client, username):
    client.logout()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def page(response) -> str:
    return response.content.decode()


def follow(client, url, data=None):
    return client.post(url, data or {}, follow=True)


def act(code: str, name: str) -> str:
    return reverse(f"dossiers:act_{name}", args=[code])


def detail(code: str) -> str:
    return reverse("dossiers:detail", args=[code])


def draft_post(**extra):
    data = {
        "template": "copy_certification",
        "title": "Bản sao được chứng thực từ bản chính",
        "number": "125/SCT-STP",
    }
    data.update({f"copy_certification__{k}": v for k, v in RESULT_DATA.items()})
    data.update(extra)
    return data


def reception_post(version, *, missing: bool = False, files: bool = True):
    data = {
        "name": "Nguyễn Thị Lan Anh",
        "id_number": "022186001234",
        "address": "Tổ 3, khu 5, phường Hạ Long",
        "phone": "0912345678",
        "owner_is_applicant": "on",
        "reason": "",
    }
    for i, c in enumerate(version.components.order_by("ordinal")):
        as_ = "original" if c.required else "missing"
        if missing and i == 0:
            as_ = "missing"
        data[f"c{c.pk}-as"] = as_
        data[f"c{c.pk}-count"] = "2"
        if files and as_ != "missing":
            data[f"c{c.pk}-files"] = [
                SimpleUploadedFile("trang-1.png", scan_png(), "image/png"),
                SimpleUploadedFile("trang-2.png", scan_png(), "image/png"),
            ]
    return data


# --- pages per role ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "tab"),
    [("tiepnhan", "reception"), ("thamdinh", "appraisal"), ("lanhdao", "approval"), ("vanthu", "stamping")],
)
def test_workspace_shows_each_role_its_inboxes(client, received, username, tab):
    login(client, username)
    html = page(client.get(reverse("dossiers:workspace")))
    assert f'id="tab-{tab}"' in html
    if tab in ("reception", "appraisal"):
        assert received.code in html  # received dossiers wait in reception and appraisal
        assert "due-" in html  # the working-time-left badge


def test_workspace_badges_overdue_dossiers_red(client, received):
    Dossier.objects.filter(pk=received.pk).update(due_at=timezone.now() - timezone.timedelta(days=3))
    login(client, "thamdinh")
    html = page(client.get(reverse("dossiers:workspace") + "?tab=appraisal"))
    assert "due-overdue text-bg-danger" in html and "Quá hạn" in html


def test_workspace_list_queries_are_bounded(
    client, people, copy_cert, applicant, django_assert_max_num_queries
):
    from taicho.dossiers.services import receive_dossier

    for _ in range(6):
        receive_dossier(
            officer=people["tiepnhan"],
            procedure=copy_cert,
            applicant=applicant,
            components=provided_all(copy_cert, files=False),
        )
    login(client, "tiepnhan")
    with django_assert_max_num_queries(20):
        html = page(client.get(reverse("dossiers:workspace") + "?tab=appraisal"))
    assert html.count("dossier-link") == 6


def test_approval_list_queries_are_bounded(
    client, people, copy_cert, applicant, django_assert_max_num_queries
):
    from taicho.dossiers.services import receive_dossier

    for _ in range(4):
        d = receive_dossier(
            officer=people["tiepnhan"],
            procedure=copy_cert,
            applicant=applicant,
            components=provided_all(copy_cert, files=False),
        )
        to_approval(d, people)
    login(client, "lanhdao")
    with django_assert_max_num_queries(15):
        html = page(client.get(reverse("dossiers:approval")))
    assert html.count('class="form-check-input batch-choice"') == 4


def test_reception_search_lists_on_the_spot_procedures_first(client, demo):
    login(client, "tiepnhan")
    html = page(client.get(reverse("dossiers:reception")))
    first = html.index("procedure-choice")
    assert "5 tại chỗ" in html[first : first + 600]
    html = page(client.get(reverse("dossiers:reception") + "?q=2.000815"))
    assert "2.000815" in html


def test_anonymous_is_sent_to_login(client, received):
    response = client.get(detail(received.code))
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- reception ----------------------------------------------------------------------------------------------


def test_reception_receives_with_scans_and_offers_the_receipt(client, copy_cert):
    login(client, "tiepnhan")
    url = reverse("dossiers:reception_form", args=[copy_cert.code])
    form = page(client.get(url))
    assert "autofocus" in form and "Tiếp nhận và in mẫu 01" in form
    version = copy_cert.version_on(timezone.localdate())
    response = client.post(url, reception_post(version))
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert response["Location"] == detail(dossier.code)
    assert dossier.status == Status.RECEIVED and dossier.components.exclude(digitized="").exists()
    html = page(client.get(response["Location"]))
    assert "Đã tiếp nhận hồ sơ" in html and "Mẫu 01" in html
    receipt = dossier.papers.get(form="01")
    pdf = client.get(reverse("dossiers:paper_file", args=[dossier.code, receipt.pk]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    component = dossier.components.exclude(digitized="").first()
    viewer = client.get(reverse("dossiers:component_file", args=[dossier.code, component.pk]))
    assert viewer["Content-Type"] == "application/pdf"


def test_incomplete_reception_shows_the_message_and_issues_guidance_in_one_click(client, copy_cert):
    login(client, "tiepnhan")
    version = copy_cert.version_on(timezone.localdate())
    url = reverse("dossiers:reception_form", args=[copy_cert.code])
    response = client.post(url, reception_post(version, missing=True))
    assert response.status_code == 400
    html = page(response)
    assert "Hồ sơ chưa đầy đủ" in html and 'id="incomplete-hint"' in html
    assert not Dossier.objects.exists()
    guide = reverse("dossiers:reception_guide", args=[copy_cert.code])
    response = client.post(guide, reception_post(version, missing=True, files=False))
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and dossier.status == Status.GUIDED
    assert dossier.papers.filter(form="02").exists() and dossier.guidance


def test_invalid_id_number_is_refused_in_vietnamese(client, copy_cert):
    login(client, "tiepnhan")
    version = copy_cert.version_on(timezone.localdate())
    data = reception_post(version)
    data["id_number"] = "12345"
    response = client.post(reverse("dossiers:reception_form", args=[copy_cert.code]), data)
    assert response.status_code == 400 and not Dossier.objects.exists()
    assert "alert" in page(response)


def test_refusal_at_reception_issues_form_03(client, copy_cert):
    login(client, "tiepnhan")
    version = copy_cert.version_on(timezone.localdate())
    data = reception_post(version, files=False)
    data["reason"] = "Giấy tờ không thuộc thẩm quyền chứng thực của Sở Tư pháp."
    response = client.post(reverse("dossiers:reception_refuse", args=[copy_cert.code]), data)
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and dossier.status == Status.NOT_RECEIVED
    assert dossier.papers.filter(form="03").exists()


# --- scoping ------------------------------------------------------------------------------------------------


def test_an_officer_of_another_agency_gets_404_on_the_dossier_and_its_files(client, received, people):
    to_approval(received, people)
    from taicho.dossiers.services import approve

    approve(dossier=received, leader=people["lanhdao"])
    component = received.components.exclude(digitized="").first()
    paper = received.papers.first()
    login(client, "canboxa")  # the commune's officer
    code = received.code
    for url in (
        detail(code),
        reverse("dossiers:component_file", args=[code, component.pk]),
        reverse("dossiers:paper_file", args=[code, paper.pk]),
        reverse("dossiers:result_file", args=[code]),
        reverse("dossiers:control_slip", args=[code]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(act(code, "seal")).status_code == 404
    received.refresh_from_db()
    assert received.status == Status.APPROVED


# --- actions ------------------------------------------------------------------------------------------------


def test_the_five_steps_by_their_roles_through_the_pages(client, received):
    code = received.code
    login(client, "thamdinh")
    assert 'id="btn-start-appraisal"' in page(client.get(detail(code)))
    response = client.post(act(code, "start_appraisal"))
    assert response.status_code == 302 and response["Location"] == detail(code)
    html = page(client.get(detail(code)))
    assert "Đã nhận thẩm định" in html and 'id="btn-submit"' in html
    assert 'value="Nguyễn Thị Lan Anh"' in html  # requester prefilled from the owner
    # The certification number is not typed: the register gives it when the leader signs.
    assert "copy_certification__certification_number" not in html
    assert "hệ thống cấp số tiếp theo trong sổ chứng thực" in html
    assert follow(client, act(code, "submit_for_approval"), draft_post()).status_code == 200
    received.refresh_from_db()
    assert received.status == Status.AWAITING_APPROVAL and received.result is not None

    login(client, "lanhdao")
    html = page(follow(client, act(code, "approve")))
    assert "Đã ký duyệt kết quả" in html
    received.refresh_from_db()
    assert received.result.data["certification_number"] == "1"
    login(client, "vanthu")
    html = page(follow(client, act(code, "seal")))
    assert "Đã đóng dấu và phát hành" in html
    assert page(follow(client, act(code, "record_print"), {"copies": 2, "physical_seal": "on"}))
    received.refresh_from_db()
    assert received.status == Status.PRINTED and received.printed_copies == 2

    login(client, "tiepnhan")
    html = page(client.get(detail(code)))
    assert 'id="payment-form"' in html and 'id="result-pdf"' in html
    result = client.get(reverse("dossiers:result_file", args=[code]))
    assert b"/ByteRange" in b"".join(result.streaming_content)
    due = received.fee_amount
    follow(client, act(code, "record_payment"), {"amount": due, "receipt": "BL-0001"})
    html = page(
        follow(
            client,
            act(code, "return_result"),
            {
                "receiver_name": "Nguyễn Thị Lan Anh",
                "receiver_id": "022186001234",
                "originals_returned": "on",
            },
        )
    )
    received.refresh_from_db()
    assert received.status == Status.RETURNED and "Đã trả kết quả" in html
    assert 'id="rating-form"' in html and "Thời gian giải quyết so với quy định" in html
    rating = {f"s{i}": 2 for i in range(11)} | {"overall": 5, "comment": "Nhanh"}
    html = page(follow(client, act(code, "rate"), rating))
    assert "Cảm ơn" in html and received.rating.overall == 5
    assert client.get(reverse("dossiers:control_slip", args=[code]))["Content-Type"] == "application/pdf"


def test_a_domain_error_is_a_red_vietnamese_message_and_changes_nothing(client, received):
    login(client, "lanhdao")
    html = page(follow(client, act(received.code, "approve")))
    assert "alert-danger" in html and "không thực hiện được bước này" in html
    received.refresh_from_db()
    assert received.status == Status.RECEIVED and received.events.count() == 1


def test_return_before_payment_is_refused(client, received, people):
    from taicho.dossiers.services import approve, seal

    to_approval(received, people)
    approve(dossier=received, leader=people["lanhdao"])
    seal(dossier=received, clerk=people["vanthu"])
    received.refresh_from_db()
    assert received.fee_amount > 0
    login(client, "tiepnhan")
    html = page(
        follow(
            client,
            act(received.code, "return_result"),
            {"receiver_name": "Nguyễn Thị Lan Anh", "receiver_id": "022186001234"},
        )
    )
    assert "Chưa thu đủ phí" in html
    received.refresh_from_db()
    assert received.status == Status.RESULT_READY


def test_refusal_needs_a_reason(client, received, people):
    from taicho.dossiers.services import start_appraisal

    start_appraisal(dossier=received, officer=people["thamdinh"])
    login(client, "thamdinh")
    html = page(follow(client, act(received.code, "refuse"), {"reason": ""}))
    assert "alert-danger" in html
    received.refresh_from_db()
    assert received.status == Status.APPRAISING
    follow(client, act(received.code, "refuse"), {"reason": "Bản chính bị tẩy xóa, sửa chữa."})
    received.refresh_from_db()
    assert received.status == Status.REFUSED


def test_supplement_request_and_reception(client, received, people, copy_cert):
    from taicho.dossiers.services import start_appraisal

    start_appraisal(dossier=received, officer=people["thamdinh"])
    component = received.version.components.filter(required=True).first()
    login(client, "thamdinh")
    html = page(client.get(detail(received.code)))
    assert 'id="supplement-form"' in html
    # Only the version's components can be asked for: a stranger id is a form error, nothing changes.
    html = page(
        follow(client, act(received.code, "request_supplement"), {"components": [999999], "reason": "x"})
    )
    assert "alert-danger" in html
    received.refresh_from_db()
    assert received.status == Status.APPRAISING
    follow(
        client,
        act(received.code, "request_supplement"),
        {"components": [component.pk], "reason": "Bản chụp mờ, không đọc được."},
    )
    received.refresh_from_db()
    assert received.status == Status.SUPPLEMENT_REQUESTED and received.papers.filter(form="02").exists()
    html = page(client.get(detail(received.code)))
    assert "Tạm dừng tính thời hạn" in html and 'id="btn-supplement-received"' in html
    login(client, "tiepnhan")
    data = {
        f"c{component.pk}-as": "original",
        f"c{component.pk}-count": "1",
        f"c{component.pk}-files": [SimpleUploadedFile("moi.png", scan_png(), "image/png")],
    }
    html = page(follow(client, act(received.code, "supplement_received"), data))
    received.refresh_from_db()
    assert received.status == Status.APPRAISING, html


def test_send_back_and_stop(client, received, people):
    to_approval(received, people)
    login(client, "lanhdao")
    follow(client, act(received.code, "send_back"), {"reason": "Sai số chứng thực"})
    received.refresh_from_db()
    assert received.status == Status.APPRAISING
    follow(client, act(received.code, "stop"), {"reason": "Công dân đề nghị dừng"})
    received.refresh_from_db()
    assert received.status == Status.STOPPED and received.papers.filter(form="05").exists()


def test_withdrawal_request(client, received):
    login(client, "tiepnhan")
    follow(client, act(received.code, "request_withdrawal"), {"reason": "Công dân xin rút"})
    received.refresh_from_db()
    assert received.status == Status.WITHDRAWAL_REQUESTED


def test_same_day_path_by_the_counter_officer(client, received):
    """tiepnhan holds the delegation to appraise and approve copy certifications, and the seal: four posts."""
    code = received.code
    login(client, "tiepnhan")
    html = page(client.get(detail(code)))
    assert 'id="btn-appraise-submit"' in html
    follow(client, act(code, "appraise_and_submit"), draft_post())
    follow(client, act(code, "approve"))
    follow(client, act(code, "seal"))
    received.refresh_from_db()
    assert received.status == Status.RESULT_READY
    html = page(
        follow(
            client,
            act(code, "return_result"),
            {
                "receiver_name": "Nguyễn Thị Lan Anh",
                "receiver_id": "022186001234",
                "originals_returned": "on",
                "amount": received.fee_amount,
                "receipt": "BL-0002",
            },
        )
    )
    received.refresh_from_db()
    assert received.status == Status.RETURNED, html
    assert received.fee_paid == received.fee_amount


def test_appraise_and_submit_is_all_or_nothing(client, received):
    login(client, "tiepnhan")
    html = page(follow(client, act(received.code, "appraise_and_submit"), draft_post(template="nope")))
    assert "alert-danger" in html
    received.refresh_from_db()
    assert received.status == Status.RECEIVED and received.events.count() == 1


# --- batch approval, logbook --------------------------------------------------------------------------------


def test_batch_approval_signs_each_and_reports_each(client, people, copy_cert, applicant):
    from taicho.dossiers.services import receive_dossier

    dossiers = []
    for _ in range(2):
        d = receive_dossier(
            officer=people["tiepnhan"],
            procedure=copy_cert,
            applicant=applicant,
            components=provided_all(copy_cert, files=False),
        )
        dossiers.append(to_approval(d, people))
    login(client, "lanhdao")
    html = page(client.get(reverse("dossiers:approval")))
    assert "Ký duyệt các hồ sơ đã chọn" in html
    html = page(follow(client, reverse("dossiers:approval"), {"dossier": [d.pk for d in dossiers]}))
    for d in dossiers:
        d.refresh_from_db()
        assert d.status == Status.APPROVED
        assert f"{d.code}: đã ký duyệt" in html
    html = page(follow(client, reverse("dossiers:approval"), {}))
    assert "Chưa chọn hồ sơ nào" in html


def test_logbook_downloads_xlsx(client, received):
    import openpyxl

    login(client, "tiepnhan")
    assert "Sổ theo dõi hồ sơ" in page(client.get(reverse("dossiers:logbook")))
    today = timezone.localdate().isoformat()
    response = client.get(reverse("dossiers:logbook"), {"start": today, "end": today})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert received.code in [c.value for c in book.active["A"]]
    bad = client.get(reverse("dossiers:logbook"), {"start": today, "end": "2000-01-01"})
    assert "Ngày bắt đầu phải trước ngày kết thúc" in page(bad)
