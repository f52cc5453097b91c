import gc
import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taicho.settings")
application = get_wsgi_application()


def warm_up() -> None:
    """Load at start what the first requests of each worker would otherwise pay for (~1–2 s: pyHanko and
    asn1crypto, the API's schemas, typst's fonts and compilers, the seal's Vietnamese font), then move what
    start-up allocated out of the garbage collector's way: ``gc.freeze`` keeps the long-lived heap (Django,
    the libraries, the URL configuration) out of every later full collection, which otherwise scanned all of
    it (50–160 ms each) — and a forked worker keeps sharing those pages with its parent. Touches no
    database (a worker opens its own connection)."""
    try:
        from django.urls import get_resolver

        from taicho.documents import render
        from taicho.signing import sign, validate  # noqa: F401

        get_resolver().url_patterns  # noqa: B018  (imports every view and API module)
        for template in (*render.FORMS, *render.RESULT_TEMPLATES):
            render._compiler(template)
        sign._vietnamese_font()
    except Exception:  # the server still starts; the first request that needs it reports the problem
        logging.getLogger(__name__).exception("Không chuẩn bị trước được mẫu in / phông chữ khi khởi động")
    gc.collect()
    gc.freeze()


if os.environ.get("TAICHO_WARM_UP", "1") == "1":
    warm_up()
