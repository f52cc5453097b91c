"""A small fixed-window rate limit on the shared cache, per client address and bucket."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    # Behind the TLS proxy the client is the first X-Forwarded-For hop; the proxy must overwrite that header.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR", "")


def allow(request: HttpRequest, bucket: str, per_minute: int) -> bool:
    """Count this request; False once the address has made ``per_minute`` requests in this minute."""
    window = int(time.time() // 60)
    key = f"rl:{bucket}:{client_address(request)}:{window}"
    if cache.add(key, 1, timeout=70):
        return per_minute >= 1
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=70)
        count = 1
    return count <= per_minute
