"""The leader's signature and the agency's e-seal on an electronic result (Decree 30/2020/NĐ-CP, Appendix I).

Two PAdES signatures, each an incremental update (a signed document is modified only by incremental
updates):

1. :func:`sign_as_leader` — the competent person's signature, visible as their handwritten signature image
   (BLUE, transparent PNG) centred in the box the template reserved between the title
   ("KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC") and the full name.
2. :func:`apply_seal` — the agency's signature with the ORGANISATION certificate, visible as the seal image
   (RED, actual size ~36 mm, transparent PNG) overlapping about the left third of the leader's image, with
   the agency name and the signing time in ISO 8601 with the Vietnam offset (``2026-01-12T09:41:05+07:00``).

PAdES level: B-B by default; B-T with ``timestamp_url`` (RFC 3161 TSA); B-LT with ``fetch_revocation``
(validation data embedded in the DSS).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import io
import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.signers.pdf_signer import DSSContentSettings, SigDSSPlacementPreference
from pyhanko.stamp import StaticStampStyle, TextStampStyle

from . import _speedups  # noqa: F401  (faster hex strings in pyHanko's PDF reader)
from .pki import font_path
from .signers import DIGEST_ALGORITHM, Signer

__all__ = [
    "SEAL_DIAMETER_MM",
    "VN_TZ",
    "SignatureBox",
    "SigningRefused",
    "apply_seal",
    "check_certificate",
    "iso_vn",
    "seal_rect",
    "sign_as_leader",
]

VN_TZ = timezone(timedelta(hours=7), "ICT")
MM = 72 / 25.4
#: Decree 30/2020 Appendix I: the seal image at the actual size of the agency's seal (commonly 35-36 mm).
SEAL_DIAMETER_MM = 36.0
SEAL_TEXT_SIZE = 10
SEAL_TEXT_WIDTH = 140.0


@dataclass(frozen=True)
class SignatureBox:
    """A rectangle on a page: ``page`` 0-based, coordinates in PDF points with a bottom-left origin."""

    page: int
    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def width(self) -> float:
        return self.x2 - self.x1

    @property
    def height(self) -> float:
        return self.y2 - self.y1


class SigningRefused(Exception):
    """Signing refused before anything is signed; ``str(exc)`` is a Vietnamese message for the user."""


def iso_vn(dt: datetime) -> str:
    """ISO 8601 in Vietnam time with the offset, seconds precision: ``2026-01-12T09:41:05+07:00``."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=VN_TZ)
    return dt.astimezone(VN_TZ).replace(microsecond=0).isoformat()


# --------------------------------------------------------------------------------------------------------
# Certificate checks


def _to_crypto(cert: asn1_x509.Certificate):
    from cryptography import x509

    return x509.load_der_x509_certificate(cert.dump())


def _basic_refusals(cert: asn1_x509.Certificate, at: datetime) -> None:
    """Validity period and key usage — checks that need no trust anchor."""
    c = _to_crypto(cert)
    if at.tzinfo is None:
        at = at.replace(tzinfo=VN_TZ)
    if at > c.not_valid_after_utc:
        raise SigningRefused(
            f"Chứng thư số đã hết hạn (hết hiệu lực lúc {iso_vn(c.not_valid_after_utc)}); không thể ký số"
        )
    if at < c.not_valid_before_utc:
        raise SigningRefused(
            f"Chứng thư số chưa có hiệu lực (có hiệu lực từ {iso_vn(c.not_valid_before_utc)}); không thể ký số"
        )
    from cryptography import x509

    try:
        ku = c.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        ku = None
    if ku is not None and not (ku.digital_signature or ku.content_commitment):
        raise SigningRefused(
            "Chứng thư số không dùng để ký số (thiếu mục đích digitalSignature/nonRepudiation)"
        )
    try:
        bc = c.extensions.get_extension_for_class(x509.BasicConstraints).value
        if bc.ca:
            raise SigningRefused("Chứng thư số của tổ chức chứng thực (CA) không dùng để ký văn bản")
    except x509.ExtensionNotFound:
        pass


