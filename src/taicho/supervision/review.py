"""Review of an agency's procedures against the plan's criteria (item 1 of the plan: the procedures chosen for
"5 tại chỗ" are simple, short, handled by one agency and frequent; domain.md §1), scored from the catalog and the
dossiers received, never typed in by hand.

- simple: the version in force has at most `plan.simple_max_components` components;
- short: its shortest case time limit, in working days, is at most `plan.short_max_days`;
- one agency: the version names no coordinating agency;
- frequent: at least `plan.frequent_min_dossiers` dossiers received in the 12 months up to the day.

A criterion the data cannot answer (no version in force, no time limit stated) is not scored ("chưa rõ") rather
than counted as failed. Five queries per agency whatever the number of procedures.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count
from django.utils.translation import gettext as _

from taicho.catalog.models import (
    Component,
    OnTheSpotDesignation,
    Procedure,
    ProcedureCase,
    ProcedureVersion,
    TimeUnit,
)
from taicho.org.models import Agency
from taicho.supervision.models import Plan

HOURS_PER_DAY = Decimal(8)  # domain.md §3: production systems store hours, 8 h = 1 working day


def twelve_months(on: date) -> tuple[date, date]:
    """The 12 months up to and including ``on``: from the day after the same date a year earlier."""
    try:
        year_before = on.replace(year=on.year - 1)
    except ValueError:  # 29 February
        year_before = on.replace(year=on.year - 1, day=28)
    return year_before + timedelta(days=1), on


def working_days(value: Decimal | None, unit: str) -> Decimal | None:
    """A time limit in working days, or None when unknown. N calendar days hold at most N working days, so N is
    the bound used: a procedure short in calendar days is at least as short in working days."""
    if unit == TimeUnit.WITHIN_DAY:
        return Decimal(1)
    if value is None or not unit:
        return None
    if unit == TimeUnit.WORKING_HOURS:
        return value / HOURS_PER_DAY
    if unit in (TimeUnit.WORKING_DAYS, TimeUnit.CALENDAR_DAYS):
        return value
    return None


@dataclass
class ReviewRow:
    procedure_id: int
    code: str
    name: str
    version_id: int | None
    components: int | None
    shortest_days: Decimal | None
    coordinating: str
    dossiers: int
    simple: bool | None
    short: bool | None
    one_agency: bool | None
    frequent: bool
    designations: list[OnTheSpotDesignation] = field(default_factory=list)

    @property
    def criteria(self) -> tuple[bool | None, bool | None, bool | None, bool]:
        """(simple, short, one agency, frequent)."""
        return (self.simple, self.short, self.one_agency, self.frequent)

    @property
    def score(self) -> int:
        """How many of the four criteria are met (0–4); unscored criteria count as not met."""
        return sum(1 for c in self.criteria if c)

    @property
    def main(self) -> OnTheSpotDesignation | None:
        """The designation for the whole procedure (no case named), if any."""
        return next((d for d in self.designations if not d.case_name), None)


SORTS = {
    "diem": lambda r: (-r.score, r.code),
    "ma": lambda r: (r.code,),
    "ho_so": lambda r: (-r.dossiers, r.code),
}


def review_rows(agency: Agency, plan: Plan, today: date, sort: str = "diem") -> list[ReviewRow]:
    """One row per procedure of the agency (Procedure.agencies), scored against ``plan`` on ``today``."""
    from taicho.supervision.stats import received_counts

    procedures = list(
        Procedure.objects.filter(agencies=agency).order_by("code").values_list("pk", "code", "name")
    )
    # Current version = the highest-numbered version already in effect.
    current: dict[int, tuple[int, int, str]] = {}
    for pk, procedure_id, number, coordinating in ProcedureVersion.objects.filter(
        procedure__agencies=agency, effective_from__lte=today
    ).values_list("pk", "procedure_id", "number", "coordinating_agency"):
        if procedure_id not in current or number > current[procedure_id][1]:
            current[procedure_id] = (pk, number, coordinating)
    version_ids = {v[0] for v in current.values()}
    in_force = {"version__procedure__agencies": agency, "version__effective_from__lte": today}
    components = {
        vid: n
        for vid, n in Component.objects.filter(**in_force)
        .values("version_id")
        .annotate(n=Count("pk"))
        .values_list("version_id", "n")
        if vid in version_ids
    }
    shortest: dict[int, Decimal] = {}
    for case_version, value, unit in ProcedureCase.objects.filter(**in_force).values_list(
        "version_id", "time_limit_value", "time_limit_unit"
    ):
        limit = working_days(value, unit) if case_version in version_ids else None
        if limit is not None and (case_version not in shortest or limit < shortest[case_version]):
            shortest[case_version] = limit
    start, end = twelve_months(today)
    received = received_counts(start, end, [agency.pk])
    designations: dict[int, list[OnTheSpotDesignation]] = defaultdict(list)
    for d in OnTheSpotDesignation.objects.filter(agency=agency).order_by("case_name", "pk"):
        designations[d.procedure_id].append(d)

    rows = []
    for pk, code, name in procedures:
        version = current.get(pk)
        vid = version[0] if version else None
        # No component listed is missing data (the portal's list file carries none), not a paperless procedure.
        count = components.get(vid) if vid else None
        days = shortest.get(vid) if vid else None
        coordinating = version[2].strip() if version else ""
        dossiers = received.get((agency.pk, pk), 0)
        rows.append(
            ReviewRow(
                procedure_id=pk,
                code=code,
                name=name,
                version_id=vid,
                components=count,
                shortest_days=days,
                coordinating=coordinating,
                dossiers=dossiers,
                simple=None if count is None else count <= plan.simple_max_components,
                short=None if days is None else days <= plan.short_max_days,
                one_agency=None if version is None else not coordinating,
                frequent=dossiers >= plan.frequent_min_dossiers,
                designations=designations.get(pk, []),
            )
        )
    rows.sort(key=SORTS.get(sort, SORTS["diem"]))
    return rows


def criterion_text(value: bool | None) -> str:
    if value is None:
        return _("chưa rõ")
    return _("Đạt") if value else _("Không")
