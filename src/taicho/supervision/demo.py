"""Demo data of the plan's supervision (called by `taicho.demo.build_demo`): each demo agency's list of procedures
from the imported catalog, a few designations taken through the real services (so their history exists as
events), and the agencies' roadmaps — one milestone late.

Idempotent: a procedure that already has a designation at the agency is left as it is, a roadmap that already has
milestones keeps them; running it twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction

from taicho.catalog.models import OnTheSpotDesignation, Procedure, ProcedureVersion
from taicho.org.models import Agency, Staff
from taicho.supervision import services
from taicho.supervision.models import Milestone, Plan, Roadmap

JUSTICE, COMMUNE = "000.00.12.H49", "000.00.31.H49"
# The catalog's "cấp thực hiện" of the procedures each demo agency performs.
LEVEL_OF = {JUSTICE: "Cấp tỉnh", COMMUNE: "Cấp xã"}


@dataclass(frozen=True)
class Scenario:
    agency: str
    code: str
    proposer: str
    steps: tuple[str, ...]  # "propose", "approve_past", "approve_future", "suspend", "not_eligible"
    reason: str


SCENARIOS = (
    Scenario(
        JUSTICE,
        "1.000390",  # Cấp lại thẻ tư vấn viên pháp luật
        "giamdocso",
        ("propose", "approve_past"),
        "Hồ sơ đơn giản (01 thành phần), một cơ quan giải quyết, cán bộ tại Trung tâm đủ thẩm quyền thẩm định.",
    ),
    Scenario(
        JUSTICE,
        "1.000426",  # Cấp thẻ tư vấn viên pháp luật
        "giamdocso",
        ("propose", "approve_future"),
        "Thủ tục do Sở giải quyết độc lập, phát sinh hồ sơ đều đặn; đề nghị đưa vào thực hiện 5 tại chỗ.",
    ),
    Scenario(
        JUSTICE,
        "1.000802",  # Cấp lại Chứng chỉ hành nghề đấu giá
        "giamdocso",
        ("propose",),
        "Thành phần hồ sơ ít, thời hạn ngắn; Sở đề xuất sau khi rà soát theo Kế hoạch.",
    ),
    Scenario(
        JUSTICE,
        "1.001122",  # Bổ nhiệm và cấp thẻ giám định viên tư pháp cấp tỉnh
        "giamdocso",
        ("not_eligible",),
        "Phải trình Chủ tịch UBND tỉnh quyết định bổ nhiệm; không thể phê duyệt tại Trung tâm.",
    ),
    Scenario(
        COMMUNE,
        "1.000656",  # Thủ tục đăng ký khai tử
        "chutichxa",
        ("propose", "approve_past", "suspend"),
        "Thủ tục hộ tịch phát sinh thường xuyên, giải quyết trong ngày.",
    ),
    Scenario(
        COMMUNE,
        "1.004837",  # Thủ tục đăng ký giám hộ
        "chutichxa",
        ("propose",),
        "Hồ sơ ít thành phần, một cơ quan giải quyết; phường đề xuất thực hiện 5 tại chỗ.",
    ),
)


def _attach_catalog(agencies: dict[str, Agency], today: date) -> None:
    """Give each demo agency the catalog's procedures of its level (the list its review covers)."""
    latest: dict[int, tuple[int, list[str]]] = {}
    for procedure_id, number, levels in ProcedureVersion.objects.filter(
        effective_from__lte=today
    ).values_list("procedure_id", "number", "levels"):
        if procedure_id not in latest or number > latest[procedure_id][0]:
            latest[procedure_id] = (number, list(levels or []))
    for code, agency in agencies.items():
        wanted = [pid for pid, (_n, levels) in latest.items() if LEVEL_OF[code] in levels]
        agency.procedures.add(*wanted)


def _run(scenario: Scenario, agency: Agency, people: dict[str, Staff], today: date) -> None:
    procedure = Procedure.objects.filter(code=scenario.code, agencies=agency).first()
    if procedure is None:
        return
    if OnTheSpotDesignation.objects.filter(procedure=procedure, agency=agency, case_name="").exists():
        return  # already there (an earlier run, or a person acted on it): leave it
    director = people["giamdoc"]
    proposer = people[scenario.proposer]
    designation: OnTheSpotDesignation | None = None
    for step in scenario.steps:
        if step == "propose":
            designation = services.propose(
                procedure=procedure, agency=agency, actor=proposer, reason=scenario.reason
            )
        elif step == "not_eligible":
            designation = services.declare_not_eligible(
                procedure=procedure, agency=agency, actor=proposer, reason=scenario.reason
            )
        elif step in ("approve_past", "approve_future") and designation is not None:
            past = step == "approve_past"
            decided = today - timedelta(days=45 if past else 5)
            designation = services.approve_designation(
                designation=designation,
                actor=director,
                decision_number=f"{'215' if past else '388'}/QĐ-UBND",
                decision_date=decided,
                effective_from=decided + timedelta(days=15) if past else today + timedelta(days=20),
                reason="Đáp ứng tiêu chí lựa chọn của Kế hoạch; Trung tâm đã bố trí cán bộ và thiết bị.",
                counter_appraises=True,
                on_the_spot_hours=None,
                today=today,
            )
        elif step == "suspend" and designation is not None:
            designation = services.suspend(
                designation=designation,
                actor=director,
                reason="Công chức tư pháp - hộ tịch được cử tại Trung tâm nghỉ chế độ; tạm dừng đến khi bố trí "
                "người thay thế.",
            )


ROADMAPS = {
    JUSTICE: (
        "giamdocso",
        "Văn bản cam kết số 112/STP-VP",
        # (days from today, on the spot, delegated): met, late, due soon
        ((-90, 3, 1), (-10, 10, 5), (20, 7, 4)),
    ),
    COMMUNE: (
        "chutichxa",
        "Văn bản cam kết số 45/UBND",
        ((-20, 4, 2), (45, 8, 4)),
    ),
}


@transaction.atomic
def build_plan_demo(today: date) -> None:
    """Create what is missing of the supervision demo (see the module docstring)."""
    plan = Plan.objects.filter(is_default=True).first()
    agencies = {a.code: a for a in Agency.objects.filter(code__in=[JUSTICE, COMMUNE])}
    if plan is None or len(agencies) < 2:
        return
    people = {s.username: s for s in Staff.objects.filter(username__in=["giamdoc", "giamdocso", "chutichxa"])}
    if len(people) < 3:
        return
    _attach_catalog(agencies, today)
    for scenario in SCENARIOS:
        _run(scenario, agencies[scenario.agency], people, today)
    for code, (head, document, milestones) in ROADMAPS.items():
        roadmap, _created = Roadmap.objects.get_or_create(
            plan=plan,
            agency=agencies[code],
            defaults={
                "head": people[head],
                "head_name": people[head].get_full_name(),
                "committed_on": today - timedelta(days=120),
                "document": document,
            },
        )
        if not roadmap.milestones.exists():
            Milestone.objects.bulk_create(
                Milestone(
                    roadmap=roadmap,
                    due=today + timedelta(days=days),
                    on_the_spot_count=on_the_spot,
                    delegated_count=delegated,
                )
                for days, on_the_spot, delegated in milestones
            )
