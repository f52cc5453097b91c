"""Complete "5 tại chỗ" cycles through the HTTP API, with 1 and then 4 parallel clients.

    .venv/bin/python benchmarks/bench_dossier_cycle.py [--single 30] [--rounds 1] [--parallel 60] [--workers 4]
        [--profile N] [--separate]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python benchmarks/bench_dossier_cycle.py

Sets up a fresh installation in a temporary TAICHO_VAR_DIR (SQLite there; or, when DATABASE_URL is given, its own
PostgreSQL database `taicho_bench` on the same server, created and dropped here), migrates, builds the demo, starts
gunicorn on 127.0.0.1 (loopback only) with this module's WSGI wrapper, issues API tokens for the demo roles and
runs complete cycles: receipt (digitized scan + form 01 PDF) → start appraisal + draft result → leader's signature
(typst render + PAdES) → e-seal + validation + release → payment + return. By default the steps one person takes
in one sitting go in one request each, as the workspace sends them for an on-the-spot procedure (5 requests:
appraise-and-submit, pay-and-return); ``--separate`` sends one request per step (7).

Server time: the wrapper `application` below times each request from WSGI entry until Django calls
start_response (the whole middleware stack, authentication, view, service, commit and JSON serialization; only
the socket write is left out) and returns it in the `X-Server-Time-Ms` header, with the CPU time the worker
process spent on it in `X-Server-CPU-Ms` (wall time includes waiting for a core, which on a shared 2-core machine
is noise; CPU time is not, and does not include the database server's own CPU). The server time of a dossier is
the sum over its requests. Throughput is complete dossiers per second of wall-clock time at the clients.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

HEADER = "X-Server-Time-Ms"
CPU_HEADER = "X-Server-CPU-Ms"
BENCH_DB = "taicho_bench"
ROLES = ("tiepnhan", "thamdinh", "lanhdao", "vanthu")
#: Use the combined endpoints of the counter (set by ``--separate``: one request per step).
COMBINED = True
RESULT_DATA = {
    "document_name": "Bằng tốt nghiệp trung học phổ thông số 0123456",
    "requester_name": "Nguyễn Thị Lan Anh",
    "pages": 1,
    "copies": 2,
    "fee": 4000,
    "book_number": "01/2026",
}


# --- the server side: gunicorn imports `application` from this module ----------------------------------------


def _timed(inner: Any) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        started, cpu = time.perf_counter(), time.process_time()

        def timed_start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers.append((HEADER, f"{(time.perf_counter() - started) * 1000:.3f}"))
            headers.append((CPU_HEADER, f"{(time.process_time() - cpu) * 1000:.3f}"))
            return start_response(status, headers, exc_info)

        return inner(environ, timed_start_response)

    return app


if os.environ.get("TAICHO_BENCH_SERVE"):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taicho.settings")
    from taicho.wsgi import application as _served  # as bin/start serves it (warmed up at start)

    application = _timed(_served)


# --- the client side ---------------------------------------------------------------------------------------------


class Failed(Exception):
    pass


def call(
    base: str, token: str, path: str, body: Any = None
) -> tuple[dict[str, Any] | list[Any], float, float]:
    """POST ``body`` (GET without one); returns the JSON answer, the server's wall time and its CPU time (ms)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        base + path,
        data=data,
        method="GET" if body is None else "POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            headers = response.headers
            return json.loads(response.read()), float(headers[HEADER]), float(headers[CPU_HEADER])
    except urllib.error.HTTPError as exc:
        raise Failed(f"{path}: {exc.code} {exc.read()[:300]!r}") from exc


def scan_png() -> str:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1240, 1754), "white").save(out, format="PNG")  # an A4 page at 150 dpi
    return base64.b64encode(out.getvalue()).decode()


