"""Scanned pages become one PDF whose images are the scans' own data (PNG, JPEG), checked before use."""

from __future__ import annotations

import io
import subprocess

import pytest
from PIL import Image

from taicho.documents.scans import DPI, ScanError, images_to_pdf


def _png(image: Image.Image, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", **options)
    return out.getvalue()


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def _pages(pdf: bytes, tmp_path) -> list[Image.Image]:
    """The pages as pdftoppm renders them at the scans' resolution (poppler reads our PDF independently)."""
    path = tmp_path / "scan.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(int(DPI)), "-png", str(path), str(tmp_path / "p")], check=True)
    return [Image.open(p).convert("RGB") for p in sorted(tmp_path.glob("p-*.png"))]


@pytest.fixture
def photo() -> Image.Image:
    return Image.effect_noise((240, 320), 60).convert("RGB")


def _images(pdf: bytes, tmp_path) -> list[Image.Image]:
    """The images in the PDF, decoded by poppler's pdfimages."""
    path = tmp_path / "images.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdfimages", "-png", str(path), str(tmp_path / "i")], check=True)
    return [Image.open(p) for p in sorted(tmp_path.glob("i-*.png"))]


def test_png_pages_are_embedded_losslessly_at_the_scan_resolution(photo, tmp_path):
    grey = Image.effect_noise((200, 100), 60)
    pdf = images_to_pdf([_png(photo), _png(grey)])
    assert b"/Predictor 15" in pdf  # the PNG's own stream, read with its row filters
    assert [p.size for p in _pages(pdf, tmp_path)] == [(240, 320), (200, 100)]
    images = _images(pdf, tmp_path)
    assert images[0].convert("RGB").tobytes() == photo.tobytes()
    assert images[1].convert("L").tobytes() == grey.tobytes()


def test_jpeg_data_is_embedded_as_it_is(photo, tmp_path):
    jpeg = _jpeg(photo)
    pdf = images_to_pdf([jpeg])
    assert jpeg in pdf and b"/DCTDecode" in pdf
    assert _pages(pdf, tmp_path)[0].size == (240, 320)


def test_other_images_go_through_pillow(tmp_path):
    transparent = _png(Image.new("RGBA", (30, 20), (255, 0, 0, 128)))
    palette = _png(Image.new("P", (30, 20), 3))
    bmp = io.BytesIO()
    Image.new("RGB", (30, 20), "blue").save(bmp, format="BMP")
    pdf = images_to_pdf([transparent, palette, bmp.getvalue(), _png(Image.new("I;16", (30, 20)))])
    assert [p.size for p in _pages(pdf, tmp_path)] == [(30, 20)] * 4


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[:100] + bytes([b[100] ^ 0xFF]) + b[101:],  # a byte flipped: chunk CRC
        lambda b: b[: len(b) // 2],  # truncated
        lambda b: b"not an image at all",
    ],
)
def test_a_damaged_scan_is_refused_naming_it(photo, damage):
    good = _png(photo)
    with pytest.raises(ScanError) as refused:
        images_to_pdf([good, damage(good)])
    assert refused.value.index == 1


def test_a_truncated_jpeg_is_refused(photo):
    jpeg = _jpeg(photo)
    with pytest.raises(ScanError):
        images_to_pdf([jpeg[: len(jpeg) // 2]])


def test_a_png_whose_data_does_not_match_its_header_is_refused(photo):
    import struct
    import zlib

    good = _png(photo)
    header_at = good.index(b"IHDR")
    ihdr = bytearray(good[header_at + 4 : header_at + 17])
    ihdr[0:4] = struct.pack(">I", 4000)  # claims a much wider image than its data holds
    chunk = b"IHDR" + bytes(ihdr)
    lying = good[: header_at - 4] + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
    lying += good[header_at + 17 + 4 :]
    with pytest.raises(ScanError):
        images_to_pdf([lying])
