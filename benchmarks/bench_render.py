"""Micro-benchmark of official-paper rendering (``taicho.documents.render``, typst).

Run: ``.venv/bin/python benchmarks/bench_render.py``. Prints the median time, in milliseconds, of
``render_result("copy_certification")`` and ``render_form("01")`` over 50 runs in a warm process (fonts and
compilers loaded once, as in a server process), with the sample data of the tests: once with a new dossier code
and short URL each run (as every real paper has; this is the figure that counts) and once with the same data each
run (typst memoizes what did not change, so this is only the lower bound).
"""

from __future__ import annotations

import itertools
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.documents.samples import sample  # noqa: E402

from taicho.documents.render import render_form, render_result  # noqa: E402 - after the sys.path tweak

REPEAT = 50


def median_ms(function, repeat: int = REPEAT) -> float:
    function()  # warm: fonts, compiler, typst's caches
    samples = []
    for _ in range(repeat):
        began = time.perf_counter_ns()
        function()
        samples.append(time.perf_counter_ns() - began)
    return statistics.median(samples) / 1e6


def fresh(data: dict, counter: itertools.count) -> dict:
    """The same paper for another dossier: a new code, QR and short URL (what changes from one paper to the next)."""
    n = next(counter)
    return {
        **data,
        "dossier_code": f"000.00.31.H49-261127-{n:04d}",
        "short_url": f"https://hcc.quangninh.gov.vn/v/B{n:05d}",
    }


def main() -> None:
    certification = sample("result", "copy_certification")
    receipt = sample("form", "01")
    counter = itertools.count(1)
    for label, render, data in (
        (
            "render_result('copy_certification')",
            lambda d: render_result("copy_certification", d),
            certification,
        ),
        ("render_form('01')", lambda d: render_form("01", d), receipt),
    ):
        new_data = median_ms(lambda: render(fresh(data, counter)))  # noqa: B023 - called within the iteration
        same_data = median_ms(lambda: render(data))  # noqa: B023
        print(
            f"{label + ':':38} {new_data:5.1f} ms with a new dossier each run, {same_data:5.1f} ms with the same data"
        )


if __name__ == "__main__":
    main()