def cycle(
    base: str, tokens: dict[str, str], receipt: dict[str, Any]
) -> tuple[dict[str, float], dict[str, float]]:
    """One complete dossier; returns the server time and the server CPU time of each request (ms). With
    ``COMBINED`` the steps one person takes in one sitting are one request each, as the workspace does it for an
    on-the-spot procedure: appraise-and-submit (the appraiser) and pay-and-return (the counter)."""
    times: dict[str, float] = {}
    cpu: dict[str, float] = {}
    dossier, times["receive"], cpu["receive"] = call(base, tokens["tiepnhan"], "/api/dossiers", receipt)
    assert isinstance(dossier, dict)
    url = f"/api/dossiers/{dossier['code']}"
    submit = {
        "template": "copy_certification",
        "title": "Bản sao được chứng thực từ bản chính",
        "data": RESULT_DATA,
    }
    steps: list[tuple[str, str, str, Any]] = (
        [("appraise_and_submit", "thamdinh", "/appraise-and-submit", submit)]
        if COMBINED
        else [
            ("start_appraisal", "thamdinh", "/start-appraisal", {}),
            ("submit", "thamdinh", "/submit-for-approval", submit),
        ]
    )
    steps += [("approve", "lanhdao", "/approve", {}), ("seal", "vanthu", "/seal", {})]
    receiver = {"receiver_name": "Nguyễn Thị Lan Anh", "receiver_id": "022186001234"}
    payment = {"amount": dossier["fee_amount"], "receipt": "BL-1"}
    if COMBINED:
        steps.append(("pay_and_return", "tiepnhan", "/pay-and-return", {**receiver, **payment}))
    else:
        steps += [("payment", "tiepnhan", "/payments", payment), ("return", "tiepnhan", "/return", receiver)]
    for name, role, path, body in steps:
        out, times[name], cpu[name] = call(base, tokens[role], url + path, body)
    assert isinstance(out, dict) and out["status"] == "returned", out
    return times, cpu


def run(
    base: str, tokens: dict[str, str], receipt: dict[str, Any], total: int, clients: int, budget: float
) -> dict[str, Any]:
    per_dossier: list[dict[str, float]] = []
    cpu_per_dossier: list[dict[str, float]] = []
    errors: list[str] = []
    lock = threading.Lock()
    left = [total]
    deadline = time.monotonic() + budget

    def worker() -> None:
        while time.monotonic() < deadline:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
            try:
                times, cpu = cycle(base, tokens, receipt)
            except (Failed, AssertionError, OSError) as exc:
                with lock:
                    errors.append(str(exc))
                continue
            with lock:
                per_dossier.append(times)
                cpu_per_dossier.append(cpu)

    started, client_cpu, machine = time.perf_counter(), time.process_time(), machine_cpu_seconds()
    database = processes_cpu_seconds("postgres")
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    client_cpu = time.process_time() - client_cpu
    machine = machine_cpu_seconds() - machine
    database = processes_cpu_seconds("postgres") - database
    done = len(per_dossier) or 1
    sums = [sum(t.values()) for t in per_dossier]
    cpu_sums = [sum(t.values()) for t in cpu_per_dossier]
    return {
        "clients": clients,
        "done": len(per_dossier),
        "errors": errors,
        "wall": wall,
        "median_ms": statistics.median(sums) if sums else float("nan"),
        "median_cpu_ms": statistics.median(cpu_sums) if cpu_sums else float("nan"),
        "p90_ms": statistics.quantiles(sums, n=10)[-1] if len(sums) >= 2 else float("nan"),
        "per_second": len(per_dossier) / wall if wall else 0.0,
        "client_cpu_ms": client_cpu * 1000 / done,
        "machine_cpu_ms": machine * 1000 / done,
        "database_cpu_ms": database * 1000 / done,
        "steps": {k: statistics.median(t[k] for t in per_dossier) for k in per_dossier[0]}
        if per_dossier
        else {},
        "cpu_steps": {k: statistics.median(t[k] for t in cpu_per_dossier) for k in cpu_per_dossier[0]}
        if cpu_per_dossier
        else {},
    }


def reference_loop_seconds() -> float:
    """The machine's single-core Python speed: ten million additions in a loop (seconds, best of 3). Figures
    from machines of the same kind differ by as much as this does."""
    best = float("inf")
    for _ in range(3):
        started, total = time.perf_counter(), 0
        for i in range(10_000_000):
            total += i
        best = min(best, time.perf_counter() - started)
    return best


