"""The generated year (supervision.generate) is data the services could have written: codes in the real format and
gapless per agency and day, every dossier's events a path through the transition table with the budgets and the
working time the services would record, valid references, everything inside the year, and the shares asked for."""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count, F, Q
from django.test import override_settings
from django.utils import timezone

from taicho.catalog.models import OnTheSpotDesignation, OnTheSpotStatus, Procedure
from taicho.core.calendar import calendar_for
from taicho.core.codes import parse_agency_identifier, validate_personal_id, validate_tthc_code
from taicho.core.services import allocate_dossier_code
from taicho.core.workcal import TimeLimit
from taicho.demo import build_demo
from taicho.documents.models import IssuedDocument
from taicho.dossiers.models import Dossier, DossierComponent, DossierEvent, Rating
from taicho.dossiers.services import STEP_SHARES, _limit_seconds, _pauses
from taicho.dossiers.states import IN_PROCESS, TRANSITIONS, Status
from taicho.org.models import Agency, Center, Role, Staff
from taicho.supervision.generate import generate_year

DOSSIERS = 2000
FINISHED = {Status.RETURNED, Status.RESULT_READY, Status.PRINTED, Status.REFUSED, Status.STOPPED}


@pytest.fixture(scope="module")
def year(django_db_setup, django_db_blocker, tmp_path_factory):
    """One generated year for the whole module (the demo and the year take ~15 s): made in a transaction that
    is rolled back at the end; each test runs inside it, in its own savepoint."""
    folder = tmp_path_factory.mktemp("generated-year")
    with (
        django_db_blocker.unblock(),
        override_settings(PKI_DIR=folder / "pki", MEDIA_ROOT=folder / "media"),
        transaction.atomic(),
    ):
        build_demo()
        procedures = Procedure.objects.count() + 60
        yield generate_year(dossiers=DOSSIERS, agencies=5, procedures=procedures, seed=7)
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_counts_and_shares(year):
    assert Dossier.objects.count() == year["dossiers"] == DOSSIERS
    assert DossierEvent.objects.count() == year["events"]
    assert DossierComponent.objects.count() == year["components"]
    assert Rating.objects.count() == year["ratings"]
    assert Procedure.objects.count() == year["procedures"]
    assert year["procedures_added"] == 60
    center = Center.objects.get(code=year["center"])
    assert center.served_agencies.count() >= 5
    statuses = Counter(Dossier.objects.values_list("status", flat=True))
    finished = sum(n for s, n in statuses.items() if s in FINISHED)
    assert 0.93 <= finished / DOSSIERS <= 0.99, statuses
    assert sum(n for s, n in statuses.items() if s in IN_PROCESS) == DOSSIERS - finished
    assert year["finished"] == finished
    late = Dossier.objects.filter(finished_at__gt=F("due_at")).count()
    assert late == year["late"]
    assert 0.02 <= late / finished <= 0.09
    assert Dossier.objects.filter(status__in=list(IN_PROCESS), due_at__lt=timezone.now()).exists()
    assert DossierEvent.objects.filter(action="apologise").count() == year["apologies"] > 0
    returned = statuses[Status.RETURNED]
    assert 0.2 <= year["ratings"] / returned <= 0.4
    assert 0.04 <= year["reused"] / year["components"] <= 0.2
    assert year["on_the_spot"] > 0 and year["left_center"] > 0


@pytest.mark.django_db
def test_agencies_staff_and_catalog(year):
    province = Agency.objects.get(code="000.00.00.H49")
    children = Agency.objects.filter(parent=province)
    assert children.count() == 5
    for agency in children:
        agency.full_clean()  # identifiers valid (QCVN 102) and refining the province's
        assert parse_agency_identifier(agency.code).is_within(parse_agency_identifier(province.code))
        assert agency.level in (Agency.Level.DEPARTMENT, Agency.Level.COMMUNE)
        assert agency.head_id is not None
    assert (
        children.filter(level=Agency.Level.COMMUNE)
        .exclude(code="000.00.31.H49")
        .filter(code__regex=r"^000\.\d\d\.\d\d\.H49$")
        .exists()
    )
    generated = Staff.objects.filter(username__startswith="sinh.")
    assert generated.filter(center__isnull=False, roles__role=Role.RECEIVING_OFFICER).exists()
    assert generated.filter(center__isnull=True, roles__role=Role.APPRAISER).exists()
    assert not any(s.has_usable_password() for s in generated)
    for person in generated[:20]:
        validate_personal_id(person.personal_id)
    for code in Procedure.objects.values_list("code", flat=True):
        validate_tthc_code(code)
    # About 35 % of each agency's procedures on the spot, a few found not eligible.
    for agency in children:
        own = agency.procedures.count()
        active = OnTheSpotDesignation.objects.filter(agency=agency, status=OnTheSpotStatus.ACTIVE).count()
        if own >= 20:
            assert 0.25 <= active / own <= 0.45, (agency, own, active)
    assert OnTheSpotDesignation.objects.filter(status=OnTheSpotStatus.NOT_ELIGIBLE).exists()
    assert OnTheSpotDesignation.objects.filter(counter_appraises=True).exists()


