"""A demo installation with its PKI, and a copy certification drafted for the commune."""

from __future__ import annotations

import shutil
import subprocess
from zoneinfo import ZoneInfo

import pytest

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def copy_certification_data() -> dict:
    """A copy certification as the appraiser drafts it (schema: taicho.documents.schemas)."""
    return {
        "parent_agency": "Ủy ban nhân dân tỉnh Quảng Ninh",
        "agency": "Sở Tư pháp tỉnh Quảng Ninh",
        "place": "Quảng Ninh",
        "number": "125/SCT-STP",
        "document_name": "Bằng tốt nghiệp trung học phổ thông số 0123456, Sở Giáo dục và Đào tạo Quảng Ninh cấp",
        "requester_name": "Nguyễn Thị Lan Anh",
        "pages": 1,
        "copies": 2,
        "fee": 4000,
        "fee_rate": "2.000 đồng/trang",
        "book_number": "01/2026",
        "dossier_code": "000.00.12.H49-261127-0001",
        "tthc_code": "2.000815",
        "recipients": ["Người yêu cầu chứng thực;", "Lưu: VT."],
    }


@pytest.fixture
def draft(demo, people):
    from taicho.catalog.models import Procedure
    from taicho.documents.services import draft_result
    from taicho.org.models import Agency

    return draft_result(
        agency=Agency.objects.get(code="000.00.12.H49"),
        procedure=Procedure.objects.get(code="2.000815"),
        template="copy_certification",
        title="Bản sao được chứng thực từ bản chính",
        data=copy_certification_data(),
        created_by=people["tiepnhan"],
        dossier_code="000.00.12.H49-261127-0001",
        owner_id="022186001234",
        number="125/2026",
    )


def pdfsig_report(pdf_path, root_pem: bytes, tmp_path) -> str | None:
    """Poppler's pdfsig with an NSS database that trusts only the demo root; None when the tools are absent."""
    if not (shutil.which("pdfsig") and shutil.which("certutil")):
        return None
    nss = tmp_path / "nss"
    nss.mkdir(exist_ok=True)
    subprocess.run(
        ["certutil", "-N", "--empty-password", "-d", f"sql:{nss}"], check=True, capture_output=True
    )
    root = tmp_path / "root.pem"
    root.write_bytes(root_pem)
    subprocess.run(
        ["certutil", "-A", "-n", "demo-root", "-t", "CT,C,C", "-i", str(root), "-d", f"sql:{nss}"],
        check=True,
        capture_output=True,
    )
    result = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nss}", str(pdf_path)], capture_output=True, text=True
    )
    return result.stdout + result.stderr


def demo_root():
    """The demo root CA that `taicho demo` created under PKI_DIR."""
    from taicho.demo import load_demo_root
    from taicho.signing.services import pki_dir

    return load_demo_root(pki_dir() / "demo-root.p12", (pki_dir() / "demo-root.password").read_bytes())
