"""The supervision read models, derived from the append-only dossier events (design.md rule 4: the dashboards
read what the events say; nothing here is entered by hand).

`DossierFacts` holds per dossier what the indicators need (outcome, early / on time / late, working time used,
whether all five steps happened at the center within the on-the-spot time, digitization, rating…).
`DailyStat` (day × agency × procedure) and `AgencyDailyStat` (day × agency) sum them, so that any period's
indicators are a sum over at most a few hundred thousand small rows whatever the number of dossiers.

`refresh()` consumes the events and ratings written since the last call (a cursor on their ids: both tables are
append-only), recomputes the facts of the dossiers they touch and the daily rows of the days those facts fall on.
`rebuild()` recomputes everything. Both are safe to run at any time; two at once serialise on the cursor row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone

from taicho.catalog.models import OnTheSpotDesignation, OnTheSpotStatus
from taicho.dossiers.models import Dossier, DossierComponent, DossierEvent, Rating
from taicho.dossiers.states import IN_PROCESS, Status
from taicho.org.models import Staff
from taicho.supervision.models import (
    STAT_COUNTS,
    AgencyDailyStat,
    DailyStat,
    DossierFacts,
    MonthlyStat,
    OfficerDailyStat,
    StaffAssignment,
    StatsCursor,
    Timing,
)

BATCH = 2000
DONE, REFUSED, STOPPED = "done", "refused", "stopped"
DONE_STATES = {Status.RESULT_READY, Status.PRINTED}


def local_day(value: datetime | None) -> date | None:
    return timezone.localdate(value) if value is not None else None


# --- per dossier -------------------------------------------------------------------------------------------


class _Context:
    """What computing facts needs besides the dossier's own rows, loaded once per refresh."""

    def __init__(self) -> None:
        self.staff_center = dict(Staff.objects.values_list("pk", "center_id"))
        # Where a step was taken: the staff's assignment at the center on that day when assignments are kept
        # (StaffAssignment), else the center the staff account belongs to.
        self.assignments: dict[int, list[tuple[int, date, date | None]]] = defaultdict(list)
        for staff_id, center_id, starts, ends in StaffAssignment.objects.values_list(
            "staff_id", "center_id", "starts", "ends"
        ):
            self.assignments[staff_id].append((center_id, starts, ends))
        self.spot_hours: dict[tuple[int, int], Decimal | None] = {}
        for procedure_id, agency_id, hours in OnTheSpotDesignation.objects.filter(
            status__in=[OnTheSpotStatus.ACTIVE, OnTheSpotStatus.APPROVED]
        ).values_list("procedure_id", "agency_id", "on_the_spot_hours"):
            key = (procedure_id, agency_id)
            if key not in self.spot_hours or (hours is not None and (self.spot_hours[key] or 0) < hours):
                self.spot_hours[key] = hours
        self.supplements_allowed = settings.SUPPLEMENTS_PER_AGENCY

    def at_center(self, staff_id: int, center_id: int, at: datetime) -> bool:
        spans = self.assignments.get(staff_id)
        if spans:
            day = timezone.localdate(at)
            return any(c == center_id and s <= day and (e is None or day <= e) for c, s, e in spans)
        return self.staff_center.get(staff_id) == center_id


