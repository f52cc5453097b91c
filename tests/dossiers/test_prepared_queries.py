"""`core.prepared`: a query compiled once per connection answers exactly as its ordinary queryset does."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from taicho.core.prepared import Prepared
from tests.dossiers.conftest import to_approval


def _values(obj: models.Model) -> list[tuple[str, object]]:
    return [(f.attname, getattr(obj, f.attname)) for f in obj._meta.concrete_fields]


def _same_instance(ours: models.Model, theirs: models.Model, related: tuple[str, ...] = ()) -> None:
    assert type(ours) is type(theirs)
    assert _values(ours) == _values(theirs)
    assert ours._state.adding is False and ours._state.db == theirs._state.db
    for name in related:
        field = type(ours)._meta.get_field(name)
        assert field.is_cached(ours), f"{name} not loaded with the row"
        mine, other = getattr(ours, name), getattr(theirs, name)
        assert (mine is None) == (other is None)
        if mine is not None:
            _same_instance(mine, other)


@pytest.mark.django_db(transaction=True)
def test_the_dossier_lock_and_last_event_answer_as_their_querysets(received, people):
    from taicho.dossiers.services import _LAST_EVENT_OF, _LOCK_DOSSIER

    to_approval(received, people)
    with transaction.atomic():
        ours = _LOCK_DOSSIER.get(received.pk)
        theirs = _LOCK_DOSSIER.queryset(received.pk).get()
    _same_instance(ours, theirs, ("agency", "procedure", "case", "center"))
    assert ours.status == "awaiting_approval"
    assert _LAST_EVENT_OF.rows(received.pk) == list(_LAST_EVENT_OF.queryset(received.pk))
    assert _LAST_EVENT_OF.rows(received.pk)[0][1] == "awaiting_approval"
    assert _LAST_EVENT_OF.rows(10**9) == []
    with transaction.atomic(), pytest.raises(type(received).DoesNotExist):
        _LOCK_DOSSIER.get(10**9)


@pytest.mark.django_db(transaction=True)
def test_a_lock_outside_a_transaction_is_refused_as_django_refuses_it(received):
    from taicho.dossiers.services import _LOCK_DOSSIER

    with pytest.raises(TransactionManagementError):
        _LOCK_DOSSIER.get(received.pk)


@pytest.mark.django_db(transaction=True)
def test_the_paper_lock_answers_as_its_queryset(received, people):
    from taicho.documents import services as documents

    dossier = to_approval(received, people)
    with transaction.atomic():
        ours = documents._lock(dossier.result_id, "draft", "agency__head")
        query = documents._LOCKS[("agency__head",)]
        theirs = query.queryset(dossier.result_id).get()
    _same_instance(ours, theirs, ("agency", "procedure"))
    assert ours.agency.head_id == theirs.agency.head_id
    assert ours.agency.head == theirs.agency.head
    with transaction.atomic(), pytest.raises(documents.Conflict):
        documents._lock(dossier.result_id, "signed")


@pytest.mark.django_db
def test_api_tokens_and_roles_answer_as_their_querysets(people):
    from django.utils import timezone

    from taicho.org.models import _ROLES_OF, ApiToken, Staff
    from taicho.org.services import _TOKEN, issue_api_token, staff_for_token

    officer = people["tiepnhan"]
    key = issue_api_token(staff=officer, name="thử")
    key_hash = hashlib.sha256(key.encode()).hexdigest()
    ours, theirs = _TOKEN.first(key_hash), _TOKEN.queryset(key_hash).first()
    assert ours is not None and theirs is not None
    _same_instance(ours, theirs, ("staff",))
    assert staff_for_token(key) == officer
    assert _ROLES_OF.rows(officer.pk) == list(_ROLES_OF.queryset(officer.pk))
    assert Staff.objects.get(pk=officer.pk).role_set == {r.role for r in officer.roles.all()}
    assert _TOKEN.first("0" * 64) is None and staff_for_token("tc_khong-co") is None

    ApiToken.objects.filter(key_hash=key_hash).update(revoked_at=timezone.now())
    assert _TOKEN.first(key_hash) is None and _TOKEN.queryset(key_hash).first() is None
    second = issue_api_token(staff=officer, name="thử 2")
    Staff.objects.filter(pk=officer.pk).update(is_active=False)
    assert staff_for_token(second) is None


@pytest.mark.django_db
def test_constants_stay_parameters_repeat_and_dates_bind_as_django_binds_them(demo):
    from taicho.core.models import CalendarDay

    CalendarDay.objects.filter(date__gte=date(2035, 9, 1)).delete()
    CalendarDay.objects.create(date=date(2035, 9, 2), kind="holiday", name="Quốc khánh")
    CalendarDay.objects.create(date=date(2035, 9, 1), kind="holiday", name="Quốc khánh (nghỉ thêm)")
    query = Prepared(
        lambda day, name: (
            CalendarDay.objects.filter(models.Q(date=day) | models.Q(date__gt=day, name=name), kind="holiday")
            .order_by("date")
            .values_list("date", "name")
        ),
        models.DateField(),
        models.CharField(),
    )
    for day, name in [
        (date(2035, 9, 1), "Quốc khánh"),
        (date(2035, 9, 1), "khác"),
        (date(2035, 9, 2), "Quốc khánh"),
        (date(2036, 1, 1), "Tết"),
    ]:
        assert query.rows(day, name) == list(query.queryset(day, name)), (day, name)
    assert query.rows(date(2035, 9, 1), "Quốc khánh") == [
        (date(2035, 9, 1), "Quốc khánh (nghỉ thêm)"),
        (date(2035, 9, 2), "Quốc khánh"),
    ]


@pytest.mark.django_db
def test_each_run_is_one_statement_that_django_sees(people):
    from taicho.org.models import _ROLES_OF

    _ROLES_OF.rows(people["tiepnhan"].pk)  # compiled on this connection
    with CaptureQueriesContext(connection) as queries:
        _ROLES_OF.rows(people["lanhdao"].pk)
    assert len(queries.captured_queries) == 1
    assert "org_staffrole" in queries.captured_queries[0]["sql"]


@pytest.mark.django_db
def test_a_lookup_that_transforms_its_value_is_refused(people):
    from taicho.org.models import Staff

    contains = Prepared(lambda s: Staff.objects.filter(username__contains=s), models.CharField())
    with pytest.raises(ImproperlyConfigured):
        contains.all("tiep")
    year = Prepared(lambda y: Staff.objects.filter(date_joined__year=y), models.IntegerField())
    with pytest.raises(ImproperlyConfigured):
        year.all(2026)
    with pytest.raises(ImproperlyConfigured):
        Prepared(lambda b: Staff.objects.filter(is_active=b), models.BooleanField()).all(True)


@pytest.mark.django_db
def test_none_and_wrong_arity_are_refused_not_answered(people):
    from taicho.org.models import Staff

    by_name = Prepared(lambda s: Staff.objects.filter(username=s), models.CharField())
    assert [s.username for s in by_name.all("tiepnhan")] == ["tiepnhan"]
    with pytest.raises(ValueError):
        by_name.all(None)  # filter(username=None) is another statement (IS NULL)
    with pytest.raises(TypeError):
        by_name.all("a", "b")
    every = Prepared(lambda s: Staff.objects.exclude(username=s), models.CharField())
    with pytest.raises(Staff.MultipleObjectsReturned):
        every.get("tiepnhan")
    with pytest.raises(Staff.DoesNotExist):
        by_name.get("không-có-ai")


@pytest.mark.django_db
def test_delegations_answer_as_their_querysets(people):
    from datetime import timedelta

    from taicho.org.models import Delegation
    from taicho.org.selectors import Step, _delegation_query, delegation_for

    delegations = list(Delegation.objects.prefetch_related("procedures"))
    assert delegations, "the demo delegates steps to the counter"
    procedures = {p for d in delegations for p in d.procedures.all()}
    days = {d.valid_from for d in delegations} | {d.valid_from - timedelta(days=1) for d in delegations}
    days |= {d.valid_to for d in delegations if d.valid_to} | {date(2026, 11, 27)}
    found = 0
    for staff in people.values():
        roles = sorted(staff.role_set) if staff.agency_id is not None else []
        for procedure in procedures:
            for step in (Step.APPRAISE, Step.APPROVE):
                query = _delegation_query(step, len(roles))
                for day in days:
                    args = (
                        (staff.pk, procedure.pk, day, staff.agency_id, *roles)
                        if roles
                        else (staff.pk, procedure.pk, day)
                    )
                    ours, theirs = query.first(*args), query.queryset(*args).first()
                    assert (ours and ours.pk) == (theirs and theirs.pk), (staff, procedure, step, day)
                    assert delegation_for(staff=staff, procedure=procedure, step=step, on=day) == ours
                    if ours is not None:
                        _same_instance(ours, theirs, ("delegator", "agency"))
                        found += 1
    assert found, "some delegation is in force for someone"


@pytest.mark.django_db
def test_visible_id_answers_as_visible_to_for_everyone(received, people, make_staff):
    from django.contrib.auth.models import AnonymousUser

    from taicho.dossiers.models import Dossier
    from taicho.org.models import Agency, Counter, Role
    from taicho.org.services import create_agency

    province = Agency.objects.get(pk=received.agency_id).parent
    other_agency = create_agency(
        code="000.00.88.H49",
        name="Sở Xây dựng tỉnh Quảng Ninh",
        level=Agency.Level.DEPARTMENT,
        parent=province,
    )

    elsewhere = make_staff(Role.RECEIVING_OFFICER, agency=other_agency)
    counter = Counter.objects.get(pk=received.counter_id)
    at_counter = make_staff(Role.RECEIVING_OFFICER, agency=other_agency, counter=counter)
    nowhere = make_staff(Role.RECEIVING_OFFICER)
    superuser = make_staff(is_superuser=True)
    accounts = [*people.values(), elsewhere, at_counter, nowhere, superuser, AnonymousUser()]
    assert any(getattr(a, "counter_id", None) for a in people.values())
    assert any(getattr(a, "agency_id", None) and not getattr(a, "counter_id", None) for a in people.values())
    codes = [received.code, "000.00.12.H49-000000-9999"]
    seen = 0
    for account in accounts:
        for code in codes:
            expected = (
                Dossier.objects.visible_to(account).filter(code=code).values_list("id", flat=True).first()
            )
            assert Dossier.objects.visible_id(account, code) == expected, (account, code)
            seen += expected is not None
    assert seen >= 3  # the agency's staff, the counter's officer from another agency, the superuser


def _row(model, pk):
    return model.objects.filter(pk=pk).values().get()


@pytest.mark.django_db
def test_create_row_writes_what_objects_create_writes(received, people):
    from datetime import UTC, datetime

    from taicho.core.prepared import create_row
    from taicho.dossiers.models import DossierEvent

    for actor, budget, detail in [
        (people["tiepnhan"], 3600, {"ghi_chu": "Đủ thành phần", "số": [1, 2], "có": True}),
        (None, None, {}),
    ]:
        values = dict(
            dossier=received,
            agency=received.agency,
            action="thử",
            step="reception",
            from_status="received",
            to_status="appraising",
            actor=actor,
            at=datetime(2026, 11, 27, 8, 30, 15, 123456, tzinfo=UTC),
            reason="Lý do có dấu: “ngoặc” và \\ gạch",
            budget_seconds=budget,
            used_seconds=0,
            detail=detail,
        )
        ours = create_row(DossierEvent, **values)
        theirs = DossierEvent.objects.create(**values)
        assert ours.pk and theirs.pk and ours.pk != theirs.pk
        assert not ours._state.adding and ours._state.db == "default"
        mine, other = _row(DossierEvent, ours.pk), _row(DossierEvent, theirs.pk)
        mine.pop("id"), other.pop("id")
        assert mine == other
        assert mine["detail"] == detail and mine["actor_id"] == (actor.pk if actor else None)


@pytest.mark.django_db
def test_update_row_writes_what_save_update_fields_writes(received, people):
    from django.db import DatabaseError
    from django.db.models import F

    from taicho.core.prepared import update_row
    from taicho.dossiers.models import Dossier

    twin = Dossier.objects.get(pk=received.pk)
    for fields, change in [
        (["status", "row_version"], {"status": "appraising", "row_version": 3}),
        (["fee_paid", "fee_receipt"], {"fee_paid": 4000, "fee_receipt": "BL-1"}),
        (["fee_receipt", "finished_at"], {"fee_receipt": "", "finished_at": None}),  # None: NULL in the SQL
        (["guidance"], {"guidance": {"thiếu": ["Tờ khai"], "lần": 1}}),
    ]:
        ours = Dossier.objects.get(pk=received.pk)
        for name, value in change.items():
            setattr(ours, name, value)
        update_row(ours, fields)
        written = _row(Dossier, received.pk)
        for name, value in change.items():
            setattr(twin, name, value)
        twin.save(update_fields=fields)
        assert written == _row(Dossier, received.pk)  # Django's save wrote nothing else
        for name, value in change.items():
            assert written[Dossier._meta.get_field(name).attname] == value

    ours = Dossier.objects.get(pk=received.pk)
    ours.row_version = F("row_version") + 1  # an expression: Django saves it as usual
    update_row(ours, ["row_version"])
    assert _row(Dossier, received.pk)["row_version"] == 4

    gone = Dossier.objects.get(pk=received.pk)
    gone.pk = 10**9
    with pytest.raises(DatabaseError):
        update_row(gone, ["status"])


@pytest.mark.django_db
def test_a_model_with_save_receivers_is_saved_by_django(received):
    from django.db.models.signals import post_save

    from taicho.core.prepared import create_row, update_row
    from taicho.dossiers.models import Dossier, DossierEvent

    heard = []

    def receiver(sender, instance, **kwargs):
        heard.append((sender, kwargs.get("update_fields")))

    post_save.connect(receiver, sender=DossierEvent)
    post_save.connect(receiver, sender=Dossier)
    try:
        create_row(
            DossierEvent,
            dossier=received,
            action="x",
            step="reception",
            to_status="received",
            at=received.received_at,
        )
        dossier = Dossier.objects.get(pk=received.pk)
        dossier.status = "appraising"
        update_row(dossier, ["status"])
    finally:
        post_save.disconnect(receiver, sender=DossierEvent)
        post_save.disconnect(receiver, sender=Dossier)
    assert heard == [(DossierEvent, None), (Dossier, frozenset({"status"}))]


@pytest.mark.django_db
def test_receptions_catalog_reads_answer_as_their_querysets(demo):
    from datetime import timedelta

    from taicho.catalog.models import OnTheSpotDesignation, Procedure, ProcedureVersion
    from taicho.dossiers import api
    from taicho.dossiers import services as s
    from taicho.org.models import Agency

    designated = list(OnTheSpotDesignation.objects.values_list("procedure_id", "agency_id", "status"))
    procedures = list(Procedure.objects.filter(pk__in={p for p, _, _ in designated}))
    assert procedures
    agencies = list(Agency.objects.all()[:5])
    checked = 0
    for procedure in procedures:
        assert (
            api._PROCEDURE_BY_CODE.first(procedure.code)
            == Procedure.objects.filter(code=procedure.code).first()
        )
        days = {v.effective_from for v in ProcedureVersion.objects.filter(procedure=procedure)}
        days |= {d - timedelta(days=1) for d in days} | {date(2026, 11, 27)}
        for day in days:
            ours, theirs = s._VERSION_ON.first(procedure.pk, day), procedure.version_on(day)
            assert (ours and ours.pk) == (theirs and theirs.pk), (procedure, day)
            if ours is None:
                continue
            assert ours.name == theirs.name and ours.get_deferred_fields()  # the long texts stay unread
            case = s._IN_PERSON_CASE.first(ours.pk)
            assert case == theirs.cases.filter(channel="in_person").order_by("ordinal").first()
            assert s._COMPONENTS.all(ours.pk) == list(theirs.components.all())
            if case is not None:
                assert s._FEES_VND.all(case.pk) == list(case.fees.filter(currency="VND"))
            checked += 1
        for agency in agencies:
            for status in ("active", "suspended"):
                expected = procedure.on_the_spot.filter(agency=agency, status=status).exists()
                assert bool(s._ON_THE_SPOT.rows(procedure.pk, agency.pk, status)) == expected
    assert checked
    assert api._PROCEDURE_BY_CODE.first("9.999999") is None


@pytest.mark.django_db
def test_related_reads_a_foreign_key_as_django_does(people):
    from taicho.core.prepared import by_pk, related
    from taicho.org.models import Agency, Staff

    for staff in people.values():
        fresh = Staff.objects.get(pk=staff.pk)
        for name in ("agency", "counter", "center"):
            ours = related(fresh, name)
            assert ours == getattr(Staff.objects.get(pk=staff.pk), name)
            if ours is not None:
                assert _values(ours) == _values(getattr(Staff.objects.get(pk=staff.pk), name))
            assert Staff._meta.get_field(name).is_cached(fresh)  # kept, as Django keeps it
    agency = Agency.objects.exclude(parent=None).first()
    assert related(agency, "parent") == agency.parent
    top = Agency.objects.filter(parent=None).first()
    assert related(top, "parent") is None
    with pytest.raises(Agency.DoesNotExist):
        by_pk(Agency, 10**9)


@pytest.mark.django_db
def test_signing_reads_answer_as_their_querysets(people):
    from taicho.org.models import Agency
    from taicho.signing import services as signing
    from taicho.signing.models import SigningCredential, TrustedRoot

    assert signing._TRUST.rows() == list(
        TrustedRoot.objects.filter(is_active=True).values_list("certificate_pem", "crl_der")
    )
    assert signing.trust_material()[0]
    found = 0
    for staff in people.values():
        theirs = (
            SigningCredential.objects.filter(holder="person", staff=staff, is_active=True)
            .order_by("-created_at")
            .first()
        )
        assert signing._PERSONAL.first(staff.pk) == theirs
        found += theirs is not None
    for agency in Agency.objects.all():
        theirs = (
            SigningCredential.objects.filter(holder="organisation", agency=agency, is_active=True)
            .order_by("-created_at")
            .first()
        )
        assert signing._SEAL.first(agency.pk) == theirs
        found += theirs is not None
    assert found >= 2
