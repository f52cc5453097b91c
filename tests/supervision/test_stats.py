"""The read models follow the dossier events: facts per dossier, daily roll-ups, incremental = rebuilt."""

from __future__ import annotations

from django.utils import timezone

from taicho.supervision import stats
from taicho.supervision.models import AgencyDailyStat, DailyStat, DossierFacts


def _snapshot():
    facts = sorted(
        DossierFacts.objects.values_list(
            "dossier_id",
            "outcome",
            "timing",
            "working_seconds",
            "all_at_center",
            "left_center",
            "components",
            "digitized",
            "rating_overall",
            "in_process",
            "received_on",
            "finished_on",
        )
    )
    daily = sorted(
        tuple(r.values())
        for r in DailyStat.objects.values("day", "agency_id", "procedure_id", *stats._COUNTS)
    )
    agency = sorted(
        tuple(r.values()) for r in AgencyDailyStat.objects.values("day", "agency_id", *stats._COUNTS)
    )
    return facts, daily, agency


def test_a_returned_and_rated_dossier_becomes_facts_and_daily_counts(cycle, people):
    dossier = cycle("rated", overall=4)
    open_one = cycle("received", owner="022186009999")
    assert stats.refresh() == 2
    facts = DossierFacts.objects.get(pk=dossier.pk)
    assert facts.outcome == "done" and facts.timing in ("early", "on_time")
    assert facts.result_electronic and not facts.in_process
    assert facts.components >= 1 and facts.digitized == facts.components and facts.reused == 0
    assert facts.rating_overall == 4 and facts.rating_points == 22
    assert facts.receiving_officer == people["tiepnhan"] and facts.returning_officer == people["tiepnhan"]
    assert facts.received_on == timezone.localdate(dossier.received_at)
    assert facts.finished_on == timezone.localdate(dossier.finished_at)
    assert facts.working_seconds is not None
    pending = DossierFacts.objects.get(pk=open_one.pk)
    assert pending.in_process and pending.outcome == "" and pending.finished_on is None

    row = AgencyDailyStat.objects.get(day=facts.finished_on, agency=dossier.agency)
    assert row.received == 2 and row.finished == 1 and row.early + row.on_time == 1 and row.late == 0
    assert row.results == 1 and row.results_electronic == 1 and row.ratings == 1 and row.rating_sum == 4
    assert row.satisfied == 1
    assert DailyStat.objects.get(day=facts.finished_on, procedure=dossier.procedure).received == 2

    # Nothing new: nothing recomputed.
    assert stats.refresh() == 0


def test_incremental_refresh_equals_a_rebuild(cycle):
    first = cycle("approval")
    stats.refresh()
    cycle("rated", owner="022186001111")
    from taicho.dossiers.services import approve, seal

    first.refresh_from_db()
    from taicho.org.models import Staff

    approve(dossier=first, leader=Staff.objects.get(username="lanhdao"))
    seal(dossier=first, clerk=Staff.objects.get(username="vanthu"))
    stats.refresh()
    incremental = _snapshot()
    assert stats.rebuild() == 2
    assert _snapshot() == incremental
    assert DossierFacts.objects.get(pk=first.pk).outcome == "done"


def test_an_appraiser_away_from_the_center_marks_the_dossier_as_left(cycle, people, make_staff):
    people["away"] = make_staff("appraiser", agency=people["thamdinh"].agency, username="thamdinh_so")
    dossier = cycle("rated", appraiser="away")
    at_center = cycle("rated", owner="022186005555")
    stats.refresh()
    facts = DossierFacts.objects.get(pk=dossier.pk)
    assert facts.left_center and not facts.all_at_center
    assert DossierFacts.objects.get(pk=at_center.pk).all_at_center


def test_assignments_say_where_a_step_was_taken_on_its_day(cycle, people):
    """An officer stationed at the center only until yesterday took today's steps elsewhere."""
    from datetime import timedelta

    from taicho.supervision.models import StaffAssignment

    officer = people["thamdinh"]
    today = timezone.localdate()
    StaffAssignment.objects.create(
        staff=officer,
        center=officer.center,
        agency=officer.agency,
        starts=today - timedelta(days=30),
        ends=today - timedelta(days=1),
    )
    dossier = cycle("rated")
    stats.refresh()
    assert DossierFacts.objects.get(pk=dossier.pk).left_center
    StaffAssignment.objects.filter(staff=officer).update(ends=None)
    stats.rebuild()
    assert not DossierFacts.objects.get(pk=dossier.pk).left_center


def test_received_counts_per_agency_and_procedure(cycle):
    dossier = cycle("received")
    cycle("received", owner="022186002222")
    stats.refresh()
    day = timezone.localdate(dossier.received_at)
    assert stats.received_counts(day, day) == {(dossier.agency_id, dossier.procedure_id): 2}
    assert stats.received_counts(day, day, agency_ids=[0]) == {}
