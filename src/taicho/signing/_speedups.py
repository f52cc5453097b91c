"""A faster reader for PDF hexadecimal strings in pyHanko (imported for its effect by :mod:`.sign` and
:mod:`.validate`).

pyHanko reads a hex string (``<48656C6C6F>``) one byte at a time through a Python generator. A signature's
``/Contents`` is such a string of ~10,000 hex digits, so reading the two signatures of a sealed result took
~8 ms of every validation (and part of every seal). This reader takes the same input to the same result: it
reads up to the closing ``>``, drops PDF whitespace, pads an odd number of digits with ``0`` (ISO 32000-1
§7.3.4.3) and unhexlifies. Anything unusual (a character that is not a hex digit or whitespace, a missing
``>``) is handed back to pyHanko's own reader from the same position, so errors are pyHanko's.
"""

from __future__ import annotations

import binascii
import re
from typing import Any

from pyhanko.pdf_utils import generic

__all__ = ["read_hex_string_from_stream"]

_pyhanko_reader = getattr(generic.read_hex_string_from_stream, "__wrapped__", None) or (
    generic.read_hex_string_from_stream
)
# PDF whitespace (ISO 32000-1, table 1): NUL, HT, LF, FF, CR, SP.
_WHITESPACE = re.compile(rb"[\x00\t\n\x0c\r ]+")
_HEX_DIGITS = re.compile(rb"[0-9a-fA-F]*\Z")
_BLOCK = 16384


def read_hex_string_from_stream(stream: Any) -> Any:
    """Drop-in for ``pyhanko.pdf_utils.generic.read_hex_string_from_stream``: ``stream`` is positioned at
    the opening ``<``; returns the string object and leaves the stream just after the closing ``>``."""
    start = stream.tell()
    stream.read(1)  # "<"
    chunks = []
    while True:
        block = stream.read(_BLOCK)
        if not block:  # no closing ">": let pyHanko report it
            stream.seek(start)
            return _pyhanko_reader(stream)
        end = block.find(b">")
        if end >= 0:
            chunks.append(block[:end])
            stream.seek(end + 1 - len(block), 1)
            break
        chunks.append(block)
    digits = _WHITESPACE.sub(b"", b"".join(chunks))
    if not _HEX_DIGITS.match(digits):
        stream.seek(start)
        return _pyhanko_reader(stream)
    if len(digits) % 2:
        digits += b"0"
    return generic.pdf_string(binascii.unhexlify(digits))


read_hex_string_from_stream.__wrapped__ = _pyhanko_reader  # type: ignore[attr-defined]
generic.read_hex_string_from_stream = read_hex_string_from_stream