#: How long (seconds) a successful trust decision is reused for the same certificate, chain, trust roots and
#: CRLs. The key holds the CRLs' bytes, so a newly published CRL is honoured at once; the TTL only bounds how
#: long nothing else is re-examined. Validity periods are re-checked on every call (see `check_certificate`).
TRUST_CACHE_SECONDS = 300.0
_TRUST_CACHE_SIZE = 256


@dataclass(frozen=True)
class _TrustDecision:
    checked_at: datetime  # the moment the path was validated for
    usable_until: datetime  # min(checked_at + TTL, earliest expiry of any certificate in the path)
    cached_at: float  # time.monotonic()


_trust_decisions: dict[bytes, _TrustDecision] = {}
_trust_lock = threading.Lock()


def forget_trust_decisions() -> None:
    """Drop the cached trust decisions of this process (tests; after a trust root changes)."""
    with _trust_lock:
        _trust_decisions.clear()


def _der(item: Any) -> bytes:
    if isinstance(item, bytes) and not item.lstrip().startswith(b"-----BEGIN"):
        return item
    from .signers import load_certificate

    return load_certificate(item).dump()


def _trust_key(signer: Signer, trust_roots: list, crls: list[bytes]) -> bytes:
    """Digest of everything the path validation depends on besides the moment: the certificate, the chain
    offered with it, the trust roots and the CRLs (their full content, so a new CRL — or a new CRL number —
    is a different key)."""
    digest = hashlib.sha256(b"taicho-trust-v1")
    for part, items in (
        (b"cert", [signer.certificate]),
        (b"chain", list(signer.chain)),
        (b"roots", list(trust_roots)),
        (b"crls", [bytes(c) for c in crls]),
    ):
        digest.update(part + len(items).to_bytes(4, "big"))
        for item in items:
            der = _der(item) if part != b"crls" else item
            digest.update(len(der).to_bytes(8, "big") + der)
    return digest.digest()


def _cached_decision(key: bytes, at: datetime) -> bool:
    with _trust_lock:
        decision = _trust_decisions.get(key)
    if decision is None:
        return False
    fresh = time.monotonic() - decision.cached_at <= TRUST_CACHE_SECONDS
    return fresh and decision.checked_at <= at <= decision.usable_until


def _remember_decision(key: bytes, at: datetime, path: Any) -> None:
    expiries = [
        c.not_valid_after_utc for c in (_to_crypto(cert) for cert in path.iter_certs(include_root=True))
    ]
    until = min([at + timedelta(seconds=TRUST_CACHE_SECONDS), *expiries])
    with _trust_lock:
        if len(_trust_decisions) >= _TRUST_CACHE_SIZE:
            _trust_decisions.pop(next(iter(_trust_decisions)))
        _trust_decisions[key] = _TrustDecision(at, until, time.monotonic())


def check_certificate(
    signer: Signer,
    *,
    at: datetime,
    trust_roots: list,
    crls: list[bytes] = (),  # type: ignore[assignment]
    fetch_revocation: bool = False,
) -> None:
    """Refuse (raise :class:`SigningRefused`, Vietnamese message) when the signer's certificate at ``at`` is
    expired, not yet valid, not for signing, not issued under ``trust_roots`` (PEM/DER bytes or certificates),
    or revoked according to ``crls`` (DER) or, with ``fetch_revocation``, CRLs/OCSP fetched from the
    certificate's distribution points. Returns ``None`` when signing may proceed.

    A successful path validation (chain, trust, revocation by the given CRLs) is reused for up to
    ``TRUST_CACHE_SECONDS`` for the same certificate, chain, trust roots and CRL bytes, and only for moments
    from the one it was made for up to the first expiry in the path. The certificate's own validity period and
    key usage are checked on every call; refusals are never cached; with ``fetch_revocation`` nothing is
    cached (the fetched revocation data is not part of the key)."""
    at = at if at.tzinfo else at.replace(tzinfo=VN_TZ)
    cert = signer.certificate
    _basic_refusals(cert, at)
    key = None if fetch_revocation else _trust_key(signer, list(trust_roots), list(crls))
    if key is not None and _cached_decision(key, at):
        return
    path = _validate_path(
        signer, at=at, trust_roots=trust_roots, crls=crls, fetch_revocation=fetch_revocation
    )
    if key is not None:
        _remember_decision(key, at, path)


