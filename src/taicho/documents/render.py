"""Rendering official papers (forms 01–07 and results) to PDF with typst.

Contracts:
- ``render_form(form, data)`` / ``render_result(template, data)`` return a ``RenderedPdf``: the PDF bytes and
  where the template placed the labelled boxes, in PDF points with the origin at the bottom-left of the page
  (pyHanko's convention). Signed templates (forms 02–05 and every result) have ``"signature"`` — the empty
  40 × 25 mm box between the signer's title and name (Decree 30/2020/NĐ-CP, Appendix I, II.8) where the
  signer's image goes — and ``"seal"``, the same rectangle: the agency's e-seal is placed so that it covers
  the left third of the signature image (domain.md §5). Unsigned templates (01, 06, 07) have no boxes.
- The data schema of each template is in ``taicho.documents.schemas``; a missing required key raises
  ``RenderError`` with a Vietnamese message ("Thiếu trường bắt buộc: …"). All text is normalised to NFC.
- Output is deterministic for the same data (the PDF's creation date is the paper's ``issued_at``), so a
  decomposed (NFD) input renders byte-for-byte like the precomposed one.
- One typst font set and one compiler per template per process, behind a lock (a compiler holds its inputs
  between compile and query). Fonts: the directories in ``TAICHO_PDF_FONT_DIRS`` (colon-separated, e.g. where
  Times New Roman lives), then TeX Gyre Termes shipped with ``rinoh-typeface-texgyretermes``; system fonts
  are ignored so that the layout does not depend on the server.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

import typst

from taicho.documents import schemas
from taicho.documents.formatting import VN_TZ, RenderError, nfc, to_aware_datetime
from taicho.documents.qr import qr_svg_inline

__all__ = [
    "FORMS",
    "RESULT_TEMPLATES",
    "Box",
    "RenderError",
    "RenderedPdf",
    "qr_payload",
    "render_form",
    "render_png",
    "render_result",
]

FORMS = ("01", "02", "03", "04", "05", "06", "07")
RESULT_TEMPLATES = ("copy_certification", "civil_status_extract", "decision")
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
LANDSCAPE = frozenset({"07"})


@dataclass(frozen=True)
class Box:
    """A rectangle in PDF points, origin at the bottom-left of the page (pyHanko's convention)."""

    page: int  # 0-based
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class RenderedPdf:
    pdf: bytes
    boxes: dict[str, Box]


def qr_payload(
    *,
    dossier_code: str,
    tthc_code: str,
    owner_id: str,
    paper_name: str,
    issued_at: datetime,
    system: str = "taicho",
    appointment: datetime | None = None,
    url: str = "",
) -> str:
    """The text of a paper's QR code (Circular 01/2023/TT-VPCP: dossier code, TTHC code, owner's ID number,
    the paper's name, issuing system, issue time, plus the appointment on a receipt), compact and stable:
    one ``key=value`` per line, always in this order, empty optional lines left out, UTF-8 NFC::

        dossier=000.00.31.H49-261127-0001
        tthc=2.000815
        owner=022186001234
        paper=Chứng thực bản sao đúng với bản chính
        system=taicho
        issued=2026-11-27T09:30:00+07:00
        appointment=2026-11-27T15:30:00+07:00      (receipts only)
        url=https://hcc.quangninh.gov.vn/v/AbC123   (when given)

    Times are ISO 8601 in Vietnam's time (+07:00), to the second. A value never contains a line break (line
    breaks are replaced by spaces); a reader splits each line on the first "=".
    """

    def clean(value: str) -> str:
        return " ".join(nfc(str(value)).split())

    lines = [
        ("dossier", clean(dossier_code)),
        ("tthc", clean(tthc_code)),
        ("owner", clean(owner_id)),
        ("paper", clean(paper_name)),
        ("system", clean(system)),
        ("issued", to_aware_datetime(issued_at, "issued_at").isoformat(timespec="seconds")),
    ]
    if appointment is not None:
        lines.append(
            ("appointment", to_aware_datetime(appointment, "appointment").isoformat(timespec="seconds"))
        )
    if url:
        lines.append(("url", clean(url)))
    return "\n".join(f"{key}={value}" for key, value in lines)


def qr_svg(payload: str) -> str:
    """The QR code as an SVG document (vector in the PDF). Error correction M; a 2-module quiet zone, the page
    around it is white."""
    # A fixed mask: scoring all eight (ISO/IEC 18004 §7.8.3) took ~25 ms of the ~35 ms per code; it only
    # avoids patterns that confuse some readers, and the printed codes are checked with zbar in the tests.
    # ``qr`` returns what segno.make(payload, error="m", micro=False, boost_error=False, mask=4)
    # .svg_inline(scale=1, border=2) returned, byte for byte, >10× faster (tests/documents/test_qr.py).
    return qr_svg_inline(payload, border=2)


def render_form(form: str, data: Mapping[str, Any]) -> RenderedPdf:
    """Form ``form`` (one of ``FORMS``, Circular 03/2025/TT-VPCP) filled with ``data``."""
    if form not in FORMS:
        raise RenderError(f"Không có biểu mẫu “{form}”; các mẫu: {', '.join(FORMS)}")
    return _render_pdf(form, data)


def render_result(template: str, data: Mapping[str, Any]) -> RenderedPdf:
    """Result paper ``template`` (one of ``RESULT_TEMPLATES``) filled with ``data``."""
    if template not in RESULT_TEMPLATES:
        raise RenderError(f"Không có mẫu kết quả “{template}”; các mẫu: {', '.join(RESULT_TEMPLATES)}")
    return _render_pdf(template, data)


def render_png(pdf_kind: str, name: str, data: Mapping[str, Any], ppi: int = 72) -> list[bytes]:
    """One PNG per page, rendered by typst (golden-image tests). ``pdf_kind`` is "form" or "result"."""
    template = _template_name(pdf_kind, name)
    with _LOCK:
        compiler, inputs, stamp = _prepare(template, data)
        pages = compiler.compile(format="png", ppi=ppi, sys_inputs=inputs, timestamp=stamp)
    return [bytes(p) for p in pages if p] if isinstance(pages, list) else [bytes(pages or b"")]


# --- internals -------------------------------------------------------------------------------------------

_LOCK = threading.RLock()


def _template_name(pdf_kind: str, name: str) -> str:
    if pdf_kind == "form" and name in FORMS:
        return name
    if pdf_kind == "result" and name in RESULT_TEMPLATES:
        return name
    raise RenderError(f"Không có mẫu “{pdf_kind}/{name}”")


def font_dirs() -> list[str]:
    """``TAICHO_PDF_FONT_DIRS`` (colon-separated) first, then TeX Gyre Termes."""
    import rinoh_typeface_texgyretermes

    extra = [d for d in os.environ.get("TAICHO_PDF_FONT_DIRS", "").split(":") if d.strip()]
    return [*extra, str(Path(rinoh_typeface_texgyretermes.__file__).resolve().parent)]


@cache
def _fonts() -> typst.Fonts:
    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=font_dirs())


