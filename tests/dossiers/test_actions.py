"""The workspace offers only the steps that can succeed for this person (roles, agency, delegation, authority)."""

from __future__ import annotations

from taicho.dossiers.services import may_act
from taicho.dossiers.views import available_actions
from tests.dossiers.conftest import to_approval


def test_only_a_leader_or_a_delegate_is_offered_approval(received, people):
    dossier = to_approval(received, people)
    # The appraiser's role may approve only under a delegation; there is none for this person.
    assert not may_act(people["thamdinh"], dossier, "approve")
    assert "approve" not in available_actions(people["thamdinh"], dossier)
    assert "approve" in available_actions(people["lanhdao"], dossier)
    # The counter officer is delegated (TUQ.) for copy certifications in the demo.
    assert "approve" in available_actions(people["tiepnhan"], dossier)


def test_an_officer_of_another_agency_is_offered_nothing(received, people):
    assert available_actions(people["canboxa"], received) == set()
    assert "start_appraisal" in available_actions(people["thamdinh"], received)
