"""The five steps and every rule of the lifecycle (domain.md §2): each test fails when its rule is broken."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from taicho.core.errors import Conflict, DomainError, NotAllowed
from taicho.dossiers.models import Dossier, DossierEvent
from taicho.dossiers.services import (
    Provided,
    apologise,
    approve,
    approve_batch,
    guide_dossier,
    receive_dossier,
    receive_guided,
    record_payment,
    record_print,
    refuse,
    refuse_reception,
    request_supplement,
    request_withdrawal,
    return_result,
    seal,
    start_appraisal,
    stop,
    submit_for_approval,
    submit_rating,
    supplement_received,
)
from taicho.dossiers.states import NATIONAL_CODE, TRANSITIONS, Status

from .conftest import RESULT_DATA, provided_all, to_approval


def test_reception_issues_the_receipt_and_the_appointment(received, people):
    assert received.status == Status.RECEIVED and received.national_status == 2
    assert received.code.startswith("000.00.12.H49-") and received.code.endswith("-0001")
    assert [p.form for p in received.papers.all()] == ["01"]  # a receipt is always issued
    assert received.due_at > received.received_at
    assert received.fee_amount == 4000  # 2.000 đồng/trang × 2 pages, from the catalog
    component = received.components.get()
    assert component.digitized_sha256 and component.originals.count() == 2  # scans kept with their SHA-256
    assert component.digitized.open("rb").read()[:5] == b"%PDF-"
    event = received.events.get()
    assert (event.action, event.to_status, event.actor) == ("receive", Status.RECEIVED, people["tiepnhan"])


def test_an_incomplete_dossier_is_not_received(people, copy_cert, applicant):
    with pytest.raises(DomainError, match="chưa đầy đủ"):
        receive_dossier(officer=people["tiepnhan"], procedure=copy_cert, applicant=applicant, components=[])
    assert not Dossier.objects.exists()


def test_a_malformed_personal_id_is_refused(people, copy_cert, applicant):
    applicant.id_number = "12345"
    with pytest.raises(DomainError, match="12 chữ số"):
        receive_dossier(
            officer=people["tiepnhan"],
            procedure=copy_cert,
            applicant=applicant,
            components=provided_all(copy_cert),
        )


def test_guidance_is_written_once_and_lists_only_procedure_components(people, copy_cert, applicant):
    component = copy_cert.version_on(timezone.localdate()).components.get()
    with pytest.raises(DomainError, match="ngoài thành phần hồ sơ"):
        guide_dossier(
            officer=people["tiepnhan"],
            procedure=copy_cert,
            applicant=applicant,
            missing=[999999],
            reason="Thiếu giấy tờ",
        )
    guided = guide_dossier(
        officer=people["tiepnhan"],
        procedure=copy_cert,
        applicant=applicant,
        missing=[component.pk],
        reason="Chưa mang bản chính",
    )
    assert guided.status == Status.GUIDED and [p.form for p in guided.papers.all()] == ["02"]
    received = receive_guided(dossier=guided, officer=people["tiepnhan"], components=provided_all(copy_cert))
    assert received.status == Status.RECEIVED and received.code == guided.code  # the code never changes
    assert [p.form for p in received.papers.order_by("created_at")] == ["02", "01"]
    with pytest.raises(Conflict):
        receive_guided(dossier=guided, officer=people["tiepnhan"], components=provided_all(copy_cert))


def test_refusal_at_reception_gives_the_reason_in_words(people, copy_cert, applicant):
    refused = refuse_reception(
        officer=people["tiepnhan"],
        procedure=copy_cert,
        applicant=applicant,
        reason="Giấy tờ thuộc loại không được chứng thực bản sao (Nghị định 23/2015, Điều 22).",
    )
    assert refused.status == Status.NOT_RECEIVED and refused.national_status == 3
    assert [p.form for p in refused.papers.all()] == ["03"]
    with pytest.raises(DomainError, match="lý do"):
        refuse_reception(officer=people["tiepnhan"], procedure=copy_cert, applicant=applicant, reason=" ")


def test_the_whole_cycle_with_budgets_and_events(received, people):
    dossier = to_approval(received, people)
    assert dossier.status == Status.AWAITING_APPROVAL and dossier.result.status == "draft"
    approve(dossier=dossier, leader=people["lanhdao"])
    seal(dossier=dossier, clerk=people["vanthu"])
    dossier.refresh_from_db()
    assert dossier.status == Status.RESULT_READY and dossier.national_status == 9
    assert dossier.result.status == "released"
    record_print(dossier=dossier, clerk=people["vanthu"], copies=2)
    record_payment(dossier=dossier, officer=people["tiepnhan"], amount=4000, receipt="BL-0001")
    return_result(
        dossier=dossier,
        officer=people["tiepnhan"],
        receiver_name="Nguyễn Thị Lan Anh",
        receiver_id="022186001234",
        relation="Chủ hồ sơ",
        originals_returned=True,
    )
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED and dossier.national_status == 10 and dossier.printed_copies == 2
    actions = list(dossier.events.values_list("action", flat=True))
    assert actions == [
        "receive",
        "start_appraisal",
        "submit_for_approval",
        "approve",
        "seal",
        "release",
        "record_print",
        "payment",
        "return_result",
    ]
    appraisal = dossier.events.get(action="submit_for_approval")
    assert appraisal.budget_seconds == 4 * 3600  # half of "within the day" (8 working hours)
    assert appraisal.used_seconds is not None and appraisal.actor == people["thamdinh"]
    rating = submit_rating(dossier=dossier, scores=[2] * 11, overall=5, comment="Nhanh, chu đáo")
    assert rating.overall == 5
    with pytest.raises(Conflict):
        submit_rating(dossier=dossier, scores=[2] * 11, overall=4)


def test_every_internal_state_maps_to_one_national_code():
    assert set(NATIONAL_CODE) == set(Status)
    assert set(NATIONAL_CODE.values()) <= set(range(1, 11))
    assert all(t.target is None or t.target in Status.values for t in TRANSITIONS.values())


def test_nothing_outside_the_component_list_can_be_requested(received, people):
    start_appraisal(dossier=received, officer=people["thamdinh"])
    with pytest.raises(DomainError, match="ngoài thành phần hồ sơ"):
        request_supplement(
            dossier=received, officer=people["thamdinh"], components=[123456], reason="Thêm giấy"
        )
    received.refresh_from_db()
    assert received.status == Status.APPRAISING


def test_supplement_at_most_once_per_agency_and_the_clock_pauses(received, people):
    component = received.version.components.get()
    start_appraisal(dossier=received, officer=people["thamdinh"])
    # An hour before the appointment is inside a working session whatever the time the test runs, so the wait
    # until the next day's same time contains working time.
    now = received.due_at - timedelta(hours=1)
    request_supplement(
        dossier=received,
        officer=people["thamdinh"],
        components=[component.pk],
        reason="Bản chính bị mờ",
        at=now,
    )
    received.refresh_from_db()
    assert received.status == Status.SUPPLEMENT_REQUESTED and received.national_status == 5
    due_before = received.due_at
    later = now + timedelta(days=1)
    supplement_received(
        dossier=received,
        officer=people["tiepnhan"],
        components=[Provided(component.pk, "original", 1)],
        at=later,
    )
    received.refresh_from_db()
    assert received.due_at > due_before  # the waiting time is added back
    with pytest.raises(DomainError, match="không được yêu cầu thêm"):
        request_supplement(
            dossier=received, officer=people["thamdinh"], components=[component.pk], reason="Lần 2"
        )


def test_each_step_records_the_working_time_since_the_last_event_without_the_pauses(received, people):
    """`_finish` reads only the last event; the time it records equals the reference computed from the whole
    history (`_pauses` over every event before), across a supplement pause and a step inside one request."""
    from taicho.core.calendar import calendar_for
    from taicho.dossiers.services import _pauses

    component = received.version.components.get()
    start_appraisal(dossier=received, officer=people["thamdinh"])
    now = received.due_at - timedelta(hours=1)
    request_supplement(
        dossier=received, officer=people["thamdinh"], components=[component.pk], reason="Bản mờ", at=now
    )
    later = now + timedelta(days=1)
    supplement_received(
        dossier=received,
        officer=people["tiepnhan"],
        components=[Provided(component.pk, "original", 1)],
        at=later,
    )
    submit_for_approval(
        dossier=received,
        officer=people["thamdinh"],
        template="copy_certification",
        title="Bản sao",
        data=RESULT_DATA,
        at=later + timedelta(hours=2),
    )
    approve(dossier=received, leader=people["lanhdao"], at=later + timedelta(hours=3))
    seal(dossier=received, clerk=people["vanthu"], at=later + timedelta(hours=4))  # seal + release, one lock
    history = list(DossierEvent.objects.filter(dossier=received).order_by("at", "pk"))
    assert [e.action for e in history][-3:] == ["approve", "seal", "release"]
    cal = calendar_for(received.center)
    for i, event in enumerate(history[1:], start=1):
        before = history[:i]
        expected = int(cal.elapsed(before[-1].at, event.at, _pauses(before, event.at)).total_seconds())
        assert event.used_seconds == expected, event.action
    paused = next(e for e in history if e.action == "supplement_received")
    assert paused.used_seconds == 0  # the whole wait was a pause


def test_the_steps_of_one_sitting_read_and_lock_the_row_once(received, people):
    """appraise-and-submit and pay-and-return: the second step uses the row the first one locked (one
    transaction); seal and release likewise."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from taicho.dossiers.services import appraise_and_submit, pay_and_return

    def row_reads(run) -> int:  # type: ignore[no-untyped-def]
        with CaptureQueriesContext(connection) as captured:
            run()
        return sum(
            q["sql"].startswith('SELECT "dossiers_dossier"."id", "dossiers_dossier"."code"') for q in captured
        )

    submit = dict(template="copy_certification", title="Bản sao", data=RESULT_DATA)
    assert row_reads(lambda: appraise_and_submit(dossier=received, officer=people["thamdinh"], **submit)) == 1
    approve(dossier=received, leader=people["lanhdao"])
    assert row_reads(lambda: seal(dossier=received, clerk=people["vanthu"])) == 1
    received.refresh_from_db()
    hand_over = dict(receiver_name="Nguyễn Văn An", receiver_id="001203004567", receipt="BL-1")
    assert (
        row_reads(
            lambda: pay_and_return(
                dossier=received, officer=people["tiepnhan"], amount=received.fee_amount, **hand_over
            )
        )
        == 1
    )
    received.refresh_from_db()
    assert received.status == Status.RETURNED and received.fee_paid == received.fee_amount
    actions = list(received.events.order_by("at", "pk").values_list("action", flat=True))
    assert actions[1:] == [
        "start_appraisal",
        "submit_for_approval",
        "approve",
        "seal",
        "release",
        "payment",
        "return_result",
    ]


