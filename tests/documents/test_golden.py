"""Golden images: page 1 of every template at 50 ppi against ``golden/<kind>-<name>.png``.

typst is young and its layout may shift between releases; this catches it (and any unintended template
change). A missing golden is written and the test fails, asking for a review. To regenerate deliberately,
after looking at the new pages: ``TAICHO_UPDATE_GOLDEN=1 .venv/bin/pytest tests/documents/test_golden.py``,
then review and commit ``tests/documents/golden/``.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from taicho.documents.render import FORMS, RESULT_TEMPLATES, render_png

from .samples import sample

GOLDEN = Path(__file__).resolve().parent / "golden"
PPI = 50
MAX_DIFF_RATIO = 0.01  # share of pixels that may differ (anti-aliasing noise, not layout)
ALL = [("form", name) for name in FORMS] + [("result", name) for name in RESULT_TEMPLATES]


def diff_ratio(a: Image.Image, b: Image.Image) -> float:
    if a.size != b.size:
        return 1.0
    diff = ImageChops.difference(a.convert("L"), b.convert("L")).point(lambda v: 255 if v > 48 else 0)
    histogram = diff.histogram()
    return histogram[255] / (a.width * a.height)


@pytest.mark.parametrize(("kind", "name"), ALL)
def test_page_one_matches_golden(kind, name):
    png = render_png(kind, name, sample(kind, name), ppi=PPI)[0]
    path = GOLDEN / f"{kind}-{name}.png"
    if os.environ.get("TAICHO_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
        return
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
        pytest.fail(
            f"Chưa có ảnh mẫu {path.name}: đã ghi {path}; hãy xem lại rồi commit (hoặc TAICHO_UPDATE_GOLDEN=1)."
        )
    ratio = diff_ratio(Image.open(io.BytesIO(png)), Image.open(path))
    assert ratio < MAX_DIFF_RATIO, (
        f"{path.name}: {ratio:.2%} điểm ảnh khác ảnh mẫu; nếu thay đổi là cố ý, chạy lại với TAICHO_UPDATE_GOLDEN=1 và commit"
    )
