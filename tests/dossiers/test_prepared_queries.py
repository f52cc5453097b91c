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
