"""PAdES levels: B-B always; B-T with a (real, local) RFC 3161 timestamp server; B-LT with revocation data
fetched over HTTP from the certificates' CRL distribution point and embedded in the DSS."""

from __future__ import annotations

import io
import shutil
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from asn1crypto import cms, tsp
from pyhanko.pdf_utils.reader import PdfFileReader

from taicho.signing import pki
from taicho.signing.sign import apply_seal, sign_as_leader
from taicho.signing.signers import pkcs12_signer
from taicho.signing.timestamp_service import TimestampService
from taicho.signing.validate import format_report, validate_pdf

from .conftest import LEADER_BOX, pdfsig

AGENCY = "Sở Tư pháp tỉnh Quảng Ninh"
needs_pdfsig = pytest.mark.skipif(not shutil.which("pdfsig"), reason="Thiếu pdfsig (Debian: poppler-utils)")


# ------------------------------------------------------------------------------------------------------
# Fixtures


class CrlServer:
    """A tiny loopback HTTP server publishing one CRL; ``hits`` counts the GETs."""

    def __init__(self, crl: bytes):
        self.crl = crl
        self.hits = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.hits += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/pkix-crl")
                self.send_header("Content-Length", str(len(server.crl)))
                self.end_headers()
                self.wfile.write(server.crl)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/demo-root.crl"

    def close(self):
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


@pytest.fixture(scope="module")
def tsa(root) -> pki.Credential:
    return pki.issue_tsa(root)


@pytest.fixture(scope="module")
def tsa_service(tsa):
    with TimestampService(tsa) as svc:
        yield svc


def _leader_signer(cred):
    return pkcs12_signer(cred.p12, cred.password)


def _sign_both(pdf, leader, organisation, signature_png, seal_png, **kw) -> bytes:
    s1 = sign_as_leader(pdf, signer=_leader_signer(leader), box=LEADER_BOX, image_png=signature_png, **kw)
    return apply_seal(
        s1,
        signer=_leader_signer(organisation),
        box=LEADER_BOX,
        seal_png=seal_png,
        agency_name=AGENCY,
        **kw,
    )


@pytest.fixture(scope="module")
def bt_signed(test_pdf, leader_ec, organisation, signature_png, seal_png, tsa_service) -> bytes:
    return _sign_both(
        test_pdf, leader_ec, organisation, signature_png, seal_png, timestamp_url=tsa_service.url
    )


def _contents_span(pdf: bytes, index: int) -> tuple[int, int]:
    """Start/end offsets of the hex digits of signature ``index``'s /Contents (outside its byte range)."""
    sig = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_regular_signatures[index]
    br = sig.byte_range
    return br[0] + br[1] + 1, br[2] - 1


def _cms(pdf: bytes, index: int) -> cms.ContentInfo:
    start, end = _contents_span(pdf, index)
    return cms.ContentInfo.load(bytes.fromhex(pdf[start:end].decode()))


def _token(ci: cms.ContentInfo):
    attrs = ci["content"]["signer_infos"][0]["unsigned_attrs"]
    if attrs.native is None:
        return None
    for attr in attrs:
        if attr["type"].native == "signature_time_stamp_token":
            return attr["values"][0]
    return None


# ------------------------------------------------------------------------------------------------------
# The timestamp service itself


def test_tsa_certificate_profile(tsa, root):
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID

    cert = tsa.certificate
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical and list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    assert cert.issuer == root.certificate.subject


