"""Demo PKI, generated at run time: a root CA, personal (leader) and organisation (e-seal) certificates,
CRLs, and the visible images of a signature (blue) and a seal (red).

Nothing here is for production: every subject carries ``DEMO`` in O/OU so that a demo certificate can never
be mistaken for one issued by a licensed Vietnamese CA. Real keys live in USB tokens / HSMs (PKCS#11) or in a
remote-signing service; see :mod:`taicho.signing.signers`.

Subject conventions follow Vietnamese CA practice: a personal certificate has ``CN=<full name>`` and
``UID=CCCD:<citizen id>``; an organisation certificate has ``CN=<agency name>`` and ``UID=MDD:<agency code>``
(mã định danh). :func:`is_organisation_certificate` relies on that ``UID`` prefix.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import random
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

__all__ = [
    "ORG_UID_PREFIXES",
    "Credential",
    "font_path",
    "is_organisation_certificate",
    "issue_organisation",
    "issue_personal",
    "issue_tsa",
    "make_crl",
    "make_demo_root",
    "seal_image_png",
    "signature_image_png",
]

#: id-kp-documentSigning (RFC 9336).
DOCUMENT_SIGNING_EKU = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
#: UID prefixes of organisation certificates (tax code, budget code, agency identifier code).
ORG_UID_PREFIXES = ("MST:", "MNS:", "MDD:")
PERSONAL_UID_PREFIXES = ("CCCD:", "CMND:", "HC:")

DEMO_CRL_URL = "http://crl.taicho.invalid/demo-root.crl"
_KEY_TYPES = ("ecdsa-p256", "rsa-2048")


@dataclass(frozen=True)
class Credential:
    """A private key and its certificate chain.

    ``p12`` is a PKCS#12 archive (key + certificate + chain) protected by ``password``;
    ``certificate_pem`` is the end certificate, ``chain_pem`` the issuers up to and including the root
    (empty for the root itself).
    """

    p12: bytes
    password: bytes
    certificate_pem: bytes
    chain_pem: list[bytes]

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.certificate_pem)

    @property
    def serial(self) -> int:
        return self.certificate.serial_number

    def private_key(self):
        key, _cert, _extra = pkcs12.load_key_and_certificates(self.p12, self.password)
        return key

    def private_key_pem(self) -> bytes:
        """PKCS#8 PEM, unencrypted (for importing into a test token)."""
        return self.private_key().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )


def font_path(style: str = "regular") -> str:
    """Path of a TeX Gyre Termes OTF (a Times clone covering all Vietnamese letters)."""
    import rinoh_typeface_texgyretermes as termes

    return str(Path(termes.__file__).parent / f"texgyretermes-{style}.otf")


def _new_key(key: str):
    if key == "ecdsa-p256":
        return ec.generate_private_key(ec.SECP256R1())
    if key == "rsa-2048":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    raise ValueError(f"Loại khóa không hỗ trợ: {key!r} (chỉ {', '.join(_KEY_TYPES)})")


def _pack(key, cert: x509.Certificate, chain: list[x509.Certificate], friendly: str) -> Credential:
    password = secrets.token_urlsafe(12).encode()
    p12 = pkcs12.serialize_key_and_certificates(
        friendly.encode(), key, cert, chain or None, serialization.BestAvailableEncryption(password)
    )
    return Credential(
        p12=p12,
        password=password,
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM),
        chain_pem=[c.public_bytes(serialization.Encoding.PEM) for c in chain],
    )


def _unpack(cred: Credential):
    key, cert, _extra = pkcs12.load_key_and_certificates(cred.p12, cred.password)
    return key, cert


def make_demo_root(*, name: str = "taicho DEMO Root CA", key: str = "ecdsa-p256") -> Credential:
    """A self-signed root CA valid for 10 years (from yesterday)."""
    priv = _new_key(key)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "taicho DEMO PKI"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "DEMO - không dùng thật"),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(priv.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(priv.public_key()), critical=False)
        .sign(priv, hashes.SHA256())
    )
    return _pack(priv, cert, [], name)