def _validate_path(
    signer: Signer, *, at: datetime, trust_roots: list, crls: list[bytes], fetch_revocation: bool
):  # type: ignore[no-untyped-def]
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator import errors as cv_errors

    from .signers import load_certificate

    roots = [load_certificate(r) for r in trust_roots]
    vc = ValidationContext(
        trust_roots=roots,
        other_certs=list(signer.chain),
        crls=list(crls),
        moment=at,
        allow_fetching=fetch_revocation,
        revocation_mode="hard-fail" if fetch_revocation else "soft-fail",
    )
    validator = CertificateValidator(
        signer.certificate, intermediate_certs=list(signer.chain), validation_context=vc
    )
    try:
        return asyncio.run(validator.async_validate_usage({"non_repudiation"}))
    except cv_errors.RevokedError as e:
        raise SigningRefused(f"Chứng thư số đã bị thu hồi; không thể ký số ({e})") from e
    except cv_errors.ExpiredError as e:
        raise SigningRefused(
            "Chứng thư số (hoặc chứng thư của tổ chức cấp) đã hết hạn; không thể ký số"
        ) from e
    except cv_errors.NotYetValidError as e:
        raise SigningRefused("Chứng thư số chưa có hiệu lực; không thể ký số") from e
    except cv_errors.InvalidCertificateError as e:
        raise SigningRefused(f"Chứng thư số không dùng để ký số: {e}") from e
    except cv_errors.PathBuildingError as e:
        raise SigningRefused(
            "Chứng thư số không do tổ chức cung cấp dịch vụ chứng thực tin cậy cấp; không thể ký số"
        ) from e
    except cv_errors.InsufficientRevinfoError as e:
        raise SigningRefused(
            "Không kiểm tra được tình trạng thu hồi của chứng thư số; không thể ký số"
        ) from e
    except cv_errors.PathValidationError as e:
        raise SigningRefused(f"Chứng thư số không hợp lệ: {e}") from e


# --------------------------------------------------------------------------------------------------------
# pyHanko plumbing


#: Bytes reserved for the CMS container, per signer certificate and chain (and timestamp server): pyHanko
#: otherwise builds a whole dummy CMS (and, with a TSA, asks it for a dummy token) before every signature to
#: measure it. Its estimate already carries a 50 % margin (an ECDSA value varies by a byte or two; a TSA token
#: by a few), so reusing it is safe; with embedded revocation data (B-LT) the size varies and is measured.
_reserved_sizes: dict[bytes, int] = {}


def _size_key(signer: Signer, timestamp_url: str | None) -> bytes:
    digest = hashlib.sha256(b"taicho-cms-size-v1" + (timestamp_url or "").encode())
    for cert in [signer.certificate, *signer.chain]:
        digest.update(cert.dump())
    return digest.digest()


class _PdfSigner(signers.PdfSigner):
    """PdfSigner whose signing session uses a fixed signing time (so the CMS signing-time attribute, the
    /M entry and the time printed on the seal are the same instant), and, with ``size_key``, reuses the
    measured size of the signature container."""

    fixed_signing_time: datetime
    size_key: bytes | None = None

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self.fixed_signing_time
        key = self.size_key
        if key is not None:
            measure = session.estimate_signature_container_size

            async def estimate(validation_info, tight=False):  # type: ignore[no-untyped-def]
                size = _reserved_sizes.get(key)
                if size is None:
                    size = await measure(validation_info, tight=tight)
                    _reserved_sizes[key] = size
                return size

            session.estimate_signature_container_size = estimate
        return session