def test_the_apology_comes_a_working_day_before_the_deadline_and_once(people, demo, applicant):
    from taicho.catalog.models import Procedure

    birth = Procedure.objects.get(code="1.001193")  # 1 working day
    version = birth.version_on(timezone.localdate())
    components = [Provided(c.pk, "original", 1) for c in version.components.filter(required=True)]
    # Monday 07:30 local time: the due instant is Monday 17:00; less than one working day ahead already.
    from zoneinfo import ZoneInfo

    monday = timezone.datetime(2026, 11, 30, 7, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    dossier = receive_dossier(
        officer=people["tiepnhan"], procedure=birth, applicant=applicant, components=components, at=monday
    )
    with pytest.raises(DomainError, match="01 ngày làm việc"):
        apologise(
            dossier=dossier,
            officer=people["thamdinh"],
            reason="Chờ xác minh",
            new_due=dossier.due_at + timedelta(days=2),
            at=monday + timedelta(hours=1),
        )
    # With a two-day limit the apology made on time is accepted, once.
    dossier.due_at = dossier.due_at + timedelta(days=2)
    dossier.save()
    apologise(
        dossier=dossier,
        officer=people["thamdinh"],
        reason="Chờ xác minh thông tin",
        new_due=dossier.due_at + timedelta(days=3),
        at=monday + timedelta(minutes=5),
    )
    dossier.refresh_from_db()
    assert dossier.original_due_at < dossier.due_at and "04" in dossier.papers.values_list("form", flat=True)
    with pytest.raises(DomainError, match="một lần"):
        apologise(
            dossier=dossier,
            officer=people["thamdinh"],
            reason="Lại chậm",
            new_due=dossier.due_at + timedelta(days=5),
            at=monday + timedelta(minutes=10),
        )


def test_stop_and_withdrawal_only_before_the_result(received, people):
    request_withdrawal(dossier=received, officer=people["tiepnhan"], reason="Công dân xin rút hồ sơ")
    stopped = stop(dossier=received, officer=people["tiepnhan"], reason="Theo đề nghị của công dân")
    assert stopped.status == Status.STOPPED and stopped.national_status == 8
    assert "05" in stopped.papers.values_list("form", flat=True)


def test_no_stop_after_the_result_is_issued(received, people):
    dossier = to_approval(received, people)
    approve(dossier=dossier, leader=people["lanhdao"])
    with pytest.raises(Conflict):
        stop(dossier=dossier, officer=people["lanhdao"], reason="Muộn")
    with pytest.raises(Conflict):
        request_withdrawal(dossier=dossier, officer=people["tiepnhan"], reason="Muộn")


def test_stop_is_refused_once_fees_are_settled(received, people, settings):
    record_payment(dossier=received, officer=people["tiepnhan"], amount=4000, receipt="BL-1")
    with pytest.raises(DomainError, match="đã nộp đủ phí"):
        stop(dossier=received, officer=people["tiepnhan"], reason="Xin dừng")
    settings.STOP_REFUSED_AFTER_FEES = False
    assert stop(dossier=received, officer=people["tiepnhan"], reason="Xin dừng").status == Status.STOPPED


@pytest.mark.parametrize("paid", [0, 1000], ids=["nothing-paid", "part-paid"])
def test_fees_are_paid_before_return(received, people, paid):
    dossier = to_approval(received, people)
    approve(dossier=dossier, leader=people["lanhdao"])
    seal(dossier=dossier, clerk=people["vanthu"])
    if paid:  # 1.000 of the 4.000 đồng due
        record_payment(dossier=dossier, officer=people["tiepnhan"], amount=paid, receipt="BL-1")
    with pytest.raises(DomainError, match="Chưa thu đủ phí"):
        return_result(
            dossier=dossier,
            officer=people["tiepnhan"],
            receiver_name="Nguyễn Thị Lan Anh",
            receiver_id="022186001234",
        )
    dossier.refresh_from_db()
    assert dossier.status == Status.RESULT_READY


def test_a_result_whose_signatures_fail_is_not_released(received, people):
    import io

    from taicho.documents.services import ReleaseRefused

    dossier = to_approval(received, people)
    approve(dossier=dossier, leader=people["lanhdao"])
    # Someone alters the stored file between the leader's signature and the seal.
    document = dossier.result
    document.refresh_from_db()
    content = bytearray(document.pdf.open("rb").read())
    content[len(content) // 3] ^= 0x01
    document.pdf.storage.delete(document.pdf.name)
    document.pdf.storage.save(document.pdf.name, io.BytesIO(bytes(content)))
    with pytest.raises((ReleaseRefused, DomainError)):
        seal(dossier=dossier, clerk=people["vanthu"])
    dossier.refresh_from_db()
    assert dossier.status in (Status.APPROVED, Status.SEALED) and dossier.status != Status.RESULT_READY


def test_a_refused_release_is_recorded_with_its_reasons(received, people):
    import io

    from taicho.documents.models import DocumentEvent
    from taicho.documents.services import ReleaseRefused

    dossier = to_approval(received, people)
    approve(dossier=dossier, leader=people["lanhdao"])
    document = dossier.result
    document.refresh_from_db()
    content = bytearray(document.pdf.open("rb").read())
    content[len(content) // 3] ^= 0x01  # altered between the leader's signature and the seal
    document.pdf.storage.delete(document.pdf.name)
    document.pdf.storage.save(document.pdf.name, io.BytesIO(bytes(content)))
    with pytest.raises(ReleaseRefused) as refused:
        seal(dossier=dossier, clerk=people["vanthu"])
    dossier.refresh_from_db()
    assert dossier.status == Status.SEALED
    recorded = DocumentEvent.objects.get(document=document, action="release_refused")
    assert recorded.detail["problems"] == refused.value.problems and refused.value.problems


def test_approval_only_by_a_leader_or_a_delegate(received, people):
    dossier = to_approval(received, people)
    with pytest.raises(NotAllowed):
        approve(dossier=dossier, leader=people["thamdinh"])  # an appraiser without delegation
    with pytest.raises(NotAllowed):
        approve(dossier=dossier, leader=people["vanthu"])  # a clerk
    dossier.refresh_from_db()
    assert dossier.status == Status.AWAITING_APPROVAL
    approve(dossier=dossier, leader=people["tiepnhan"])  # the counter, under decision 16/QĐ-STP (TUQ.)
    assert DossierEvent.objects.get(dossier=dossier, action="approve").detail["delegation"] == "16/QĐ-STP"


def test_an_officer_of_another_agency_can_do_nothing(received, people):
    with pytest.raises(NotAllowed, match="không thuộc cơ quan"):
        start_appraisal(dossier=received, officer=people["canboxa"])
    assert Dossier.objects.visible_to(people["canboxa"]).count() == 0
    assert Dossier.objects.visible_to(people["thamdinh"]).count() == 1
    assert Dossier.objects.visible_to(people["giamdoc"]).count() == 1  # the center's director


def test_the_counter_appraises_only_where_delegated(people, demo, applicant):
    from taicho.catalog.models import Procedure

    extract = Procedure.objects.get(code="2.000635")  # appraisal not delegated to the justice counter
    version = extract.version_on(timezone.localdate())
    dossier = receive_dossier(
        officer=people["tiepnhan"],
        procedure=extract,
        applicant=applicant,
        components=[Provided(c.pk, "original", 1) for c in version.components.filter(required=True)],
    )
    with pytest.raises(NotAllowed, match="ủy quyền"):
        start_appraisal(dossier=dossier, officer=people["tiepnhan"])


def test_refusal_after_appraisal(received, people):
    start_appraisal(dossier=received, officer=people["thamdinh"])
    refused = refuse(dossier=received, officer=people["thamdinh"], reason="Bản chính bị tẩy xóa, sửa chữa")
    assert refused.status == Status.REFUSED


def test_batch_approval_signs_each_and_reports_each(people, copy_cert, applicant):
    dossiers = [
        to_approval(
            receive_dossier(
                officer=people["tiepnhan"],
                procedure=copy_cert,
                applicant=applicant,
                components=provided_all(copy_cert, files=False),
            ),
            people,
        )
        for _ in range(3)
    ]
    start_appraisal  # noqa: B018 - the third one is already approved by someone else below
    approve(dossier=dossiers[2], leader=people["giamdocso"])
    outcomes = approve_batch(dossiers=dossiers, leader=people["lanhdao"])
    assert [o.ok for o in outcomes] == [True, True, False]
    assert "trạng thái" in outcomes[2].message
    assert {d.status for d in Dossier.objects.filter(pk__in=[d.pk for d in dossiers])} == {Status.APPROVED}


def test_submit_draft_uses_the_dossier_data(received, people):
    start_appraisal(dossier=received, officer=people["thamdinh"])
    submitted = submit_for_approval(
        dossier=received,
        officer=people["thamdinh"],
        template="copy_certification",
        title="Bản sao được chứng thực từ bản chính",
        data=dict(RESULT_DATA),
    )
    assert submitted.result.dossier_code == received.code and submitted.result.owner_id == "022186001234"
    assert submitted.result.data["agency"] == "Sở Tư pháp tỉnh Quảng Ninh"