@cache
def _compiler(template: str) -> typst.Compiler:
    file = "form" + template if template in FORMS else template
    return typst.Compiler(str(TEMPLATES_DIR / f"{file}.typ"), root=str(TEMPLATES_DIR), font_paths=_fonts())


def _paper_name(template: str, view: Mapping[str, Any]) -> str:
    if view.get("paper_name"):
        return view["paper_name"]
    if template == "decision":
        subject = view["subject"]
        return f"Quyết định {subject[:1].lower()}{subject[1:]}"
    name = view["title"].capitalize()
    return f"{name} {view['subtitle'].lower()}" if view.get("subtitle") else name


def _qr_text(template: str, data: Mapping[str, Any], view: dict[str, Any]) -> str | None:
    ready = data.get("qr")
    if isinstance(ready, str) and ready.strip():
        return nfc(ready)
    if template == "07" and not data.get("dossier_code"):
        return None  # a logbook covers many dossiers: QR only when it is one dossier's extract
    owner: Mapping[str, Any] = data["owner"] if isinstance(data.get("owner"), Mapping) else {}
    submitter: Mapping[str, Any] = data["submitter"] if isinstance(data.get("submitter"), Mapping) else {}
    owner_id = data.get("owner_id") or owner.get("id_number") or submitter.get("id_number")
    needed = {
        "dossier_code": (data.get("dossier_code"), "mã hồ sơ, in trong mã QR"),
        "tthc_code": (data.get("tthc_code"), "mã thủ tục hành chính, in trong mã QR"),
        "owner_id": (owner_id, "số định danh chủ hồ sơ, in trong mã QR"),
    }
    for key, (value, label) in needed.items():
        if value is None or not str(value).strip():
            raise RenderError(f"Thiếu trường bắt buộc: {key} ({label})")
    paper_name = nfc(str(data["paper_name"])) if data.get("paper_name") else _paper_name(template, view)
    return qr_payload(
        dossier_code=str(data["dossier_code"]),
        tthc_code=str(data["tthc_code"]),
        owner_id=str(owner_id),
        paper_name=paper_name,
        issued_at=data["issued_at"],
        system=str(data.get("system") or "taicho"),
        appointment=data.get("appointment") if template == "01" else None,
        url=str(data.get("short_url") or ""),
    )


