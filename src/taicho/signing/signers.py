"""One interface for every key holder: PKCS#12 files, PKCS#11 tokens/HSMs, a remote-signing service, and
interrupted signing (the server prepares, an agent on the leader's own PC signs, the server completes).

Every signer exposes ``certificate`` / ``chain`` (asn1crypto) and ``pyhanko_signer()``, the object
:class:`pyhanko.sign.signers.PdfSigner` needs. Only SHA-256 is used; RSA signs with PKCS#1 v1.5, EC keys with
ECDSA (DER-encoded signature values).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from asn1crypto import cms as asn1_cms
from asn1crypto import x509 as asn1_x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.sign import signers as ph_signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

__all__ = [
    "DIGEST_ALGORITHM",
    "FieldSpec",
    "PreparedSignature",
    "RemoteSigningError",
    "Signer",
    "complete_interrupted",
    "load_certificate",
    "pkcs11_signer",
    "pkcs12_signer",
    "prepare_interrupted",
    "remote_signer",
    "signature_algorithm_for",
]

DIGEST_ALGORITHM = "sha256"


class RemoteSigningError(Exception):
    """The remote-signing service refused or failed; the message is Vietnamese."""


@runtime_checkable
class Signer(Protocol):
    """A key holder. ``certificate`` is the signer's, ``chain`` its issuers (root may be included)."""

    certificate: asn1_x509.Certificate
    chain: list[asn1_x509.Certificate]

    def pyhanko_signer(self) -> ph_signers.Signer: ...


def load_certificate(data: bytes | asn1_x509.Certificate | Any) -> asn1_x509.Certificate:
    """PEM or DER bytes, an asn1crypto certificate, or a ``cryptography`` certificate → asn1crypto."""
    if isinstance(data, asn1_x509.Certificate):
        return data
    if hasattr(data, "public_bytes"):
        data = data.public_bytes(serialization.Encoding.DER)
    if data.lstrip().startswith(b"-----BEGIN"):
        from asn1crypto import pem

        _type, _headers, data = pem.unarmor(data)
    return asn1_x509.Certificate.load(data)


def signature_algorithm_for(cert: asn1_x509.Certificate) -> str:
    """``"ecdsa"`` or ``"rsassa_pkcs1v15"`` — the remote protocol's ``signature_algorithm``."""
    algo = cert.public_key.algorithm
    if algo == "ec":
        return "ecdsa"
    if algo == "rsa":
        return "rsassa_pkcs1v15"
    raise ValueError(f"Thuật toán khóa không hỗ trợ: {algo}")


def _placeholder_size(cert: asn1_x509.Certificate) -> int:
    """Upper bound of a raw signature's length (for pyHanko's size estimate)."""
    if cert.public_key.algorithm == "rsa":
        return (cert.public_key.bit_size + 7) // 8
    n = (cert.public_key.bit_size + 7) // 8
    return 2 * n + 9  # DER SEQUENCE of two INTEGERs, each possibly with a leading zero


def _sign_with_key(key, data_or_digest: bytes, *, prehashed: bool) -> bytes:
    algo = Prehashed(hashes.SHA256()) if prehashed else hashes.SHA256()
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data_or_digest, padding.PKCS1v15(), algo)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data_or_digest, ec.ECDSA(algo))
    raise ValueError("Loại khóa không hỗ trợ")


def verify_raw(cert: asn1_x509.Certificate, data: bytes, signature: bytes) -> bool:
    """Check a raw SHA-256 signature of ``data`` against the certificate's public key."""
    pub = serialization.load_der_public_key(cert.public_key.dump())
    try:
        if isinstance(pub, rsa.RSAPublicKey):
            pub.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(pub, ec.EllipticCurvePublicKey):
            pub.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except InvalidSignature:
        return False
    return True


@functools.lru_cache(maxsize=64)
def _signing_certificate_attribute(certificate_der: bytes) -> bytes:
    """The DER of the ``signing-certificate-v2`` signed attribute (RFC 5035, required by PAdES) for a
    certificate, exactly as pyHanko formats it."""
    from pyhanko.sign.general import as_signing_certificate_v2, simple_cms_attribute

    certificate = asn1_x509.Certificate.load(certificate_der)
    return simple_cms_attribute("signing_certificate_v2", as_signing_certificate_v2(certificate)).dump()


