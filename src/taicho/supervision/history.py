"""Which procedures each agency ran on the spot (and delegated to the counter) on a given day, read from the
designations and their append-only events (design.md rule 4: the history is what the events say).

A designation's status on a past day is the `to_status` of its last event up to the end of that day (local time,
Asia/Ho_Chi_Minh); before its first event it had that event's `from_status`; a designation whose last event is
older than the day (or that has no events at all, e.g. entered before events were kept) has its current status.
Every event stores a snapshot of the effective date and the delegation flags after it (`services._snapshot`), so a
re-approval with another date is read as it was then.

The loader reads only what can matter — designations that are approved, active or not eligible now, plus those
changed after the earliest day asked — in two queries, whatever the number of procedures (item 4: aggregate
queries, not per-procedure queries).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from taicho.catalog.models import OnTheSpotDesignation, OnTheSpotStatus
from taicho.supervision.models import DesignationEvent

COUNTED = frozenset({OnTheSpotStatus.APPROVED, OnTheSpotStatus.ACTIVE})


def end_of_day(day: date) -> datetime:
    """The first instant after ``day`` in the local time zone (aware; compared with UTC timestamps)."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def parse_day(value: Any) -> date | None:
    if not value:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


@dataclass
class Spot:
    """One agency on one day: procedure id → delegated (appraisal or approval given to the counter), and the
    procedures marked not eligible as a whole (a case-level mark leaves the procedure's other cases eligible)."""

    on_the_spot: dict[int, bool] = field(default_factory=dict)
    not_eligible: set[int] = field(default_factory=set)

    @property
    def delegated(self) -> set[int]:
        return {pid for pid, delegated in self.on_the_spot.items() if delegated}


@dataclass(slots=True)
class DesignationRow:
    pk: int
    agency_id: int
    procedure_id: int
    case_name: str
    status: str
    effective_from: date | None
    appraises: bool
    approves: bool
    # (at, from_status, to_status, detail), oldest first; only loaded for rows changed after `since`.
    events: list[tuple[datetime, str, str, dict[str, Any]]] = field(default_factory=list)

    def state_on(self, day: date) -> tuple[str, date | None, bool]:
        """(status, effective date, delegated) at the end of ``day``."""
        current = (self.status, self.effective_from, self.appraises or self.approves)
        if not self.events:
            return current
        cutoff = end_of_day(day)
        if self.events[-1][0] < cutoff:
            return current
        before = [e for e in self.events if e[0] < cutoff]
        if not before:
            return (self.events[0][1], self.effective_from, self.appraises or self.approves)
        _at, _from, to_status, detail = before[-1]
        effective = (
            parse_day(detail.get("effective_from")) if "effective_from" in detail else self.effective_from
        )
        delegated = (
            bool(detail.get("counter_appraises")) or bool(detail.get("counter_approves"))
            if "counter_appraises" in detail
            else current[2]
        )
        return (to_status, effective, delegated)


def counts_on_the_spot(status: str, effective_from: date | None, day: date) -> bool:
    """Approved or active and in effect on ``day``. An active designation without a recorded effective date
    (entered by hand before the decision was keyed in) counts: it is running."""
    if status not in COUNTED:
        return False
    if effective_from is None:
        return status == OnTheSpotStatus.ACTIVE
    return effective_from <= day


class History:
    """Designations of some agencies with what is needed to answer "on the spot on day D?" for any D ≥ since."""

    def __init__(self, rows: list[DesignationRow]) -> None:
        self.rows = rows

    @classmethod
    def load(cls, agency_ids: Iterable[int], since: date, *, everything: bool = False) -> History:
        """``everything``: every designation (for listing one agency's procedures with their status), not only
        those that can count."""
        ids = list(agency_ids)
        changed = DesignationEvent.objects.filter(
            designation__agency_id__in=ids, at__gte=end_of_day(since)
        ).values("designation_id")
        # Only procedures in the agency's list count (a designation left over after a procedure was taken off
        # the agency's list would otherwise push its share past 100 %).
        designations = (
            OnTheSpotDesignation.objects.filter(agency_id__in=ids, procedure__agencies=F("agency_id"))
            .filter(
                Q()
                if everything
                else Q(status__in=[*COUNTED, OnTheSpotStatus.NOT_ELIGIBLE]) | Q(pk__in=changed),
            )
            .values_list(
                "pk",
                "agency_id",
                "procedure_id",
                "case_name",
                "status",
                "effective_from",
                "counter_appraises",
                "counter_approves",
            )
        )
        rows = {r[0]: DesignationRow(*r) for r in designations}
        if rows:
            # Subqueries, not id lists: a province may hold tens of thousands of designations (SQLite caps the
            # number of query parameters).
            for designation_id, at, from_status, to_status, detail in (
                DesignationEvent.objects.filter(designation_id__in=changed)
                .order_by("at", "pk")
                .values_list("designation_id", "at", "from_status", "to_status", "detail")
            ):
                row = rows.get(designation_id)
                if row is not None:
                    row.events.append((at, from_status, to_status, detail or {}))
        return cls(list(rows.values()))

    def states_on(self, day: date) -> list[tuple[DesignationRow, str, date | None, bool]]:
        """Each designation with its (status, effective date, delegated) at the end of ``day``."""
        return [(row, *row.state_on(day)) for row in self.rows]

    def on(self, day: date) -> dict[int, Spot]:
        """Agency id → what it ran on the spot at the end of ``day``. A procedure counts once per agency even
        with several case-level designations; it is delegated when any of them is."""
        spots: dict[int, Spot] = defaultdict(Spot)
        for row in self.rows:
            status, effective, delegated = row.state_on(day)
            spot = spots[row.agency_id]
            if counts_on_the_spot(status, effective, day):
                spot.on_the_spot[row.procedure_id] = (
                    spot.on_the_spot.get(row.procedure_id, False) or delegated
                )
            elif status == OnTheSpotStatus.NOT_ELIGIBLE and not row.case_name:
                spot.not_eligible.add(row.procedure_id)
        for spot in spots.values():
            # A procedure that runs on the spot for one of its cases is plainly eligible.
            spot.not_eligible -= spot.on_the_spot.keys()
        return spots
