"""Catalog import speed: the 270 justice detail records plus the portal's xlsx list, into a fresh SQLite (or the
DATABASE_URL database), then the same files again (nothing changes). Prints median seconds over runs.

    .venv/bin/python benchmarks/bench_import.py [runs]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "taicho" / "catalog" / "data"


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    os.environ.setdefault("TAICHO_VAR_DIR", tempfile.mkdtemp(prefix="taicho-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taicho.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from taicho.catalog.models import Procedure, ProcedureVersion
    from taicho.catalog.services import import_catalog

    call_command("migrate", verbosity=0)
    files = [
        (p.name, p.read_bytes())
        for p in (DATA / "tthc-bo-tu-phap-details.jsonl.gz", DATA / "danh-sach-tthc-BoTuPhap.xlsx")
    ]
    first, again = [], []
    for _ in range(runs):
        Procedure.objects.all().delete()
        start = time.perf_counter()
        run = import_catalog(files=files)
        first.append(time.perf_counter() - start)
        start = time.perf_counter()
        rerun = import_catalog(files=files)
        again.append(time.perf_counter() - start)
    assert rerun.created == rerun.new_versions == 0
    print(
        f"database: {connection.vendor}; procedures: {run.created}, versions: {ProcedureVersion.objects.count()}"
    )
    print(
        f"first import (270 detail records + xlsx list): median {statistics.median(first):.3f} s over {runs} runs"
    )
    print(f"re-import of the same files (no change):        median {statistics.median(again):.3f} s")


if __name__ == "__main__":
    main()