class _LoadedSigningCertificate:
    """Attribute provider giving pyHanko the cached attribute as a freshly *loaded* asn1crypto object.

    pyHanko builds ``signing-certificate-v2`` from the parsed certificate's issuer name; asn1crypto then
    re-encodes that structure on every ``dump()`` — and the signed attributes are dumped several times per
    signature (size estimate, digest, SignerInfo, CMS) — ~5 ms each, ~15 ms of every signature. A loaded
    object keeps its bytes, so the same DER costs nothing to dump again. The bytes are identical."""

    attribute_type = "signing_certificate_v2"

    def __init__(self, der: bytes):
        self._der = der

    async def get_attribute(self, dry_run: bool = False) -> asn1_cms.CMSAttribute:
        return asn1_cms.CMSAttribute.load(self._der)


class _FastSignedAttributes(ph_signers.Signer):
    """pyHanko signer whose ``signing-certificate-v2`` attribute is cached per certificate (see above)."""

    def _signed_attr_providers(self, *args: Any, **kwargs: Any) -> Any:
        from pyhanko.sign.attributes import SigningCertificateV2Provider

        for provider in super()._signed_attr_providers(*args, **kwargs):
            if type(provider) is SigningCertificateV2Provider:
                yield _LoadedSigningCertificate(_signing_certificate_attribute(provider.signing_cert.dump()))
            else:
                yield provider


class _CachedKeySigner(_FastSignedAttributes):
    """pyHanko signer holding an already parsed ``cryptography`` key (pdf.md pitfall 1: pyHanko's
    SimpleSigner re-parses the key for every signature)."""

    def __init__(self, key, cert: asn1_x509.Certificate, chain: list[asn1_x509.Certificate]):
        registry = SimpleCertificateStore.from_certs([cert, *chain])
        super().__init__(signing_cert=cert, cert_registry=registry)
        self._key = key

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        if dry_run:
            return bytes(_placeholder_size(self.signing_cert))
        if digest_algorithm.lower() != DIGEST_ALGORITHM:
            raise ValueError(f"Chỉ hỗ trợ {DIGEST_ALGORITHM}")
        return _sign_with_key(self._key, data, prehashed=False)


@dataclass(eq=False)
class LocalKeySigner:
    """A key in memory (from PKCS#12). Also usable by :mod:`.remote_service` to sign digests."""

    certificate: asn1_x509.Certificate
    chain: list[asn1_x509.Certificate]
    _key: Any = field(repr=False)
    _ph: ph_signers.Signer | None = field(default=None, repr=False)

    def pyhanko_signer(self) -> ph_signers.Signer:
        if self._ph is None:
            self._ph = _CachedKeySigner(self._key, self.certificate, self.chain)
        return self._ph

    def sign_digest(self, digest: bytes) -> bytes:
        """Raw signature over a SHA-256 digest (what a remote service or a token does)."""
        return _sign_with_key(self._key, digest, prehashed=True)


@functools.lru_cache(maxsize=64)
def pkcs12_signer(p12: bytes, password: bytes) -> LocalKeySigner:
    """Parse a PKCS#12 archive ONCE (cached per ``(p12, password)``) into a signer."""
    key, cert, extra = pkcs12.load_key_and_certificates(p12, password)
    if key is None or cert is None:
        raise ValueError("Tệp PKCS#12 không chứa khóa bí mật và chứng thư số")
    return LocalKeySigner(
        certificate=load_certificate(cert),
        chain=[load_certificate(c) for c in extra or ()],
        _key=key,
    )


# --------------------------------------------------------------------------------------------------------
# PKCS#11


