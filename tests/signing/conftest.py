"""Fixtures for the signing tests: a one-page A4 test PDF (typst, Vietnamese text), a demo PKI."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from taicho.signing import pki
from taicho.signing.sign import VN_TZ, SignatureBox

TYPST_SOURCE = """
#set page(paper: "a4", margin: 2cm)
#set text(font: "TeX Gyre Termes", size: 13pt, lang: "vi")
#align(center)[*CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM* \\ *Độc lập - Tự do - Hạnh phúc*]
#v(1cm)
#align(center)[*GIẤY CHỨNG NHẬN* \\ Kết quả giải quyết thủ tục hành chính]
#v(0.5cm)
Sở Tư pháp tỉnh Quảng Ninh chứng nhận ông Nguyễn Văn Bình, sinh ngày 12/03/1985, đã được cấp Phiếu lý lịch
tư pháp số 123/2026/LLTP theo hồ sơ 000.00.12.H49-260112-0001.
#v(2cm)
#align(right)[#box(width: 8cm)[#align(center)[*KT. GIÁM ĐỐC* \\ *PHÓ GIÁM ĐỐC* #v(3cm) *Trần Thị Hương*]]]
"""

# The signature box between the title and the full name (points, bottom-left origin, A4 = 595.28 x 841.89).
LEADER_BOX = SignatureBox(page=0, x1=330.0, y1=440.0, x2=520.0, y2=525.0)
SIGNING_TIME = datetime.now(VN_TZ).replace(microsecond=0)


@pytest.fixture(scope="session")
def test_pdf() -> bytes:
    import typst

    font_dir = str(Path(pki.font_path()).parent)
    return typst.compile(TYPST_SOURCE.encode(), format="pdf", font_paths=[font_dir])


@pytest.fixture(scope="session")
def root() -> pki.Credential:
    return pki.make_demo_root()


@pytest.fixture(scope="session", params=["ecdsa-p256", "rsa-2048"])
def leader(request, root) -> pki.Credential:
    return pki.issue_personal(
        root,
        full_name="Trần Thị Hương",
        personal_id="022185001234",
        agency="Sở Tư pháp tỉnh Quảng Ninh",
        key=request.param,
    )


@pytest.fixture(scope="session")
def leader_ec(root) -> pki.Credential:
    return pki.issue_personal(
        root, full_name="Trần Thị Hương", personal_id="022185001234", agency="Sở Tư pháp tỉnh Quảng Ninh"
    )


@pytest.fixture(scope="session")
def organisation(root) -> pki.Credential:
    return pki.issue_organisation(root, agency_name="Sở Tư pháp tỉnh Quảng Ninh", agency_code="000.00.12.H49")


@pytest.fixture(scope="session")
def signature_png() -> bytes:
    return pki.signature_image_png("Trần Thị Hương")


@pytest.fixture(scope="session")
def seal_png() -> bytes:
    return pki.seal_image_png("Sở Tư pháp tỉnh Quảng Ninh", parent_name="UBND tỉnh Quảng Ninh")


@pytest.fixture
def nssdb(tmp_path, root) -> Path:
    """An NSS database holding only the demo root, trusted for signing."""
    if not shutil.which("certutil"):
        pytest.skip("Thiếu certutil (Debian: libnss3-tools)")
    db = tmp_path / "nss"
    db.mkdir()
    subprocess.run(["certutil", "-N", "--empty-password", "-d", f"sql:{db}"], check=True, capture_output=True)
    root_pem = tmp_path / "root.pem"
    root_pem.write_bytes(root.certificate_pem)
    subprocess.run(
        [
            "certutil",
            "-A",
            "-d",
            f"sql:{db}",
            "-n",
            "taicho-demo-root",
            "-t",
            "CT,C,C",
            "-a",
            "-i",
            str(root_pem),
        ],
        check=True,
        capture_output=True,
    )
    return db


def pdfsig(path: Path, nssdb: Path) -> list[dict[str, str]]:
    """Run poppler's pdfsig; one dict per signature with 'validation', 'coverage', 'signer'."""
    proc = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nssdb}", str(path)], capture_output=True, text=True, check=False
    )
    sigs: list[dict[str, str]] = []
    for line in proc.stdout.splitlines():
        s = line.strip()
        if s.startswith("Signature #"):
            sigs.append({})
        elif sigs and ":" in s and s.startswith("- "):
            key, _, val = s[2:].partition(":")
            sigs[-1][key.strip()] = val.strip()
        elif sigs and s.startswith("- ") and "document signed" in s:
            sigs[-1]["coverage"] = s[2:]
        elif sigs and s.startswith("- ") and "document signed" not in s:
            sigs[-1].setdefault("other", s[2:])
    if not sigs:
        raise AssertionError(f"pdfsig: {proc.stdout}\n{proc.stderr}")
    return sigs