def _signing_time(value: datetime | None) -> datetime:
    dt = value or datetime.now(VN_TZ)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=VN_TZ)
    return dt.astimezone(VN_TZ).replace(microsecond=0)


@dataclass(frozen=True)
class _Bitmap:
    """A PNG decoded once: its size and its samples already Flate-compressed as a PDF image wants them."""

    image: Any  # PIL image (sizes only)
    grey: bool
    samples: bytes  # FlateDecode, 8 bits per component
    alpha: bytes | None  # FlateDecode soft mask, or None


@functools.lru_cache(maxsize=32)
def _bitmap(png: bytes) -> _Bitmap:
    """The signature / seal PNG, decoded and compressed once per process (it is the same image for every
    document a person or agency signs; decoding and deflating it took ~5 ms a signature)."""
    import zlib

    from PIL import Image

    img: Image.Image = Image.open(io.BytesIO(png))
    img.load()
    if img.mode not in ("RGBA", "LA", "RGB", "L"):
        img = img.convert("RGBA")
    alpha = None
    if img.mode.endswith("A"):
        alpha = zlib.compress(img.getchannel("A").tobytes())
        img = img.convert(img.mode[:-1])
    return _Bitmap(image=img, grey=img.mode == "L", samples=zlib.compress(img.tobytes()), alpha=alpha)


class _BitmapImage(PdfImage):
    """pyHanko's PdfImage writing the pre-compressed samples of a :class:`_Bitmap` (same objects as
    ``pyhanko.pdf_utils.images.pil_image`` writes: an image XObject with a soft mask for the alpha channel)."""

    def __init__(self, bitmap: _Bitmap, box: layout.BoxConstraints) -> None:
        super().__init__(bitmap.image, box=box)
        self._bitmap = bitmap

    @property
    def image_ref(self) -> generic.IndirectObject:
        assert self.writer is not None
        ref = self._image_ref
        if ref is None or ref.get_pdf_handler() is not self.writer:
            self._image_ref = ref = self._write()
        return ref

    def _write(self) -> generic.IndirectObject:
        bm, writer = self._bitmap, self.writer
        assert writer is not None

        def xobject(samples: bytes, grey: bool, smask: generic.IndirectObject | None = None):  # type: ignore[no-untyped-def]
            entries = {
                generic.pdf_name("/Type"): generic.pdf_name("/XObject"),
                generic.pdf_name("/Subtype"): generic.pdf_name("/Image"),
                generic.pdf_name("/Width"): generic.NumberObject(bm.image.width),
                generic.pdf_name("/Height"): generic.NumberObject(bm.image.height),
                generic.pdf_name("/ColorSpace"): generic.pdf_name("/DeviceGray" if grey else "/DeviceRGB"),
                generic.pdf_name("/BitsPerComponent"): generic.NumberObject(8),
                generic.pdf_name("/Filter"): generic.pdf_name("/FlateDecode"),
            }
            if smask is not None:
                entries[generic.pdf_name("/SMask")] = smask
            return writer.add_object(generic.StreamObject(entries, encoded_data=samples))

        smask = xobject(bm.alpha, True) if bm.alpha is not None else None
        return xobject(bm.samples, bm.grey, smask)


def _fit(box: SignatureBox, w: float, h: float) -> tuple[float, float, float, float]:
    """The largest rectangle of aspect ``w:h`` centred in ``box``."""
    scale = min(box.width / w, box.height / h)
    fw, fh = w * scale, h * scale
    x1 = box.x1 + (box.width - fw) / 2
    y1 = box.y1 + (box.height - fh) / 2
    return (x1, y1, x1 + fw, y1 + fh)