@pytest.mark.django_db
def test_codes_real_format_unique_and_gapless(year):
    rows = list(
        Dossier.objects.values_list("code", "agency__code", "received_at").order_by("received_at", "pk")
    )
    codes = [code for code, _a, _r in rows]
    assert len(set(codes)) == len(codes)
    ordinals: dict[tuple[str, str], list[int]] = defaultdict(list)
    for code, agency_code, received in rows:
        match = re.fullmatch(r"(?P<agency>.+)-(?P<day>\d{6})-(?P<n>\d{4})", code)
        assert match, code
        assert match["agency"] == agency_code
        assert match["day"] == timezone.localtime(received).strftime("%y%m%d")
        ordinals[agency_code, match["day"]].append(int(match["n"]))
    for key, numbers in ordinals.items():
        assert numbers == list(range(1, len(numbers) + 1)), key  # in the order received, from 0001
    # A dossier received later through the services continues the numbering.
    code, agency_code, received = rows[-1]
    with transaction.atomic():
        following = allocate_dossier_code(agency_identifier=agency_code, day=timezone.localdate(received))
    assert following not in set(codes)
    assert (
        int(following[-4:]) == len(ordinals[agency_code, timezone.localtime(received).strftime("%y%m%d")]) + 1
    )


@pytest.mark.django_db
def test_events_follow_the_transition_table(year):
    events = defaultdict(list)
    for event in DossierEvent.objects.order_by("dossier_id", "at", "pk"):
        events[event.dossier_id].append(event)
    dossiers = {d.pk: d for d in Dossier.objects.all()}
    staff_agency = dict(Staff.objects.values_list("pk", "agency_id"))
    documents = IssuedDocument.objects.in_bulk()
    assert len(documents) == year["results"]
    assert set(events) == set(dossiers)
    for pk, history in events.items():
        dossier = dossiers[pk]
        first = history[0]
        assert (first.action, first.from_status, first.to_status) == ("receive", "", Status.RECEIVED)
        assert first.at == dossier.received_at
        status = Status.RECEIVED
        for event in history[1:]:
            transition = TRANSITIONS[event.action]
            assert event.from_status == status, (dossier.code, event.action)
            assert status in transition.sources, (dossier.code, event.action, status)
            assert event.to_status == (transition.target or status)
            assert event.step == transition.step
            status = event.to_status
        assert dossier.status == status
        assert dossier.row_version == len(history) - 1  # as services._finish counts
        assert all(e.agency_id == dossier.agency_id for e in history)
        assert all(staff_agency[e.actor_id] == dossier.agency_id for e in history)
        assert all(a.at <= b.at for a, b in itertools.pairwise(history))
        finishing = [e for e in history if e.action in ("release", "refuse", "stop")]
        assert (dossier.finished_at is not None) == bool(finishing)
        if finishing:
            assert dossier.finished_at == finishing[0].at
        returned = [e for e in history if e.action == "return_result"]
        assert dossier.returned_at == (returned[0].at if returned else None)
        # The electronic result exists from the draft on, and is as far as the dossier.
        submitted = [e for e in history if e.action == "submit_for_approval"]
        assert (dossier.result_id is not None) == bool(submitted)
        if submitted:
            document = documents[dossier.result_id]
            assert document.dossier_code == dossier.code and document.agency_id == dossier.agency_id
            assert document.created_at == submitted[0].at
            reached = {e.action for e in history}
            expected = "released" if "release" in reached else "sealed" if "seal" in reached else None
            expected = expected or ("signed" if "approve" in reached else "draft")
            assert document.status == expected


@pytest.mark.django_db
def test_times_budgets_and_working_time_as_the_services_compute_them(year):
    """The generator's working clock gives the calendar's own answers: appointments (`due`), working time used
    per step (`elapsed` minus pauses, as services._finish), budgets (limit × step share)."""
    center = Center.objects.get(code=year["center"])
    cal = calendar_for(center)
    start = timezone.make_aware(timezone.datetime.combine(year["year_start"], timezone.datetime.min.time()))
    now = timezone.now()
    sample = Dossier.objects.select_related("case").order_by("?")[:300]
    for dossier in sample:
        assert start <= dossier.received_at <= now
        assert year["year_start"] <= timezone.localdate(dossier.received_at) <= year["year_end"]
        limit = TimeLimit(Decimal(dossier.case.time_limit_value), dossier.case.time_limit_unit)
        assert dossier.original_due_at == cal.due(dossier.received_at, limit), dossier.code
        assert dossier.clock_started_at == cal.start_of_count(dossier.received_at)
        history = list(dossier.events.order_by("at", "pk"))
        assert history[-1].at <= now
        budget = _limit_seconds(dossier)
        for i, event in enumerate(history[1:], start=1):
            before = history[:i]
            used = int(cal.elapsed(before[-1].at, event.at, _pauses(before, event.at)).total_seconds())
            assert event.used_seconds == used, (dossier.code, event.action)
            assert event.budget_seconds == int(budget * STEP_SHARES[event.step])
        moved = [
            e for e in history if e.action in ("supplement_received", "obligation_fulfilled", "apologise")
        ]
        if not moved:
            assert dossier.due_at == dossier.original_due_at