def processes_cpu_seconds(command: str) -> float:
    """CPU time (user + system) used so far by the running processes named ``command`` (Linux /proc), e.g. the
    PostgreSQL server's backends, which keep their connection (CONN_MAX_AGE) for the whole run."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, rest = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :].split()
        if name == command:
            total += int(rest[11]) + int(rest[12])  # utime, stime (fields 14 and 15 of proc(5))
    return total / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> float:
    """CPU time used by every process on the machine so far (user + system, all cores; Linux /proc/stat)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0.0
    user, nice, system = (int(v) for v in fields[:3])
    irq, softirq = (int(v) for v in fields[5:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def report(result: dict[str, Any]) -> None:
    print(
        f"{result['clients']} client(s): {result['done']} dossiers in {result['wall']:.1f} s — "
        f"server time per dossier median {result['median_ms']:.0f} ms (p90 {result['p90_ms']:.0f} ms; "
        f"CPU {result['median_cpu_ms']:.0f} ms), "
        f"throughput {result['per_second']:.2f} dossiers/s, errors {len(result['errors'])}"
    )
    print(
        f"   CPU of the whole machine per dossier {result['machine_cpu_ms']:.0f} ms (all processes; of which "
        f"PostgreSQL {result['database_cpu_ms']:.0f} ms, the clients {result['client_cpu_ms']:.0f} ms)"
    )
    print("   median per request (ms): " + ", ".join(f"{k} {v:.0f}" for k, v in result["steps"].items()))
    print(
        "   median CPU per request (ms): " + ", ".join(f"{k} {v:.0f}" for k, v in result["cpu_steps"].items())
    )
    for e in result["errors"][:3]:
        print("   error:", e)


# --- set-up ------------------------------------------------------------------------------------------------------


def prepare_database(url: str) -> str | None:
    """PostgreSQL: (re)create our own database on the same server; returns its URL. SQLite: None."""
    if not url:
        return None
    import psycopg

    parts = urllib.parse.urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("Chỉ chạy thử trên máy này (127.0.0.1).")
    admin = urllib.parse.urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    return urllib.parse.urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def drop_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    admin = urllib.parse.urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):
                return
        except (OSError, urllib.error.URLError):
            time.sleep(0.2)
    sys.exit("gunicorn did not start")


@contextlib.contextmanager
def in_process(after: Any = None) -> Iterator[None]:
    """Send `cycle`'s requests to this process through Django's test client (the same code path as the server);
    ``after(path, run)`` wraps each request (``run()`` sends it and returns the response)."""
    from django.test import Client

    client = Client()

    def local_call(base: str, token: str, path: str, body: Any = None) -> tuple[Any, float, float]:
        started, cpu = time.perf_counter(), time.process_time()
        headers = {"Authorization": f"Bearer {token}"}

        def run() -> Any:
            if body is None:
                return client.get(path, headers=headers)
            return client.post(path, json.dumps(body), content_type="application/json", headers=headers)

        response = after(path, run) if after else run()
        if response.status_code != 200:
            raise Failed(f"{path}: {response.status_code} {response.content[:300]!r}")
        return response.json(), (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000

    global call
    saved, call = call, local_call  # type: ignore[assignment]
    try:
        yield
    finally:
        call = saved


def profile_in_process(tokens: dict[str, str], receipt: dict[str, Any], runs: int, dump: str = "") -> None:
    """Profile the server side of `runs` cycles in this process (Django's test client, same code path)."""
    import cProfile
    import pstats

    with in_process():
        cycle("", tokens, receipt)  # warm-up
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(runs):
            cycle("", tokens, receipt)
        profiler.disable()
    if dump:
        profiler.dump_stats(dump)
    stats = pstats.Stats(profiler)
    print(f"\nprofile of {runs} cycles in process, top by cumulative time:")
    stats.sort_stats("cumulative").print_stats(35)
    print("top by own time:")
    stats.sort_stats("tottime").print_stats(20)


def queries_in_process(tokens: dict[str, str], receipt: dict[str, Any]) -> None:
    """Print the SQL each request of one cycle sends (in process, Django's test client, same code path)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def captured(path: str, run: Any) -> Any:
        with CaptureQueriesContext(connection) as queries:
            response = run()
        print(f"\n{path}: {len(queries.captured_queries)} queries")
        for q in queries.captured_queries:
            print(f"  {q['time']:>6} {q['sql'][:220]}")
        return response

    with in_process(captured):
        cycle("", tokens, receipt)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--single", type=int, default=30, help="dossiers with one client")
    parser.add_argument("--rounds", type=int, default=1, help="repeat the one-client phase (noisy machines)")
    parser.add_argument("--parallel", type=int, default=60, help="dossiers with four clients")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--budget", type=float, default=300, help="seconds at most per phase")
    parser.add_argument("--profile", type=int, default=0, help="also profile N cycles in process")
    parser.add_argument("--queries", action="store_true", help="print the SQL of each request of one cycle")
    parser.add_argument("--profile-out", default="", help="write the profile's pstats to this file")
    parser.add_argument(
        "--separate",
        action="store_true",
        help="one request per step (default: appraise-and-submit and pay-and-return, as the workspace)",
    )
    args = parser.parse_args()
    global COMBINED
    COMBINED = not args.separate

    var = Path(tempfile.mkdtemp(prefix="taicho-bench-"))
    given = os.environ.get("DATABASE_URL", "")
    db_url = prepare_database(given)
    env = dict(os.environ, TAICHO_VAR_DIR=str(var), DJANGO_SETTINGS_MODULE="taicho.settings")
    env.pop("DATABASE_URL", None)
    if db_url:
        env["DATABASE_URL"] = db_url
    os.environ.update(env)
    if not db_url:
        os.environ.pop("DATABASE_URL", None)
    server = None
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from taicho.demo import build_demo
        from taicho.org.models import Staff
        from taicho.org.services import issue_api_token

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        build_demo()
        print(
            f"database: {'PostgreSQL ' + BENCH_DB if db_url else 'SQLite (WAL) in ' + str(var)}; set-up {time.perf_counter() - started:.0f} s"
        )
        people = {s.username: s for s in Staff.objects.filter(username__in=ROLES)}
        tokens = {r: issue_api_token(staff=people[r], name="benchmark") for r in ROLES}
        from django.db import connections

        connections.close_all()

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--chdir",
                str(Path(__file__).parent),
                "--pythonpath",
                str(ROOT / "src"),
                "--log-level",
                "warning",
                "--timeout",
                "120",
                "bench_dossier_cycle:application",
            ],
            env=dict(env, TAICHO_BENCH_SERVE="1"),
        )
        wait_ready(base)
        procedure = call(base, tokens["tiepnhan"], "/api/procedures?q=2.000815")[0][0]  # type: ignore[index]
        scan = scan_png()
        receipt = {
            "procedure": "2.000815",
            "applicant": {
                "name": "Nguyễn Thị Lan Anh",
                "id_number": "022186001234",
                "address": "Tổ 3, khu 5, phường Hạ Long",
            },
            "components": [
                {
                    "component_id": c["id"],
                    "provided_as": "original",
                    "count": 2,
                    "files": [{"name": "trang-1.png", "content_type": "image/png", "content_base64": scan}],
                }
                for c in procedure["components"]
                if c["required"]
            ],
        }
        requests = 5 if COMBINED else 7
        print(
            f"machine: {os.cpu_count()} CPU (reference Python loop {reference_loop_seconds():.2f} s), "
            f"gunicorn {args.workers} sync workers; {requests} requests per dossier"
        )
        run(base, tokens, receipt, args.workers, args.workers, args.budget)  # warm every worker
        for _ in range(args.rounds):
            report(run(base, tokens, receipt, args.single, 1, args.budget))
        report(run(base, tokens, receipt, args.parallel, args.clients, args.budget))
        if args.queries:
            queries_in_process(tokens, receipt)
        if args.profile:
            profile_in_process(tokens, receipt, args.profile, args.profile_out)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        if db_url:
            drop_database(db_url)
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
