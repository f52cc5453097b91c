"""PKCS#11 (SoftHSM2), remote signing service, interrupted signing — each signs as leader, then validates."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from taicho.signing import pki
from taicho.signing.remote_service import RemoteSigningService
from taicho.signing.sign import sign_as_leader
from taicho.signing.signers import (
    FieldSpec,
    RemoteSigningError,
    complete_interrupted,
    pkcs11_signer,
    pkcs12_signer,
    prepare_interrupted,
    remote_signer,
)
from taicho.signing.validate import format_report, validate_pdf

from .conftest import LEADER_BOX

SOFTHSM_LIBS = ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"]


@pytest.fixture
def softhsm(tmp_path, monkeypatch):
    if not shutil.which("softhsm2-util") or not shutil.which("pkcs11-tool"):
        pytest.skip("Thiếu softhsm2-util/pkcs11-tool (Debian: softhsm2, opensc)")
    lib = next((p for p in SOFTHSM_LIBS if os.path.exists(p)), None)
    if lib is None:
        pytest.skip("Không tìm thấy libsofthsm2.so")
    tokens = tmp_path / "tokens"
    tokens.mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    subprocess.run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            "lanhdao",
            "--pin",
            "123456",
            "--so-pin",
            "12345678",
        ],
        check=True,
        capture_output=True,
    )
    return lib


@pytest.mark.parametrize("key", ["ecdsa-p256", "rsa-2048"])
def test_pkcs11_softhsm(softhsm, tmp_path, root, test_pdf, signature_png, key):
    cred = pki.issue_personal(root, full_name="Trần Thị Hương", personal_id="5", agency="Sở", key=key)
    key_pem = tmp_path / "key.pem"
    key_pem.write_bytes(cred.private_key_pem())
    cert_der = tmp_path / "cert.der"
    from cryptography.hazmat.primitives.serialization import Encoding

    cert_der.write_bytes(cred.certificate.public_bytes(Encoding.DER))
    subprocess.run(
        [
            "softhsm2-util",
            "--import",
            str(key_pem),
            "--token",
            "lanhdao",
            "--label",
            "k1",
            "--id",
            "01",
            "--pin",
            "123456",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            "pkcs11-tool",
            "--module",
            softhsm,
            "--token-label",
            "lanhdao",
            "--login",
            "--pin",
            "123456",
            "--write-object",
            str(cert_der),
            "--type",
            "cert",
            "--id",
            "01",
            "--label",
            "k1",
        ],
        check=True,
        capture_output=True,
    )
    with pkcs11_signer(
        lib=softhsm, token_label="lanhdao", pin="123456", key_label="k1", chain=cred.chain_pem
    ) as signer:
        assert signer.certificate.subject.native["common_name"] == "Trần Thị Hương"
        signed = sign_as_leader(test_pdf, signer=signer, box=LEADER_BOX, image_png=signature_png)
    report = validate_pdf(signed, trust_roots=[root.certificate_pem])
    assert report.ok, format_report(report)


@pytest.fixture
def service(leader):
    with RemoteSigningService(
        {"lanhdao-1": pkcs12_signer(leader.p12, leader.password)}, token="bi-mat-123"
    ) as svc:
        yield svc


def test_remote_signing(service, leader, root, test_pdf, signature_png):
    signer = remote_signer(
        url=service.url,
        key_id="lanhdao-1",
        certificate=leader.certificate_pem,
        chain=leader.chain_pem,
        token="bi-mat-123",
    )
    signed = sign_as_leader(test_pdf, signer=signer, box=LEADER_BOX, image_png=signature_png)
    assert service.requests == 1  # one digest out, one signature back
    report = validate_pdf(signed, trust_roots=[root.certificate_pem])
    assert report.ok, format_report(report)


def test_remote_signing_wrong_token(service, leader, test_pdf, signature_png):
    signer = remote_signer(
        url=service.url,
        key_id="lanhdao-1",
        certificate=leader.certificate_pem,
        chain=leader.chain_pem,
        token="sai",
    )
    with pytest.raises(RemoteSigningError, match="mã xác thực"):
        sign_as_leader(test_pdf, signer=signer, box=LEADER_BOX, image_png=signature_png)


def test_remote_signing_unknown_key(service, leader, test_pdf, signature_png):
    signer = remote_signer(
        url=service.url, key_id="khong-co", certificate=leader.certificate_pem, token="bi-mat-123"
    )
    with pytest.raises(RemoteSigningError, match="HTTP 404"):
        sign_as_leader(test_pdf, signer=signer, box=LEADER_BOX, image_png=signature_png)


def test_remote_service_refuses_non_loopback(leader):
    with pytest.raises(ValueError, match="loopback"):
        RemoteSigningService({}, token="x", host="0.0.0.0")  # noqa: S104


def _agent_sign(cred: pki.Credential, to_sign: bytes) -> bytes:
    """What the agent on the leader's PC does with its token: sign the signed attributes with SHA-256."""
    key = cred.private_key()
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(to_sign, padding.PKCS1v15(), hashes.SHA256())
    return key.sign(to_sign, ec.ECDSA(hashes.SHA256()))


def test_interrupted_signing(leader, root, test_pdf, signature_png):
    import json

    prepared = prepare_interrupted(
        test_pdf,
        signer_cert=leader.certificate_pem,
        chain=leader.chain_pem,
        field=FieldSpec(name="LanhDao", box=LEADER_BOX),
        image_png=signature_png,
    )
    json.loads(prepared.state)  # a serialisable blob
    assert prepared.digest_algorithm == "sha256" and len(prepared.digest) == 32
    assert len(prepared.to_sign) < 400  # the agent signs a couple of hundred bytes, not the PDF
    signed = complete_interrupted(prepared.state, _agent_sign(leader, prepared.to_sign))
    report = validate_pdf(signed, trust_roots=[root.certificate_pem])
    assert report.ok, format_report(report)
    assert report.signatures[0].field == "LanhDao"


def test_interrupted_signing_rejects_wrong_key(leader, root, test_pdf, signature_png):
    prepared = prepare_interrupted(
        test_pdf,
        signer_cert=leader.certificate_pem,
        chain=leader.chain_pem,
        field=FieldSpec("LanhDao", LEADER_BOX),
    )
    other = pki.issue_personal(root, full_name="Người Khác", personal_id="9", agency="Sở")
    with pytest.raises(ValueError, match="không khớp"):
        complete_interrupted(prepared.state, _agent_sign(other, prepared.to_sign))