def _facts(
    row: Any,
    events: Sequence[tuple[Any, ...]],
    components: tuple[int, int, int],
    rating: tuple[int, int] | None,
    ctx: _Context,
) -> DossierFacts:
    """One dossier's facts from its row and its events in order ((action, step, to_status, actor_id, agency_id,
    at, used_seconds) tuples)."""
    outcome = ""
    reached = {e[2] for e in events}
    if Status.REFUSED in reached:
        outcome = REFUSED
    elif Status.STOPPED in reached:
        outcome = STOPPED
    elif reached & DONE_STATES or (row["result_id"] is not None and row["finished_at"] is not None):
        outcome = DONE
    finished_at = row["finished_at"] if outcome else None
    due_at = row["due_at"]
    timing = ""
    # Decree 61/2018 art. 14 & Decision 766: on time = finished no later than the appointment; early = on an
    # earlier day than the appointment's (stopped / withdrawn dossiers are not "finished" for this rate).
    if outcome in (DONE, REFUSED) and finished_at is not None and due_at is not None:
        if finished_at > due_at:
            timing = Timing.LATE
        elif local_day(finished_at) < local_day(due_at):  # type: ignore[operator]
            timing = Timing.EARLY
        else:
            timing = Timing.ON_TIME
    working = None
    if finished_at is not None:
        working = sum((e[6] or 0) for e in events if e[5] <= finished_at)
    center_id = row["center_id"]
    steps = [e for e in events if e[3] is not None and e[0] != "apologise"]
    left = any(not ctx.at_center(e[3], center_id, e[5]) for e in steps) if center_id else False
    returned = next((e for e in reversed(events) if e[0] == "return_result"), None)
    all_at_center = bool(center_id) and not left and returned is not None and outcome == DONE
    within = False
    if row["on_the_spot"] and working is not None:
        hours = ctx.spot_hours.get((row["procedure_id"], row["agency_id"]))
        if hours is not None:
            within = working <= float(hours) * 3600
        else:
            within = timing in (Timing.EARLY, Timing.ON_TIME)
    supplements_by_agency: dict[Any, int] = defaultdict(int)
    for e in events:
        if e[0] == "request_supplement":
            supplements_by_agency[e[4]] += 1
    total, digitized, reused = components
    return DossierFacts(
        dossier_id=row["id"],
        agency_id=row["agency_id"],
        procedure_id=row["procedure_id"],
        center_id=center_id,
        received_on=local_day(row["received_at"]),
        finished_on=local_day(finished_at),
        outcome=outcome,
        timing=timing,
        working_seconds=working,
        on_the_spot=row["on_the_spot"],
        all_at_center=all_at_center,
        within_spot_time=within,
        left_center=left,
        apologised=any(e[0] == "apologise" for e in events),
        supplements=sum(supplements_by_agency.values()),
        # domain.md §2: a supplement during processing at most once per agency.
        supplement_excess=any(n > ctx.supplements_allowed for n in supplements_by_agency.values()),
        components=total,
        digitized=digitized,
        reused=reused,
        result_electronic=outcome == DONE and row["result_id"] is not None,
        in_process=row["status"] in IN_PROCESS,
        due_at=due_at,
        rating_overall=rating[0] if rating else None,
        rating_points=rating[1] if rating else None,
        receiving_officer_id=row["received_by_id"],
        returning_officer_id=returned[3] if returned else None,
    )


def _compute(ids: Sequence[int], ctx: _Context) -> list[DossierFacts]:
    rows = list(
        Dossier.objects.filter(pk__in=ids, received_at__isnull=False).values(
            "id",
            "agency_id",
            "procedure_id",
            "center_id",
            "status",
            "on_the_spot",
            "received_at",
            "received_by_id",
            "due_at",
            "finished_at",
            "result_id",
        )
    )
    if not rows:
        return []
    present = [r["id"] for r in rows]
    events: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for dossier_id, *rest in (
        DossierEvent.objects.filter(dossier_id__in=present)
        .order_by("dossier_id", "at", "pk")
        .values_list(
            "dossier_id", "action", "step", "to_status", "actor_id", "agency_id", "at", "used_seconds"
        )
    ):
        events[dossier_id].append(tuple(rest))
    components = {
        r["dossier_id"]: (r["n"], r["d"], r["r"])
        for r in DossierComponent.objects.filter(dossier_id__in=present)
        .exclude(provided_as=DossierComponent.ProvidedAs.MISSING)
        .values("dossier_id")
        .annotate(
            n=Count("pk"),
            d=Count("pk", filter=~Q(digitized="") | Q(reused_from__isnull=False)),
            r=Count("pk", filter=Q(reused_from__isnull=False)),
        )
    }
    ratings = {
        dossier_id: (overall, sum(int(s) for s in scores or []))
        for dossier_id, overall, scores in Rating.objects.filter(dossier_id__in=present).values_list(
            "dossier_id", "overall", "scores"
        )
    }
    return [
        _facts(r, events.get(r["id"], []), components.get(r["id"], (0, 0, 0)), ratings.get(r["id"]), ctx)
        for r in rows
    ]


def _days_of(facts: Iterable[tuple[date | None, date | None]]) -> set[date]:
    days: set[date] = set()
    for received_on, finished_on in facts:
        days.update(d for d in (received_on, finished_on) if d is not None)
    return days


def _store(ids: Sequence[int], ctx: _Context) -> set[date]:
    """Replace the facts of these dossiers; returns the days whose roll-ups change."""
    days = _days_of(DossierFacts.objects.filter(pk__in=ids).values_list("received_on", "finished_on"))
    fresh = _compute(ids, ctx)
    DossierFacts.objects.filter(pk__in=ids).delete()
    DossierFacts.objects.bulk_create(fresh, batch_size=1000)
    return days | _days_of((f.received_on, f.finished_on) for f in fresh)