@dataclass(eq=False)
class Pkcs11Signer:
    """A key on a PKCS#11 token (USB token, HSM; SoftHSM2 in tests). Keeps the session open until
    :meth:`close`."""

    certificate: asn1_x509.Certificate
    chain: list[asn1_x509.Certificate]
    _ph: Any = field(repr=False)
    _session: Any = field(repr=False)

    def pyhanko_signer(self) -> ph_signers.Signer:
        return self._ph

    def close(self) -> None:
        self._session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def pkcs11_signer(
    *,
    lib: str,
    token_label: str,
    pin: str,
    key_label: str,
    cert_label: str | None = None,
    chain: list[bytes] | None = None,
) -> Pkcs11Signer:
    """Open a session on the token labelled ``token_label`` and sign with the key ``key_label``; the
    certificate is read from the token (``cert_label``, default the key label). ``chain``: issuer certificates
    (PEM/DER) when the token does not hold them. EC keys use the raw ECDSA mechanism, hashing in software
    (pdf.md pitfall 4: SoftHSM2 lacks CKM_ECDSA_SHA256)."""
    from pkcs11.exceptions import UserAlreadyLoggedIn
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11 as ph_pkcs11

    try:
        session = ph_pkcs11.open_pkcs11_session(
            lib, token_criteria=TokenCriteria(label=token_label), user_pin=pin
        )
    except UserAlreadyLoggedIn:
        # PKCS#11 login is per application and token: another session of this process (e.g. a signer kept for
        # the same token) is logged in already, and a new session shares that login.
        session = ph_pkcs11.open_pkcs11_session(lib, token_criteria=TokenCriteria(label=token_label))
    try:
        ca_chain = [load_certificate(c) for c in chain or ()]
        probe = ph_pkcs11.PKCS11Signer(
            session, key_label=key_label, cert_label=cert_label or key_label, ca_chain=ca_chain
        )
        cert = probe.signing_cert
        use_raw = cert.public_key.algorithm == "ec"
        ph = (
            ph_pkcs11.PKCS11Signer(
                session,
                key_label=key_label,
                cert_label=cert_label or key_label,
                ca_chain=ca_chain,
                use_raw_mechanism=True,
            )
            if use_raw
            else probe
        )
    except Exception:
        session.close()
        raise
    return Pkcs11Signer(certificate=cert, chain=ca_chain, _ph=ph, _session=session)


# --------------------------------------------------------------------------------------------------------
# Remote signing


