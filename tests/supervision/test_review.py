"""Review and selection of procedures (item 1 of the plan): criteria scored from the catalog and the dossiers,
the designation's state machine with its append-only events, who may do what, and the review pages."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from taicho.catalog.models import OnTheSpotDesignation, OnTheSpotStatus, Procedure, ProcedureVersion
from taicho.core.errors import Conflict, DomainError, NotAllowed
from taicho.org.models import Agency, Role
from taicho.supervision import services
from taicho.supervision.models import DesignationEvent, Plan
from taicho.supervision.review import review_rows, twelve_months, working_days

from .plan_data import make_procedure, received

S = OnTheSpotStatus
TODAY = date(2026, 11, 27)


@pytest.fixture
def cast(province, justice, other_agency, make_staff):
    """The people of these tests: the center's director, an inspector, the justice department's leader, another
    department's leader, and a receiving officer."""
    return {
        "director": make_staff(Role.CENTER_DIRECTOR, agency=province, username="giamdoc_t"),
        "inspector": make_staff(Role.INSPECTOR, agency=province, username="thanhtra_t"),
        "leader": make_staff(Role.APPROVER, agency=justice, username="lanhdao_t"),
        "other_leader": make_staff(Role.APPROVER, agency=other_agency, username="lanhdaokhac_t"),
        "officer": make_staff(Role.RECEIVING_OFFICER, agency=justice, username="tiepnhan_t"),
    }


# --- scoring -----------------------------------------------------------------------------------------------


def test_time_limits_are_converted_to_working_days():
    assert working_days(Decimal("2"), "working_days") == Decimal("2")
    assert working_days(Decimal("16"), "working_hours") == Decimal("2")
    assert working_days(Decimal("4"), "working_hours") == Decimal("0.5")
    assert working_days(None, "within_day") == Decimal("1")
    assert working_days(Decimal("1"), "within_day") == Decimal("1")
    assert working_days(Decimal("5"), "calendar_days") == Decimal("5")
    assert working_days(None, "") is None


def test_twelve_months_run_up_to_and_including_the_day():
    assert twelve_months(date(2026, 11, 27)) == (date(2025, 11, 28), date(2026, 11, 27))
    assert twelve_months(date(2024, 2, 29)) == (date(2023, 3, 1), date(2024, 2, 29))


def test_criteria_are_scored_from_the_catalog_and_the_dossiers(justice, other_agency):
    plan = Plan.objects.create(name="Tiêu chí mặc định")  # ≤ 3 components, ≤ 3 working days, ≥ 12 dossiers
    best = make_procedure(justice, components=2, limit=("1", "working_days"))
    hours = make_procedure(justice, components=3, limit=("16", "working_hours"), coordinating="Công an tỉnh")
    same_day = make_procedure(justice, components=4, limit=("1", "within_day"))
    unknown = make_procedure(justice, components=0, limit=None)
    long = make_procedure(justice, components=5, limit=("10", "working_days"))
    future = make_procedure(justice, effective=TODAY + timedelta(days=1))
    make_procedure(other_agency)  # another agency's procedure is not in this review
    start, _end = twelve_months(TODAY)
    received(justice, best, start, 7)
    received(justice, best, TODAY, 5)  # 12 in the window: frequent
    received(justice, hours, TODAY - timedelta(days=30), 11)  # 11: not frequent
    received(justice, hours, start - timedelta(days=1), 50)  # before the window: not counted
    received(other_agency, hours, TODAY, 40)  # another agency's dossiers: not counted

    rows = {r.code: r for r in review_rows(justice, plan, TODAY)}

    assert len(rows) == 6
    r = rows[best.code]
    assert (r.simple, r.short, r.one_agency, r.frequent, r.dossiers, r.score) == (
        True,
        True,
        True,
        True,
        12,
        4,
    )
    r = rows[hours.code]
    assert (r.components, r.shortest_days, r.dossiers) == (3, Decimal("2"), 11)
    assert (r.simple, r.short, r.one_agency, r.frequent, r.score) == (True, True, False, False, 2)
    r = rows[same_day.code]
    assert (r.simple, r.short, r.one_agency, r.score) == (False, True, True, 2)
    r = rows[unknown.code]  # neither the components nor the time limit are known: not scored
    assert (r.components, r.shortest_days, r.simple, r.short, r.one_agency, r.score) == (
        None,
        None,
        None,
        None,
        True,
        1,
    )
    r = rows[long.code]
    assert (r.simple, r.short, r.score) == (False, False, 1)
    r = rows[future.code]  # no version in force yet
    assert (r.version_id, r.simple, r.short, r.one_agency, r.score) == (None, None, None, None, 0)
    # Sorted by score, highest first.
    assert [r.score for r in review_rows(justice, plan, TODAY)] == [4, 2, 2, 1, 1, 0]


