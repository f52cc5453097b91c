"""Supervision pages, one module per area; each module exports `urlpatterns` (collected in ../urls.py)."""
