"""Shared fixtures: the real public data beside the repo, named personas, a fresh calendar per test."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE_DATA = REPO / "src" / "taicho"


@pytest.fixture(autouse=True)
def _forget_signers():
    """Signers (and PKCS#11 sessions) are kept per process; each test starts without them."""
    yield
    from taicho.signing.services import forget_signers

    forget_signers()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests hash passwords with MD5: the production hasher (PBKDF2, 1,000,000 rounds, ~0.4 s a password on these
    machines) made every demo build (~20 accounts) cost seconds. Logging in works the same."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


SOFTHSM_LIBS = ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"]
SOFTHSM_TOKENS = 12


@pytest.fixture(scope="session")
def _softhsm_module(tmp_path_factory):
    """One SoftHSM2 store per test process with its tokens made up front: the library reads its configuration
    and token list once per process, so a token made later would be invisible to it."""
    if not shutil.which("softhsm2-util") or not shutil.which("pkcs11-tool"):
        pytest.skip("Thiếu softhsm2-util/pkcs11-tool (Debian: softhsm2, opensc)")
    lib = next((p for p in SOFTHSM_LIBS if os.path.exists(p)), None)
    if lib is None:
        pytest.skip("Không tìm thấy libsofthsm2.so")
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    os.environ["SOFTHSM2_CONF"] = str(conf)
    for n in range(SOFTHSM_TOKENS):
        subprocess.run(
            [
                "softhsm2-util",
                "--init-token",
                "--free",
                "--label",
                f"token{n:02d}",
                "--pin",
                "123456",
                "--so-pin",
                "12345678",
            ],
            check=True,
            capture_output=True,
        )
    return lib, itertools.count()


@pytest.fixture
def softhsm_token(_softhsm_module):
    """(library path, label of a token no other test of this process uses); user PIN 123456."""
    lib, counter = _softhsm_module
    n = next(counter)
    if n >= SOFTHSM_TOKENS:
        pytest.fail("raise SOFTHSM_TOKENS: more PKCS#11 tests than prepared tokens")
    return lib, f"token{n:02d}"


def load_into_token(lib: str, token: str, credential, key_label: str, folder: Path) -> None:  # type: ignore[no-untyped-def]
    """Put a demo credential's key and certificate on a SoftHSM token, as a CA puts them on a USB token."""
    from cryptography.hazmat.primitives.serialization import Encoding

    (folder / f"{key_label}.pem").write_bytes(credential.private_key_pem())
    (folder / f"{key_label}.der").write_bytes(credential.certificate.public_bytes(Encoding.DER))
    subprocess.run(
        [
            "softhsm2-util",
            "--import",
            str(folder / f"{key_label}.pem"),
            "--token",
            token,
            "--label",
            key_label,
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
            lib,
            "--token-label",
            token,
            "--login",
            "--pin",
            "123456",
            "--write-object",
            str(folder / f"{key_label}.der"),
            "--type",
            "cert",
            "--id",
            "01",
            "--label",
            key_label,
        ],
        check=True,
        capture_output=True,
    )


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """Calendars are cached per process; each test starts from its own database state."""
    from taicho.core import calendar

    calendar.invalidate()
    yield
    calendar.invalidate()


@pytest.fixture
def shared_data() -> Path:
    """`../shared/data` (the real public data). Tests that need only what the package ships use the package
    data fixtures below instead, so they run on a clone without shared/."""
    path = REPO.parent / "shared" / "data"
    if not path.is_dir():
        pytest.skip("../shared/data không có trên máy này")
    return path


@pytest.fixture
def catalog_detail_file() -> Path:
    return PACKAGE_DATA / "catalog" / "data" / "tthc-bo-tu-phap-details.jsonl.gz"


@pytest.fixture
def catalog_list_file() -> Path:
    return PACKAGE_DATA / "catalog" / "data" / "danh-sach-tthc-BoTuPhap.xlsx"


@pytest.fixture
def province(db):
    from taicho.org.models import Agency
    from taicho.org.services import create_agency

    return create_agency(
        code="000.00.00.H49", name="Ủy ban nhân dân tỉnh Quảng Ninh", level=Agency.Level.PROVINCE
    )


@pytest.fixture
def justice(province):
    from taicho.org.models import Agency
    from taicho.org.services import create_agency

    return create_agency(
        code="000.00.12.H49",
        name="Sở Tư pháp tỉnh Quảng Ninh",
        level=Agency.Level.DEPARTMENT,
        parent=province,
    )


@pytest.fixture
def other_agency(province):
    from taicho.org.models import Agency
    from taicho.org.services import create_agency

    return create_agency(
        code="000.00.20.H49",
        name="Sở Xây dựng tỉnh Quảng Ninh",
        level=Agency.Level.DEPARTMENT,
        parent=province,
    )


@pytest.fixture
def make_staff(db):
    from taicho.org.services import create_staff

    counter = {"n": 0}

    def make(*roles: str, agency=None, **fields):
        counter["n"] += 1
        return create_staff(
            username=fields.pop("username", f"staff{counter['n']}"),
            password="mật-khẩu-thử-1",
            full_name=fields.pop("full_name", f"Cán bộ {counter['n']}"),
            roles=roles,
            agency=agency,
            **fields,
        )

    return make


@pytest.fixture
def demo(db, settings, tmp_path):
    """The demo installation with its PKI, in this test's own folders."""
    settings.PKI_DIR = tmp_path / "pki"
    settings.MEDIA_ROOT = tmp_path / "media"
    from taicho.demo import build_demo

    return build_demo()


@pytest.fixture
def people(demo):
    from taicho.org.models import Staff

    return {s.username: s for s in Staff.objects.all()}