# --- daily roll-ups ----------------------------------------------------------------------------------------

_COUNTS = STAT_COUNTS


# Conditions on a finished dossier's facts that a person should look at (item 5 of the supervision issue); the
# partial indexes of DossierFacts carry the same conditions.
FLAG_CONDITIONS: dict[str, Q] = {
    # An on-the-spot dossier one of whose steps was taken by staff not stationed at the center.
    "left_center": Q(on_the_spot=True, left_center=True),
    # An on-the-spot dossier finished beyond the on-the-spot time.
    "over_spot_time": Q(on_the_spot=True, within_spot_time=False) & ~Q(outcome=""),
    # Late without the written apology of domain.md §2 (form 04).
    "late_no_apology": Q(timing="late", apologised=False),
    # More supplement requests than the rule allows (domain.md §2: once per agency).
    "supplement_excess": Q(supplement_excess=True),
    "low_ratings": Q(rating_overall__lte=2),
}


def _finished_aggregates() -> dict[str, Any]:
    timed = Q(outcome__in=[DONE, REFUSED])
    return {
        "finished": Count("pk", filter=timed),
        "early": Count("pk", filter=Q(timing=Timing.EARLY)),
        "on_time": Count("pk", filter=Q(timing=Timing.ON_TIME)),
        "late": Count("pk", filter=Q(timing=Timing.LATE)),
        "working_seconds": Sum("working_seconds", filter=timed),
        "timed": Count("working_seconds", filter=timed),
        "on_the_spot": Count("pk", filter=timed & Q(on_the_spot=True)),
        "on_the_spot_real": Count(
            "pk", filter=Q(on_the_spot=True, all_at_center=True, within_spot_time=True)
        ),
        "results": Count("pk", filter=Q(outcome=DONE)),
        "results_electronic": Count("pk", filter=Q(result_electronic=True)),
        "ratings": Count("rating_overall"),
        "rating_sum": Sum("rating_overall"),
        "satisfied": Count("pk", filter=Q(rating_overall__gte=4)),
        # The flags of checks.py (the same conditions as its drill-down lists).
        "left_center": Count("pk", filter=FLAG_CONDITIONS["left_center"]),
        "over_spot_time": Count("pk", filter=FLAG_CONDITIONS["over_spot_time"]),
        "late_no_apology": Count("pk", filter=FLAG_CONDITIONS["late_no_apology"]),
        "supplement_excess": Count("pk", filter=FLAG_CONDITIONS["supplement_excess"]),
        "low_ratings": Count("pk", filter=FLAG_CONDITIONS["low_ratings"]),
    }


def _received_aggregates() -> dict[str, Any]:
    return {
        "received": Count("pk"),
        "components": Sum("components"),
        "digitized": Sum("digitized"),
        "reused": Sum("reused"),
    }


def _month(day: date) -> date:
    return day.replace(day=1)


def month_end(month: date) -> date:
    """The last day of the month `month` falls in."""
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def _rollup_chunk(days: Sequence[date] | None, span: tuple[date, date] | None) -> None:
    """Recompute the daily rows of the given days, or of every day in `span` (inclusive), from the facts."""
    facts = DossierFacts.objects.all()
    if span is not None:
        scope: dict[str, Any] = {"day__gte": span[0], "day__lte": span[1]}
        received = facts.filter(received_on__gte=span[0], received_on__lte=span[1])
        finished = facts.filter(finished_on__gte=span[0], finished_on__lte=span[1])
    else:
        scope = {"day__in": list(days or [])}
        received = facts.filter(received_on__in=list(days or []))
        finished = facts.filter(finished_on__in=list(days or []))
    DailyStat.objects.filter(**scope).delete()
    AgencyDailyStat.objects.filter(**scope).delete()
    OfficerDailyStat.objects.filter(**scope).delete()
    rows: dict[tuple[date, int, int], dict[str, int]] = defaultdict(lambda: dict.fromkeys(_COUNTS, 0))
    # Annotations are prefixed: an aggregate may not take the name of the field it sums.
    annotations = {f"n_{k}": v for k, v in _received_aggregates().items()}
    for r in received.values("received_on", "agency_id", "procedure_id").annotate(**annotations):
        row = rows[(r["received_on"], r["agency_id"], r["procedure_id"])]
        for key in _received_aggregates():
            row[key] = r[f"n_{key}"] or 0
    annotations = {f"n_{k}": v for k, v in _finished_aggregates().items()}
    for r in finished.values("finished_on", "agency_id", "procedure_id").annotate(**annotations):
        row = rows[(r["finished_on"], r["agency_id"], r["procedure_id"])]
        for key in _finished_aggregates():
            row[key] = r[f"n_{key}"] or 0
    OfficerDailyStat.objects.bulk_create(
        (
            OfficerDailyStat(
                day=r["finished_on"],
                officer_id=r["returning_officer_id"],
                agency_id=r["agency_id"],
                returned=r["n"],
                ratings=r["r"],
                rating_sum=r["s"] or 0,
                low_ratings=r["low"],
            )
            for r in finished.filter(returning_officer__isnull=False)
            .values("finished_on", "returning_officer_id", "agency_id")
            .annotate(
                n=Count("pk"),
                r=Count("rating_overall"),
                s=Sum("rating_overall"),
                low=Count("pk", filter=FLAG_CONDITIONS["low_ratings"]),
            )
        ),
        batch_size=2000,
    )
    DailyStat.objects.bulk_create(
        (DailyStat(day=d, agency_id=a, procedure_id=p, **counts) for (d, a, p), counts in rows.items()),
        batch_size=2000,
    )
    per_agency: dict[tuple[date, int], dict[str, int]] = defaultdict(lambda: dict.fromkeys(_COUNTS, 0))
    for (d, a, _p), counts in rows.items():
        target = per_agency[(d, a)]
        for key, value in counts.items():
            target[key] += value
    AgencyDailyStat.objects.bulk_create(
        (AgencyDailyStat(day=d, agency_id=a, **counts) for (d, a), counts in per_agency.items()),
        batch_size=2000,
    )