class _UrllibSession:
    """Minimal ``requests``-like POST using urllib (no extra dependency)."""

    @dataclass
    class _Response:
        status_code: int
        body: bytes

        def json(self):
            return json.loads(self.body or b"null")

    def post(self, url: str, *, json: dict, headers: dict, timeout: float = 30):
        import json as _json

        req = urllib.request.Request(  # noqa: S310 - URL from configuration
            url,
            data=_json.dumps(json).encode(),
            headers={"Content-Type": "application/json", **headers},
            method="POST",
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
                return self._Response(resp.status, resp.read())
        except urllib.error.HTTPError as e:
            return self._Response(e.code, e.read())


class _RemotePyhankoSigner(_FastSignedAttributes):
    def __init__(self, owner: RemoteSigner):
        registry = SimpleCertificateStore.from_certs([owner.certificate, *owner.chain])
        super().__init__(signing_cert=owner.certificate, cert_registry=registry)
        self._owner = owner

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        if dry_run:
            return bytes(_placeholder_size(self.signing_cert))
        if digest_algorithm.lower() != DIGEST_ALGORITHM:
            raise ValueError(f"Chỉ hỗ trợ {DIGEST_ALGORITHM}")
        return self._owner.sign_digest(hashlib.sha256(data).digest())


@dataclass(eq=False)
class RemoteSigner:
    """Signs through a remote-signing service (protocol: :mod:`.remote_service`). Only the SHA-256 digest
    of the signed attributes leaves the server; the raw signature comes back and is checked against the
    certificate before use."""

    url: str
    key_id: str
    certificate: asn1_x509.Certificate
    chain: list[asn1_x509.Certificate]
    token: str | None = None
    session: Any = None
    timeout: float = 30

    def pyhanko_signer(self) -> ph_signers.Signer:
        return _RemotePyhankoSigner(self)

    def sign_digest(self, digest: bytes) -> bytes:
        session = self.session or _UrllibSession()
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        payload = {
            "key_id": self.key_id,
            "digest_b64": base64.b64encode(digest).decode(),
            "digest_algorithm": DIGEST_ALGORITHM,
            "signature_algorithm": signature_algorithm_for(self.certificate),
        }
        try:
            resp = session.post(
                self.url.rstrip("/") + "/sign", json=payload, headers=headers, timeout=self.timeout
            )
        except OSError as e:
            raise RemoteSigningError(f"Không kết nối được dịch vụ ký số từ xa: {e}") from e
        try:
            body = resp.json()
        except ValueError:
            body = None
        if resp.status_code == 401:
            raise RemoteSigningError("Dịch vụ ký số từ xa từ chối: mã xác thực (token) không đúng")
        if resp.status_code != 200 or not isinstance(body, dict) or "signature_b64" not in body:
            detail = body.get("error") if isinstance(body, dict) else None
            raise RemoteSigningError(
                f"Dịch vụ ký số từ xa trả lỗi (HTTP {resp.status_code})" + (f": {detail}" if detail else "")
            )
        return base64.b64decode(body["signature_b64"])


def remote_signer(
    *,
    url: str,
    key_id: str,
    certificate: bytes | asn1_x509.Certificate,
    chain: list[bytes | asn1_x509.Certificate] = (),  # type: ignore[assignment]
    token: str | None = None,
    session: Any = None,
) -> RemoteSigner:
    """A signer backed by a remote-signing service at ``url`` (``POST {url}/sign``). ``session``: a
    ``requests``-like object with ``post(url, json=, headers=, timeout=)``; default urllib."""
    return RemoteSigner(
        url=url,
        key_id=key_id,
        certificate=load_certificate(certificate),
        chain=[load_certificate(c) for c in chain],
        token=token,
        session=session,
    )


# --------------------------------------------------------------------------------------------------------
# Interrupted signing


@dataclass(frozen=True)
class FieldSpec:
    """Where the visible signature goes: field name, page (0-based) and box in PDF points."""

    name: str
    box: Any  # taicho.signing.sign.SignatureBox


@dataclass(frozen=True)
class PreparedSignature:
    """What :func:`prepare_interrupted` returns.

    ``to_sign``: the DER signed attributes; the agent signs them with SHA-256 (RSA PKCS#1 v1.5 or ECDSA),
    or equivalently signs ``digest`` (their SHA-256) as a pre-hashed value — a token's usual operation.
    ``state``: an opaque, JSON-serialisable blob the server keeps until :func:`complete_interrupted`.
    """

    to_sign: bytes
    digest: bytes
    digest_algorithm: str
    signature_algorithm: str
    state: bytes


class _AgentCertOnlySigner:
    """A :class:`Signer` that has only the certificate (the key is on the agent's token)."""

    def __init__(self, cert: asn1_x509.Certificate, chain: list[asn1_x509.Certificate], signature_value=None):
        self.certificate = cert
        self.chain = chain
        self._value = signature_value

    def pyhanko_signer(self) -> ph_signers.Signer:
        registry = SimpleCertificateStore.from_certs([self.certificate, *self.chain])
        return ph_signers.ExternalSigner(
            self.certificate,
            registry,
            signature_value=self._value if self._value is not None else _placeholder_size(self.certificate),
        )


def certificate_only_signer(
    certificate: bytes | asn1_x509.Certificate,
    chain: list[bytes | asn1_x509.Certificate] = (),  # type: ignore[assignment]
) -> Signer:
    """A signer that holds only the certificate — for checking a certificate whose key lives elsewhere (the
    signing agent on the leader's PC) with :func:`taicho.signing.sign.check_certificate`."""
    return _AgentCertOnlySigner(load_certificate(certificate), [load_certificate(c) for c in chain])


def prepare_interrupted(
    pdf: bytes,
    *,
    signer_cert: bytes | asn1_x509.Certificate,
    chain: list[bytes | asn1_x509.Certificate] = (),  # type: ignore[assignment]
    field: FieldSpec,
    image_png: bytes | None = None,
    signing_time=None,
    reason: str = "Phê duyệt",
) -> PreparedSignature:
    """Server side, step 1: lay out the leader's signature (same appearance as
    :func:`taicho.signing.sign.sign_as_leader`), reserve the signature, compute the signed attributes.
    """
    import asyncio

    from . import sign as _sign

    cert = load_certificate(signer_cert)
    chain_certs = [load_certificate(c) for c in chain]
    holder = _AgentCertOnlySigner(cert, chain_certs)
    ext = holder.pyhanko_signer()

    async def run():
        pdf_signer, writer = _sign.leader_pdf_signer(
            pdf,
            signer=holder,
            ph_signer=ext,
            box=field.box,
            image_png=image_png,
            field_name=field.name,
            signing_time=signing_time,
            reason=reason,
        )
        prep_digest, _tbs, output = await pdf_signer.async_digest_doc_for_signing(writer)
        signed_attrs = await ext.signed_attrs(
            prep_digest.document_digest,
            DIGEST_ALGORITHM,
            attr_settings=_signed_attr_settings(pdf_signer),
            use_pades=True,
        )
        return prep_digest, output, signed_attrs

    prep_digest, output, signed_attrs = asyncio.run(run())
    to_sign = signed_attrs.dump()
    state = {
        "v": 1,
        "pdf_b64": base64.b64encode(output.getvalue()).decode(),
        "document_digest_b64": base64.b64encode(prep_digest.document_digest).decode(),
        "reserved_region_start": prep_digest.reserved_region_start,
        "reserved_region_end": prep_digest.reserved_region_end,
        "signed_attrs_b64": base64.b64encode(to_sign).decode(),
        "cert_b64": base64.b64encode(cert.dump()).decode(),
        "chain_b64": [base64.b64encode(c.dump()).decode() for c in chain_certs],
    }
    return PreparedSignature(
        to_sign=to_sign,
        digest=hashlib.sha256(to_sign).digest(),
        digest_algorithm=DIGEST_ALGORITHM,
        signature_algorithm=signature_algorithm_for(cert),
        state=json.dumps(state).encode(),
    )


def _signed_attr_settings(pdf_signer):
    """The signed attributes pyHanko would use (signing time from our signing session)."""
    from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

    return PdfCMSSignedAttributes(signing_time=pdf_signer.fixed_signing_time)


def complete_interrupted(state: bytes, signature: bytes) -> bytes:
    """Server side, step 2: check the agent's raw ``signature`` over the signed attributes against the
    certificate, embed the CMS, return the signed PDF. Raises :class:`ValueError` (Vietnamese) when the
    signature does not match."""
    import io

    from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
    from pyhanko.sign.signers.pdf_signer import PdfTBSDocument

    st = json.loads(state)
    cert = asn1_x509.Certificate.load(base64.b64decode(st["cert_b64"]))
    chain = [asn1_x509.Certificate.load(base64.b64decode(c)) for c in st["chain_b64"]]
    signed_attrs_der = base64.b64decode(st["signed_attrs_b64"])
    if not verify_raw(cert, signed_attrs_der, signature):
        raise ValueError("Chữ ký do thiết bị trả về không khớp với chứng thư số của người ký")
    signed_attrs = asn1_cms.CMSAttributes.load(signed_attrs_der)
    ext = _AgentCertOnlySigner(cert, chain, signature_value=signature).pyhanko_signer()

    import asyncio

    sig_cms = asyncio.run(ext.async_sign_prescribed_attributes(DIGEST_ALGORITHM, signed_attrs=signed_attrs))
    output = io.BytesIO(base64.b64decode(st["pdf_b64"]))
    prep = PreparedByteRangeDigest(
        document_digest=base64.b64decode(st["document_digest_b64"]),
        reserved_region_start=st["reserved_region_start"],
        reserved_region_end=st["reserved_region_end"],
    )
    PdfTBSDocument.finish_signing(output, prep, sig_cms)
    return output.getvalue()


__all__ += ["LocalKeySigner", "Pkcs11Signer", "RemoteSigner", "verify_raw"]
