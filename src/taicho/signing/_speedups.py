"""Faster readers for pyHanko's PDF tokenizer (imported for its effect by :mod:`.sign` and :mod:`.validate`).

pyHanko reads a hex string (``<48656C6C6F>``) one byte at a time through a Python generator. A signature's
``/Contents`` is such a string of ~10,000 hex digits, so reading the two signatures of a sealed result took
~8 ms of every validation (and part of every seal). This reader takes the same input to the same result: it
reads up to the closing ``>``, drops PDF whitespace, pads an odd number of digits with ``0`` (ISO 32000-1
§7.3.4.3) and unhexlifies. Anything unusual (a character that is not a hex digit or whitespace, a missing
``>``) is handed back to pyHanko's own reader from the same position, so errors are pyHanko's.

The same holds for the three tokenizer functions every object read goes through — skipping whitespace
(``read_non_whitespace``), reading a token up to the next delimiter (``read_until_delimiter``) and decoding a
name (``_decode_name``): pyHanko reads the first two one byte at a time through generators and decodes every
name byte by byte, so parsing a typst result (tagged, ~80 objects, ~700 names) cost ~20 ms of each validation's
difference analysis. These read a block and search it with a regular expression; a comment, the end of the
stream or a name with ``#`` escapes goes to pyHanko's own function, from the same position.
"""

from __future__ import annotations

import binascii
import re
from typing import Any

from pyhanko.pdf_utils import generic, misc

__all__ = ["decode_name", "read_hex_string_from_stream", "read_non_whitespace", "read_until_delimiter"]

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


def _original(function: Any) -> Any:
    return getattr(function, "__wrapped__", None) or function


_pyhanko_non_whitespace = _original(misc.read_non_whitespace)
_pyhanko_until_delimiter = _original(misc.read_until_delimiter)
_pyhanko_decode_name = _original(generic._decode_name)
# ISO 32000-1 §7.2.2: white-space characters (table 1) and delimiters (table 2).
_NON_WHITESPACE = re.compile(rb"[^\x00\t\n\x0c\r ]")
_REGULAR_RUN = re.compile(rb"[^\x00\t\n\x0c\r ()<>\[\]{}/%]*")
# Bytes a name may hold unescaped (§7.3.5): 0x21-0x7E except delimiters and the escape "#".
_PLAIN_NAME_BYTES = bytes(b for b in range(0x21, 0x7F) if b not in misc.PDF_DELIMITERS and b != 0x23)
_PEEK = 64


def read_non_whitespace(stream: Any, seek_back: bool = False, allow_eof: bool = False) -> bytes:
    """Drop-in for ``pyhanko.pdf_utils.misc.read_non_whitespace``: the first byte that is not PDF white space,
    the stream left after it (or at it, with ``seek_back``)."""
    start = stream.tell()
    block = stream.read(_PEEK)
    found = _NON_WHITESPACE.search(block)
    if found is None or block[found.start()] == 0x25:  # "%": a comment; or only white space: pyHanko's loop
        stream.seek(start)
        return _pyhanko_non_whitespace(stream, seek_back=seek_back, allow_eof=allow_eof)  # type: ignore[no-any-return]
    at = found.start()
    stream.seek(start + at + (0 if seek_back else 1))
    return block[at : at + 1]


def read_until_delimiter(stream: Any) -> bytes:
    """Drop-in for ``pyhanko.pdf_utils.misc.read_until_delimiter``: the bytes up to the next white space or
    delimiter, the stream left at that byte (or at the end)."""
    position = stream.tell()
    chunks = []
    while True:
        block = stream.read(_PEEK)
        run = _REGULAR_RUN.match(block)
        assert run is not None  # the pattern matches the empty string at least
        end = run.end()
        if end < len(block):
            chunks.append(block[:end])
            stream.seek(position + end)
            return b"".join(chunks)
        if not block:
            return b"".join(chunks)
        chunks.append(block)
        position += len(block)


def decode_name(name_bytes: bytes) -> Any:
    """Drop-in for ``pyhanko.pdf_utils.generic._decode_name``: a name without escapes is its ASCII bytes."""
    if name_bytes.translate(None, _PLAIN_NAME_BYTES):  # an escape or a byte pyHanko must judge
        return _pyhanko_decode_name(name_bytes)
    return generic.NameObject("/" + name_bytes.decode("ascii"))


for _function, _ours in (
    (_pyhanko_non_whitespace, read_non_whitespace),
    (_pyhanko_until_delimiter, read_until_delimiter),
    (_pyhanko_decode_name, decode_name),
):
    _ours.__wrapped__ = _function  # type: ignore[union-attr]
misc.read_non_whitespace = read_non_whitespace
misc.read_until_delimiter = read_until_delimiter
generic.read_non_whitespace = read_non_whitespace
generic.read_until_delimiter = read_until_delimiter
generic._decode_name = decode_name