def _issue(
    root: Credential,
    subject: x509.Name,
    *,
    key: str,
    valid_days: int,
    not_before: datetime | None,
    friendly: str,
    eku: bool,
    crl_url: str | None = DEMO_CRL_URL,
    tsa: bool = False,
) -> Credential:
    root_key, root_cert = _unpack(root)
    priv = _new_key(key)
    start = not_before or (datetime.now(UTC) - timedelta(hours=1))
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(root_cert.subject)
        .public_key(priv.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation: pyHanko requires it for signing certificates
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(priv.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_cert.public_key()), critical=False
        )
    )
    # Like real CA certificates, declare where the CRL lives, so that validators check revocation (pyHanko /
    # certvalidator only check certificates that declare a source). The default .invalid host is never
    # fetched: tests and callers hand the CRL from make_crl() in directly; a real (e.g. loopback) ``crl_url``
    # lets a signer fetch it (PAdES B-LT).
    if crl_url:
        builder = builder.add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(crl_url)],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
    if tsa:
        # RFC 3161 §2.3: a TSA certificate carries exactly one EKU, id-kp-timeStamping, marked critical.
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    elif eku:
        # pdf.md pitfall 6: pdfsig rejects document-signing-only EKU; Vietnamese CAs add emailProtection.
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING_EKU]),
            critical=False,
        )
    cert = builder.sign(root_key, hashes.SHA256())
    return _pack(priv, cert, [root_cert], friendly)


def issue_personal(
    root: Credential,
    *,
    full_name: str,
    personal_id: str,
    agency: str,
    key: str = "ecdsa-p256",
    valid_days: int = 730,
    not_before: datetime | None = None,
    eku: bool = True,
    crl_url: str | None = DEMO_CRL_URL,
) -> Credential:
    """A personal signing certificate (the leader's): ``CN=<full name>``, ``UID=CCCD:<id>``,
    ``O=<agency> (DEMO)``, ``OU=DEMO``; KU digitalSignature+nonRepudiation; EKU emailProtection+documentSigning
    (or none with ``eku=False``). ``crl_url``: the CRL distribution point (``None``: none)."""
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"{agency} (DEMO)"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "DEMO"),
            x509.NameAttribute(NameOID.USER_ID, f"CCCD:{personal_id}"),
            x509.NameAttribute(NameOID.COMMON_NAME, full_name),
        ]
    )
    return _issue(
        root,
        subject,
        key=key,
        valid_days=valid_days,
        not_before=not_before,
        friendly=full_name,
        eku=eku,
        crl_url=crl_url,
    )


def issue_organisation(
    root: Credential,
    *,
    agency_name: str,
    agency_code: str,
    key: str = "ecdsa-p256",
    valid_days: int = 1095,
    not_before: datetime | None = None,
    eku: bool = True,
    crl_url: str | None = DEMO_CRL_URL,
) -> Credential:
    """The agency's e-seal certificate: ``CN=O=<agency name>``, ``UID=MDD:<agency code>``, ``OU=DEMO``.
    ``crl_url`` as for :func:`issue_personal`."""
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency_name),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "DEMO"),
            x509.NameAttribute(NameOID.USER_ID, f"MDD:{agency_code}"),
            x509.NameAttribute(NameOID.COMMON_NAME, agency_name),
        ]
    )
    return _issue(
        root,
        subject,
        key=key,
        valid_days=valid_days,
        not_before=not_before,
        friendly=agency_name,
        eku=eku,
        crl_url=crl_url,
    )


def issue_tsa(
    root: Credential,
    *,
    name: str = "taicho DEMO Time-Stamping Authority",
    key: str = "rsa-2048",
    valid_days: int = 1825,
    not_before: datetime | None = None,
    crl_url: str | None = DEMO_CRL_URL,
) -> Credential:
    """A time-stamping authority certificate (RFC 3161): EKU id-kp-timeStamping only, critical; KU
    digitalSignature+nonRepudiation. RSA by default (pyHanko's TSA implementation, used by
    :class:`~taicho.signing.timestamp_service.TimestampService`, signs with RSA only)."""
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "taicho DEMO PKI"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "DEMO"),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    return _issue(
        root,
        subject,
        key=key,
        valid_days=valid_days,
        not_before=not_before,
        friendly=name,
        eku=False,
        crl_url=crl_url,
        tsa=True,
    )


def is_organisation_certificate(cert: x509.Certificate) -> bool:
    """True when the certificate identifies an organisation (UID with a tax/budget/agency code prefix)."""
    for attr in cert.subject.get_attributes_for_oid(NameOID.USER_ID):
        value = str(attr.value)
        if value.startswith(ORG_UID_PREFIXES):
            return True
    return False