def _rollup_months(months: Iterable[date]) -> None:
    """MonthlyStat of these months, summed from their daily rows."""
    sums = {f"s_{k}": Sum(k) for k in _COUNTS}
    for month in sorted(set(months)):
        MonthlyStat.objects.filter(month=month).delete()
        MonthlyStat.objects.bulk_create(
            (
                MonthlyStat(
                    month=month,
                    agency_id=r["agency_id"],
                    procedure_id=r["procedure_id"],
                    **{k: r[f"s_{k}"] or 0 for k in _COUNTS},
                )
                for r in DailyStat.objects.filter(day__gte=month, day__lte=month_end(month))
                .values("agency_id", "procedure_id")
                .annotate(**sums)
            ),
            batch_size=2000,
        )


def _rollup(days: set[date] | None) -> None:
    """Recompute the daily and monthly rows of these days (of every day when None) from the facts, a bounded
    chunk at a time (memory stays flat whatever the number of dossiers)."""
    if days is not None:
        ordered = sorted(days)
        for i in range(0, len(ordered), 400):
            _rollup_chunk(ordered[i : i + 400], None)
        _rollup_months(_month(d) for d in ordered)
        return
    bounds = DossierFacts.objects.aggregate(
        r0=Min("received_on"), r1=Max("received_on"), f0=Min("finished_on"), f1=Max("finished_on")
    )
    ends = [d for d in bounds.values() if d is not None]
    for model in (DailyStat, AgencyDailyStat, OfficerDailyStat, MonthlyStat):
        model.objects.all().delete()
    if not ends:
        return
    month, last = _month(min(ends)), _month(max(ends))
    while month <= last:
        _rollup_chunk(None, (month, month_end(month)))
        _rollup_months([month])
        month = month_end(month) + timedelta(days=1)


def _analyze() -> None:
    """Planner statistics for the read models after a rebuild: without them SQLite ignores the partial indexes
    of the flag lists and PostgreSQL misestimates them."""
    tables = [
        m._meta.db_table for m in (DossierFacts, DailyStat, AgencyDailyStat, MonthlyStat, OfficerDailyStat)
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'ANALYZE "{table}"')  # table names from the models, not input


def period_sums(
    start: date,
    end: date,
    agency_ids: Iterable[int],
    by: Sequence[str],
    fields: Sequence[str] = _COUNTS,
    **conditions: Any,
) -> dict[tuple[Any, ...], dict[str, int]]:
    """Sums of the per-procedure counts over a period (days inclusive), grouped by `by` (e.g. ("procedure_id",)):
    its whole months from MonthlyStat, the days at its edges from DailyStat."""
    ids = list(agency_ids)
    first_full = start if start.day == 1 else month_end(start) + timedelta(days=1)
    last_full = _month(end) if month_end(end) == end else _month(end) - timedelta(days=1)
    last_full = _month(last_full)
    parts: list[Any] = []
    sums = {f"s_{k}": Sum(k) for k in fields}
    if first_full <= last_full and month_end(last_full) <= end:
        parts.append(
            MonthlyStat.objects.filter(
                month__gte=first_full, month__lte=last_full, agency_id__in=ids, **conditions
            )
        )
        edges = [(start, first_full - timedelta(days=1)), (month_end(last_full) + timedelta(days=1), end)]
    else:
        edges = [(start, end)]
    for lo, hi in edges:
        if lo <= hi:
            parts.append(DailyStat.objects.filter(day__gte=lo, day__lte=hi, agency_id__in=ids, **conditions))
    out: dict[tuple[Any, ...], dict[str, int]] = defaultdict(lambda: dict.fromkeys(fields, 0))
    for part in parts:
        for r in part.values(*by).annotate(**sums):
            row = out[tuple(r[k] for k in by)]
            for k in fields:
                row[k] += r[f"s_{k}"] or 0
    return dict(out)


