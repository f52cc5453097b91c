"""Supervision at the scale of a province-year: generate 1,000,000 dossiers (40 agencies, 1,500 procedures) on top
of the demo, rebuild the read models, and time every supervision page as the center's director sees it.

    .venv/bin/python benchmarks/bench_supervision.py [--backend sqlite|postgres|both] [--dossiers 1000000]
        [--agencies 40] [--procedures 1500] [--runs 5] [--reuse] [--pg-db taicho_bench] [--drop]

Each backend runs in its own subprocesses of this script, one per phase, so each phase's peak memory
(`ru_maxrss`) is its own:
1. demo: migrate and `taicho.demo.build_demo`; generate: `supervision.generate.generate_year` (both skipped with
   --reuse when the database already holds that many dossiers);
2. rebuild: `supervision.stats.rebuild()` (skipped with --reuse when the facts are there);
3. pages: each page through Django's test Client in-process, logged in as the demo director `giamdoc`: one
   warm-up, then the median of --runs requests (server time: the whole middleware stack, view and rendering).
   Pages that answer 404 (not written yet) are shown as "chưa có". Flag drill-downs are found on
   /giam-sat/thuc-chat/.

SQLite: the default settings (WAL, foreign keys; DATABASE_URL left empty) with TAICHO_VAR_DIR=var/bench/sqlite, a
fresh file unless --reuse. PostgreSQL: its own database (--pg-db, default taicho_bench) on 127.0.0.1 as postgres,
dropped and created here unless --reuse, kept afterwards for --reuse (dropped at the end with --drop).

Goals (issue 5): every page < 500 ms, the yearly report < 5 s, memory < 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "var" / "bench"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PAGE_GOAL_MS, REPORT_GOAL_MS, MEMORY_GOAL_MB = 500.0, 5000.0, 300.0
PAGES = (
    "/giam-sat/",
    "/giam-sat/chi-tieu/",
    "/giam-sat/ra-soat/?co_quan={agency}",
    "/giam-sat/lo-trinh/",
    "/giam-sat/thuc-chat/",
    "/giam-sat/chi-so/",
    "/giam-sat/chi-so/?co_quan={agency}",
    "/giam-sat/kiem-tra/",
)
REPORT = "/giam-sat/bao-cao/tong-hop.pdf?tu={start}&den={end}"
RESULT = "RESULT "


def peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


# --- phases (run in a subprocess each) -----------------------------------------------------------------------


def setup_django() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taicho.settings")
    import django

    django.setup()


def phase_demo(args: argparse.Namespace) -> dict[str, Any]:
    setup_django()
    from django.core.management import call_command

    from taicho.dossiers.models import Dossier

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_s = time.perf_counter() - started
    if args.reuse and Dossier.objects.count() >= args.dossiers:
        print(f"  dữ liệu có sẵn: {Dossier.objects.count():,} hồ sơ — bỏ qua bước sinh dữ liệu", flush=True)
        return {"skipped": True, "peak_mb": peak_mb()}
    from taicho.demo import build_demo

    started = time.perf_counter()
    build_demo()
    return {"migrate_s": migrate_s, "demo_s": time.perf_counter() - started, "peak_mb": peak_mb()}


def phase_generate(args: argparse.Namespace) -> dict[str, Any]:
    setup_django()
    from taicho.supervision.generate import generate_year

    last = [0.0]
    started = time.perf_counter()

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "dossiers" and (time.perf_counter() - last[0] > 30 or done == total):
            last[0] = time.perf_counter()
            print(f"  {done:>9,} / {total:,} hồ sơ  ({time.perf_counter() - started:6.0f} s)", flush=True)

    result = generate_year(
        dossiers=args.dossiers, agencies=args.agencies, procedures=args.procedures, progress=progress
    )
    result.update(generate_s=time.perf_counter() - started, peak_mb=peak_mb())
    return result


def phase_rebuild(args: argparse.Namespace) -> dict[str, Any]:
    setup_django()
    from taicho.supervision import stats
    from taicho.supervision.models import DossierFacts

    if args.reuse and not args.rebuild and DossierFacts.objects.exists():
        print("  số liệu tổng hợp có sẵn — bỏ qua bước tính lại", flush=True)
        return {"skipped": True, "peak_mb": peak_mb()}
    started = time.perf_counter()
    last = [0.0]

    def progress(done: int) -> None:
        if time.perf_counter() - last[0] > 30:
            last[0] = time.perf_counter()
            print(f"  {done:>9,} hồ sơ đã tính  ({time.perf_counter() - started:6.0f} s)", flush=True)

    count = stats.rebuild(progress=progress)
    return {"dossiers": count, "rebuild_s": time.perf_counter() - started, "peak_mb": peak_mb()}


def _time(client: Any, url: str, runs: int) -> tuple[float, int, str, bytes]:
    response = client.get(url)  # warm-up (and the status)
    timings = []
    for _ in range(runs if response.status_code != 404 else 0):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            break
    kind = response.get("Content-Type", "").split(";")[0]
    body = response.content if kind == "text/html" else b""
    return (statistics.median(timings) if timings else 0.0), response.status_code, kind, body


def phase_pages(args: argparse.Namespace) -> dict[str, Any]:
    setup_django()
    from django.db.models import Sum
    from django.test import Client

    from taicho.dossiers.models import Dossier
    from taicho.org.models import Staff
    from taicho.supervision.models import AgencyDailyStat

    client = Client()
    client.force_login(Staff.objects.get(username="giamdoc"))
    busiest = (
        AgencyDailyStat.objects.values("agency_id").annotate(n=Sum("received")).order_by("-n").first()
        or Dossier.objects.values("agency_id").first()
        or {"agency_id": ""}
    )
    agency = busiest["agency_id"]
    first = Dossier.objects.order_by("received_at").values_list("received_at", flat=True).first()
    last = Dossier.objects.order_by("-received_at").values_list("received_at", flat=True).first()
    from django.utils import timezone

    start = timezone.localdate(first).isoformat() if first else ""
    end = timezone.localdate(last).isoformat() if last else ""
    rows: list[dict[str, Any]] = []
    flags: list[str] = []
    for template in PAGES:
        url = template.format(agency=agency)
        for variant in (url, url + ("&" if "?" in url else "?") + "xlsx=1"):
            ms, status, kind, body = _time(client, variant, args.runs)
            rows.append({"url": variant, "ms": ms, "status": status, "kind": kind, "report": False})
            print(f"  {variant:<64} {_status(status):>7} {ms:9.1f} ms", flush=True)
            if variant == "/giam-sat/thuc-chat/" and status == 200:
                found = re.findall(r'href="(/giam-sat/thuc-chat/[a-z_]+/)(?:\?[^"]*)?"', body.decode())
                flags = list(dict.fromkeys(found))
    for url in flags:
        ms, status, kind, _body = _time(client, url, args.runs)
        rows.append({"url": url, "ms": ms, "status": status, "kind": kind, "report": False})
        print(f"  {url:<64} {_status(status):>7} {ms:9.1f} ms", flush=True)
    url = REPORT.format(start=start, end=end)
    ms, status, kind, _body = _time(client, url, args.runs)
    rows.append({"url": url, "ms": ms, "status": status, "kind": kind, "report": True})
    print(f"  {url:<64} {_status(status):>7} {ms:9.1f} ms", flush=True)
    return {"pages": rows, "peak_mb": peak_mb(), "dossiers": Dossier.objects.count()}


def _status(status: int) -> str:
    return "chưa có" if status == 404 else str(status)


PHASES = {"demo": phase_demo, "generate": phase_generate, "rebuild": phase_rebuild, "pages": phase_pages}


# --- the driver ------------------------------------------------------------------------------------------------


def environment(backend: str, args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    env["TAICHO_VAR_DIR"] = str(BENCH_DIR / backend)
    env.pop("DATABASE_URL", None)
    if backend == "postgres":
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.pg_db}"
    return env


def fresh_database(backend: str, args: argparse.Namespace) -> None:
    folder = BENCH_DIR / backend
    if backend == "sqlite":
        shutil.rmtree(folder, ignore_errors=True)
    else:
        import psycopg

        shutil.rmtree(folder, ignore_errors=True)
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {args.pg_db} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {args.pg_db}")
    folder.mkdir(parents=True, exist_ok=True)


def drop_database(backend: str, args: argparse.Namespace) -> None:
    if backend == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {args.pg_db} WITH (FORCE)")
    shutil.rmtree(BENCH_DIR / backend, ignore_errors=True)


def run_phase(backend: str, phase: str, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, __file__, "--phase", phase, *passthrough(args)]
    process = subprocess.Popen(
        command, env=environment(backend, args), stdout=subprocess.PIPE, text=True, cwd=str(ROOT)
    )
    result: dict[str, Any] = {}
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith(RESULT):
            result = json.loads(line[len(RESULT) :])
        else:
            print(line, end="", flush=True)
    if process.wait() != 0:
        raise SystemExit(f"{backend}: phase {phase} failed (exit {process.returncode})")
    return result


def passthrough(args: argparse.Namespace) -> list[str]:
    out = ["--dossiers", str(args.dossiers), "--agencies", str(args.agencies)]
    out += ["--procedures", str(args.procedures), "--runs", str(args.runs), "--pg-db", args.pg_db]
    return out + (["--reuse"] if args.reuse else []) + (["--rebuild"] if args.rebuild else [])


def bench(backend: str, args: argparse.Namespace) -> None:
    print(
        f"\n=== {backend}: {args.dossiers:,} hồ sơ, {args.agencies} cơ quan, {args.procedures:,} thủ tục ==="
    )
    if not args.reuse:
        fresh_database(backend, args)
    else:
        (BENCH_DIR / backend).mkdir(parents=True, exist_ok=True)
    demo = run_phase(backend, "demo", args)
    generated = demo if demo.get("skipped") else run_phase(backend, "generate", args)
    if not generated.get("skipped"):
        t = generated["timings"]
        print(
            f"migrate {demo['migrate_s']:.1f} s, demo {demo['demo_s']:.1f} s (bộ nhớ đỉnh {demo['peak_mb']:.0f} MB)"
        )
        print(
            f"sinh dữ liệu: {generated['generate_s']:.1f} s (chuẩn bị {t['setup_s']:.1f} s, hồ sơ "
            f"{t['dossiers_s']:.1f} s, hoàn tất {t['finish_s']:.1f} s) — {generated['dossiers']:,} hồ sơ, {generated['events']:,} diễn "
            f"biến, {generated['components']:,} thành phần, {generated['results']:,} kết quả, "
            f"{generated['ratings']:,} đánh giá; đã giải quyết {generated['finished']:,}, đang giải quyết "
            f"{generated['in_process']:,}, trễ hạn {generated['late']:,}; kiểm tra khóa ngoại: "
            f"{generated['foreign_key_check']}"
        )
    print(f"bộ nhớ đỉnh khi sinh dữ liệu: {generated['peak_mb']:.0f} MB")
    rebuilt = run_phase(backend, "rebuild", args)
    if not rebuilt.get("skipped"):
        print(f"stats.rebuild(): {rebuilt['rebuild_s']:.1f} s cho {rebuilt['dossiers']:,} hồ sơ")
    print(f"bộ nhớ đỉnh khi tính lại số liệu: {rebuilt['peak_mb']:.0f} MB")
    print(f"trang giám sát (trung vị {args.runs} lần sau 1 lần khởi động):")
    pages = run_phase(backend, "pages", args)
    print(f"bộ nhớ đỉnh khi xem trang: {pages['peak_mb']:.0f} MB")

    print(f"\n{backend} — {pages['dossiers']:,} hồ sơ")
    print(f"{'trang':<64} {'ms (trung vị)':>14} {'trạng thái':>11}")
    slow, missing, report_ms = [], [], None
    for row in pages["pages"]:
        shown = f"{row['ms']:.1f}" if row["status"] != 404 else "—"
        kind = " (xlsx)" if "spreadsheet" in row["kind"] else " (pdf)" if "pdf" in row["kind"] else ""
        print(f"{row['url'][:64]:<64} {shown:>14} {_status(row['status']) + kind:>11}")
        if row["status"] == 404:
            missing.append(row["url"])
        elif row["report"]:
            report_ms = row["ms"] if row["status"] == 200 else None
        elif row["ms"] >= PAGE_GOAL_MS or row["status"] != 200:
            slow.append(row["url"])
    memory = max(generated["peak_mb"], rebuilt["peak_mb"], pages["peak_mb"])
    print("\nmục tiêu:")
    measured = len(pages["pages"]) - len(missing) - (report_ms is not None)
    print(f"  mọi trang < {PAGE_GOAL_MS:.0f} ms: {'đạt' if not slow else 'chưa đạt'} ({measured} trang đo được"
          + (f"; chậm hoặc lỗi: {', '.join(slow)}" if slow else "") + ")")  # fmt: skip
    if report_ms is None:
        print("  báo cáo năm < 5 s: chưa đo được (trang chưa có hoặc lỗi)")
    else:
        print(
            f"  báo cáo năm < 5 s: {'đạt' if report_ms < REPORT_GOAL_MS else 'chưa đạt'} ({report_ms / 1000:.2f} s)"
        )
    print(
        f"  bộ nhớ < {MEMORY_GOAL_MB:.0f} MB: {'đạt' if memory < MEMORY_GOAL_MB else 'chưa đạt'} (sinh dữ liệu "
        f"{generated['peak_mb']:.0f} MB, tính lại {rebuilt['peak_mb']:.0f} MB, xem trang {pages['peak_mb']:.0f} MB)"
    )
    if missing:
        print(f"  trang chưa có ({len(missing)}): {', '.join(missing)}")
    if args.drop:
        drop_database(backend, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--agencies", type=int, default=40)
    parser.add_argument("--procedures", type=int, default=1500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep the bench database if it holds the data")
    parser.add_argument(
        "--rebuild", action="store_true", help="with --reuse: recompute the read models anyway"
    )
    parser.add_argument("--pg-db", default="taicho_bench_sup")
    parser.add_argument("--drop", action="store_true", help="drop the bench database at the end")
    parser.add_argument("--phase", choices=tuple(PHASES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        result = PHASES[args.phase](args)
        print(RESULT + json.dumps(result, default=str), flush=True)
        return
    for backend in ("sqlite", "postgres") if args.backend == "both" else (args.backend,):
        bench(backend, args)


if __name__ == "__main__":
    main()
