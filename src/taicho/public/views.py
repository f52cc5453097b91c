"""Public verification of issued results: the QR on a paper opens /v/<code>; anyone may upload a PDF to compare it
with the electronic original. Shows only what the paper itself shows; rate-limited."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from taicho.documents.selectors import public_document
from taicho.public.forms import CheckFileForm
from taicho.public.ratelimit import allow

MAX_UPLOAD = 20 * 1024 * 1024


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, code: str) -> HttpResponse:
    if not allow(request, "verify", settings.VERIFY_RATE_PER_MINUTE):
        return render(request, "public/rate_limited.html", {"title": _("Quá nhiều yêu cầu")}, status=429)
    document = public_document(code)
    if document is None:
        return render(request, "public/not_found.html", {"code": code[:40]}, status=404)
    form = CheckFileForm(request.POST or None, request.FILES or None)
    check = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["pdf"]
        if upload.size > MAX_UPLOAD:
            form.add_error("pdf", _("Tệp quá lớn (tối đa 20 MB)."))
        else:
            content = upload.read()
            digest = hashlib.sha256(content).hexdigest()
            check = {"sha256": digest, "matches": digest == document.sha256}
            if not check["matches"]:
                from taicho.signing import services as signing
                from taicho.signing.validate import validate_pdf

                try:
                    report = validate_pdf(
                        content, trust_roots=signing.trust_roots(), crls=signing.crls(), expect_seal=True
                    )
                    check["problems"] = list(report.problems) or [
                        _("Tệp có chữ ký hợp lệ nhưng không phải bản gốc của văn bản này.")
                    ]
                except Exception:  # a file that is not a PDF at all
                    check["problems"] = [_("Không đọc được tệp này như một tệp PDF.")]
    return render(request, "public/verify.html", {"document": document, "form": form, "check": check})


@require_http_methods(["GET"])
def track(request: HttpRequest, code: str) -> HttpResponse:
    """Where the receipt's QR leads: the dossier's progress by its code — procedure, agency, dates and status,
    nothing about the person (the code is printed on the receipt the citizen holds)."""
    from taicho.dossiers.models import Dossier

    if not allow(request, "track", settings.VERIFY_RATE_PER_MINUTE):
        return render(request, "public/rate_limited.html", {"title": _("Quá nhiều yêu cầu")}, status=429)
    dossier = (
        Dossier.objects.select_related("procedure", "agency", "version").filter(code=code[:64]).first()
        if code
        else None
    )
    if dossier is None:
        return render(request, "public/track_not_found.html", {"code": code[:64]}, status=404)
    return render(request, "public/track.html", {"dossier": dossier})
