"""The trust decision of `check_certificate` is reused briefly, but never past a new CRL, the TTL, or the
certificates' validity."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from taicho.signing import pki, sign
from taicho.signing.sign import VN_TZ, SigningRefused, check_certificate
from taicho.signing.signers import pkcs12_signer


@pytest.fixture(autouse=True)
def _empty_cache():
    sign.forget_trust_decisions()
    yield
    sign.forget_trust_decisions()


@pytest.fixture
def path_validations(monkeypatch):
    """Counts the full path validations (chain, trust, CRLs) actually run."""
    calls = []
    real = sign._validate_path

    def counting(*args, **kwargs):
        calls.append(kwargs.get("at"))
        return real(*args, **kwargs)

    monkeypatch.setattr(sign, "_validate_path", counting)
    return calls


def test_a_second_check_with_the_same_crl_reuses_the_decision(root, leader_ec, path_validations):
    signer = pkcs12_signer(leader_ec.p12, leader_ec.password)
    crl = pki.make_crl(root, [])
    now = datetime.now(VN_TZ)
    check_certificate(signer, at=now, trust_roots=[root.certificate_pem], crls=[crl])
    check_certificate(signer, at=now + timedelta(seconds=1), trust_roots=[root.certificate_pem], crls=[crl])
    assert len(path_validations) == 1


def test_a_revocation_published_after_caching_is_honoured(root, path_validations):
    soon_revoked = pki.issue_personal(root, full_name="Đỗ Thu Hồi", personal_id="5", agency="Sở")
    signer = pkcs12_signer(soon_revoked.p12, soon_revoked.password)
    now = datetime.now(VN_TZ)
    check_certificate(signer, at=now, trust_roots=[root.certificate_pem], crls=[pki.make_crl(root, [])])
    # The CA publishes a new CRL listing the certificate (same second, same CRL number: the content differs).
    revoking = pki.make_crl(root, [soon_revoked.serial])
    with pytest.raises(SigningRefused, match="thu hồi"):
        check_certificate(signer, at=now, trust_roots=[root.certificate_pem], crls=[revoking])
    with pytest.raises(SigningRefused, match="thu hồi"):  # refusals are not cached either way
        check_certificate(signer, at=now, trust_roots=[root.certificate_pem], crls=[revoking])
    assert len(path_validations) == 3


def test_the_decision_is_made_again_after_the_ttl(root, leader_ec, path_validations, monkeypatch):
    signer = pkcs12_signer(leader_ec.p12, leader_ec.password)
    now = datetime.now(VN_TZ)
    check_certificate(signer, at=now, trust_roots=[root.certificate_pem])
    clock = sign.time.monotonic() + sign.TRUST_CACHE_SECONDS + 1
    monkeypatch.setattr(sign.time, "monotonic", lambda: clock)
    check_certificate(signer, at=now, trust_roots=[root.certificate_pem])
    assert len(path_validations) == 2


def test_the_decision_covers_only_moments_from_the_check_until_the_ttl(root, leader_ec, path_validations):
    signer = pkcs12_signer(leader_ec.p12, leader_ec.password)
    now = datetime.now(VN_TZ)
    roots = [root.certificate_pem]
    check_certificate(signer, at=now, trust_roots=roots)
    check_certificate(signer, at=now - timedelta(seconds=1), trust_roots=roots)  # earlier: checked again
    check_certificate(signer, at=now + timedelta(seconds=sign.TRUST_CACHE_SECONDS + 1), trust_roots=roots)
    assert len(path_validations) == 3


def test_expiry_is_checked_on_every_call(root, path_validations):
    now = datetime.now(VN_TZ)
    short = pki.issue_personal(
        root,
        full_name="Phạm Ngắn",
        personal_id="6",
        agency="Sở",
        valid_days=1,
        not_before=now - timedelta(hours=23),
    )
    signer = pkcs12_signer(short.p12, short.password)
    check_certificate(signer, at=now, trust_roots=[root.certificate_pem])
    with pytest.raises(SigningRefused, match="hết hạn"):
        check_certificate(signer, at=now + timedelta(hours=2), trust_roots=[root.certificate_pem])


def test_other_trust_roots_are_another_decision(root, leader_ec):
    signer = pkcs12_signer(leader_ec.p12, leader_ec.password)
    now = datetime.now(VN_TZ)
    check_certificate(signer, at=now, trust_roots=[root.certificate_pem])
    other_root = pki.make_demo_root(name="Khác DEMO Root")
    with pytest.raises(SigningRefused, match="tin cậy"):
        check_certificate(signer, at=now, trust_roots=[other_root.certificate_pem])


def test_fetched_revocation_is_never_cached(root, leader_ec, path_validations, monkeypatch):
    signer = pkcs12_signer(leader_ec.p12, leader_ec.password)
    monkeypatch.setattr(sign, "_validate_path", lambda *a, **k: path_validations.append(1))
    now = datetime.now(VN_TZ)
    for _ in range(2):
        check_certificate(signer, at=now, trust_roots=[root.certificate_pem], fetch_revocation=True)
    assert len(path_validations) == 2