# --- entry points ------------------------------------------------------------------------------------------


def _cursor() -> StatsCursor:
    cursor = StatsCursor.objects.select_for_update().order_by("pk").first()
    if cursor is None:
        StatsCursor.objects.create()
        cursor = StatsCursor.objects.select_for_update().order_by("pk").first()
    assert cursor is not None
    return cursor


def refresh(now: datetime | None = None) -> int:
    """Bring the read models up to date with the events and ratings written since the last refresh; returns how
    many dossiers were recomputed."""
    with transaction.atomic():
        cursor = _cursor()
        last_event = DossierEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        last_rating = Rating.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        ids = set(
            DossierEvent.objects.filter(pk__gt=cursor.last_event_id, pk__lte=last_event).values_list(
                "dossier_id", flat=True
            )
        )
        ids |= set(
            Rating.objects.filter(pk__gt=cursor.last_rating_id, pk__lte=last_rating).values_list(
                "dossier_id", flat=True
            )
        )
        days: set[date] = set()
        if ids:
            ctx = _Context()
            ordered = sorted(ids)
            for i in range(0, len(ordered), BATCH):
                days |= _store(ordered[i : i + BATCH], ctx)
            _rollup(days)
        cursor.last_event_id = last_event
        cursor.last_rating_id = last_rating
        cursor.refreshed_at = now or timezone.now()
        cursor.save()
    return len(ids)


def rebuild(progress: Any = None) -> int:
    """Recompute every dossier's facts and every daily row from the events (after an import, a fix, or to check
    the incremental refresh). Streams in batches; returns the number of dossiers."""
    with transaction.atomic():
        cursor = _cursor()
        last_event = DossierEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        last_rating = Rating.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        DossierFacts.objects.all().delete()
        ctx = _Context()
        ids = Dossier.objects.filter(received_at__isnull=False).order_by("pk").values_list("pk", flat=True)
        done, batch = 0, []
        for pk in ids.iterator(chunk_size=BATCH * 5):
            batch.append(pk)
            if len(batch) == BATCH:
                DossierFacts.objects.bulk_create(_compute(batch, ctx), batch_size=1000)
                done += len(batch)
                batch = []
                if progress:
                    progress(done)
        if batch:
            DossierFacts.objects.bulk_create(_compute(batch, ctx), batch_size=1000)
            done += len(batch)
        _rollup(None)
        _analyze()
        cursor.last_event_id = last_event
        cursor.last_rating_id = last_rating
        cursor.refreshed_at = timezone.now()
        cursor.save()
    return done


def ensure_fresh() -> datetime | None:
    """Called by the supervision pages: refresh incrementally unless that was done less than
    SUPERVISION_REFRESH_SECONDS ago. Returns when the figures were last brought up to date."""
    cursor = StatsCursor.objects.order_by("pk").first()
    now = timezone.now()
    max_age = timedelta(seconds=settings.SUPERVISION_REFRESH_SECONDS)
    if cursor is None or cursor.refreshed_at is None or now - cursor.refreshed_at >= max_age:
        refresh(now)
        return now
    return cursor.refreshed_at


def received_counts(
    start: date, end: date, agency_ids: Iterable[int] | None = None
) -> dict[tuple[int, int], int]:
    """Dossiers received per (agency, procedure) between two days, inclusive (from the roll-ups)."""
    if agency_ids is None:
        from taicho.org.models import Agency

        agency_ids = Agency.objects.values_list("pk", flat=True)
    sums = period_sums(start, end, agency_ids, ("agency_id", "procedure_id"), ("received",), received__gt=0)
    return {(key[0], key[1]): row["received"] for key, row in sums.items() if row["received"]}


__all__ = ["ensure_fresh", "rebuild", "received_counts", "refresh"]