def test_the_current_version_is_the_latest_in_force(justice):
    plan = Plan.objects.create(name="Tiêu chí")
    procedure = make_procedure(justice, components=1, effective=date(2020, 1, 1))
    ProcedureVersion.objects.create(procedure=procedure, number=2, effective_from=date(2025, 1, 1), name="v2")
    ProcedureVersion.objects.create(
        procedure=procedure, number=3, effective_from=TODAY + timedelta(days=9), name="v3"
    )
    row = review_rows(justice, plan, TODAY)[0]
    v2 = procedure.versions.get(number=2)
    assert row.version_id == v2.pk
    assert row.components is None  # version 2 lists no component yet: unknown, not "simple"


def test_thresholds_come_from_the_plan(justice):
    strict = Plan.objects.create(
        name="Chặt", simple_max_components=1, short_max_days=Decimal("0.5"), frequent_min_dossiers=1
    )
    procedure = make_procedure(justice, components=2, limit=("4", "working_hours"))
    received(justice, procedure, TODAY, 1)
    row = review_rows(justice, strict, TODAY)[0]
    assert (row.simple, row.short, row.frequent) == (False, True, True)


# --- services: the state machine ---------------------------------------------------------------------------


def test_an_agency_leader_proposes_and_an_event_is_written(justice, cast):
    procedure = make_procedure(justice)
    designation = services.propose(
        procedure=procedure, agency=justice, actor=cast["leader"], reason="  Hồ sơ đơn giản, một cơ quan.  "
    )
    assert designation.status == S.CANDIDATE
    event = DesignationEvent.objects.get(designation=designation)
    assert (event.action, event.from_status, event.to_status) == ("propose", "", S.CANDIDATE)
    assert event.actor == cast["leader"]
    assert event.reason == "Hồ sơ đơn giản, một cơ quan."
    assert event.at is not None


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required(justice, cast, reason):
    procedure = make_procedure(justice)
    with pytest.raises(DomainError, match="Vui lòng nêu lý do"):
        services.propose(procedure=procedure, agency=justice, actor=cast["leader"], reason=reason)
    assert not OnTheSpotDesignation.objects.exists()
    assert not DesignationEvent.objects.exists()


def test_only_the_agencys_own_leader_or_the_province_may_propose(justice, cast):
    procedure = make_procedure(justice)
    for who in ("other_leader", "officer", "inspector"):
        with pytest.raises(NotAllowed):
            services.propose(procedure=procedure, agency=justice, actor=cast[who], reason="Đề xuất")
    assert not OnTheSpotDesignation.objects.exists()
    services.propose(procedure=procedure, agency=justice, actor=cast["director"], reason="Trung tâm đề xuất")


def test_a_procedure_outside_the_agencys_list_cannot_be_proposed(justice, other_agency, cast):
    procedure = make_procedure(other_agency)
    with pytest.raises(DomainError, match="không thuộc danh mục"):
        services.propose(procedure=procedure, agency=justice, actor=cast["director"], reason="Đề xuất")


def _candidate(justice, cast):
    procedure = make_procedure(justice)
    return services.propose(procedure=procedure, agency=justice, actor=cast["leader"], reason="Đề xuất")


def _approve(designation, actor, effective, **extra):
    return services.approve_designation(
        designation=designation,
        actor=actor,
        decision_number="215/QĐ-UBND",
        decision_date=effective - timedelta(days=10),
        effective_from=effective,
        reason="Đủ tiêu chí",
        **extra,
    )


def test_only_the_center_director_or_administrator_approves(justice, cast):
    designation = _candidate(justice, cast)
    for who in ("leader", "inspector", "officer"):
        with pytest.raises(NotAllowed, match="Chỉ Giám đốc Trung tâm"):
            _approve(designation, cast[who], timezone.localdate())
    designation.refresh_from_db()
    assert designation.status == S.CANDIDATE


def test_approval_in_effect_today_is_active_and_a_later_one_waits(justice, cast):
    today = timezone.localdate()
    now = _approve(_candidate(justice, cast), cast["director"], today, counter_appraises=True)
    assert now.status == S.ACTIVE
    assert (now.decision_number, now.effective_from, now.counter_appraises) == ("215/QĐ-UBND", today, True)
    event = now.events.order_by("-pk").first()
    assert (event.action, event.from_status, event.to_status) == ("approve", S.CANDIDATE, S.ACTIVE)
    assert event.detail["effective_from"] == today.isoformat()
    assert event.detail["decision_number"] == "215/QĐ-UBND"
    later = _approve(_candidate(justice, cast), cast["director"], today + timedelta(days=5))
    assert later.status == S.APPROVED


