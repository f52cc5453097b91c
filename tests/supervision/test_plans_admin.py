"""A province's plan is data: a second plan — other percentages, other dates, the commune level — entered entirely
through the admin (real POSTs, as a superuser) is what compliance and roadmaps then read. The history of
designations is read-only there."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from taicho.catalog.models import OnTheSpotDesignation, OnTheSpotStatus
from taicho.org.models import Agency, Role
from taicho.org.services import create_agency
from taicho.supervision import services
from taicho.supervision.compliance import compliance
from taicho.supervision.models import DesignationEvent, Metric, Phase, Plan, Roadmap, Target
from taicho.supervision.roadmaps import MET, roadmap_progress

from .plan_data import make_procedure

ON = date(2027, 3, 31)


@pytest.fixture
def admin_client(client, make_staff, province):
    superuser = make_staff(Role.ADMINISTRATOR, agency=province, is_superuser=True, is_staff=True)
    client.force_login(superuser)
    return client


def _management(prefix: str, total: int, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _enter_plan(admin_client) -> Plan:
    response = admin_client.post(
        reverse("admin:supervision_plan_add"),
        {
            "name": "Kế hoạch “5 tại chỗ” năm 2027 của tỉnh khác",
            "decision_number": "88/KH-UBND",
            "decision_date": "2027-01-05",
            "issuer": "",
            "note": "",
            "simple_max_components": "4",
            "short_max_days": "5",
            "frequent_min_dossiers": "6",
            **_management("phases", 1),
            "phases-0-ordinal": "1",
            "phases-0-name": "Năm 2027",
            "phases-0-starts": "2027-01-01",
            "phases-0-ends": "2027-12-31",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    plan = Plan.objects.get(name="Kế hoạch “5 tại chỗ” năm 2027 của tỉnh khác")
    phase = plan.phases.get()
    response = admin_client.post(
        reverse("admin:supervision_phase_change", args=[phase.pk]),
        {
            "plan": plan.pk,
            "ordinal": "1",
            "name": "Năm 2027",
            "starts": "2027-01-01",
            "ends": "2027-12-31",
            **_management("targets", 3),
            "targets-0-level": "department",
            "targets-0-metric": "on_the_spot",
            "targets-0-base": "all",
            "targets-0-percent": "40",
            "targets-1-level": "commune",
            "targets-1-metric": "on_the_spot",
            "targets-1-base": "all",
            "targets-1-percent": "50",
            "targets-2-level": "commune",
            "targets-2-metric": "delegated",
            "targets-2-base": "on_the_spot",
            "targets-2-percent": "25",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return plan


def test_a_second_plan_entered_in_the_admin_has_its_compliance_computed(admin_client, justice, province):
    commune = create_agency(
        code="000.00.31.H49", name="UBND phường Thử", level=Agency.Level.COMMUNE, parent=province
    )
    plan = _enter_plan(admin_client)
    assert not plan.is_default and Plan.objects.get(is_default=True).pk != plan.pk  # the default stays
    assert (plan.simple_max_components, plan.short_max_days, plan.frequent_min_dossiers) == (
        4,
        Decimal("5"),
        6,
    )
    phase = plan.phases.get()
    assert phase.targets.count() == 3

    justice_procedures = [make_procedure(justice) for _ in range(5)]
    commune_procedures = [make_procedure(commune) for _ in range(4)]
    for p in justice_procedures[:2]:
        OnTheSpotDesignation.objects.create(
            procedure=p, agency=justice, status=OnTheSpotStatus.ACTIVE, effective_from=date(2027, 1, 10)
        )
    for p, delegated in ((commune_procedures[0], True), (commune_procedures[1], False)):
        OnTheSpotDesignation.objects.create(
            procedure=p,
            agency=commune,
            status=OnTheSpotStatus.ACTIVE,
            effective_from=date(2027, 2, 1),
            counter_appraises=delegated,
        )

    result = compliance(plan, phase, ON, Agency.objects.all())
    rows = {r.agency.code: r for r in result.rows}
    assert list(rows) == ["000.00.12.H49", "000.00.31.H49"]
    justice_spot = rows["000.00.12.H49"].measures[Metric.ON_THE_SPOT]
    assert (justice_spot.count, justice_spot.base, justice_spot.share, justice_spot.target) == (
        2,
        5,
        Decimal("40.0"),
        Decimal("40"),
    )
    assert justice_spot.light.color == "green"
    assert (
        rows["000.00.12.H49"].measures[Metric.DELEGATED].light.color == "grey"
    )  # no such target for departments
    commune_spot = rows["000.00.31.H49"].measures[Metric.ON_THE_SPOT]
    assert (commune_spot.share, commune_spot.light.color) == (Decimal("50.0"), "green")
    commune_delegated = rows["000.00.31.H49"].measures[Metric.DELEGATED]
    assert (commune_delegated.count, commune_delegated.base, commune_delegated.share) == (
        1,
        2,
        Decimal("50.0"),
    )
    assert commune_delegated.light.color == "green"

    # Before the commune's procedures came into effect it was behind.
    early = compliance(plan, phase, date(2027, 1, 20), Agency.objects.filter(level="commune"))
    assert early.rows[0].measures[Metric.ON_THE_SPOT].light.color == "red"

    # The page reads it when the plan is chosen.
    response = admin_client.get(
        reverse("supervision:compliance"), {"ke_hoach": plan.pk, "den": ON.isoformat()}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Năm 2027" in page and "UBND phường Thử" in page and "40,0" in page


def test_a_roadmap_is_entered_with_its_milestones(admin_client, justice):
    plan = _enter_plan(admin_client)
    head = Agency.objects.get(pk=justice.pk)
    response = admin_client.post(
        reverse("admin:supervision_roadmap_add"),
        {
            "plan": plan.pk,
            "agency": head.pk,
            "head": "",
            "head_name": "Trần Thị Bình",
            "committed_on": "2027-01-15",
            "document": "Văn bản 20/STP",
            **_management("milestones", 2),
            "milestones-0-due": "2027-03-31",
            "milestones-0-on_the_spot_count": "1",
            "milestones-0-delegated_count": "0",
            "milestones-1-due": "2027-06-30",
            "milestones-1-on_the_spot_count": "3",
            "milestones-1-delegated_count": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    roadmap = Roadmap.objects.get(plan=plan, agency=justice)
    procedure = make_procedure(justice)
    OnTheSpotDesignation.objects.create(
        procedure=procedure, agency=justice, status=OnTheSpotStatus.ACTIVE, effective_from=date(2027, 2, 1)
    )
    (progress,) = roadmap_progress(Roadmap.objects.filter(pk=roadmap.pk), date(2027, 3, 1))
    assert progress.head == "Trần Thị Bình"
    assert [(m.on_the_spot, m.state) for m in progress.milestones] == [(1, MET), (1, "upcoming")]


def test_a_target_outside_0_to_100_is_refused(admin_client):
    plan = _enter_plan(admin_client)
    phase = plan.phases.get()
    before = list(Target.objects.filter(phase=phase).values_list("pk", "percent"))
    response = admin_client.post(
        reverse("admin:supervision_phase_change", args=[phase.pk]),
        {
            "plan": plan.pk,
            "ordinal": "2",
            "name": "Sai",
            "starts": "2027-12-31",
            "ends": "2027-01-01",
            **_management("targets", 0),
        },
    )
    assert response.status_code == 200  # the form again, with the error
    phase.refresh_from_db()
    assert phase.name == "Năm 2027"
    assert list(Target.objects.filter(phase=phase).values_list("pk", "percent")) == before
    response = admin_client.post(
        reverse("admin:supervision_phase_add"),
        {
            "plan": plan.pk,
            "ordinal": "2",
            "name": "Giai đoạn 2",
            "starts": "2028-01-01",
            "ends": "2028-12-31",
            **_management("targets", 1),
            "targets-0-level": "commune",
            "targets-0-metric": "on_the_spot",
            "targets-0-base": "all",
            "targets-0-percent": "120",
        },
    )
    assert response.status_code == 200
    assert not Phase.objects.filter(plan=plan, ordinal=2).exists()


def test_designation_events_are_read_only_in_the_admin(admin_client, justice, province, make_staff):
    director = make_staff(Role.CENTER_DIRECTOR, agency=province)
    procedure = make_procedure(justice)
    designation = services.propose(procedure=procedure, agency=justice, actor=director, reason="Đề xuất")
    event = DesignationEvent.objects.get(designation=designation)
    assert admin_client.get(reverse("admin:supervision_designationevent_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:supervision_designationevent_change", args=[event.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.get(reverse("admin:supervision_designationevent_add")).status_code == 403
    response = admin_client.post(
        reverse("admin:supervision_designationevent_change", args=[event.pk]), {"reason": "Sửa lý do"}
    )
    assert response.status_code == 403
    assert (
        admin_client.post(
            reverse("admin:supervision_designationevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    event.refresh_from_db()
    assert event.reason == "Đề xuất"


def test_every_plan_admin_page_renders_over_the_demo(client, people):
    from django.utils import timezone

    from taicho.supervision.demo import build_plan_demo

    build_plan_demo(timezone.localdate())
    client.force_login(people["quantri"])
    for model in (Plan, Phase, Roadmap, DesignationEvent):  # targets and milestones: inlines
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(url).status_code == 200, url
        first = model.objects.order_by("pk").first()
        assert first is not None
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("admin:supervision_plan_add")).status_code == 200
