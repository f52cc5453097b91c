"""JSON API of the dossier steps (filled in by the API work)."""

from ninja import Router

router = Router(tags=["hồ sơ"])
