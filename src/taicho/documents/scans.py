"""Scanned pages → one PDF, keeping each scan's own compressed data when PDF can carry it as it is.

A PNG's image data is a zlib stream with per-row filters, which a PDF image reads as is (FlateDecode with the
PNG predictors, ISO 32000-1 §7.4.4.4); a JPEG is a DCTDecode stream. Embedding them as they are is lossless
(re-encoding a PNG scan as JPEG was lossy) and cheap: decoding an A4 scan at 150 dpi and encoding it again took
~30 ms of every reception. The data is still checked — every PNG chunk's CRC, the beginning of the image
stream, a JPEG's end marker — so a damaged file is refused as before. Anything else (interlaced
or transparent PNGs, 16-bit samples, CMYK JPEGs, other formats) goes through Pillow.

Every page is sized at ``DPI`` (a scan's own resolution metadata is not trusted, as before).
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["DPI", "ScanError", "images_to_pdf"]

DPI = 200.0
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_CHANNELS = {0: 1, 2: 3}  # grey, RGB (palette, alpha and 16-bit go through Pillow)
_PNG_PROBE_BYTES = 256 * 1024


class ScanError(ValueError):
    """The file at ``index`` is neither a readable image nor a PDF."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


@dataclass(frozen=True)
class _Page:
    width: int
    height: int
    colour_space: str  # /DeviceGray or /DeviceRGB
    bits: int
    filter: str  # /FlateDecode or /DCTDecode
    data: bytes
    decode_parms: str = ""


def images_to_pdf(images: Sequence[bytes]) -> bytes:
    """One PDF page per image (PNG, JPEG or anything Pillow reads), in order. Raises :class:`ScanError`
    naming the first file that cannot be read as an image."""
    pages = []
    for index, content in enumerate(images):
        try:
            page = _png(content) if content[:8] == _PNG_SIGNATURE else _jpeg(content)
            pages.append(page or _through_pillow(content))
        except (OSError, ValueError, SyntaxError, zlib.error, struct.error) as exc:
            raise ScanError(index) from exc
    return _write_pdf(pages)


def _check_size(width: int, height: int) -> None:
    from PIL import Image

    limit = Image.MAX_IMAGE_PIXELS
    if width <= 0 or height <= 0 or (limit and width * height > 2 * limit):
        raise ValueError("image size")  # Pillow's decompression-bomb limit


def _png(content: bytes) -> _Page | None:
    """The PNG's own zlib stream as the page's image, or None when PDF cannot take it as it is."""
    pos, idat, header = 8, [], None
    while pos < len(content):
        length, kind = struct.unpack(">I4s", content[pos : pos + 8])
        body = content[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", content[pos + 8 + length : pos + 12 + length])
        if len(body) != length or zlib.crc32(kind + body) != crc:
            raise ValueError("PNG chunk checksum")
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind in (b"PLTE", b"tRNS"):
            return None  # palette or transparency: let Pillow expand it
        elif kind == b"IEND":
            break
        pos += 12 + length
    if header is None or not idat:
        raise ValueError("PNG without header or image data")
    width, height, bits, colour, compression, filtering, interlace = header
    if bits != 8 or colour not in _PNG_CHANNELS or interlace or compression or filtering:
        return None
    _check_size(width, height)
    channels = _PNG_CHANNELS[colour]
    data = b"".join(idat)
    stride = 1 + width * channels
    # Every chunk's CRC matched above, so the file is as its writer made it. Inflating all of it to check it
    # costs as much as decoding (~18 ms for an A4 page at 150 dpi), so only its beginning is inflated: the
    # rows there must start with one of the five PNG filter types.
    wanted = min(height * stride, _PNG_PROBE_BYTES)
    rows = zlib.decompressobj().decompress(data, wanted)
    if len(rows) != wanted or max(rows[::stride]) > 4:
        raise ValueError("PNG image data does not match its header")
    return _Page(
        width=width,
        height=height,
        colour_space="/DeviceGray" if channels == 1 else "/DeviceRGB",
        bits=8,
        filter="/FlateDecode",
        data=data,
        decode_parms=f"<< /Predictor 15 /Colors {channels} /BitsPerComponent 8 /Columns {width} >>",
    )


def _jpeg(content: bytes) -> _Page | None:
    from PIL import Image

    # A JPEG ends with its EOI marker; a truncated one goes through Pillow, which decodes it (and refuses it
    # when it cannot).
    if content[:2] != b"\xff\xd8" or content.rstrip(b"\x00\r\n ")[-2:] != b"\xff\xd9":
        return None
    with Image.open(io.BytesIO(content)) as image:  # reads the header only
        if image.format != "JPEG" or image.mode not in ("L", "RGB"):
            return None
        _check_size(image.width, image.height)
        width, height, mode = image.width, image.height, image.mode
    return _Page(
        width=width,
        height=height,
        colour_space="/DeviceGray" if mode == "L" else "/DeviceRGB",
        bits=8,
        filter="/DCTDecode",
        data=content,
    )


def _through_pillow(content: bytes) -> _Page:
    from PIL import Image

    with Image.open(io.BytesIO(content)) as image:
        image.load()
        rgb = image.convert("L" if image.mode in ("1", "L", "I;16") else "RGB")
    return _Page(
        width=rgb.width,
        height=rgb.height,
        colour_space="/DeviceGray" if rgb.mode == "L" else "/DeviceRGB",
        bits=8,
        filter="/FlateDecode",
        data=zlib.compress(rgb.tobytes(), 6),
    )


def _write_pdf(pages: Sequence[_Page]) -> bytes:
    """A plain PDF 1.4 file: catalog, page tree, and for each page its image and a content stream drawing it
    over the whole page."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: list[int] = []

    def obj(body: bytes, stream: bytes | None = None) -> None:
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % len(offsets))
        out.write(body)
        if stream is not None:
            out.write(b"\nstream\n" + stream + b"\nendstream")
        out.write(b"\nendobj\n")

    page_ids = [3 + 3 * i for i in range(len(pages))]
    obj(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = b" ".join(b"%d 0 R" % n for n in page_ids)
    obj(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(pages)))
    for page, page_id in zip(pages, page_ids, strict=True):
        w, h = page.width * 72 / DPI, page.height * 72 / DPI
        obj(
            (
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w:.2f} {h:.2f}] "
                f"/Resources << /XObject << /Im0 {page_id + 1} 0 R >> >> /Contents {page_id + 2} 0 R >>"
            ).encode()
        )
        parms = f" /DecodeParms {page.decode_parms}" if page.decode_parms else ""
        obj(
            (
                f"<< /Type /XObject /Subtype /Image /Width {page.width} /Height {page.height} "
                f"/ColorSpace {page.colour_space} /BitsPerComponent {page.bits} /Filter {page.filter}{parms} "
                f"/Length {len(page.data)} >>"
            ).encode(),
            page.data,
        )
        draw = f"q {w:.2f} 0 0 {h:.2f} 0 0 cm /Im0 Do Q".encode()
        obj(b"<< /Length %d >>" % len(draw), draw)
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, xref))
    return out.getvalue()
