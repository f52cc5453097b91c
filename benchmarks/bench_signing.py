"""Micro-benchmark of PDF signing (``taicho.signing``).

Run: ``.venv/bin/python benchmarks/bench_signing.py [repeat]``. For RSA-2048 and ECDSA P-256 prints the median
milliseconds of: the leader's signature (blue image), the agency seal (red image + Vietnamese text), validating
both, and — as the floor — bare pyHanko signing of the same PDF (``signers.sign_pdf`` with a SimpleSigner,
no appearance). Keys are parsed once (pdf.md pitfall 1), the process is warm.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import typst  # noqa: E402
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: E402
from pyhanko.sign import signers  # noqa: E402

from taicho.signing import pki  # noqa: E402
from taicho.signing.sign import SignatureBox, apply_seal, sign_as_leader  # noqa: E402
from taicho.signing.signers import pkcs12_signer  # noqa: E402
from taicho.signing.validate import validate_pdf  # noqa: E402

SOURCE = """
#set page(paper: "a4", margin: 2cm)
#set text(font: "TeX Gyre Termes", size: 13pt, lang: "vi")
#align(center)[*GIẤY CHỨNG NHẬN* \\ Kết quả giải quyết thủ tục hành chính]
Sở Tư pháp tỉnh Quảng Ninh chứng nhận ông Nguyễn Văn Bình đã được cấp Phiếu lý lịch tư pháp.
#align(right)[*KT. GIÁM ĐỐC* \\ *PHÓ GIÁM ĐỐC* #v(3cm) *Trần Thị Hương*]
"""
BOX = SignatureBox(page=0, x1=330.0, y1=440.0, x2=520.0, y2=525.0)
AGENCY = "Sở Tư pháp tỉnh Quảng Ninh"


def median_ms(fn, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    pdf = typst.compile(SOURCE.encode(), format="pdf", font_paths=[str(Path(pki.font_path()).parent)])
    root = pki.make_demo_root()
    sig_png = pki.signature_image_png("Trần Thị Hương")
    seal_png = pki.seal_image_png(AGENCY)
    rows = []
    for key in ("rsa-2048", "ecdsa-p256"):
        lead = pki.issue_personal(root, full_name="Trần Thị Hương", personal_id="1", agency=AGENCY, key=key)
        org = pki.issue_organisation(root, agency_name=AGENCY, agency_code="000.00.12.H49", key=key)
        ls, os_ = pkcs12_signer(lead.p12, lead.password), pkcs12_signer(org.p12, org.password)
        s1 = sign_as_leader(pdf, signer=ls, box=BOX, image_png=sig_png)
        s2 = apply_seal(s1, signer=os_, box=BOX, seal_png=seal_png, agency_name=AGENCY)
        assert validate_pdf(s2, trust_roots=[root.certificate_pem], expect_seal=True).ok
        bare_signer = signers.SimpleSigner.load_pkcs12_data(lead.p12, [], passphrase=lead.password)

        def bare(bare_signer=bare_signer):
            w = IncrementalPdfFileWriter(io.BytesIO(pdf))
            signers.sign_pdf(
                w, signers.PdfSignatureMetadata(field_name="Sig", md_algorithm="sha256"), signer=bare_signer
            )

        rows.append(
            (
                key,
                median_ms(lambda ls=ls: sign_as_leader(pdf, signer=ls, box=BOX, image_png=sig_png), repeat),
                median_ms(
                    lambda s1=s1, os_=os_: apply_seal(
                        s1, signer=os_, box=BOX, seal_png=seal_png, agency_name=AGENCY
                    ),
                    repeat,
                ),
                median_ms(
                    lambda s2=s2: validate_pdf(s2, trust_roots=[root.certificate_pem], expect_seal=True),
                    repeat,
                ),
                median_ms(bare, repeat),
                len(s2) // 1024,
            )
        )
    print(f"median of {repeat} runs, ms")
    print(f"{'key':<11} {'leader':>8} {'seal':>8} {'validate2':>10} {'bare pyHanko':>13} {'signed KiB':>11}")
    for key, a, b, c, d, size in rows:
        print(f"{key:<11} {a:8.1f} {b:8.1f} {c:10.1f} {d:13.1f} {size:11d}")


if __name__ == "__main__":
    main()