def _prepare(template: str, data: Mapping[str, Any]) -> tuple[typst.Compiler, dict[str, str], datetime]:
    view = schemas.prepare(template, data)
    view["agency_name"] = nfc(str(data["agency"]).strip())
    payload = _qr_text(template, data, view)
    view["qr_svg"] = qr_svg(payload) if payload else None
    issued = to_aware_datetime(data["issued_at"], "issued_at")
    # typst wants a fixed-offset creation time; the paper's own date keeps the PDF reproducible.
    local = issued.astimezone(VN_TZ)
    # typst takes whole seconds; the creation date is the issue time to the second (reproducible bytes).
    stamp = local.replace(microsecond=0, tzinfo=timezone(local.utcoffset() or timedelta(hours=7)))
    return _compiler(template), {"data": json.dumps(view, ensure_ascii=False)}, stamp


def _positions(compiler: typst.Compiler) -> dict[str, dict[str, float]]:
    found = json.loads(compiler.query("<taicho-pos>", field="value", format="json"))
    return {item["name"]: item for item in found}


def _render(template: str, data: Mapping[str, Any]) -> tuple[bytes, dict[str, dict[str, float]]]:
    with _LOCK:
        compiler, inputs, stamp = _prepare(template, data)
        try:
            pdf = compiler.compile(format="pdf", sys_inputs=inputs, timestamp=stamp)
            positions = _positions(compiler)
        except typst.TypstError as exc:  # a template bug, not the user's data
            raise RuntimeError(f"typst: {exc.message}\n{exc.diagnostic}") from exc
    assert isinstance(pdf, bytes)
    return pdf, positions


def _to_box(pos: Mapping[str, float]) -> Box:
    """typst's top-left origin → PDF bottom-left origin."""
    height = pos["page_height"]
    return Box(
        page=int(pos["page"]) - 1,
        x1=round(pos["x"], 2),
        y1=round(height - pos["y"] - pos["h"], 2),
        x2=round(pos["x"] + pos["w"], 2),
        y2=round(height - pos["y"], 2),
    )


def _render_pdf(template: str, data: Mapping[str, Any]) -> RenderedPdf:
    pdf, positions = _render(template, data)
    boxes: dict[str, Box] = {}
    if "signature" in positions:
        boxes["signature"] = _to_box(positions["signature"])
        boxes["seal"] = boxes["signature"]  # the seal overlaps the left third of the signature image
    return RenderedPdf(pdf=pdf, boxes=boxes)