def _metadata(
    *,
    field_name: str,
    reason: str | None,
    name: str | None,
    fetch_revocation: bool,
    signer: Signer,
    crls: list[bytes],
    trust_roots: list | None,
) -> signers.PdfSignatureMetadata:
    vc = None
    if fetch_revocation:
        from pyhanko_certvalidator import ValidationContext

        from .signers import load_certificate

        roots = (
            [load_certificate(r) for r in trust_roots]
            if trust_roots
            else [c for c in signer.chain if c.self_signed == "maybe" or c.self_signed == "yes"]
        )
        vc = ValidationContext(
            trust_roots=roots, other_certs=list(signer.chain), crls=list(crls), allow_fetching=True
        )
    extra: dict[str, Any] = {}
    if fetch_revocation:
        # PAdES B-LT in ONE revision: the DSS (certificates, CRLs/OCSP fetched before signing, for the signer
        # and the TSA) is written in the signature's own revision, so the last signature still covers the
        # whole file (validate.py and pdfsig's "Total document signed").
        extra["dss_settings"] = DSSContentSettings(
            placement=SigDSSPlacementPreference.TOGETHER_WITH_SIGNATURE, include_vri=False
        )
    return signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        name=name,
        md_algorithm=DIGEST_ALGORITHM,
        subfilter=SigSeedSubFilter.PADES,
        embed_validation_info=fetch_revocation,
        validation_context=vc,
        **extra,
    )


def _timestamper(url: str | None):
    if not url:
        return None
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(url)


def _common_name(cert: asn1_x509.Certificate) -> str:
    return cert.subject.native.get("common_name") or cert.subject.human_friendly


def leader_pdf_signer(
    pdf: bytes,
    *,
    signer: Signer,
    box: SignatureBox,
    image_png: bytes | None,
    field_name: str = "LanhDao",
    signing_time: datetime | None = None,
    timestamp_url: str | None = None,
    fetch_revocation: bool = False,
    reason: str = "Phê duyệt",
    ph_signer=None,
    crls: list[bytes] = (),  # type: ignore[assignment]
    trust_roots: list | None = None,
    size_key: bytes | None = None,
) -> tuple[_PdfSigner, IncrementalPdfFileWriter]:
    """The configured pyHanko signer and writer for the leader's signature (shared by
    :func:`sign_as_leader` and interrupted signing). ``size_key``: reuse the container size measured for it."""
    when = _signing_time(signing_time)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    if image_png:
        bitmap = _bitmap(image_png)
        rect = _fit(box, bitmap.image.width, bitmap.image.height)
        # Appendix I: the signature image is centred between the title and the full name; the widget is the
        # image's own rectangle, so the seal can be laid out against it.
        style = StaticStampStyle(
            background=_BitmapImage(bitmap, box=layout.BoxConstraints(rect[2] - rect[0], rect[3] - rect[1])),
            background_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MID,
                y_align=layout.AxisAlignment.ALIGN_MID,
                inner_content_scaling=layout.InnerScaling.STRETCH_TO_FIT,
            ),
            background_opacity=1.0,
            border_width=0,
        )
    else:
        rect = (box.x1, box.y1, box.x2, box.y2)
        style = StaticStampStyle(border_width=0)
    field_spec = fields.SigFieldSpec(
        field_name,
        on_page=box.page,
        box=tuple(round(v, 2) for v in rect),  # type: ignore[arg-type]  # floats work
    )
    meta = _metadata(
        field_name=field_name,
        reason=reason,
        name=_common_name(signer.certificate),
        fetch_revocation=fetch_revocation,
        signer=signer,
        crls=list(crls),
        trust_roots=trust_roots,
    )
    pdf_signer = _PdfSigner(
        meta,
        ph_signer or signer.pyhanko_signer(),
        timestamper=_timestamper(timestamp_url),
        stamp_style=style,
        new_field_spec=field_spec,
    )
    pdf_signer.fixed_signing_time = when
    pdf_signer.size_key = size_key
    return pdf_signer, writer