def test_approval_checks_the_decision(justice, cast):
    designation = _candidate(justice, cast)
    with pytest.raises(DomainError, match="số quyết định"):
        services.approve_designation(
            designation=designation,
            actor=cast["director"],
            decision_number=" ",
            decision_date=TODAY,
            effective_from=TODAY,
            reason="Đủ tiêu chí",
        )
    with pytest.raises(DomainError, match="không được trước ngày ban hành"):
        services.approve_designation(
            designation=designation,
            actor=cast["director"],
            decision_number="1/QĐ",
            decision_date=TODAY,
            effective_from=TODAY - timedelta(days=1),
            reason="Đủ tiêu chí",
        )


def test_illegal_moves_are_refused_with_a_vietnamese_message(justice, cast):
    designation = _candidate(justice, cast)
    with pytest.raises(Conflict, match="Không thể tạm dừng khi thủ tục đang ở trạng thái “Đề xuất”"):
        services.suspend(designation=designation, actor=cast["director"], reason="Tạm dừng")
    with pytest.raises(Conflict, match="Không thể đề xuất"):
        services.propose(
            procedure=designation.procedure, agency=justice, actor=cast["leader"], reason="Đề xuất lần hai"
        )
    active = _approve(designation, cast["director"], timezone.localdate())
    with pytest.raises(Conflict, match="Không thể phê duyệt khi thủ tục đang ở trạng thái “Đang thực hiện”"):
        _approve(active, cast["director"], timezone.localdate())
    assert active.events.count() == 2  # propose, approve: the refused moves wrote nothing


def test_activation_waits_for_the_effective_date_and_activate_due_runs_it(justice, cast):
    today = timezone.localdate()
    designation = _approve(_candidate(justice, cast), cast["director"], today + timedelta(days=3))
    with pytest.raises(Conflict, match="Chưa đến ngày hiệu lực"):
        services.activate(designation=designation, actor=cast["director"], reason="Đưa vào")
    assert services.activate_due(today + timedelta(days=2)) == 0
    assert services.activate_due(today + timedelta(days=3)) == 1
    designation.refresh_from_db()
    assert designation.status == S.ACTIVE
    event = designation.events.order_by("-pk").first()
    assert (event.actor, event.reason, event.from_status, event.to_status) == (
        None,
        "Đến ngày hiệu lực",
        S.APPROVED,
        S.ACTIVE,
    )
    assert services.activate_due(today + timedelta(days=3)) == 0  # nothing left to do


def test_suspend_then_propose_again(justice, cast):
    active = _approve(_candidate(justice, cast), cast["director"], timezone.localdate())
    with pytest.raises(NotAllowed):
        services.suspend(designation=active, actor=cast["leader"], reason="Thiếu cán bộ")
    suspended = services.suspend(designation=active, actor=cast["director"], reason="Thiếu cán bộ")
    assert suspended.status == S.SUSPENDED
    again = services.propose(
        procedure=active.procedure, agency=justice, actor=cast["leader"], reason="Đã bố trí cán bộ thay thế"
    )
    assert again.pk == active.pk and again.status == S.CANDIDATE
    assert list(again.events.values_list("to_status", flat=True)) == [
        S.CANDIDATE,
        S.ACTIVE,
        S.SUSPENDED,
        S.CANDIDATE,
    ]


def test_not_eligible_by_the_agency_before_approval_only(justice, cast):
    fresh = make_procedure(justice)
    marked = services.declare_not_eligible(
        procedure=fresh, agency=justice, actor=cast["leader"], reason="Phải xác minh thực địa"
    )
    assert marked.status == S.NOT_ELIGIBLE
    assert marked.events.get().from_status == ""
    active = _approve(_candidate(justice, cast), cast["director"], timezone.localdate())
    with pytest.raises(NotAllowed):
        services.mark_not_eligible(designation=active, actor=cast["leader"], reason="Không phù hợp")
    done = services.mark_not_eligible(designation=active, actor=cast["director"], reason="Không phù hợp")
    assert done.status == S.NOT_ELIGIBLE


