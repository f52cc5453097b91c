"""PKCS#11 (SoftHSM2), remote signing service, interrupted signing — each signs as leader, then validates."""

from __future__ import annotations

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
from tests.conftest import load_into_token

from .conftest import LEADER_BOX


@pytest.mark.parametrize("key", ["ecdsa-p256", "rsa-2048"])
def test_pkcs11_softhsm(softhsm_token, tmp_path, root, test_pdf, signature_png, key):
    lib, token = softhsm_token
    cred = pki.issue_personal(root, full_name="Trần Thị Hương", personal_id="5", agency="Sở", key=key)
    load_into_token(lib, token, cred, "k1", tmp_path)
    with pkcs11_signer(
        lib=lib, token_label=token, pin="123456", key_label="k1", chain=cred.chain_pem
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
