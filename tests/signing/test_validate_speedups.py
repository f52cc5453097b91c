"""validate_pdf gives the same report — every verdict, problem and detail — with the replacements of
`taicho.signing._speedups` as with pyHanko's and asn1crypto's own functions, on sound and on broken files."""

from __future__ import annotations

import pytest

from taicho.signing import _speedups, pki
from taicho.signing.sign import apply_seal, sign_as_leader
from taicho.signing.signers import pkcs12_signer
from taicho.signing.validate import validate_pdf

from .conftest import LEADER_BOX, SIGNING_TIME
from .test_sign_validate import AGENCY, _append_annotation, _flip_inside_signed_range, _signed


def _reports(monkeypatch, pdf: bytes, **kwargs):
    """The report with our functions (their caches empty, then filled), and with the originals."""
    _speedups._prepared_strings.clear()
    _speedups._self_equal_encodings.clear()
    cold = validate_pdf(pdf, **kwargs)
    warm = validate_pdf(pdf, **kwargs)
    with monkeypatch.context() as patch:
        for owner, attribute, _ours, original in _speedups.PATCHES:
            patch.setattr(owner, attribute, original)
        theirs = validate_pdf(pdf, **kwargs)
    assert cold == warm == theirs
    return theirs


def test_sealed_result(test_pdf, leader, organisation, root, signature_png, seal_png, monkeypatch):
    pdf = _signed(test_pdf, leader, organisation, signature_png, seal_png)
    report = _reports(monkeypatch, pdf, trust_roots=[root.certificate_pem], expect_seal=True)
    assert report.ok and [s.modification_level for s in report.signatures] == ["FORM_FILLING", "NONE"]
    strict = _reports(
        monkeypatch, pdf, trust_roots=[root.certificate_pem], expect_seal=True, require_revocation_info=True
    )
    assert not strict.ok


def test_broken_results(test_pdf, leader_ec, organisation, root, signature_png, seal_png, monkeypatch):
    roots = [root.certificate_pem]
    pdf = _signed(test_pdf, leader_ec, organisation, signature_png, seal_png)

    flipped = _reports(monkeypatch, _flip_inside_signed_range(pdf), trust_roots=roots)
    assert not flipped.ok and not any(s.intact for s in flipped.signatures)

    appended = _reports(monkeypatch, _append_annotation(pdf), trust_roots=roots, expect_seal=True)
    assert not appended.ok and appended.signatures[-1].modification_level in ("ANNOTATIONS", "OTHER")

    other_root = pki.make_demo_root(name="Không tin cậy DEMO Root")
    untrusted = _reports(monkeypatch, pdf, trust_roots=[other_root.certificate_pem])
    assert not untrusted.ok and not any(s.trusted for s in untrusted.signatures)

    leader_only = sign_as_leader(
        test_pdf,
        signer=pkcs12_signer(leader_ec.p12, leader_ec.password),
        box=LEADER_BOX,
        image_png=signature_png,
        signing_time=SIGNING_TIME,
    )
    assert not _reports(monkeypatch, leader_only, trust_roots=roots, expect_seal=True).ok

    # The document changed between the leader's signature and the seal.
    changed_then_sealed = apply_seal(
        _append_annotation(leader_only),
        signer=pkcs12_signer(organisation.p12, organisation.password),
        box=LEADER_BOX,
        seal_png=seal_png,
        agency_name=AGENCY,
        signing_time=SIGNING_TIME,
    )
    report = _reports(monkeypatch, changed_then_sealed, trust_roots=roots, expect_seal=True)
    assert not report.ok and report.signatures[0].modification_level in ("ANNOTATIONS", "OTHER")

    assert not _reports(monkeypatch, test_pdf, trust_roots=roots).ok  # no signature
    assert not _reports(monkeypatch, pdf[: len(pdf) // 2], trust_roots=roots).ok  # cut short


def test_revoked_signer(test_pdf, root, organisation, signature_png, seal_png, monkeypatch):
    revoked = pki.issue_personal(root, full_name="Đỗ Thu Hồi", personal_id="4", agency="Sở")
    pdf = _signed(test_pdf, revoked, organisation, signature_png, seal_png)
    crl = pki.make_crl(root, [revoked.serial])
    report = _reports(monkeypatch, pdf, trust_roots=[root.certificate_pem], crls=[crl])
    assert not report.ok and any("thu hồi" in p for p in report.signatures[0].problems)


@pytest.mark.parametrize("position", [0.1, 0.3, 0.5, 0.7, 0.9, 0.97])
def test_damaged_bytes(
    test_pdf, leader_ec, organisation, root, signature_png, seal_png, monkeypatch, position
):
    """A few bytes overwritten somewhere in the file (objects, cross-reference data, signatures)."""
    pdf = bytearray(_signed(test_pdf, leader_ec, organisation, signature_png, seal_png))
    at = int(len(pdf) * position)
    pdf[at : at + 3] = b"/%("
    assert not _reports(monkeypatch, bytes(pdf), trust_roots=[root.certificate_pem], expect_seal=True).ok
