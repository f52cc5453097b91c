"""Rendering tests need no database; they only need the fixed sample data in ``samples``."""

from __future__ import annotations

import shutil

import pytest


@pytest.fixture(scope="session")
def pdftotext():
    path = shutil.which("pdftotext")
    if path is None:
        pytest.skip("pdftotext (poppler-utils) không có trên máy này")
    return path
