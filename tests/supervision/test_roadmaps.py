"""Roadmaps and accountability: actual against committed at each milestone, read from the designation history;
late / due soon / met; the page, its export, and the demo data."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from taicho.catalog.models import OnTheSpotDesignation, OnTheSpotStatus, Procedure
from taicho.org.models import Agency, Role
from taicho.supervision import services
from taicho.supervision.models import DesignationEvent, Milestone, Plan, Roadmap
from taicho.supervision.roadmaps import (
    DUE_SOON,
    LATE,
    MET,
    UPCOMING,
    agencies_without_roadmap,
    roadmap_progress,
    roadmap_tables,
)

from .plan_data import make_plan, make_procedure

S = OnTheSpotStatus
TODAY = date(2026, 6, 30)


def _local(*args: int) -> datetime:
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def roadmap(justice, province, make_staff):
    head = make_staff(Role.APPROVER, agency=justice, full_name="Lê Thị Hồng")
    director = make_staff(Role.CENTER_DIRECTOR, agency=province)
    p = [make_procedure(justice) for _ in range(5)]
    OnTheSpotDesignation.objects.create(
        procedure=p[0],
        agency=justice,
        status=S.ACTIVE,
        effective_from=date(2026, 1, 15),
        counter_appraises=True,
    )
    OnTheSpotDesignation.objects.create(
        procedure=p[1], agency=justice, status=S.ACTIVE, effective_from=date(2026, 3, 1)
    )
    OnTheSpotDesignation.objects.create(
        procedure=p[2], agency=justice, status=S.APPROVED, effective_from=date(2026, 7, 10)
    )
    with time_machine.travel(_local(2026, 4, 1, 9), tick=False):
        d = services.propose(procedure=p[3], agency=justice, actor=head, reason="Đề xuất")
        services.approve_designation(
            designation=d,
            actor=director,
            decision_number="5/QĐ",
            decision_date=date(2026, 4, 1),
            effective_from=date(2026, 4, 1),
            reason="Đủ tiêu chí",
        )
    with time_machine.travel(_local(2026, 5, 15, 9), tick=False):
        services.suspend(designation=d, actor=director, reason="Thiếu cán bộ")
    plan, _phase = make_plan(targets=[("department", "on_the_spot", "all", "30")])
    roadmap = Roadmap.objects.create(
        plan=plan, agency=justice, head=head, committed_on=date(2026, 1, 5), document="Văn bản 12/STP"
    )
    for due, on_the_spot, delegated in (
        (date(2026, 2, 1), 1, 1),
        (date(2026, 4, 30), 4, 1),
        (date(2026, 5, 31), 2, 1),
        (date(2026, 7, 20), 4, 2),
        (date(2026, 10, 1), 9, 0),
        (date(2026, 12, 31), 3, 1),
    ):
        Milestone.objects.create(
            roadmap=roadmap, due=due, on_the_spot_count=on_the_spot, delegated_count=delegated
        )
    return roadmap


def test_each_milestone_against_what_was_on_the_spot_on_its_date(roadmap):
    (progress,) = roadmap_progress(Roadmap.objects.all(), TODAY)
    assert progress.head == "Lê Thị Hồng"
    assert (progress.on_the_spot_now, progress.delegated_now) == (2, 1)
    got = [
        (m.milestone.due, m.on_the_spot, m.delegated, m.gap_on_the_spot, m.gap_delegated, m.state)
        for m in progress.milestones
    ]
    assert got == [
        (date(2026, 2, 1), 1, 1, 0, 0, MET),
        (date(2026, 4, 30), 3, 1, 1, 0, LATE),  # the suspended one still counted then: 3 of 4
        (date(2026, 5, 31), 2, 1, 0, 0, MET),  # suspended on 15 May
        (date(2026, 7, 20), 3, 1, 1, 1, DUE_SOON),  # the approval effective 10 July counts
        (date(2026, 10, 1), 3, 1, 6, 0, UPCOMING),
        (date(2026, 12, 31), 3, 1, 0, 0, MET),  # already decided
    ]
    assert [m.milestone.due for m in progress.late] == [date(2026, 4, 30)]
    assert progress.milestones[1].light.color == "red" and progress.milestones[1].light.text == "Trễ hạn"
    assert progress.milestones[3].light.color == "yellow"


def test_a_roadmap_head_may_be_only_a_name(roadmap):
    Roadmap.objects.filter(pk=roadmap.pk).update(head=None, head_name="Nguyễn Văn A")
    (progress,) = roadmap_progress(Roadmap.objects.all(), TODAY)
    assert progress.head == "Nguyễn Văn A"


def test_tables_list_the_late_milestones_first_and_the_agencies_without_roadmap(roadmap, other_agency):
    progress = roadmap_progress(Roadmap.objects.all(), TODAY)
    missing = agencies_without_roadmap(roadmap.plan, Agency.objects.all(), TODAY)
    assert missing == [other_agency]  # the province and the justice department are not listed
    late, every, absent = roadmap_tables(progress, missing)
    assert len(late.rows) == 1 and len(every.rows) == 6
    row = late.rows[0]
    assert row[:4] == [
        "Sở Tư pháp tỉnh Quảng Ninh",
        "Lê Thị Hồng",
        "Văn bản 12/STP (05/01/2026)",
        "30/04/2026",
    ]
    assert row[4:11] == [4, 3, 1, 1, 1, 0, 2]
    assert row[11].text == "Trễ hạn"
    assert absent.rows == [["Sở Xây dựng tỉnh Quảng Ninh", "Sở, ban, ngành cấp tỉnh"]]


# --- demo and pages ----------------------------------------------------------------------------------------


@pytest.fixture
def plan_demo(people):
    from taicho.supervision.demo import build_plan_demo

    build_plan_demo(timezone.localdate())
    return people


def test_the_plan_demo_is_idempotent(plan_demo):
    from taicho.supervision.demo import build_plan_demo

    def snapshot():
        return (
            OnTheSpotDesignation.objects.count(),
            list(OnTheSpotDesignation.objects.order_by("pk").values_list("status", flat=True)),
            DesignationEvent.objects.count(),
            Roadmap.objects.count(),
            Milestone.objects.count(),
            Procedure.agencies.through.objects.count(),
        )

    before = snapshot()
    build_plan_demo(timezone.localdate())
    assert snapshot() == before
    statuses = set(DesignationEvent.objects.values_list("to_status", flat=True))
    assert {S.CANDIDATE, S.APPROVED, S.ACTIVE, S.SUSPENDED, S.NOT_ELIGIBLE} <= statuses
    assert Roadmap.objects.filter(plan__is_default=True).count() == 2


def test_roadmaps_page_shows_heads_milestones_and_what_is_late(client, plan_demo):
    client.force_login(plan_demo["giamdoc"])
    response = client.get(reverse("supervision:roadmaps"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Lộ trình thực hiện “5 tại chỗ” của các cơ quan" in page
    assert "Lê Thị Hồng" in page and "Đinh Thị Hạnh" in page  # the accountable heads
    assert "1 mốc trễ hạn" in page
    assert 'class="badge light-red">Trễ hạn' in page


def test_roadmaps_page_exports_xlsx(client, plan_demo):
    client.force_login(plan_demo["thanhtra"])
    response = client.get(reverse("supervision:roadmaps"), {"xlsx": "tre-han"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[1][0] == "Mốc lộ trình trễ hạn"
    (late,) = rows[3:]
    assert late[0] == "Sở Tư pháp tỉnh Quảng Ninh" and late[1] == "Lê Thị Hồng"
    assert late[4] == 10 and late[4] > late[5]  # committed 10, fewer on the spot
    assert late[-1] == "Trễ hạn"


def test_roadmaps_page_is_refused_to_a_receiving_officer(client, people):
    client.force_login(people["tiepnhan"])
    assert client.get(reverse("supervision:roadmaps")).status_code == 403


def test_a_leader_sees_the_own_roadmap_only(client, plan_demo):
    client.force_login(plan_demo["chutichxa"])
    page = client.get(reverse("supervision:roadmaps")).content.decode()
    assert "Đinh Thị Hạnh" in page and "Lê Thị Hồng" not in page
    assert Plan.objects.filter(is_default=True).exists()
