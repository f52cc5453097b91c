"""The WSGI entry point warms each worker up at start (imports, fonts, typst compilers) and freezes start-up's
heap out of the garbage collector's scans."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def _run(code: str, **env: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(SRC), "DJANGO_SETTINGS_MODULE": "taicho.settings", **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return result.stdout.strip()


PROBE = (
    "import gc, sys; import taicho.wsgi as w; from taicho.documents import render; "
    "print(gc.get_freeze_count() > 0, render._compiler.cache_info().currsize, 'pyhanko.sign.validation' in sys.modules)"
)


def test_a_worker_starts_warm_with_its_start_up_heap_frozen():
    frozen, compilers, pyhanko = _run(PROBE).split()
    assert frozen == "True"
    assert int(compilers) == 10  # forms 01–07 and the three result templates
    assert pyhanko == "True"


def test_warm_up_can_be_turned_off():
    frozen, compilers, _ = _run(PROBE, TAICHO_WARM_UP="0").split()
    assert frozen == "False" and compilers == "0"


def test_a_failed_warm_up_is_logged_and_the_worker_still_starts(monkeypatch, caplog):
    import gc
    import importlib
    import logging

    monkeypatch.setenv("TAICHO_WARM_UP", "0")
    wsgi = importlib.import_module("taicho.wsgi")
    from taicho.documents import render

    def broken(template: str) -> None:
        raise OSError("không đọc được phông chữ")

    monkeypatch.setattr(render, "_compiler", broken)
    logger = logging.getLogger("taicho.wsgi")
    logger.addHandler(caplog.handler)  # the "taicho" loggers do not propagate to the root
    try:
        wsgi.warm_up()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        logger.removeHandler(caplog.handler)
    assert "Không chuẩn bị trước được mẫu in" in caplog.text
    assert "không đọc được phông chữ" in caplog.text
    assert callable(wsgi.application)