def sign_as_leader(
    pdf: bytes,
    *,
    signer: Signer,
    box: SignatureBox,
    image_png: bytes,
    field_name: str = "LanhDao",
    signing_time: datetime | None = None,
    timestamp_url: str | None = None,
    fetch_revocation: bool = False,
    reason: str = "Phê duyệt",
    crls: list[bytes] = (),  # type: ignore[assignment]
    trust_roots: list | None = None,
) -> bytes:
    """Sign ``pdf`` as the competent person: a PAdES signature in a new field ``field_name`` whose widget is
    the BLUE signature image, fitted (aspect kept) and centred in ``box``. Returns the PDF with one more
    incremental revision.

    Raises :class:`SigningRefused` when the certificate is expired / not yet valid / not for signing at the
    signing time (trust and revocation are :func:`check_certificate`'s job)."""
    when = _signing_time(signing_time)
    _basic_refusals(signer.certificate, when)
    pdf_signer, writer = leader_pdf_signer(
        pdf,
        signer=signer,
        box=box,
        image_png=image_png,
        field_name=field_name,
        signing_time=when,
        timestamp_url=timestamp_url,
        fetch_revocation=fetch_revocation,
        reason=reason,
        crls=crls,
        trust_roots=trust_roots,
        size_key=None if fetch_revocation else _size_key(signer, timestamp_url),
    )
    out = io.BytesIO()
    pdf_signer.sign_pdf(writer, output=out)
    return out.getvalue()


def _field_rect(reader: Any, field_name: str) -> tuple[int, tuple[float, float, float, float]] | None:
    """(page index, widget rectangle) of the signature field ``field_name`` in the document ``reader`` reads
    (a ``PdfFileReader``; the incremental writer's own, so the file is parsed once), if present."""
    for name, value, ref in fields.enumerate_sig_fields(reader, filled_status=None):
        if name != field_name:
            continue
        field = ref.get_object()
        widget = field
        if "/Rect" not in field and "/Kids" in field:
            widget = field["/Kids"][0].get_object()
        rect = [float(v) for v in widget["/Rect"]]
        page_ix = 0
        page_ref = widget.get("/P")
        if page_ref is not None:
            for ix in range(reader.root["/Pages"]["/Count"]):
                page_r, _resources = reader.find_page_for_modification(ix)
                if page_r.idnum == widget.raw_get("/P").idnum:
                    page_ix = ix
                    break
        del value
        return page_ix, (
            min(rect[0], rect[2]),
            min(rect[1], rect[3]),
            max(rect[0], rect[2]),
            max(rect[1], rect[3]),
        )
    return None


@functools.lru_cache(maxsize=1)
def _vietnamese_font() -> bytes:
    """TeX Gyre Termes cut down (once per process) to Latin + Vietnamese, as OTF bytes."""
    from fontTools import subset

    unicodes = [
        *range(0x20, 0x7F),
        *range(0xA0, 0x250),
        *range(0x300, 0x330),
        *range(0x1EA0, 0x1F00),
        0x2013,
        0x2014,
    ]
    return _subset_font(subset.load_font(font_path("regular"), _subset_options()), unicodes)


def _subset_options():  # type: ignore[no-untyped-def]
    from fontTools import subset

    options = subset.Options()
    # No OpenType layout: the stamp text is NFC, whose Vietnamese letters are precomposed glyphs in TeX Gyre
    # Termes (e.g. "ohornhookabove"), so mark positioning is not needed — and re-reading GPOS/GSUB on every
    # seal was most of its cost.
    options.layout_features = []
    options.drop_tables += ["GPOS", "GSUB", "GDEF", "kern", "BASE", "JSTF", "MATH"]
    options.notdef_outline = True
    return options


def _subset_font(font: Any, unicodes: list[int]) -> bytes:
    from fontTools import subset

    options = _subset_options()
    sub = subset.Subsetter(options)
    sub.populate(unicodes=unicodes)
    sub.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


