"""A local remote-signing service for tests and the demo (``http.server`` in a thread, loopback only).

Protocol (JSON over HTTP):

``POST /sign`` with header ``Authorization: Bearer <token>`` and body::

    {"key_id": "...", "digest_b64": "<base64 SHA-256 digest>",
     "digest_algorithm": "sha256", "signature_algorithm": "ecdsa" | "rsassa_pkcs1v15"}

→ ``200 {"signature_b64": "<base64 raw signature>"}`` (ECDSA: DER ``Ecdsa-Sig-Value``; RSA: PKCS#1 v1.5
over ``DigestInfo``). Errors: ``401`` bad/missing token, ``404`` unknown key, ``400`` bad request — each with
``{"error": "<Vietnamese message>"}``. Only the digest travels; the document never leaves the caller.
"""

from __future__ import annotations

import base64
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .signers import DIGEST_ALGORITHM, LocalKeySigner, signature_algorithm_for

__all__ = ["RemoteSigningService"]


class RemoteSigningService:
    """``with RemoteSigningService({"key-1": signer}, token="...") as svc: svc.url`` — serves until closed."""

    def __init__(
        self, keys: dict[str, LocalKeySigner], *, token: str, host: str = "127.0.0.1", port: int = 0
    ):
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise ValueError("Dịch vụ ký thử chỉ nghe trên loopback")
        self.keys = dict(keys)
        self.token = token
        self.requests = 0
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _reply(self, code: int, body: dict) -> None:
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                service.requests += 1
                if self.path.rstrip("/") != "/sign":
                    return self._reply(404, {"error": "Không có đường dẫn này"})
                auth = self.headers.get("Authorization", "")
                if not (
                    auth.startswith("Bearer ")
                    and hmac.compare_digest(auth[7:].encode(), service.token.encode())
                ):
                    return self._reply(401, {"error": "Mã xác thực không đúng"})
                try:
                    length = int(self.headers.get("Content-Length", "0"))
                    req = json.loads(self.rfile.read(length))
                    digest = base64.b64decode(req["digest_b64"], validate=True)
                    key_id = req["key_id"]
                    md = req.get("digest_algorithm", DIGEST_ALGORITHM)
                    sig_alg = req.get("signature_algorithm")
                except (ValueError, KeyError, TypeError):
                    return self._reply(400, {"error": "Yêu cầu không hợp lệ"})
                signer = service.keys.get(key_id)
                if signer is None:
                    return self._reply(404, {"error": f"Không có khóa {key_id}"})
                if md != DIGEST_ALGORITHM or len(digest) != 32:
                    return self._reply(400, {"error": "Chỉ hỗ trợ SHA-256"})
                if sig_alg and sig_alg != signature_algorithm_for(signer.certificate):
                    return self._reply(400, {"error": "Thuật toán ký không khớp với khóa"})
                sig = signer.sign_digest(digest)
                return self._reply(200, {"signature_b64": base64.b64encode(sig).decode()})

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        host_text = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://{host_text}:{port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
