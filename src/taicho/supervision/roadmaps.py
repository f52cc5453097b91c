"""Roadmaps and accountability (domain.md §1: each agency commits a roadmap — dates and counts — and its head
answers for it): per milestone, what the agency actually ran on the spot and delegated on the milestone's date,
read from the designation history, against what it committed.

A milestone is
- met (green): the actual counts reach both committed counts;
- late (red): its date has passed and they do not;
- due soon (yellow): its date is within `DUE_SOON_DAYS` and they do not yet;
- upcoming (grey): later than that.
For a milestone still ahead, "actual" counts what is already decided to be in effect by then (approved with an
effective date up to the milestone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from taicho.org.models import Agency
from taicho.supervision.history import History, Spot
from taicho.supervision.models import Milestone, Plan, Roadmap
from taicho.supervision.tables import Light, Table

DUE_SOON_DAYS = 30
MET, LATE, DUE_SOON, UPCOMING = "met", "late", "due_soon", "upcoming"


@dataclass
class MilestoneProgress:
    milestone: Milestone
    on_the_spot: int  # actual on the milestone's date
    delegated: int
    state: str

    @property
    def gap_on_the_spot(self) -> int:
        return max(0, self.milestone.on_the_spot_count - self.on_the_spot)

    @property
    def gap_delegated(self) -> int:
        return max(0, self.milestone.delegated_count - self.delegated)

    @property
    def light(self) -> Light:
        return {
            MET: Light("green", _("Đạt")),
            LATE: Light("red", _("Trễ hạn")),
            DUE_SOON: Light("yellow", _("Sắp đến hạn")),
            UPCOMING: Light("grey", _("Chưa đến hạn")),
        }[self.state]


@dataclass
class RoadmapProgress:
    roadmap: Roadmap
    head: str  # the accountable head: the linked account's name, else the name typed in
    on_the_spot_now: int
    delegated_now: int
    milestones: list[MilestoneProgress] = field(default_factory=list)

    @property
    def late(self) -> list[MilestoneProgress]:
        return [m for m in self.milestones if m.state == LATE]


def _state(milestone: Milestone, on_the_spot: int, delegated: int, today: date) -> str:
    if on_the_spot >= milestone.on_the_spot_count and delegated >= milestone.delegated_count:
        return MET
    if milestone.due < today:
        return LATE
    if milestone.due <= today + timedelta(days=DUE_SOON_DAYS):
        return DUE_SOON
    return UPCOMING


def roadmap_progress(roadmaps: QuerySet[Roadmap], today: date) -> list[RoadmapProgress]:
    """Progress of each roadmap, milestone by milestone (three queries plus two for the history)."""
    chosen = list(
        roadmaps.select_related("agency", "head", "plan")
        .prefetch_related("milestones")
        .order_by("agency__code")
    )
    if not chosen:
        return []
    dates = {m.due for r in chosen for m in r.milestones.all()} | {today}
    history = History.load({r.agency_id for r in chosen}, min(dates))
    spots = {day: history.on(day) for day in sorted(dates)}
    out = []
    for roadmap in chosen:
        now = spots[today].get(roadmap.agency_id, Spot())
        head = roadmap.head.get_full_name() if roadmap.head is not None else roadmap.head_name
        progress = RoadmapProgress(
            roadmap=roadmap,
            head=head or roadmap.head_name,
            on_the_spot_now=len(now.on_the_spot),
            delegated_now=len(now.delegated),
        )
        for milestone in roadmap.milestones.all():
            spot = spots[milestone.due].get(roadmap.agency_id, Spot())
            actual, delegated = len(spot.on_the_spot), len(spot.delegated)
            progress.milestones.append(
                MilestoneProgress(milestone, actual, delegated, _state(milestone, actual, delegated, today))
            )
        out.append(progress)
    return out


def agencies_without_roadmap(plan: Plan, agencies: QuerySet[Agency], today: date) -> list[Agency]:
    """Agencies of a level the plan sets targets for, existing today, with no roadmap under the plan."""
    levels = set(plan.phases.values_list("targets__level", flat=True)) - {None}
    return list(
        agencies.filter(level__in=levels)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .exclude(pk__in=Roadmap.objects.filter(plan=plan).values("agency_id"))
        .order_by("level", "code")
    )


def roadmap_tables(progress: list[RoadmapProgress], missing: list[Agency]) -> list[Table]:
    columns = [
        _("Cơ quan"),
        _("Thủ trưởng chịu trách nhiệm"),
        _("Văn bản cam kết"),
        _("Mốc"),
        _("Cam kết 5 tại chỗ"),
        _("Thực tế tại mốc"),
        _("Còn thiếu"),
        _("Cam kết phân cấp, ủy quyền"),
        _("Thực tế tại mốc"),
        _("Còn thiếu"),
        _("5 tại chỗ hiện nay"),
        _("Đánh giá"),
    ]

    def row(p: RoadmapProgress, m: MilestoneProgress) -> list[Any]:
        document = p.roadmap.document
        if p.roadmap.committed_on:
            document = f"{document} ({p.roadmap.committed_on:%d/%m/%Y})".strip()
        return [
            p.roadmap.agency.name,
            p.head,
            document,
            m.milestone.due.strftime("%d/%m/%Y"),
            m.milestone.on_the_spot_count,
            m.on_the_spot,
            m.gap_on_the_spot,
            m.milestone.delegated_count,
            m.delegated,
            m.gap_delegated,
            p.on_the_spot_now,
            m.light,
        ]

    numeric = frozenset({4, 5, 6, 7, 8, 9, 10})
    late = Table(
        key="tre-han",
        title=_("Mốc lộ trình trễ hạn"),
        columns=columns,
        rows=[row(p, m) for p in progress for m in p.late],
        numeric=numeric,
        empty=_("Không có mốc nào trễ hạn."),
    )
    every = Table(
        key="lo-trinh",
        title=_("Lộ trình của các cơ quan"),
        columns=columns,
        rows=[row(p, m) for p in progress for m in p.milestones],
        numeric=numeric,
        empty=_("Chưa có lộ trình nào."),
    )
    absent = Table(
        key="chua-co-lo-trinh",
        title=_("Cơ quan chưa có lộ trình"),
        columns=[_("Cơ quan"), _("Cấp")],
        rows=[[a.name, str(Agency.Level(a.level).label)] for a in missing],
        empty=_("Mọi cơ quan đều đã có lộ trình."),
    )
    return [late, every, absent]
