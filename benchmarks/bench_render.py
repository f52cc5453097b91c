"""Micro-benchmark of official-paper rendering (``taicho.documents.render``, typst).

Run: ``.venv/bin/python benchmarks/bench_render.py``. Prints the median time, in milliseconds, of
``render_result("copy_certification")`` and ``render_form("01")`` over 50 runs in a warm process (fonts and
compilers loaded once, as in a server process), with the fixed sample data of the tests.
"""

from __future__ import annotations

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


def main() -> None:
    certification = sample("result", "copy_certification")
    receipt = sample("form", "01")
    print(
        f"render_result('copy_certification'): {median_ms(lambda: render_result('copy_certification', certification)):.1f} ms"
    )
    print(f"render_form('01'):                   {median_ms(lambda: render_form('01', receipt)):.1f} ms")


if __name__ == "__main__":
    main()
