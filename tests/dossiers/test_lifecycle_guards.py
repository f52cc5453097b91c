"""Rules of domain.md §2–§3 at their edges, each with a real component, procedure or officer that a careless
guard would let through: components of another procedure, what may be asked on return after guidance, what a
supplement takes in, "once per agency" rather than per officer, stop and withdrawal once the result exists,
and an apology that does not move the deadline later."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from taicho.core.errors import Conflict, DomainError
from taicho.dossiers.services import (
    Provided,
    apologise,
    approve,
    guide_dossier,
    receive_dossier,
    receive_guided,
    record_print,
    request_supplement,
    request_withdrawal,
    seal,
    start_appraisal,
    stop,
    supplement_received,
)
from taicho.dossiers.states import Status

from .conftest import to_approval

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _birth():
    """Birth registration (1.001193): a real procedure with several required components."""
    from taicho.catalog.models import Procedure

    birth = Procedure.objects.get(code="1.001193")
    version = birth.version_on(timezone.localdate())
    required = list(version.components.filter(required=True).order_by("ordinal"))
    assert len(required) >= 2
    return birth, required


def _received_birth(people, applicant, at=None):
    """A complete birth registration received at the counter, with its required components."""
    birth, required = _birth()
    dossier = receive_dossier(
        officer=people["tiepnhan"],
        procedure=birth,
        applicant=applicant,
        components=[Provided(c.pk, "original", 1) for c in required],
        at=at,
    )
    return dossier, required


def test_guidance_cannot_name_a_component_of_another_procedure(people, copy_cert, applicant):
    _birth_procedure, foreign = _birth()
    with pytest.raises(DomainError, match="ngoài thành phần hồ sơ"):
        guide_dossier(
            officer=people["tiepnhan"],
            procedure=copy_cert,
            applicant=applicant,
            missing=[foreign[0].pk],
            reason="Thiếu giấy tờ",
        )


def test_after_guidance_only_what_it_listed_is_required(people, demo, applicant):
    """Guidance is given once and in full (form 02): the citizen who brings what it listed is received."""
    birth, required = _birth()
    guided = guide_dossier(
        officer=people["tiepnhan"],
        procedure=birth,
        applicant=applicant,
        missing=[required[0].pk],
        reason="Thiếu giấy chứng sinh",
    )
    received = receive_guided(
        dossier=guided, officer=people["tiepnhan"], components=[Provided(required[0].pk, "original", 1)]
    )
    assert received.status == Status.RECEIVED


def test_a_supplement_cannot_name_a_component_of_another_procedure(received, people):
    _birth_procedure, foreign = _birth()
    start_appraisal(dossier=received, officer=people["thamdinh"])
    with pytest.raises(DomainError, match="ngoài thành phần hồ sơ"):
        request_supplement(
            dossier=received, officer=people["thamdinh"], components=[foreign[0].pk], reason="Bổ sung"
        )
    received.refresh_from_db()
    assert received.status == Status.APPRAISING


def test_a_supplement_takes_in_only_the_papers_asked_for(people, demo, applicant):
    dossier, required = _received_birth(people, applicant)
    start_appraisal(dossier=dossier, officer=people["thamdinh"])
    request_supplement(dossier=dossier, officer=people["thamdinh"], components=[required[0].pk], reason="Mờ")
    with pytest.raises(DomainError, match="đã yêu cầu bổ sung"):
        supplement_received(
            dossier=dossier, officer=people["tiepnhan"], components=[Provided(required[1].pk, "original", 1)]
        )
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED


def test_once_per_agency_whoever_asks(received, people):
    """The second request of the same agency is refused even when another of its officers makes it."""
    component = received.version.components.get()
    start_appraisal(dossier=received, officer=people["thamdinh"])
    request_supplement(dossier=received, officer=people["thamdinh"], components=[component.pk], reason="Mờ")
    supplement_received(
        dossier=received, officer=people["tiepnhan"], components=[Provided(component.pk, "original", 1)]
    )
    assert people["tiepnhan"].agency_id == people["thamdinh"].agency_id
    with pytest.raises(DomainError, match="không được yêu cầu thêm"):
        request_supplement(
            dossier=received, officer=people["tiepnhan"], components=[component.pk], reason="Lần hai"
        )


@pytest.mark.parametrize("printed", [False, True], ids=["result-ready", "printed"])
def test_no_stop_or_withdrawal_once_the_result_is_ready(received, people, printed):
    dossier = to_approval(received, people)
    approve(dossier=dossier, leader=people["lanhdao"])
    seal(dossier=dossier, clerk=people["vanthu"])
    if printed:
        record_print(dossier=dossier, clerk=people["vanthu"], copies=1)
    dossier.refresh_from_db()
    before = dossier.status
    assert before in (Status.RESULT_READY, Status.PRINTED)
    with pytest.raises(Conflict):
        stop(dossier=dossier, officer=people["tiepnhan"], reason="Muộn")
    with pytest.raises(Conflict):
        request_withdrawal(dossier=dossier, officer=people["tiepnhan"], reason="Muộn")
    dossier.refresh_from_db()
    assert dossier.status == before and not dossier.papers.filter(form="05").exists()


def test_the_new_appointment_comes_after_the_current_deadline(people, demo, applicant):
    """Form 04 sets a later appointment; one at or before the deadline is refused and changes nothing."""
    monday = timezone.datetime(2026, 11, 30, 7, 30, tzinfo=VN)
    dossier, _required = _received_birth(people, applicant, at=monday)
    dossier.due_at = dossier.due_at + timedelta(days=2)  # far enough ahead for an apology to be on time
    dossier.save()
    with pytest.raises(DomainError, match="sau hạn trả hiện tại"):
        apologise(
            dossier=dossier,
            officer=people["thamdinh"],
            reason="Chờ xác minh",
            new_due=dossier.due_at,
            at=monday + timedelta(minutes=5),
        )
    after = type(dossier).objects.get(pk=dossier.pk)
    assert after.due_at == dossier.due_at and not after.papers.filter(form="04").exists()