def test_delegation_is_recorded_with_the_flags_before_and_after(justice, cast):
    active = _approve(_candidate(justice, cast), cast["director"], timezone.localdate())
    with pytest.raises(Conflict, match="không thay đổi"):
        services.set_delegation(
            designation=active,
            actor=cast["leader"],
            counter_appraises=False,
            counter_approves=False,
            reason="x",
        )
    with pytest.raises(NotAllowed):
        services.set_delegation(
            designation=active,
            actor=cast["other_leader"],
            counter_appraises=True,
            counter_approves=False,
            reason="x",
        )
    changed = services.set_delegation(
        designation=active,
        actor=cast["leader"],
        counter_appraises=True,
        counter_approves=True,
        reason="Quyết định ủy quyền 16/QĐ-STP",
    )
    assert (changed.status, changed.counter_appraises, changed.counter_approves) == (S.ACTIVE, True, True)
    event = changed.events.order_by("-pk").first()
    assert (event.action, event.from_status, event.to_status) == ("set_delegation", S.ACTIVE, S.ACTIVE)
    assert event.detail["before_appraises"] is False and event.detail["counter_approves"] is True


# --- pages -------------------------------------------------------------------------------------------------


def _justice():
    return Agency.objects.get(code="000.00.12.H49")


@pytest.fixture
def plan_demo(people):
    from taicho.supervision.demo import build_plan_demo

    build_plan_demo(timezone.localdate())
    return people