#: Characters of the seal's time line (ISO 8601 with the offset), always in the seal's font.
_TIME_CHARS = "0123456789-:+T"


@dataclass(frozen=True)
class _SealFont:
    otf: bytes  # the font cut down to one seal's characters (what HarfBuzz shapes with)
    cff_program: bytes  # its CFF program, Flate-compressed: the embedded font file


@functools.lru_cache(maxsize=256)
def _seal_font(chars: str) -> _SealFont:
    """The font cut down to ``chars`` (one agency's name plus the time's characters) and its embeddable font
    program, once per agency and process. pyHanko would parse, subset and recompile the font on every seal
    (~25 ms with all of Latin + Vietnamese; still ~10 ms with ~40 glyphs); the seal embeds this subset as it
    is (see :class:`_PresubsetGlyphs`)."""
    import zlib

    from fontTools import subset, ttLib

    font = subset.load_font(io.BytesIO(_vietnamese_font()), _subset_options())
    otf = _subset_font(font, sorted({ord(c) for c in chars}))
    tt = ttLib.TTFont(io.BytesIO(otf))
    program = io.BytesIO()
    tt["CFF "].cff.compile(program, tt)
    return _SealFont(otf=otf, cff_program=zlib.compress(program.getvalue()))


def _expected_font_notice(record: logging.LogRecord) -> bool:
    """pyHanko warns "No ROS metadata. Assuming identity." for every name-keyed CFF font it embeds — the seal's
    TeX Gyre Termes on every seal, where identity is right (see `_PresubsetGlyphs`). Not a problem to log."""
    return record.getMessage() != "No ROS metadata. Assuming identity."


logging.getLogger("pyhanko.pdf_utils.font.opentype").addFilter(_expected_font_notice)


