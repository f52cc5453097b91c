"""A result from the real catalog, signed and sealed through each kind of key holder — PKCS#12 file, PKCS#11
token (SoftHSM2), remote-signing service, signing agent on the leader's PC — passes our validation and
poppler's pdfsig; the released file is what the public page answers for."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from taicho.core.errors import Conflict, DomainError
from taicho.documents.models import DocumentStatus
from taicho.documents.services import (
    approve_document,
    complete_agent_signature,
    prepare_agent_signature,
    release_document,
    seal_document,
)
from taicho.signing import pki
from taicho.signing.models import SigningCredential, TrustedRoot
from taicho.signing.services import register_credential
from tests.conftest import load_into_token

from .conftest import demo_root, pdfsig_report


def new_leader_credential(people) -> pki.Credential:
    """A fresh personal certificate for the deputy director, the old one retired."""
    SigningCredential.objects.filter(staff=people["lanhdao"]).update(is_active=False)
    return pki.issue_personal(
        demo_root(),
        full_name="Phạm Quốc Hùng",
        personal_id="022078003456",
        agency="Sở Tư pháp tỉnh Quảng Ninh",
    )


def finish_and_check(document, people, tmp_path) -> None:
    sealed = seal_document(document=document, clerk=people["vanthu"])
    released = release_document(document=sealed, by=people["vanthu"])
    assert released.status == DocumentStatus.RELEASED and released.validation["ok"]
    path = tmp_path / "ket-qua.pdf"
    path.write_bytes(released.pdf.open("rb").read())
    out = pdfsig_report(path, TrustedRoot.objects.get().certificate_pem.encode(), tmp_path)
    if out is None:
        pytest.skip("pdfsig/certutil (poppler-utils, libnss3-tools) chưa được cài")
    assert out.count("Signature is Valid.") == 2, out
    assert "Total document signed" in out.split("Signature #2")[1], out


def test_result_uses_real_catalog_data(draft):
    """The drafted copy certification names the imported procedure and its fee from the catalog."""
    assert draft.procedure.code == "2.000815"
    from taicho.catalog.models import Fee

    fee = Fee.objects.filter(
        case__version__procedure=draft.procedure, currency="VND", per_unit="trang"
    ).first()
    assert fee is not None and fee.amount == 2000


def test_pkcs12_file(draft, people, tmp_path):
    finish_and_check(approve_document(document=draft, leader=people["lanhdao"]), people, tmp_path)


def test_pkcs11_token(draft, people, tmp_path, softhsm_token, monkeypatch):
    lib, token = softhsm_token
    cred = new_leader_credential(people)
    load_into_token(lib, token, cred, "pqh", tmp_path)
    monkeypatch.setenv("TAICHO_TEST_TOKEN_PIN", "123456")
    register_credential(
        holder="person",
        kind="pkcs11",
        label="Token USB của Phó Giám đốc",
        certificate_pem=cred.certificate_pem,
        chain_pem=cred.chain_pem,
        staff=people["lanhdao"],
        pkcs11_lib=lib,
        token_label=token,
        key_label="pqh",
        secret_env="TAICHO_TEST_TOKEN_PIN",
    )
    signed = approve_document(document=draft, leader=people["lanhdao"])
    assert signed.events.last().detail["credential"] == "Token USB của Phó Giám đốc"
    finish_and_check(signed, people, tmp_path)


def test_remote_signing_service(draft, people, tmp_path, monkeypatch):
    from taicho.signing.remote_service import RemoteSigningService
    from taicho.signing.signers import pkcs12_signer

    cred = new_leader_credential(people)
    with RemoteSigningService({"pqh-01": pkcs12_signer(cred.p12, cred.password)}, token="bi-mat") as service:
        monkeypatch.setenv("TAICHO_TEST_REMOTE_TOKEN", "bi-mat")
        register_credential(
            holder="person",
            kind="remote",
            label="Ký số từ xa",
            certificate_pem=cred.certificate_pem,
            chain_pem=cred.chain_pem,
            staff=people["lanhdao"],
            remote_url=service.url,
            remote_key_id="pqh-01",
            secret_env="TAICHO_TEST_REMOTE_TOKEN",
        )
        signed = approve_document(document=draft, leader=people["lanhdao"])
        assert service.requests >= 1  # the hash went out, the signature came back
    finish_and_check(signed, people, tmp_path)


def agent_signs(cred: pki.Credential, to_sign: bytes) -> bytes:
    """What the signing agent on the leader's PC does with the token: sign the signed attributes (SHA-256)."""
    key = cred.private_key()
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(to_sign, padding.PKCS1v15(), hashes.SHA256())
    return key.sign(to_sign, ec.ECDSA(hashes.SHA256()))


def test_signing_agent_on_the_leaders_pc(draft, people, tmp_path):
    cred = new_leader_credential(people)
    register_credential(
        holder="person",
        kind="agent",
        label="Phần mềm ký trên máy Phó Giám đốc",
        certificate_pem=cred.certificate_pem,
        chain_pem=cred.chain_pem,
        staff=people["lanhdao"],
    )
    with pytest.raises(DomainError, match="phần mềm ký"):
        approve_document(
            document=draft, leader=people["lanhdao"]
        )  # the server has no key for this credential
    request = prepare_agent_signature(document=draft, leader=people["lanhdao"])
    assert request["digest_algorithm"] == "sha256"
    to_sign = base64.b64decode(request["to_sign"])
    with pytest.raises(Conflict):
        complete_agent_signature(document=draft, leader=people["giamdocso"], signature=b"x")
    with pytest.raises(DomainError, match="không khớp"):
        complete_agent_signature(
            document=draft,
            leader=people["lanhdao"],
            signature=agent_signs(new_leader_credential(people), to_sign),
        )
    signed = complete_agent_signature(
        document=draft, leader=people["lanhdao"], signature=agent_signs(cred, to_sign)
    )
    assert signed.status == DocumentStatus.SIGNED and signed.events.last().detail["agent"] is True
    finish_and_check(signed, people, tmp_path)