def test_review_page_lists_the_agencys_procedures_with_scores_and_status(client, plan_demo):
    client.force_login(plan_demo["giamdoc"])
    justice = _justice()
    response = client.get(reverse("supervision:review"), {"co_quan": justice.pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Rà soát, lựa chọn thủ tục thực hiện “5 tại chỗ”" in page
    assert "2.000815" in page and "Đang thực hiện" in page
    assert "1.000802" in page and "Đề xuất" in page  # the demo's candidate
    assert "1.001122" in page and "Không đủ điều kiện" in page
    assert "Đề xuất 5 tại chỗ" in page  # the director may propose where nothing is proposed yet
    assert f"{justice.procedures.count()} thủ tục" in page


def test_review_page_exports_xlsx(client, people):
    client.force_login(people["giamdoc"])
    justice = _justice()
    response = client.get(reverse("supervision:review"), {"co_quan": justice.pk, "xlsx": "ra-soat"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[2]
    assert header[0] == "Mã TTHC" and "Điểm" in header and "Trạng thái" in header
    by_code = {r[0]: r for r in rows[3:]}
    row = by_code["2.000815"]
    assert row[header.index("Trạng thái")] == "Đang thực hiện"
    assert row[header.index("Số quyết định")] == "1234/QĐ-UBND"
    assert len(by_code) == justice.procedures.count()


def test_the_review_page_runs_a_fixed_number_of_queries(client, people, settings):
    settings.SUPERVISION_REFRESH_SECONDS = 3600
    client.force_login(people["giamdoc"])
    justice = _justice()
    url = reverse("supervision:review")
    client.get(url, {"co_quan": justice.pk})  # warm: refresh the read models once
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, {"co_quan": justice.pk}).status_code == 200
    for _ in range(30):
        make_procedure(justice, components=1)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url, {"co_quan": justice.pk}).status_code == 200
    assert len(many) == len(few)


def _free_procedure(agency) -> Procedure:
    return make_procedure(agency, components=1)


def test_a_leader_proposes_from_the_page_and_the_director_approves(client, people):
    justice = _justice()
    procedure = _free_procedure(justice)
    client.force_login(people["lanhdao"])
    response = client.post(
        reverse("supervision:review_propose"),
        {"procedure": procedure.pk, "agency": justice.pk, "reason": "Hồ sơ đơn giản", "case_name": ""},
        follow=True,
    )
    assert response.status_code == 200
    assert "Đã đề xuất thực hiện “5 tại chỗ” các thủ tục đã chọn." in response.content.decode()
    designation = OnTheSpotDesignation.objects.get(procedure=procedure, agency=justice)
    assert designation.status == S.CANDIDATE

    # The leader may not approve (403 before any service runs).
    approve = reverse("supervision:review_approve", args=[designation.pk])
    data = {
        "decision_number": "77/QĐ-UBND",
        "decision_date": timezone.localdate().isoformat(),
        "effective_from": timezone.localdate().isoformat(),
        "counter_appraises": "on",
        "reason": "Đủ tiêu chí",
    }
    assert client.post(approve, data).status_code == 403

    client.force_login(people["giamdoc"])
    response = client.post(approve, data, follow=True)
    assert "Đã phê duyệt" in response.content.decode()
    designation.refresh_from_db()
    assert (designation.status, designation.decision_number, designation.counter_appraises) == (
        S.ACTIVE,
        "77/QĐ-UBND",
        True,
    )
    page = client.get(reverse("supervision:review_designation", args=[designation.pk])).content.decode()
    assert "Hồ sơ đơn giản" in page and "Đủ tiêu chí" in page  # the history with its reasons
    assert "Phạm Quốc Hùng" in page  # who proposed


def test_several_procedures_are_proposed_at_once_or_none(client, people):
    justice = _justice()
    first, second, third = (_free_procedure(justice) for _ in range(3))
    services.propose(procedure=second, agency=justice, actor=people["lanhdao"], reason="Đã đề xuất trước")
    client.force_login(people["giamdocso"])
    url = reverse("supervision:review_propose")
    response = client.post(
        url,
        {"procedure": [first.pk, second.pk], "agency": justice.pk, "reason": "Rà soát đợt 2"},
        follow=True,
    )
    page = response.content.decode()
    assert f"{second.code}: Không thể đề xuất" in page
    assert not OnTheSpotDesignation.objects.filter(procedure=first).exists()  # all or none
    response = client.post(
        url, {"procedure": [first.pk, third.pk], "agency": justice.pk, "reason": "Rà soát đợt 2"}, follow=True
    )
    assert "Đã đề xuất thực hiện “5 tại chỗ” các thủ tục đã chọn." in response.content.decode()
    assert set(
        OnTheSpotDesignation.objects.filter(procedure__in=[first, third]).values_list("status", flat=True)
    ) == {S.CANDIDATE}
    response = client.post(url, {"agency": justice.pk, "reason": "Không chọn gì"}, follow=True)
    assert "Vui lòng chọn ít nhất một thủ tục." in response.content.decode()
    other = _free_procedure(Agency.objects.get(code="000.00.31.H49"))
    assert client.post(url, {"procedure": [other.pk], "agency": justice.pk, "reason": "x"}).status_code == 404


def test_an_empty_reason_is_a_red_message_and_changes_nothing(client, people):
    justice = _justice()
    designation = OnTheSpotDesignation.objects.filter(agency=justice, status=S.ACTIVE).first()
    client.force_login(people["giamdoc"])
    response = client.post(
        reverse("supervision:review_suspend", args=[designation.pk]), {"reason": " "}, follow=True
    )
    assert "Vui lòng nêu lý do." in response.content.decode()
    designation.refresh_from_db()
    assert designation.status == S.ACTIVE


def test_the_history_page_exports_xlsx(client, people):
    justice = _justice()
    designation = OnTheSpotDesignation.objects.filter(agency=justice, status=S.ACTIVE).first()
    services.suspend(designation=designation, actor=people["giamdoc"], reason="Kiểm tra thấy chưa thực chất")
    client.force_login(people["thanhtra"])
    response = client.get(reverse("supervision:review_designation", args=[designation.pk]), {"xlsx": "1"})
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[2][:6] == ("Lúc", "Hành động", "Từ trạng thái", "Sang trạng thái", "Người thực hiện", "Lý do")
    assert rows[-1][1:] == (  # the newest event last (the demo may have recorded earlier ones)
        "Tạm dừng",
        "Đang thực hiện",
        "Tạm dừng",
        "Hoàng Văn Nam",
        "Kiểm tra thấy chưa thực chất",
    )


def test_a_receiving_officer_is_refused(client, people):
    client.force_login(people["tiepnhan"])
    assert client.get(reverse("supervision:review")).status_code == 403
    designation = OnTheSpotDesignation.objects.first()
    assert client.get(reverse("supervision:review_designation", args=[designation.pk])).status_code == 403
    assert (
        client.post(reverse("supervision:review_suspend", args=[designation.pk]), {"reason": "x"}).status_code
        == 403
    )


def test_a_leader_sees_only_the_own_agency(client, people):
    commune = Agency.objects.get(code="000.00.31.H49")
    theirs = OnTheSpotDesignation.objects.filter(agency=commune).first()
    client.force_login(people["lanhdao"])
    assert client.get(reverse("supervision:review_designation", args=[theirs.pk])).status_code == 404
    page = client.get(reverse("supervision:review"), {"co_quan": commune.pk}).content.decode()
    assert (
        "Sở Tư pháp tỉnh Quảng Ninh —" in page
    )  # an agency outside the leader's reach falls back to the own one
    procedure = _free_procedure(commune)
    response = client.post(
        reverse("supervision:review_propose"),
        {"procedure": procedure.pk, "agency": commune.pk, "reason": "Đề xuất hộ"},
    )
    assert response.status_code == 404
    assert not OnTheSpotDesignation.objects.filter(procedure=procedure).exists()
