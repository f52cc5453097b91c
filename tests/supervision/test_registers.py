"""Registers of item 7: inspections and their follow-up, recommendations to amend procedures, staff assignments —
the rules of the services, the pages (who may read and write), the xlsx exports and the admin."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from taicho.core.errors import Conflict, DomainError, NotAllowed
from taicho.supervision import registers
from taicho.supervision.models import Inspection, Recommendation, StaffAssignment

FollowUp = Inspection.FollowUp
RecStatus = Recommendation.Status


def _today():
    return timezone.localdate()


def _agency(code: str):
    from taicho.org.models import Agency

    return Agency.objects.get(code=code)


def _cells(content: bytes) -> list[tuple]:
    book = load_workbook(io.BytesIO(content))
    return [row for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]


def _inspection(people, *, days_ago: int = 20, due_in: int | None = -2, **fields):
    return registers.create_inspection(
        actor=people["thanhtra"],
        inspected_on=_today() - timedelta(days=days_ago),
        team=fields.pop("team", "Đoàn kiểm tra số 2 của UBND tỉnh"),
        scope=fields.pop("scope", "Việc thực hiện “5 tại chỗ” tại quầy Sở Tư pháp"),
        agency=fields.pop("agency", _agency("000.00.12.H49")),
        findings=fields.pop("findings", "Hồ sơ chứng thực còn chuyển về trụ sở Sở để phê duyệt"),
        required_actions=fields.pop(
            "required_actions", "Bố trí lãnh đạo phê duyệt thường trực tại Trung tâm"
        ),
        follow_up_due=_today() + timedelta(days=due_in) if due_in is not None else None,
        **fields,
    )


# --- inspections -------------------------------------------------------------------------------------------


def test_follow_up_goes_open_in_progress_done_and_is_overdue_until_done(people):
    inspection = _inspection(people)
    assert inspection.follow_up_status == FollowUp.OPEN
    assert inspection.center == people["thanhtra"].center  # the inspector's center by default
    assert registers.is_overdue(inspection)
    assert Inspection.objects.filter(registers.overdue_q(_today())).count() == 1

    inspection = registers.record_follow_up(
        actor=people["thanhtra"],
        inspection=inspection,
        status=FollowUp.IN_PROGRESS,
        note="Sở đã cử Phó Giám đốc trực thứ Ba, thứ Năm",
    )
    assert inspection.follow_up_status == FollowUp.IN_PROGRESS and registers.is_overdue(inspection)
    inspection = registers.record_follow_up(
        actor=people["giamdoc"], inspection=inspection, status=FollowUp.DONE, note="Đã trực đủ 5 ngày"
    )
    assert inspection.follow_up_status == FollowUp.DONE
    assert not registers.is_overdue(inspection)
    # Each report is kept, with its date and author.
    lines = inspection.follow_up_note.splitlines()
    assert len(lines) == 2
    assert "Vũ Thị Thu — Đang khắc phục: Sở đã cử" in lines[0]
    assert lines[1].endswith("Đã khắc phục: Đã trực đủ 5 ngày")

    with pytest.raises(Conflict, match="Không thể chuyển tình trạng khắc phục"):
        registers.record_follow_up(
            actor=people["thanhtra"], inspection=inspection, status=FollowUp.OPEN, note="Mở lại"
        )


def test_not_yet_due_is_not_overdue_and_bad_input_is_refused(people):
    later = _inspection(people, due_in=10)
    assert not registers.is_overdue(later)
    assert registers.is_overdue(later, on=_today() + timedelta(days=11))

    with pytest.raises(DomainError, match="Phải ghi kết quả khắc phục"):
        registers.record_follow_up(actor=people["thanhtra"], inspection=later, status=FollowUp.DONE, note=" ")
    with pytest.raises(DomainError, match="Hạn khắc phục không được trước ngày kiểm tra"):
        _inspection(people, days_ago=5, due_in=-10)
    with pytest.raises(DomainError, match="phải ghi rõ yêu cầu khắc phục"):
        _inspection(people, required_actions="")
    with pytest.raises(DomainError, match="Đoàn kiểm tra"):
        _inspection(people, team="")
    with pytest.raises(NotAllowed):
        _inspection({"thanhtra": people["tiepnhan"]})

    changed = registers.update_inspection(
        actor=people["thanhtra"], inspection=later, findings="Đã xác minh lại", follow_up_due=_today()
    )
    assert changed.findings == "Đã xác minh lại" and changed.follow_up_due == _today()
    with pytest.raises(DomainError, match="Không sửa được trường"):
        registers.update_inspection(actor=people["thanhtra"], inspection=later, follow_up_status="done")


# --- recommendations ---------------------------------------------------------------------------------------


def _recommendation(people, actor="giamdocso", **fields):
    from taicho.catalog.models import Procedure

    return registers.create_recommendation(
        actor=people[actor],
        procedure=Procedure.objects.get(code="2.000815"),
        kind=fields.pop("kind", Recommendation.Kind.SIMPLIFY),
        proposal=fields.pop("proposal", "Bỏ yêu cầu nộp bản sao giấy tờ tùy thân khi đã có CSDL dân cư"),
        reason=fields.pop("reason", "Dữ liệu đã có trong Cơ sở dữ liệu quốc gia về dân cư"),
        addressed_to=fields.pop("addressed_to", "Bộ Tư pháp"),
        **fields,
    )


def test_recommendation_goes_draft_submitted_answered_implemented(people):
    rec = _recommendation(people)
    assert rec.status == RecStatus.DRAFT
    assert rec.agency.code == "000.00.12.H49"  # an agency's leader proposes for the agency

    rec = registers.submit_recommendation(actor=people["giamdocso"], recommendation=rec)
    assert rec.status == RecStatus.SUBMITTED and rec.submitted_on == _today()

    # The answer is required to accept or reject.
    with pytest.raises(DomainError, match="Phải ghi nội dung trả lời"):
        registers.answer_recommendation(
            actor=people["giamdoc"], recommendation=rec, accepted=True, answer=" "
        )
    rec.refresh_from_db()
    assert rec.status == RecStatus.SUBMITTED and rec.answered_on is None
    # Only supervisors record the authority's answer.
    with pytest.raises(NotAllowed):
        registers.answer_recommendation(
            actor=people["giamdocso"], recommendation=rec, accepted=True, answer="Đồng ý"
        )
    # Nothing is implemented before it is accepted.
    with pytest.raises(Conflict, match="không thể chuyển sang “Đã thực thi”"):
        registers.implement_recommendation(actor=people["giamdoc"], recommendation=rec)

    rec = registers.answer_recommendation(
        actor=people["giamdoc"],
        recommendation=rec,
        accepted=True,
        answer="Bộ Tư pháp tiếp thu tại Quyết định 100/QĐ-BTP",
    )
    assert rec.status == RecStatus.ACCEPTED and rec.answered_on == _today()
    rec = registers.implement_recommendation(
        actor=people["giamdoc"], recommendation=rec, note="Thủ tục đã được công bố lại"
    )
    assert rec.status == RecStatus.IMPLEMENTED
    assert rec.answer.endswith("Thủ tục đã được công bố lại")


def test_rejected_recommendation_is_final_and_submission_needs_an_addressee(people):
    rec = _recommendation(people, addressed_to="")
    with pytest.raises(DomainError, match="Phải ghi cơ quan nhận kiến nghị"):
        registers.submit_recommendation(actor=people["giamdocso"], recommendation=rec)
    Recommendation.objects.filter(pk=rec.pk).update(addressed_to="Bộ Tư pháp")
    rec = registers.submit_recommendation(actor=people["giamdocso"], recommendation=rec)
    rec = registers.answer_recommendation(
        actor=people["thanhtra"], recommendation=rec, accepted=False, answer="Chưa đủ căn cứ pháp lý"
    )
    assert rec.status == RecStatus.REJECTED
    with pytest.raises(Conflict):
        registers.implement_recommendation(actor=people["giamdoc"], recommendation=rec)
    # A receiving officer may not propose; an agency's leader may not propose for another agency.
    with pytest.raises(NotAllowed):
        _recommendation(people, actor="tiepnhan")
    with pytest.raises(NotAllowed, match="thay cơ quan khác"):
        _recommendation(people, agency=_agency("000.00.31.H49"))


# --- assignments -------------------------------------------------------------------------------------------


def test_assignments_of_the_same_staff_may_not_overlap(people, demo):
    from taicho.org.models import Counter

    counter1 = Counter.objects.get(center=demo.center, number=1)
    counter2 = Counter.objects.get(center=demo.center, number=2)
    justice = _agency("000.00.12.H49")
    start = _today() - timedelta(days=30)
    first = registers.assign_staff(
        actor=people["giamdoc"],
        staff=people["tiepnhan"],
        center=demo.center,
        counter=counter1,
        agency=justice,
        starts=start,
        duties="Tiếp nhận, thẩm định hồ sơ chứng thực",
    )
    with pytest.raises(Conflict, match="không được trùng thời gian"):
        registers.assign_staff(
            actor=people["giamdoc"],
            staff=people["tiepnhan"],
            center=demo.center,
            counter=counter2,
            agency=justice,
            starts=_today(),
        )
    # Another person at the same counter at the same time is fine.
    registers.assign_staff(
        actor=people["giamdoc"],
        staff=people["thamdinh"],
        center=demo.center,
        counter=counter1,
        agency=justice,
        starts=start,
    )

    ended = registers.end_assignment(
        actor=people["giamdoc"], assignment=first, ends=_today() - timedelta(days=1)
    )
    assert ended.ends == _today() - timedelta(days=1)
    with pytest.raises(Conflict, match="không được trùng thời gian"):  # the last day is still taken
        registers.assign_staff(
            actor=people["giamdoc"],
            staff=people["tiepnhan"],
            center=demo.center,
            agency=justice,
            starts=_today() - timedelta(days=1),
        )
    moved = registers.assign_staff(
        actor=people["giamdoc"],
        staff=people["tiepnhan"],
        center=demo.center,
        counter=counter2,
        agency=justice,
        starts=_today(),
        ends=_today() + timedelta(days=90),
    )
    assert StaffAssignment.objects.filter(staff=people["tiepnhan"]).count() == 2
    # A closed assignment is not stretched again, and it never ends before it starts.
    with pytest.raises(Conflict, match="lập phân công mới"):
        registers.end_assignment(actor=people["giamdoc"], assignment=first, ends=_today() + timedelta(days=5))
    with pytest.raises(DomainError, match="không được trước ngày bắt đầu"):
        registers.end_assignment(actor=people["giamdoc"], assignment=moved, ends=_today() - timedelta(days=3))
    with pytest.raises(NotAllowed):
        registers.record_training(actor=people["tiepnhan"], assignment=moved, trained_on=_today())
    assert (
        registers.record_training(actor=people["giamdoc"], assignment=moved, trained_on=_today()).trained_on
        == _today()
    )


# --- pages -------------------------------------------------------------------------------------------------

PAGES = ("/giam-sat/kiem-tra/", "/giam-sat/kien-nghi/", "/giam-sat/phan-cong/")


def test_pages_open_for_supervisors_and_agency_leaders_only(client, people):
    for username in ("giamdoc", "thanhtra", "quantri", "giamdocso"):
        client.force_login(people[username])
        for url in PAGES:
            response = client.get(url)
            assert response.status_code == 200, (username, url)
            assert 'id="registers-nav"' in response.content.decode()
    client.force_login(people["tiepnhan"])
    for url in PAGES:
        assert client.get(url).status_code == 403
    client.logout()
    assert client.get(PAGES[0]).status_code == 302  # to the login page


def test_inspections_page_adds_records_follow_up_and_highlights_overdue(client, people):
    justice = _agency("000.00.12.H49")
    client.force_login(people["thanhtra"])
    response = client.post(
        "/giam-sat/kiem-tra/them?cap=",
        {
            "inspected_on": (_today() - timedelta(days=15)).isoformat(),
            "team": "Đoàn kiểm tra liên ngành",
            "decision_number": "45/QĐ-UBND",
            "agency": justice.pk,
            "scope": "Kiểm tra tính thực chất của 5 tại chỗ",
            "findings": "2 hồ sơ phê duyệt ngoài Trung tâm",
            "required_actions": "Chấn chỉnh việc chuyển hồ sơ về trụ sở",
            "follow_up_due": (_today() - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 302 and response["Location"].startswith("/giam-sat/kiem-tra/")
    inspection = Inspection.objects.get(team="Đoàn kiểm tra liên ngành")
    assert inspection.created_by == people["thanhtra"]

    page = client.get("/giam-sat/kiem-tra/").content.decode()
    assert "Đoàn kiểm tra liên ngành" in page
    assert 'class="badge light-red">Quá hạn — Chưa khắc phục' in page
    overdue = client.get("/giam-sat/kiem-tra/?tinh_trang=overdue").content.decode()
    assert "Đoàn kiểm tra liên ngành" in overdue

    # A follow-up without a note is refused: the page comes back with the message, nothing changes.
    refused = client.post(
        "/giam-sat/kiem-tra/khac-phuc", {"inspection": inspection.pk, "status": "in_progress", "note": ""}
    )
    assert refused.status_code == 200
    assert "Thông tin chưa hợp lệ" in refused.content.decode()
    response = client.post(
        "/giam-sat/kiem-tra/khac-phuc",
        {"inspection": inspection.pk, "status": "done", "note": "Đã chấn chỉnh, có biên bản"},
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.follow_up_status == FollowUp.DONE
    page = client.get("/giam-sat/kiem-tra/").content.decode()
    assert 'class="badge light-green">Đã khắc phục' in page

    # Edit: the date links to the form filled with the inspection.
    edit = client.get(f"/giam-sat/kiem-tra/?sua={inspection.pk}").content.decode()
    assert f"/giam-sat/kiem-tra/{inspection.pk}/sua" in edit and "45/QĐ-UBND" in edit

    export = client.get("/giam-sat/kiem-tra/?xlsx=kiem-tra")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _cells(export.content)
    row = next(r for r in rows if r and r[1] == "Đoàn kiểm tra liên ngành")
    assert row[3] == "Sở Tư pháp" and row[8] == "Đã khắc phục"
    assert "Đã chấn chỉnh, có biên bản" in row[9]


def test_only_supervisors_write_inspections(client, people):
    client.force_login(people["giamdocso"])  # an agency's leader reads the agency's inspections
    inspection = _inspection(people)
    other = _inspection(people, agency=_agency("000.00.31.H49"), team="Đoàn kiểm tra phường")
    page = client.get("/giam-sat/kiem-tra/").content.decode()
    assert inspection.team in page and other.team not in page
    assert 'id="form-inspection"' not in page
    response = client.post(
        "/giam-sat/kiem-tra/them",
        {"inspected_on": _today().isoformat(), "team": "Tự kiểm tra", "scope": "Tự kiểm tra"},
    )
    assert response.status_code == 403
    assert not Inspection.objects.filter(team="Tự kiểm tra").exists()


def test_inspection_list_queries_do_not_grow_with_rows(client, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people["thanhtra"])
    for n in range(3):
        _inspection(people, team=f"Đoàn {n}")
    with CaptureQueriesContext(connection) as few:
        client.get("/giam-sat/kiem-tra/")
    for n in range(3, 12):
        _inspection(people, team=f"Đoàn {n}", agency=_agency("000.00.31.H49") if n % 2 else None)
    with CaptureQueriesContext(connection) as many:
        client.get("/giam-sat/kiem-tra/")
    assert len(many) == len(few)


def test_recommendations_page_answer_is_required(client, people):
    client.force_login(people["giamdocso"])
    response = client.post(
        "/giam-sat/kien-nghi/them",
        {
            "procedure": "2.000815",
            "kind": "simplify",
            "proposal": "Cho phép nộp bản điện tử thay bản sao chứng thực",
            "reason": "Giảm chi phí cho người dân",
            "addressed_to": "Bộ Tư pháp",
        },
    )
    assert response.status_code == 302
    rec = Recommendation.objects.get()
    assert rec.agency.code == "000.00.12.H49" and rec.created_by == people["giamdocso"]
    unknown = client.post(
        "/giam-sat/kien-nghi/them",
        {"procedure": "9.999999", "kind": "amend", "proposal": "x", "reason": "y"},
    )
    assert "Không tìm thấy thủ tục mã “9.999999”" in unknown.content.decode()
    assert client.post("/giam-sat/kien-nghi/gui", {"recommendation": rec.pk}).status_code == 302
    # The agency's leader may not record the answer.
    assert client.post("/giam-sat/kien-nghi/tra-loi", {"recommendation": rec.pk}).status_code == 403

    client.force_login(people["giamdoc"])
    refused = client.post(
        "/giam-sat/kien-nghi/tra-loi", {"recommendation": rec.pk, "decision": "accepted", "answer": ""}
    )
    assert refused.status_code == 200
    assert "Phải ghi nội dung trả lời của cơ quan có thẩm quyền." in refused.content.decode()
    rec.refresh_from_db()
    assert rec.status == RecStatus.SUBMITTED
    done = client.post(
        "/giam-sat/kien-nghi/tra-loi",
        {"recommendation": rec.pk, "decision": "accepted", "answer": "Đồng ý, sẽ sửa đổi trong quý I"},
    )
    assert done.status_code == 302
    rec.refresh_from_db()
    assert rec.status == RecStatus.ACCEPTED

    page = client.get("/giam-sat/kien-nghi/").content.decode()
    assert "Được chấp nhận" in page and "Đồng ý, sẽ sửa đổi trong quý I" in page
    rows = _cells(client.get("/giam-sat/kien-nghi/?xlsx=1").content)
    row = next(r for r in rows if r and r[0] == rec.pk)
    assert row[2].startswith("2.000815 — ") and row[9] == "Được chấp nhận"


def test_assignments_page_shows_who_is_at_which_counter_today(client, people, demo):
    from taicho.org.models import Counter

    counter = Counter.objects.get(center=demo.center, number=3)
    commune = _agency("000.00.31.H49")
    client.force_login(people["giamdoc"])
    data = {
        "staff": people["canboxa"].pk,
        "center": demo.center.pk,
        "counter": counter.pk,
        "agency": commune.pk,
        "duties": "Tiếp nhận hộ tịch",
        "starts": (_today() - timedelta(days=10)).isoformat(),
    }
    assert client.post("/giam-sat/phan-cong/them", data).status_code == 302
    again = client.post("/giam-sat/phan-cong/them", {**data, "starts": _today().isoformat()})
    assert again.status_code == 200
    assert "không được trùng thời gian" in again.content.decode()
    assert StaffAssignment.objects.count() == 1

    page = client.get("/giam-sat/phan-cong/").content.decode()
    assert "Quầy 3 — Quầy UBND phường Hạ Long" in page and "Chưa tập huấn" in page
    assignment = StaffAssignment.objects.get()
    response = client.post(
        "/giam-sat/phan-cong/tap-huan", {"assignment": assignment.pk, "trained_on": _today().isoformat()}
    )
    assert response.status_code == 302
    rows = _cells(client.get("/giam-sat/phan-cong/?xlsx=hom-nay").content)
    row = next(r for r in rows if r and r[0] == "Quầy 3 — Quầy UBND phường Hạ Long")
    assert row[1] == "UBND phường Hạ Long" and row[2] == people["canboxa"].full_name
    assert row[6].date() == _today()  # the trained date, a real date in the workbook

    assert (
        client.post(
            "/giam-sat/phan-cong/ket-thuc", {"assignment": assignment.pk, "ends": _today().isoformat()}
        ).status_code
        == 302
    )
    client.force_login(people["thanhtra"])
    missing = client.post("/giam-sat/phan-cong/ket-thuc", {"assignment": assignment.pk})
    assert missing.status_code == 200 and "Thông tin chưa hợp lệ" in missing.content.decode()
    client.force_login(people["giamdocso"])
    assert client.post("/giam-sat/phan-cong/them", data).status_code == 403


def test_admin_lists_the_registers_and_keeps_report_runs_read_only(client, people):
    _inspection(people)
    client.force_login(people["quantri"])
    for model in ("inspection", "recommendation", "staffassignment", "reportrun"):
        assert client.get(f"/admin/supervision/{model}/").status_code == 200, model
    assert client.get("/admin/supervision/inspection/add/").status_code == 200
    assert client.get("/admin/supervision/reportrun/add/").status_code == 403
