"""Signature and seal images: colours, transparency, shape, determinism."""

from __future__ import annotations

import io

from PIL import Image

from taicho.signing import pki


def _pixels(img: Image.Image) -> list[tuple[int, int, int, int]]:
    getter = getattr(img, "get_flattened_data", None) or img.getdata
    return list(getter())


def _img(png: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG"
    return img.convert("RGBA")


def test_signature_is_blue_transparent_deterministic():
    png = pki.signature_image_png("Trần Thị Hương")
    assert png == pki.signature_image_png("Trần Thị Hương")
    assert png != pki.signature_image_png("Nguyễn Văn An")
    img = _img(png)
    px = _pixels(img)
    opaque = [p for p in px if p[3] > 200]
    transparent = [p for p in px if p[3] == 0]
    assert len(transparent) > 0.6 * len(px)  # mostly transparent background
    assert len(opaque) > 500
    assert all(b > r + 60 and b > g + 40 for r, g, b, _a in opaque)  # blue ink


def test_seal_is_red_round_transparent_deterministic():
    png = pki.seal_image_png("Sở Tư pháp tỉnh Quảng Ninh", parent_name="UBND tỉnh Quảng Ninh")
    assert png == pki.seal_image_png("Sở Tư pháp tỉnh Quảng Ninh", parent_name="UBND tỉnh Quảng Ninh")
    img = _img(png)
    assert img.size == (425, 425)  # 36 mm at 300 dpi
    w, h = img.size
    # corners (outside the circle) transparent
    for x, y in ((2, 2), (w - 3, 2), (2, h - 3), (w - 3, h - 3), (30, 30)):
        assert img.getpixel((x, y))[3] == 0
    # the centre is the star: opaque red
    r, g, b, a = img.getpixel((w // 2, h // 2))
    assert a > 200 and r > 180 and g < 80 and b < 80
    # rim pixels at 12, 3, 6, 9 o'clock are red
    rim = 0.485 * w
    for dx, dy in ((0, -rim), (rim, 0), (0, rim), (-rim, 0)):
        r, g, b, a = img.getpixel((int(w / 2 + dx), int(h / 2 + dy)))
        assert a > 150 and r > 150 and g < 100, (dx, dy, (r, g, b, a))
    opaque = [p for p in _pixels(img) if p[3] > 200]
    assert all(r > g + 80 and r > b + 80 for r, g, b, _a in opaque)
    assert len(png) < 200_000  # pdf.md pitfall 5
