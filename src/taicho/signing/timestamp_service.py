"""A local RFC 3161 time-stamping authority (TSA) over HTTP, for tests and the demo (``http.server`` in a
thread, loopback only).

Protocol (RFC 3161 §3.4): ``POST`` with ``Content-Type: application/timestamp-query`` and a DER
``TimeStampReq`` body → ``200`` with ``Content-Type: application/timestamp-reply`` and a DER
``TimeStampResp``. A request the TSA cannot serve (unparsable, unknown hash algorithm, wrong imprint length)
gets a ``TimeStampResp`` with status ``rejection`` and the matching ``PKIFailureInfo``; a request that is not
a timestamp query gets ``415``.

The token itself is made by pyHanko's :class:`~pyhanko.sign.timestamps.DummyTimeStamper` (a complete TSA:
``TSTInfo`` with the request's imprint and nonce, signed by the TSA key with the ``signing-certificate``
attribute, the TSA certificate embedded) — it signs with RSA keys only, hence :func:`~taicho.signing.pki.issue_tsa`
issues RSA-2048 by default. Not for production: a real TSA is a licensed service.

Use::

    tsa = pki.issue_tsa(root)
    with TimestampService(tsa) as svc:
        sign_as_leader(..., timestamp_url=svc.url)
"""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .pki import Credential

__all__ = ["TimestampService"]

QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
#: Accepted message-imprint hash algorithms and their digest lengths.
DIGEST_LENGTHS = {"sha256": 32, "sha384": 48, "sha512": 64}
MAX_REQUEST_BYTES = 64 * 1024


def _rejection(failure: str, text: str) -> tsp.TimeStampResp:
    return tsp.TimeStampResp(
        {
            "status": tsp.PKIStatusInfo(
                {
                    "status": tsp.PKIStatus("rejection"),
                    "status_string": [text],
                    "fail_info": tsp.PKIFailureInfo({failure}),
                }
            )
        }
    )


class TimestampService:
    """``with TimestampService(tsa_credential) as svc: svc.url`` — an RFC 3161 TSA serving until closed.

    ``tsa`` is a :class:`~taicho.signing.pki.Credential` whose certificate is a TSA certificate (EKU
    id-kp-timeStamping, critical — :func:`~taicho.signing.pki.issue_tsa`) with an RSA key. ``requests``
    counts the queries answered (granted or rejected)."""

    def __init__(self, tsa: Credential, *, host: str = "127.0.0.1", port: int = 0):
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise ValueError("Dịch vụ cấp dấu thời gian thử chỉ nghe trên loopback")
        from pyhanko.sign.timestamps import DummyTimeStamper

        priv = tsa.private_key()
        if not isinstance(priv, rsa.RSAPrivateKey):
            raise ValueError("Dịch vụ cấp dấu thời gian thử chỉ hỗ trợ khóa RSA")
        cert = asn1_x509.Certificate.load(_pem_to_der(tsa.certificate_pem))
        key_info = asn1_keys.PrivateKeyInfo.load(
            priv.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        chain = [asn1_x509.Certificate.load(_pem_to_der(p)) for p in tsa.chain_pem]
        self.certificate = cert
        self._stamper = DummyTimeStamper(
            tsa_cert=cert, tsa_key=key_info, certs_to_embed=SimpleCertificateStore.from_certs(chain)
        )
        self._lock = threading.Lock()
        self.requests = 0
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _send(self, code: int, content_type: str, data: bytes) -> None:
                self.send_response(code)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._send(405, "text/plain; charset=utf-8", "Chỉ nhận POST (RFC 3161)".encode())

            def do_POST(self):
                ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
                try:
                    length = int(self.headers.get("Content-Length", "0"))
                except ValueError:
                    length = -1
                if ctype != QUERY_TYPE or not 0 < length <= MAX_REQUEST_BYTES:
                    return self._send(415, "text/plain; charset=utf-8", f"Cần {QUERY_TYPE}".encode())
                body = self.rfile.read(length)
                resp = service.respond(body)
                self._send(200, REPLY_TYPE, resp.dump())

        server_class = ThreadingHTTPServer
        if ":" in host:

            class _Server6(ThreadingHTTPServer):
                address_family = socket.AF_INET6

            server_class = _Server6
        self._server = server_class((host, port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def respond(self, body: bytes) -> tsp.TimeStampResp:
        """The ``TimeStampResp`` for a DER ``TimeStampReq`` (granted, or a rejection)."""
        with self._lock:
            self.requests += 1
        try:
            req = tsp.TimeStampReq.load(body)
            imprint = req["message_imprint"]
            algorithm = imprint["hash_algorithm"]["algorithm"].native
            digest = imprint["hashed_message"].native
            _ = req["nonce"].native  # force parsing of the rest
        except Exception:
            return _rejection("bad_data_format", "Yêu cầu dấu thời gian không đọc được")
        if algorithm not in DIGEST_LENGTHS:
            return _rejection("bad_alg", f"Không hỗ trợ thuật toán băm {algorithm}")
        if len(digest) != DIGEST_LENGTHS[algorithm]:
            return _rejection("bad_data_format", "Độ dài giá trị băm không khớp thuật toán")
        if req["req_policy"].native is not None:
            return _rejection("unaccepted_policy", "Không hỗ trợ chính sách được yêu cầu")
        return self._stamper.request_tsa_response(req)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        host_text = host.decode() if isinstance(host, bytes) else str(host)
        if ":" in host_text:
            host_text = f"[{host_text}]"
        return f"http://{host_text}:{port}/"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _pem_to_der(pem: bytes) -> bytes:
    from cryptography import x509

    return x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)