def make_crl(
    root: Credential,
    revoked_serials: list[int],
    *,
    revoked_at: datetime | None = None,
    next_update_days: int = 7,
) -> bytes:
    """A DER CRL signed by ``root`` listing ``revoked_serials`` (revoked at ``revoked_at``, default an hour
    ago)."""
    root_key, root_cert = _unpack(root)
    now = datetime.now(UTC)
    when = revoked_at or (now - timedelta(hours=1))
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(root_cert.subject)
        .last_update(min(now - timedelta(minutes=5), when))
        .next_update(now + timedelta(days=next_update_days))
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_cert.public_key()), critical=False
        )
    )
    for serial in revoked_serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build()
        )
    return builder.sign(root_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


# --------------------------------------------------------------------------------------------------------
# Images (Decree 30/2020/NĐ-CP, Appendix I: signature image BLUE, seal image RED at actual size, both
# transparent PNG).

SIGNATURE_BLUE = (20, 50, 170)
SEAL_RED = (218, 28, 36)


@functools.lru_cache(maxsize=16)
def _font(style: str, size: int):
    from PIL import ImageFont

    return ImageFont.truetype(font_path(style), size)


def _initials(full_name: str) -> str:
    parts = full_name.split()
    if not parts:
        return "?"
    # Vietnamese names: surname first, given name last; signatures usually show the given name's initial
    # large, preceded by the others.
    return "".join(p[0] for p in parts[-2:]).upper()


def signature_image_png(full_name: str, *, width: int = 600, height: int = 240) -> bytes:
    """A blue, handwritten-looking signature on a transparent background, deterministic per name.

    Drawn with Pillow: the initials in an italic face followed by a flourish (a sum of sines seeded by the
    name's SHA-256) and an underline stroke. Returned as PNG (RGBA).
    """
    from PIL import Image, ImageDraw

    seed = int.from_bytes(hashlib.sha256(full_name.encode()).digest()[:8], "big")
    rng = random.Random(seed)
    scale = 3  # draw large, downsample for anti-aliasing
    w, h = width * scale, height * scale
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    colour = (*SIGNATURE_BLUE, 255)

    initials = _initials(full_name)
    font = _font("italic", int(h * 0.55))
    draw.text((int(w * 0.04), int(h * 0.12)), initials, font=font, fill=colour)
    left, _top, right, _bottom = draw.textbbox((int(w * 0.04), int(h * 0.12)), initials, font=font)

    # The flourish: a looping curve after the initials.
    x0 = right - w * 0.02
    x1 = w * 0.95
    amp = [h * rng.uniform(0.10, 0.22), h * rng.uniform(0.04, 0.10), h * rng.uniform(0.02, 0.05)]
    freq = [rng.uniform(2.5, 4.0), rng.uniform(6.0, 9.0), rng.uniform(11.0, 15.0)]
    phase = [rng.uniform(0, 2 * math.pi) for _ in range(3)]
    points = []
    steps = 400
    for i in range(steps + 1):
        t = i / steps
        x = x0 + (x1 - x0) * t + h * 0.06 * math.sin(2 * math.pi * freq[0] * t + phase[0])
        y = h * 0.50 + sum(
            a * math.sin(2 * math.pi * f * t + p) for a, f, p in zip(amp, freq, phase, strict=True)
        )
        y -= h * 0.12 * t  # handwriting rises slightly to the right
        points.append((x, y))
    draw.line(points, fill=colour, width=int(h * 0.028), joint="curve")
    # Underline stroke from under the initials, sweeping right.
    under = []
    for i in range(101):
        t = i / 100
        x = left + (x1 - left) * t
        y = h * 0.86 - h * 0.18 * t + h * 0.03 * math.sin(math.pi * t)
        under.append((x, y))
    draw.line(under, fill=colour, width=int(h * 0.02), joint="curve")

    img = img.resize((width, height), Image.Resampling.LANCZOS)
    return _png(img)


def _png(img) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def _text_on_circle(img, text: str, *, centre: float, radius: float, font, colour, span_deg: float) -> None:
    """Draw ``text`` along the top of a circle, upright letters, centred at 12 o'clock, reading left to right
    (clockwise)."""
    from PIL import Image, ImageDraw

    if not text:
        return
    widths = [font.getlength(ch) for ch in text]
    total = sum(widths)
    # angle per pixel of text along the arc
    arc = total / radius  # radians the text needs at this radius
    max_arc = math.radians(span_deg)
    spacing = 0.0
    if arc < max_arc and len(text) > 1:
        spacing = (max_arc - arc) * radius / (len(text) - 1)
        spacing = min(spacing, font.size * 0.25)
    total += spacing * (len(text) - 1)
    angle = -total / radius / 2  # start angle from 12 o'clock, clockwise positive
    ascent, descent = font.getmetrics()
    cell = int((ascent + descent) * 1.6) + 4
    for ch, wch in zip(text, widths, strict=True):
        mid = angle + (wch / 2) / radius
        if ch.strip():
            glyph = Image.new("RGBA", (cell, cell), (0, 0, 0, 0))
            ImageDraw.Draw(glyph).text((cell / 2, cell / 2), ch, font=font, fill=colour, anchor="mm")
            glyph = glyph.rotate(-math.degrees(mid), resample=Image.Resampling.BICUBIC, expand=False)
            x = centre + radius * math.sin(mid)
            y = centre - radius * math.cos(mid)
            img.alpha_composite(glyph, (round(x - cell / 2), round(y - cell / 2)))
        angle += (wch + spacing) / radius


def _star_points(cx: float, cy: float, r_out: float, r_in: float) -> list[tuple[float, float]]:
    pts = []
    for i in range(10):
        r = r_out if i % 2 == 0 else r_in
        a = -math.pi / 2 + i * math.pi / 5
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return pts


def seal_image_png(agency_name: str, *, parent_name: str = "", diameter_px: int = 425) -> bytes:
    """A red round seal on a transparent background, deterministic per arguments.

    Two rims, the agency name (upper case) along the upper arc, the parent agency (if any) along the lower
    part, a five-pointed star in the middle. 425 px is 36 mm at 300 dpi (pdf.md pitfall 5: the seal PNG
    dominates the file size). Returned as PNG (RGBA).
    """
    from PIL import Image, ImageDraw

    scale = 2
    d = diameter_px * scale
    img = Image.new("RGBA", (d, d), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    colour = (*SEAL_RED, 255)
    c = d / 2
    outer = d * 0.485
    w_outer = max(2, int(d * 0.022))
    draw.ellipse((c - outer, c - outer, c + outer, c + outer), outline=colour, width=w_outer)
    inner = d * 0.335
    draw.ellipse((c - inner, c - inner, c + inner, c + inner), outline=colour, width=max(2, int(d * 0.008)))
    draw.polygon(_star_points(c, c, d * 0.15, d * 0.06), fill=colour)

    text = " ".join(agency_name.upper().split())
    ring_mid = (outer - w_outer + inner) / 2
    size = int(d * 0.085)
    font = _font("bold", size)
    while size > 10 and sum(font.getlength(ch) for ch in text) / ring_mid > math.radians(300):
        size -= 2
        font = _font("bold", size)
    if parent_name:
        parent = " ".join(parent_name.upper().split())
        # main name on top, parent below (read upside-down-free by drawing on the bottom arc reversed)
        _text_on_circle(img, text, centre=c, radius=ring_mid, font=font, colour=colour, span_deg=220)
        _bottom_text(img, parent, centre=c, radius=ring_mid, colour=colour, d=d)
    else:
        _text_on_circle(img, text, centre=c, radius=ring_mid, font=font, colour=colour, span_deg=300)
    img = img.resize((diameter_px, diameter_px), Image.Resampling.LANCZOS)
    return _png(img)


def _bottom_text(img, text: str, *, centre: float, radius: float, colour, d: int) -> None:
    """Text along the lower arc, letters upright (reading left to right, counter-clockwise)."""
    from PIL import Image, ImageDraw

    size = int(d * 0.06)
    font = _font("bold", size)
    while size > 10 and sum(font.getlength(ch) for ch in text) / radius > math.radians(110):
        size -= 2
        font = _font("bold", size)
    widths = [font.getlength(ch) for ch in text]
    total = sum(widths)
    angle = -total / radius / 2
    ascent, descent = font.getmetrics()
    cell = int((ascent + descent) * 1.6) + 4
    for ch, wch in zip(text, widths, strict=True):
        mid = angle + (wch / 2) / radius
        if ch.strip():
            glyph = Image.new("RGBA", (cell, cell), (0, 0, 0, 0))
            ImageDraw.Draw(glyph).text((cell / 2, cell / 2), ch, font=font, fill=colour, anchor="mm")
            glyph = glyph.rotate(math.degrees(mid), resample=Image.Resampling.BICUBIC, expand=False)
            x = centre + radius * math.sin(mid)
            y = centre + radius * math.cos(mid)
            img.alpha_composite(glyph, (round(x - cell / 2), round(y - cell / 2)))
        angle += wch / radius