class _PresubsetGlyphs(GlyphAccumulator):
    """pyHanko's glyph accumulator for a font that is already the subset to embed: no subsetting at write
    time, and the font program comes precompiled. Glyph ids are the font's own (pyHanko keeps raw glyph
    ids for a name-keyed CFF font such as TeX Gyre Termes), so the text shaped with this font addresses
    the same glyphs in the embedded program."""

    def __init__(self, *args: Any, seal_font: _SealFont, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._program = seal_font.cff_program
        self.cidfont_obj.set_font_file = self._set_font_file  # type: ignore[method-assign]

    def _extract_subset(self, options=None):  # type: ignore[no-untyped-def]
        return None  # the font is the subset already

    def _set_font_file(self, writer):  # type: ignore[no-untyped-def]
        stream = generic.StreamObject(
            {
                generic.pdf_name("/Subtype"): generic.pdf_name("/CIDFontType0C"),
                generic.pdf_name("/Filter"): generic.pdf_name("/FlateDecode"),
            },
            encoded_data=self._program,
        )
        ref = writer.add_object(stream)
        self.cidfont_obj._font_descriptor[generic.pdf_name("/FontFile3")] = ref
        return ref


@dataclass(frozen=True)
class _SealFontFactory(FontEngineFactory):
    """Font engine factory for the seal's text (pyHanko's ``GlyphAccumulatorFactory`` opens a font file by
    path and subsets it on every write)."""

    font: _SealFont
    font_size: int

    def create_font_engine(self, writer, obj_stream=None):  # type: ignore[no-untyped-def]
        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()
        return _PresubsetGlyphs(
            writer=writer,
            font_handle=io.BytesIO(self.font.otf),
            font_size=self.font_size,
            obj_stream=obj_stream,
            seal_font=self.font,
        )


def seal_rect(leader_image: tuple[float, float, float, float], *, diameter_pt: float | None = None):
    """Seal widget rectangle for a leader image rectangle ``(x1, y1, x2, y2)``.

    Decree 30/2020 Appendix I: the seal image overlaps about one third of the signer's image on its left —
    the seal's right edge lies on the line one third into the image, vertically centred on it. Below the
    seal — to its left — two lines of text (agency name, ISO 8601 time). Returns ``(widget_rect, seal_circle_rect)``.
    """
    d = diameter_pt or SEAL_DIAMETER_MM * MM
    x1, y1, x2, y2 = leader_image
    right = x1 + (x2 - x1) / 3
    cx = right - d / 2
    cy = (y1 + y2) / 2
    circle = (cx - d / 2, cy - d / 2, cx + d / 2, cy + d / 2)
    # The agency name and time go to the LEFT of the seal (below it is the signer's full name).
    widget = (circle[0] - SEAL_TEXT_WIDTH - 4, circle[1], circle[2], circle[3])
    return widget, circle


def apply_seal(
    pdf: bytes,
    *,
    signer: Signer,
    box: SignatureBox,
    seal_png: bytes,
    agency_name: str,
    field_name: str = "DauCoQuan",
    leader_field: str = "LanhDao",
    signing_time: datetime | None = None,
    timestamp_url: str | None = None,
    fetch_revocation: bool = False,
    reason: str = "Đóng dấu cơ quan",
    crls: list[bytes] = (),  # type: ignore[assignment]
    trust_roots: list | None = None,
) -> bytes:
    """Add the agency's signature (e-seal, organisation certificate) as a second incremental PAdES signature.

    ``box`` is the LEADER's signature box (the one given to :func:`sign_as_leader`); the seal is laid out
    against the leader's image, read from the widget of ``leader_field`` when present (else ``box``): the RED
    seal at actual size (36 mm), overlapping the left third of that image, with ``agency_name`` and the signing
    time (ISO 8601, +07:00) to its left in TeX Gyre Termes (Vietnamese text needs an embedded OpenType font —
    pdf.md pitfalls 2-3). Raises :class:`SigningRefused` like :func:`sign_as_leader`."""
    from pyhanko.pdf_utils.text import TextBoxStyle

    when = _signing_time(signing_time)
    _basic_refusals(signer.certificate, when)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    found = _field_rect(writer.prev, leader_field)
    page, image_rect = found if found else (box.page, (box.x1, box.y1, box.x2, box.y2))
    widget, circle = seal_rect(image_rect)
    d = circle[2] - circle[0]
    text = f"{agency_name}\n{iso_vn(when)}"
    chars = "".join(sorted(set(text.replace("\n", "")) | set(_TIME_CHARS)))
    font = _SealFontFactory(_seal_font(chars), font_size=SEAL_TEXT_SIZE)
    style = TextStampStyle(
        stamp_text=text.replace("%", "%%"),
        text_box_style=TextBoxStyle(font=font, font_size=SEAL_TEXT_SIZE, leading=SEAL_TEXT_SIZE + 2),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(0, d + 4, 0, 0),
        ),
        background=_BitmapImage(_bitmap(seal_png), box=layout.BoxConstraints(d, d)),
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MAX,
            y_align=layout.AxisAlignment.ALIGN_MID,
            inner_content_scaling=layout.InnerScaling.NO_SCALING,
        ),
        background_opacity=1.0,
        border_width=0,
    )
    field_spec = fields.SigFieldSpec(field_name, on_page=page, box=tuple(round(v, 2) for v in widget))
    meta = _metadata(
        field_name=field_name,
        reason=reason,
        name=_common_name(signer.certificate),
        fetch_revocation=fetch_revocation,
        signer=signer,
        crls=list(crls),
        trust_roots=trust_roots,
    )
    pdf_signer = _PdfSigner(
        meta,
        signer.pyhanko_signer(),
        timestamper=_timestamper(timestamp_url),
        stamp_style=style,
        new_field_spec=field_spec,
    )
    pdf_signer.fixed_signing_time = when
    pdf_signer.size_key = None if fetch_revocation else _size_key(signer, timestamp_url)
    out = io.BytesIO()
    pdf_signer.sign_pdf(writer, output=out)
    return out.getvalue()
