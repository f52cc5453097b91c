"""The citizen's electronic data store (kho dữ liệu điện tử, Circular 01/2023/TT-VPCP; domain.md §6): the papers
digitized in the owner's earlier dossiers, offered at reception so that nobody is asked for a paper twice."""

from __future__ import annotations

from collections.abc import Iterable

from taicho.catalog.models import Component
from taicho.catalog.sources import nfc
from taicho.dossiers.models import DossierComponent

LIMIT = 50


def _key(name: str) -> str:
    return nfc(name).casefold()


def papers_of(owner_id: str) -> list[DossierComponent]:
    """The owner's digitized papers, newest first, one per distinct paper (a reused paper is not listed twice)."""
    owner_id = (owner_id or "").strip()
    if not owner_id:
        return []
    rows = (
        DossierComponent.objects.filter(dossier__owner_id=owner_id, reused_from__isnull=True)
        .exclude(digitized="")
        .select_related("component", "dossier")
        .order_by("-dossier__received_at", "-pk")[:LIMIT]
    )
    return list(rows)


def suggestions(components: Iterable[Component], papers: Iterable[DossierComponent]) -> dict[int, int]:
    """For each component of the procedure, the newest earlier paper with the same name (component pk → paper
    pk); the officer confirms or changes it."""
    newest: dict[str, int] = {}
    for paper in papers:
        newest.setdefault(_key(paper.component.name), paper.pk)
    return {c.pk: newest[_key(c.name)] for c in components if _key(c.name) in newest}
