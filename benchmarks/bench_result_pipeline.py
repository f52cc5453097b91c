"""Issue a result the way taicho does — render (typst), leader's signature, agency's e-seal, validation — and
compare our signing with bare pyHanko on the same PDF.

    .venv/bin/python benchmarks/bench_result_pipeline.py [runs]

For RSA-2048 and ECDSA P-256 prints medians (ms) of each stage and of the whole pipeline, plus two pyHanko
baselines with the key parsed once: an invisible signature, and a visible one with the same signature image.
Each render is of another dossier (a new code and short URL), as in service: typst memoizes a render of unchanged
data, which would understate the render.
"""

from __future__ import annotations

import io
import itertools
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from pyhanko.pdf_utils.images import PdfImage  # noqa: E402
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: E402
from pyhanko.sign import fields, signers  # noqa: E402
from pyhanko.stamp import StaticStampStyle  # noqa: E402
from tests.documents.samples import RESULTS  # noqa: E402

from taicho.documents.render import render_result  # noqa: E402
from taicho.signing import pki  # noqa: E402
from taicho.signing.sign import SignatureBox, apply_seal, sign_as_leader  # noqa: E402
from taicho.signing.signers import pkcs12_signer  # noqa: E402
from taicho.signing.validate import validate_pdf  # noqa: E402

VN = timezone(timedelta(hours=7))
AGENCY = "Ủy ban nhân dân phường Hạ Long"


def median_ms(fn, runs: int) -> float:
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


_DOSSIERS = itertools.count(1)


def another_dossier(data: dict) -> dict:
    """The same paper for the next dossier: what changes from one paper to the next (code, QR, short URL)."""
    n = next(_DOSSIERS)
    return {
        **data,
        "dossier_code": f"000.00.31.H49-261127-{n:04d}",
        "short_url": f"https://hcc.qn.gov.vn/v/B{n:05d}",
    }


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    data = dict(RESULTS["copy_certification"], issued_at=datetime(2026, 11, 27, 9, 30, tzinfo=VN))
    rendered = render_result("copy_certification", data)
    b = rendered.boxes["signature"]
    box = SignatureBox(b.page, b.x1, b.y1, b.x2, b.y2)
    root = pki.make_demo_root()
    signature_png = pki.signature_image_png("Trần Quốc Hưởng")
    seal_png = pki.seal_image_png(AGENCY, parent_name="Ủy ban nhân dân tỉnh Quảng Ninh")
    print(
        f"median of {runs} runs, ms (render of the copy certification: {median_ms(lambda: render_result('copy_certification', another_dossier(data)), runs):.1f})"
    )
    print(
        f"{'key':<11} {'render':>7} {'leader':>7} {'seal':>7} {'validate':>9} {'pipeline':>9} {'bare':>6} {'bare+img':>9} {'leader/bare+img':>16}"
    )
    for key in ("rsa-2048", "ecdsa-p256"):
        lead = pki.issue_personal(
            root, full_name="Trần Quốc Hưởng", personal_id="022078003456", agency=AGENCY, key=key
        )
        org = pki.issue_organisation(root, agency_name=AGENCY, agency_code="000.00.31.H49", key=key)
        leader, seal = pkcs12_signer(lead.p12, lead.password), pkcs12_signer(org.p12, org.password)
        roots = [root.certificate_pem]

        def pipeline(leader=leader, seal=seal, roots=roots) -> bytes:
            pdf = render_result("copy_certification", another_dossier(data)).pdf
            signed = sign_as_leader(pdf, signer=leader, box=box, image_png=signature_png)
            sealed = apply_seal(signed, signer=seal, box=box, seal_png=seal_png, agency_name=AGENCY)
            assert validate_pdf(sealed, trust_roots=roots, expect_seal=True).ok
            return sealed

        signed = sign_as_leader(rendered.pdf, signer=leader, box=box, image_png=signature_png)
        sealed = apply_seal(signed, signer=seal, box=box, seal_png=seal_png, agency_name=AGENCY)
        # pdf.md pitfall 1: SimpleSigner re-parses the key each time; the baseline gets a parsed key too.
        bare_signer = pkcs12_signer(lead.p12, lead.password).pyhanko_signer()
        from PIL import Image

        image = PdfImage(Image.open(io.BytesIO(signature_png)))

        def bare(bare_signer=bare_signer) -> None:
            writer = IncrementalPdfFileWriter(io.BytesIO(rendered.pdf))
            signers.sign_pdf(
                writer,
                signers.PdfSignatureMetadata(field_name="Sig", md_algorithm="sha256"),
                signer=bare_signer,
            )

        def bare_with_image(bare_signer=bare_signer, image=image) -> None:
            writer = IncrementalPdfFileWriter(io.BytesIO(rendered.pdf))
            fields.append_signature_field(
                writer,
                fields.SigFieldSpec(
                    "Sig", on_page=box.page, box=(int(box.x1), int(box.y1), int(box.x2), int(box.y2))
                ),
            )
            signer = signers.PdfSigner(
                signers.PdfSignatureMetadata(field_name="Sig", md_algorithm="sha256"),
                signer=bare_signer,
                stamp_style=StaticStampStyle(background=image, border_width=0, background_opacity=1),
            )
            signer.sign_pdf(writer)

        leader_ms = median_ms(
            lambda leader=leader: sign_as_leader(
                rendered.pdf, signer=leader, box=box, image_png=signature_png
            ),
            runs,
        )
        bare_img_ms = median_ms(bare_with_image, runs)
        print(
            f"{key:<11} {median_ms(lambda: render_result('copy_certification', another_dossier(data)), runs):7.1f} {leader_ms:7.1f} "
            f"{median_ms(lambda signed=signed, seal=seal: apply_seal(signed, signer=seal, box=box, seal_png=seal_png, agency_name=AGENCY), runs):7.1f} "
            f"{median_ms(lambda sealed=sealed, roots=roots: validate_pdf(sealed, trust_roots=roots, expect_seal=True), runs):9.1f} "
            f"{median_ms(pipeline, runs):9.1f} {median_ms(bare, runs):6.1f} {bare_img_ms:9.1f} {leader_ms / bare_img_ms:15.2f}×"
        )


if __name__ == "__main__":
    main()