@pytest.mark.django_db
def test_references_are_valid(year):
    dossiers = Dossier.objects.all()
    for model in (IssuedDocument, Dossier, DossierEvent, DossierComponent, Rating):
        for fk in model._meta.concrete_fields:
            if fk.is_relation:
                parents = fk.related_model._default_manager.values("pk")
                dangling = model.objects.exclude(**{f"{fk.attname}__isnull": True}).exclude(
                    **{f"{fk.attname}__in": parents}
                )
                assert not dangling.exists(), (model.__name__, fk.name)
    # Papers belong to the version the dossier pinned; reused ones come from an earlier dossier of the owner.
    assert not DossierComponent.objects.exclude(component__version_id=F("dossier__version_id")).exists()
    for paper in DossierComponent.objects.filter(reused_from__isnull=False).select_related(
        "dossier", "reused_from__dossier"
    )[:200]:
        earlier = paper.reused_from
        assert earlier.dossier.owner_id == paper.dossier.owner_id
        assert earlier.dossier.received_at < paper.dossier.received_at
        assert earlier.digitized and paper.digitized == earlier.digitized
    assert not DossierComponent.objects.filter(digitized="").exclude(digitization_code="").exists()
    # Ratings for returned dossiers only, by the officer who received them; 11 criteria of 0–2.
    for rating in Rating.objects.select_related("dossier")[:200]:
        assert rating.dossier.status == Status.RETURNED
        assert rating.officer_id == rating.dossier.received_by_id
        assert len(rating.scores) == 11 and set(rating.scores) <= {0, 1, 2}
        assert 1 <= rating.overall <= 5
    # On-the-spot dossiers are received, appraised and approved at the center, except those that left it.
    spot = dossiers.filter(on_the_spot=True).annotate(
        away=Count("events", filter=Q(events__actor__center=None))
    )
    assert spot.filter(away=0).count() > spot.exclude(away=0).count() > 0
    for dossier in dossiers[:50]:
        validate_personal_id(dossier.owner_id)
        validate_personal_id(dossier.applicant_id)


@pytest.mark.django_db
def test_a_second_year_continues_without_clashes(year):
    again = generate_year(dossiers=300, agencies=5, procedures=0, seed=8, year_end=year["year_end"])
    assert again["procedures_added"] == 0 and again["agencies"] == 5
    assert Dossier.objects.count() == DOSSIERS + 300
    assert Dossier.objects.values("code").distinct().count() == DOSSIERS + 300
    assert Staff.objects.filter(username__startswith="sinh.").values("username").distinct().count() == (
        Staff.objects.filter(username__startswith="sinh.").count()
    )
    assert timezone.localdate() - again["year_start"] <= timedelta(days=364)


@pytest.mark.django_db
def test_the_read_models_of_a_generated_year_add_up(year):
    """After a rebuild: the monthly roll-up equals the daily one; a period's sums taken from whole months and
    edge days equal the daily sums; the indicators equal counts over the facts."""
    from datetime import timedelta

    from django.db.models import Sum

    from taicho.supervision import indicators, stats
    from taicho.supervision.models import DailyStat, DossierFacts, MonthlyStat

    assert stats.rebuild() == Dossier.objects.exclude(received_at__isnull=True).count()
    assert (
        MonthlyStat.objects.aggregate(n=Sum("received"))["n"]
        == DailyStat.objects.aggregate(n=Sum("received"))["n"]
    )
    end = year["year_end"]
    ids = list(Agency.objects.values_list("pk", flat=True))
    for start, stop in [
        (end - timedelta(days=364), end),
        (end - timedelta(days=200), end - timedelta(days=17)),
        (end.replace(day=1), end),
        (end - timedelta(days=3), end - timedelta(days=1)),
    ]:
        sums = stats.period_sums(start, stop, ids, ("procedure_id",), ("received", "finished", "late"))
        direct = {
            (r["procedure_id"],): {"received": r["a"], "finished": r["b"], "late": r["c"]}
            for r in DailyStat.objects.filter(day__gte=start, day__lte=stop)
            .values("procedure_id")
            .annotate(a=Sum("received"), b=Sum("finished"), c=Sum("late"))
        }
        assert sums == direct, (start, stop)
        _rows, total = indicators.by_agency(start, stop, Agency.objects.all())
        facts = DossierFacts.objects.filter(finished_on__gte=start, finished_on__lte=stop)
        assert total.late == facts.filter(timing="late").count()
        assert (
            total.received
            == DossierFacts.objects.filter(received_on__gte=start, received_on__lte=stop).count()
        )