def test_service_answers_rfc3161_over_http(tsa_service):
    import hashlib
    import secrets

    digest = hashlib.sha256(b"taicho").digest()
    nonce = secrets.randbits(63)
    req = tsp.TimeStampReq(
        {
            "version": 1,
            "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": digest},
            "nonce": nonce,
            "cert_req": True,
        }
    )
    resp = requests.post(
        tsa_service.url,
        data=req.dump(),
        headers={"Content-Type": "application/timestamp-query"},
        timeout=10,
    )
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/timestamp-reply"
    body = tsp.TimeStampResp.load(resp.content)
    assert body["status"]["status"].native == "granted"
    info = body["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
    assert info["message_imprint"]["hashed_message"].native == digest
    assert info["nonce"].native == nonce
    assert abs(info["gen_time"].native - datetime.now(UTC)) < timedelta(seconds=30)

    # Unknown hash algorithm → a TimeStampResp with status rejection / badAlg; garbage → badDataFormat.
    bad = tsa_service.respond(
        tsp.TimeStampReq(
            {
                "version": 1,
                "message_imprint": {"hash_algorithm": {"algorithm": "md5"}, "hashed_message": b"0" * 16},
            }
        ).dump()
    )
    assert bad["status"]["status"].native == "rejection"
    assert "bad_alg" in bad["status"]["fail_info"].native
    assert tsa_service.respond(b"not der")["status"]["status"].native == "rejection"


def test_service_refuses_non_loopback(tsa):
    with pytest.raises(ValueError):
        TimestampService(tsa, host="192.0.2.1")


def test_service_needs_rsa_key(root):
    with pytest.raises(ValueError):
        TimestampService(pki.issue_tsa(root, key="ecdsa-p256"))


# ------------------------------------------------------------------------------------------------------
# B-B / B-T


def test_bb_has_no_timestamp(test_pdf, leader_ec, organisation, signature_png, seal_png, root):
    signed = _sign_both(test_pdf, leader_ec, organisation, signature_png, seal_png)
    report = validate_pdf(signed, trust_roots=[root.certificate_pem], expect_seal=True)
    assert report.ok, format_report(report)
    for s in report.signatures:
        assert s.timestamp_time is None and s.pades_level == "B-B"
    assert _token(_cms(signed, 0)) is None and _token(_cms(signed, 1)) is None


def test_bt_timestamp_within_seconds_and_validates(bt_signed, root, tsa_service):
    report = validate_pdf(bt_signed, trust_roots=[root.certificate_pem], expect_seal=True)
    assert report.ok, format_report(report)
    now = datetime.now(UTC)
    for s in report.signatures:
        assert s.timestamp_time is not None
        assert abs(now - s.timestamp_time) < timedelta(seconds=60)
        assert abs(s.timestamp_time - s.signing_time) < timedelta(seconds=10)
        assert s.pades_level == "B-T"
        assert s.trusted and s.intact and not s.problems
    # The token really comes from our TSA (its certificate is embedded in the token).
    token = _token(_cms(bt_signed, 0))
    certs = [c.chosen for c in token["content"]["certificates"]]
    assert tsa_service.certificate.dump() in [c.dump() for c in certs]
    assert tsa_service.requests >= 2
    assert "Dấu thời gian:" in format_report(report) and "Mức PAdES: B-T" in format_report(report)


def test_tampered_timestamp_token_is_reported(bt_signed, root):
    """Flip one bit of the TSA's signature inside the seal's timestamp token. The token lives in the unsigned
    attributes, outside the seal's signed byte range, so only the token check can notice. (The seal is the
    last signature: tampering with the leader's /Contents would break the seal, which signs it.)"""
    start, end = _contents_span(bt_signed, 1)
    ci = _cms(bt_signed, 1)
    tst_signer = _token(ci)["content"]["signer_infos"][0]
    value = bytearray(tst_signer["signature"].native)
    value[len(value) // 2] ^= 0x01
    tst_signer["signature"] = bytes(value)
    new_hex = ci.dump(force=True).hex().encode()
    assert len(new_hex) <= end - start
    tampered = bt_signed[:start] + new_hex.ljust(end - start, b"0") + bt_signed[end:]
    assert len(tampered) == len(bt_signed) and tampered != bt_signed

    report = validate_pdf(tampered, trust_roots=[root.certificate_pem], expect_seal=True)
    assert not report.ok
    lead, seal = report.signatures
    assert lead.ok, lead.problems
    assert seal.intact and seal.trusted  # the seal's own signature is fine ...
    # ... its timestamp token is not
    assert any("Dấu thời gian" in p and "sửa đổi" in p for p in seal.problems), seal.problems
    assert "KHÔNG HỢP LỆ" in format_report(report)


def test_tsa_from_another_root_is_reported(test_pdf, leader_ec, signature_png, root):
    foreign_root = pki.make_demo_root(name="Foreign TSA Root")
    with TimestampService(pki.issue_tsa(foreign_root)) as svc:
        signed = sign_as_leader(
            test_pdf,
            signer=_leader_signer(leader_ec),
            box=LEADER_BOX,
            image_png=signature_png,
            timestamp_url=svc.url,
        )
    report = validate_pdf(signed, trust_roots=[root.certificate_pem])
    assert not report.ok
    (lead,) = report.signatures
    assert lead.intact and lead.trusted  # the leader's certificate is fine
    assert any("Dấu thời gian" in p and "tin cậy" in p for p in lead.problems), lead.problems
    # Trusting the foreign root too makes it valid.
    assert validate_pdf(signed, trust_roots=[root.certificate_pem, foreign_root.certificate_pem]).ok


@needs_pdfsig
def test_pdfsig_accepts_bt(bt_signed, tmp_path, nssdb):
    path = tmp_path / "bt.pdf"
    path.write_bytes(bt_signed)
    sigs = pdfsig(path, nssdb)
    assert len(sigs) == 2
    for s in sigs:
        assert s.get("Signature Validation") == "Signature is Valid.", sigs
        assert s.get("Certificate Validation") == "Certificate is Trusted.", sigs
    assert sigs[-1].get("coverage") == "Total document signed", sigs


# ------------------------------------------------------------------------------------------------------
# B-LT


@pytest.fixture(scope="module")
def blt(root, test_pdf, signature_png, seal_png):
    """Leader + seal with a timestamp and revocation data fetched over loopback HTTP."""
    server = CrlServer(pki.make_crl(root, []))
    try:
        leader = pki.issue_personal(
            root, full_name="Trần Thị Hương", personal_id="022185001234", agency=AGENCY, crl_url=server.url
        )
        org = pki.issue_organisation(
            root, agency_name=AGENCY, agency_code="000.00.12.H49", crl_url=server.url
        )
        with TimestampService(pki.issue_tsa(root, crl_url=server.url)) as svc:
            signed = _sign_both(
                test_pdf,
                leader,
                org,
                signature_png,
                seal_png,
                timestamp_url=svc.url,
                fetch_revocation=True,
                trust_roots=[root.certificate_pem],
            )
        hits = server.hits
    finally:
        server.close()
    return signed, hits


def test_blt_embeds_fetched_revocation_data(blt, root):
    from asn1crypto import crl as asn1_crl
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    signed, hits = blt
    assert hits >= 1  # the CRL was really fetched over HTTP
    dss = DocumentSecurityStore.read_dss(PdfFileReader(io.BytesIO(signed), strict=False))
    assert dss.crls, "no CRL in the DSS"
    crls = [asn1_crl.CertificateList.load(ref.get_object().data) for ref in dss.crls]
    issuer = root.certificate.subject.public_bytes()
    assert any(c["tbs_cert_list"]["issuer"].dump() == issuer for c in crls)


def test_blt_validates_offline_with_embedded_data(blt, root):
    signed, _ = blt
    # Hard-fail revocation checking, no network, no CRL handed in: only the DSS can make this pass.
    report = validate_pdf(
        signed, trust_roots=[root.certificate_pem], expect_seal=True, require_revocation_info=True
    )
    assert report.ok, format_report(report)
    assert [s.pades_level for s in report.signatures] == ["B-LT", "B-LT"]
    # Single-revision B-LT: the seal still covers the whole file (no DSS revision appended after it).
    assert report.signatures[-1].covers_whole_document
    assert report.signatures[-1].modification_level == "NONE"


def test_bt_without_embedded_data_fails_hard_revocation_check(bt_signed, root):
    report = validate_pdf(bt_signed, trust_roots=[root.certificate_pem], require_revocation_info=True)
    assert not report.ok
    assert any("thu hồi" in p for s in report.signatures for p in s.problems)
    # ... and passes when the CRL is handed in.
    crl = pki.make_crl(root, [])
    assert validate_pdf(
        bt_signed, trust_roots=[root.certificate_pem], crls=[crl], require_revocation_info=True
    ).ok


def test_validation_context_of_blt_never_fetches(blt, root, monkeypatch):
    """Validation must not touch the network even though the certificates name a CRL URL."""
    import socket

    signed, _ = blt

    def refuse(*args, **kwargs):
        raise AssertionError("validation tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    report = validate_pdf(signed, trust_roots=[root.certificate_pem], require_revocation_info=True)
    assert report.ok, format_report(report)


@needs_pdfsig
def test_pdfsig_accepts_blt(blt, tmp_path, nssdb):
    signed, _ = blt
    path = tmp_path / "blt.pdf"
    path.write_bytes(signed)
    sigs = pdfsig(path, nssdb)
    assert [s.get("Signature Validation") for s in sigs] == ["Signature is Valid."] * 2, sigs
    assert sigs[-1].get("coverage") == "Total document signed", sigs
