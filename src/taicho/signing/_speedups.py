"""Faster, exact replacements for a few pyHanko and asn1crypto functions (installed on import; imported
for that effect by :mod:`.sign` and :mod:`.validate`).

Validating a sealed result (:func:`.validate.validate_pdf`) is mostly pyHanko reading PDF objects for its
difference analysis, and asn1crypto comparing X.509 names. Each function here takes the same input to the same
result as the one it replaces — same objects, same stream position afterwards, same errors — and hands anything
unusual back to the original, from the same position, so unusual input gets the original's answer or error.
Nothing about what is checked changes. ``PATCHES`` lists each replacement with its original (also available as
the replacement's ``__wrapped__``); ``tests/signing/test_speedups.py`` compares each with its original.

pyHanko's tokenizer (``read_hex_string_from_stream``, ``read_non_whitespace``, ``read_until_delimiter``,
``_decode_name``)
    pyHanko reads a hex string (``<48656C6C6F>``) one byte at a time through a Python generator; a signature's
    ``/Contents`` is ~10,000 hex digits, so the two signatures of a sealed result took ~8 ms of every
    validation (and part of every seal). Our reader reads up to the closing ``>``, drops PDF white space, pads
    an odd number of digits with ``0`` (ISO 32000-1 §7.3.4.3) and unhexlifies; a byte that is not a hex digit
    or white space, or a missing ``>``, goes to pyHanko's reader. Skipping white space, reading a token up to
    the next delimiter and decoding a name went one byte at a time too; ours read a block and search it with a
    regular expression of the same byte classes (ISO 32000-1 §7.2.2); a comment, the end of the stream or a
    name with ``#`` escapes goes to pyHanko's function.

pyHanko's ``generic.read_object`` (one PDF object: every object the difference analysis reads)
    pyHanko reads each token through several stream reads and seeks and a few layers of functions (a font's
    ``/W`` array of a few hundred numbers took up to ~0.5 ms). Ours reads a block from the object's start and
    parses it as pyHanko does, byte class by byte class: names without ``#``; numbers (pyHanko's number run
    ``[+,-.0-9]``, converted by the same ``NumberObject``/``FloatObject``); indirect references, decided by
    pyHanko's own ``INDIRECT_PATTERN`` on the same 20 bytes; ``true``/``false``/``null``; literal strings
    with every escape ``_read_string_literal_bytes`` knows; hex strings; arrays; dictionaries. Strings go
    through pyHanko's ``pdf_string``, and every value gets the container reference ``read_object`` gives it.
    In an array, a run of integers separated by white space is read at once when the byte after it can
    neither continue the last number (``+,-.``) nor let ``INDIRECT_PATTERN`` match from any of them (``R``;
    ``\\x0b``, which Python's ``\\s`` allows and PDF white space does not). A dictionary that is the whole
    object is followed by pyHanko's own ``_maybe_read_stream_payload``, so stream objects are pyHanko's.
    Handed to pyHanko's ``read_object``, from the object's start: content streams, comments, names with
    ``#``, duplicate keys (pyHanko warns, or raises in strict mode), a dictionary inside another one followed
    by ``stream``, anything malformed (pyHanko's error), an object that runs to the end of the stream, a
    stream that returns less than asked before its end, and any error while building the objects. An object
    longer than the block is read again with a larger block.

pyHanko's ``HistoricalResolver._subsume_object`` (each object read for an earlier revision is copied)
    For a name, number, string, boolean or null, pyHanko looks up the object's container reference, builds a
    ``Reference`` from it and returns the object itself, dropping the reference; ours does the same look-up
    (and so raises the same error for an object without one) without building the reference. Containers,
    indirect objects, encrypted proxies and any other type are pyHanko's.

asn1crypto's ``NameTypeAndValue._ldap_string_prep`` and ``RDNSequence.__eq__`` (X.509 name comparison)
    asn1crypto compares names attribute by attribute after RFC 4518 string preparation (mapping, NFKC,
    prohibited characters, bidi check, insignificant spaces: Python loops over stringprep tables); it
    remembers the result per attribute object, but every validation parses its certificates afresh (pyHanko
    compares them when it matches the signer's ``IssuerSerial`` and ESS certificate ids, certvalidator when it
    builds paths), so ~10 % of a validation was string preparation. The preparation depends on the string
    alone, so ours remembers it per string (a string it refuses raises each time, as it is not remembered).
    And a name whose encoding (``dump()``, as parsed: not re-encoded, no changed children) asn1crypto has
    found equal to the same encoding once is equal to any name with that encoding: comparison is a function
    of the parsed content, which is a function of the encoding. Other comparisons are asn1crypto's.
"""

from __future__ import annotations

import binascii
import re
from typing import Any

from asn1crypto import x509
from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils import reader as pdf_reader

__all__ = [
    "PATCHES",
    "decode_name",
    "ldap_string_prep",
    "rdn_sequence_eq",
    "read_hex_string_from_stream",
    "read_non_whitespace",
    "read_object",
    "read_until_delimiter",
    "subsume_object",
]


def _original(function: Any) -> Any:
    """The function as its library defines it (also when this module is imported again)."""
    return getattr(function, "__wrapped__", None) or function


# --- pyHanko: hex strings --------------------------------------------------------------------------------------

_pyhanko_reader = _original(generic.read_hex_string_from_stream)
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


# --- pyHanko: tokenizer functions ------------------------------------------------------------------------------

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


# --- pyHanko: reading one object ----------------------------------------------------------------------------

_pyhanko_read_object = _original(generic.read_object)
_NO = generic.ContentOpReading.NO
_SKIP_WHITESPACE = re.compile(rb"[\x00\t\n\x0c\r ]*")
# pyHanko's NumberObject.NumberPattern is [^+-.0-9]: a number runs over "+" to "." (so "," too) and digits.
_NUMBER_RUN = re.compile(rb"[+,\-.0-9]*")
# An indirect reference as IndirectObject.read_from_stream reads it, when only PDF white space separates
# the parts (Python's \s, which INDIRECT_PATTERN uses, adds \x0b, which read_non_whitespace does not skip).
_REFERENCE = re.compile(rb"([0-9]+)[\t\n\x0c\r ]+([0-9]+)[\t\n\x0c\r ]+R")
_STRING_SPECIAL = re.compile(rb"[()\\]")
_KEY = re.compile(rb"[\x00\t\n\x0c\r ]*/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*)[\x00\t\n\x0c\r ]*")
_INTEGERS = re.compile(rb"[0-9\x00\t\n\x0c\r ]*")
_DIGITS = re.compile(rb"[0-9]+")
# After a run of integers and white space: "R" or \x0b (Python's \s, not PDF white space) may let
# INDIRECT_PATTERN match; "+", ",", "-", "." continue the last number.
_AFTER_INTEGERS_UNUSUAL = frozenset(b"R\x0b+,-.")
_LITERAL_ESCAPES = {
    **{byte: bytes((byte,)) for byte in b"() /%<>[]#_&$\\"},
    **{ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"},
}
_OBJECT_BLOCK = 4096


class _Unusual(Exception):
    """Something this reader leaves to pyHanko (which reads it, or raises its own error)."""


class _NeedMore(Exception):
    """The object runs past the block read so far."""


class _ObjectReader:
    """Reads one object from ``buf`` (the stream's bytes from the object on) the way pyHanko's
    ``read_object`` does with ``in_content_stream=NO``; see :func:`read_object`."""

    __slots__ = ("buf", "container_ref", "eof", "handler")

    def __init__(self, buf: bytes, eof: bool, container_ref: Any) -> None:
        self.buf, self.eof, self.container_ref = buf, eof, container_ref
        self.handler = container_ref.get_pdf_handler()

    def _short(self) -> Exception:
        # Past the end of what was read: more to read, or the end of the stream (pyHanko's own errors).
        return _Unusual() if self.eof else _NeedMore()

    def _skip(self, i: int) -> int:
        """read_non_whitespace + seek back: the position of the next byte that is not white space."""
        i = _SKIP_WHITESPACE.match(self.buf, i).end()  # type: ignore[union-attr]
        if i >= len(self.buf):
            raise self._short()
        if self.buf[i] == 0x25:  # "%": a comment
            raise _Unusual()
        return i

    def _name(self, i: int) -> tuple[Any, int]:
        """NameObject.read_from_stream at ``/``: a name without escapes."""
        buf = self.buf
        end = _REGULAR_RUN.match(buf, i + 1).end()  # type: ignore[union-attr]
        if end >= len(buf):
            raise self._short()
        raw = buf[i + 1 : end]
        if raw.translate(None, _PLAIN_NAME_BYTES):
            raise _Unusual()
        return generic.NameObject("/" + raw.decode("ascii")), end

    def _number(self, i: int) -> tuple[Any, int]:
        """NumberObject.read_from_stream."""
        buf = self.buf
        end = _NUMBER_RUN.match(buf, i).end()  # type: ignore[union-attr]
        if end >= len(buf):
            raise self._short()
        text = buf[i:end]
        if b"." in text:
            return generic.FloatObject(text.decode("ascii")), end
        return generic.NumberObject(text.decode("ascii")), end

    def _string(self, i: int) -> tuple[Any, int]:
        """read_string_from_stream: _read_string_literal_bytes, then pdf_string."""
        buf, n = self.buf, len(self.buf)
        parts = []
        parens = 1
        j = i + 1
        while True:
            found = _STRING_SPECIAL.search(buf, j)
            if found is None:
                raise self._short()
            k = found.start()
            parts.append(buf[j:k])
            byte = buf[k]
            if byte == 0x28:  # "("
                parens += 1
                parts.append(b"(")
                j = k + 1
            elif byte == 0x29:  # ")"
                parens -= 1
                j = k + 1
                if parens == 0:
                    break
                parts.append(b")")
            else:  # a backslash
                if k + 4 > n:  # an escape and up to three digits after it, all in the block
                    raise self._short()
                escaped = buf[k + 1]
                simple = _LITERAL_ESCAPES.get(escaped)
                if simple is not None:
                    parts.append(simple)
                    j = k + 2
                elif 0x30 <= escaped <= 0x39:  # up to three digits, read as octal (8 or 9: pyHanko's error)
                    end = k + 2
                    while end < k + 4 and 0x30 <= buf[end] <= 0x39:
                        end += 1
                    parts.append(bytes((int(buf[k + 1 : end], base=8),)))
                    j = end
                elif escaped in (0x0A, 0x0D):  # an escaped line break (CR, LF, or two of them) adds nothing
                    j = k + 3 if buf[k + 2] in (0x0A, 0x0D) else k + 2
                else:
                    raise _Unusual()
        return generic.pdf_string(b"".join(parts)), j

    def _hex_string(self, i: int) -> tuple[Any, int]:
        """read_hex_string_from_stream (as :func:`read_hex_string_from_stream` above)."""
        buf = self.buf
        end = buf.find(b">", i + 1)
        if end < 0:
            raise self._short()
        digits = _WHITESPACE.sub(b"", buf[i + 1 : end])
        if not _HEX_DIGITS.match(digits):
            raise _Unusual()
        if len(digits) % 2:
            digits += b"0"
        return generic.pdf_string(binascii.unhexlify(digits)), end + 1

    def _dictionary(self, i: int) -> tuple[dict[Any, Any], int]:
        """DictionaryObject.read_from_stream at ``<<``, up to the stream keyword check: the entries and the
        position after ``>>``."""
        buf = self.buf
        data: dict[Any, Any] = {}
        i += 2
        while True:
            entry = _KEY.match(buf, i)  # white space, "/", a name, white space
            if entry is None:  # the end of the dictionary, or something unusual
                i = self._skip(i)
                if buf[i] != 0x3E:  # a key must be a name
                    raise _Unusual()
                if i + 1 >= len(buf):
                    raise self._short()
                if buf[i + 1] != 0x3E:  # pyHanko takes any byte after ">" as the second ">"
                    raise _Unusual()
                return data, i + 2
            i = entry.end()
            if i >= len(buf):
                raise self._short()
            raw = entry[1]
            if raw.translate(None, _PLAIN_NAME_BYTES):
                raise _Unusual()
            key = generic.NameObject("/" + raw.decode("ascii"))
            value, i = self.value(i)  # a comment before the value: value() leaves it to pyHanko
            if key in data:  # pyHanko warns (or raises, in strict mode)
                raise _Unusual()
            data[key] = value

    def _array(self, i: int) -> tuple[Any, int]:
        """ArrayObject.read_from_stream at ``[``."""
        buf = self.buf
        items: list[Any] = []
        i += 1
        while True:
            i = self._skip(i)
            byte = buf[i]
            if byte == 0x5D:  # "]"
                return generic.ArrayObject(items), i + 1
            if 0x30 <= byte <= 0x39:
                # Integers separated by white space, followed by a byte that can neither continue a number
                # nor let INDIRECT_PATTERN (digits and \s up to an "R") match from any of them: each is
                # NumberObject.read_from_stream's integer.
                end = _INTEGERS.match(buf, i).end()  # type: ignore[union-attr]
                if end >= len(buf):
                    raise self._short()
                if buf[end] not in _AFTER_INTEGERS_UNUSUAL:
                    container_ref = self.container_ref
                    for text in _DIGITS.findall(buf, i, end):
                        number = generic.NumberObject(text.decode("ascii"))
                        number.container_ref = container_ref
                        items.append(number)
                    i = end
                    continue
            item, i = self.value(i)
            items.append(item)

    def value(self, i: int) -> tuple[Any, int]:
        """read_object at ``i`` (not white space) for a value inside a dictionary or an array; every value gets
        the container reference, as read_object sets it."""
        buf = self.buf
        if i >= len(buf):
            raise self._short()
        byte = buf[i]
        result: Any
        if byte == 0x2F:  # "/"
            result, i = self._name(i)
        elif byte == 0x3C:  # "<"
            if i + 1 >= len(buf):
                raise self._short()
            if buf[i + 1] == 0x3C:
                data, i = self._dictionary(i)
                # _maybe_read_stream_payload: only a following "stream" keyword (or a comment) matters
                after = _SKIP_WHITESPACE.match(buf, i).end()  # type: ignore[union-attr]
                if after >= len(buf):
                    if not self.eof:
                        raise _NeedMore()
                elif buf[after] in (0x73, 0x25):  # "s", "%"
                    raise _Unusual()
                result = generic.DictionaryObject(data)
            else:
                result, i = self._hex_string(i)
        elif byte == 0x5B:  # "["
            result, i = self._array(i)
        elif byte == 0x28:  # "("
            result, i = self._string(i)
        elif byte == 0x74 or byte == 0x66 or byte == 0x6E:  # "t", "f", "n"
            if i + 5 > len(buf):
                raise self._short()
            if buf.startswith(b"true", i):
                result, i = generic.BooleanObject(True), i + 4
            elif buf.startswith(b"false", i):
                result, i = generic.BooleanObject(False), i + 5
            elif buf.startswith(b"null", i):
                result, i = generic.NullObject(), i + 4
            else:
                raise _Unusual()
        elif 0x30 <= byte <= 0x39:  # a digit: an indirect reference (as pyHanko decides it) or a number
            if i + 20 > len(buf) and not self.eof:
                raise _NeedMore()
            if generic.INDIRECT_PATTERN.match(buf, i, i + 20) is None:
                result, i = self._number(i)
            else:
                reference = _REFERENCE.match(buf, i)
                if reference is None:
                    raise _Unusual()
                idnum, generation = int(reference[1]), int(reference[2])
                if idnum <= 0:
                    raise _Unusual()
                result, i = generic.IndirectObject(idnum, generation, self.handler), reference.end()
        elif byte == 0x2B or byte == 0x2D or byte == 0x2E:  # "+", "-", "."
            result, i = self._number(i)
        else:  # a comment, or not an object: pyHanko's
            raise _Unusual()
        result.container_ref = self.container_ref
        return result, i


def read_object(
    stream: Any,
    container_ref: Any,
    as_metadata_stream: bool = False,
    in_content_stream: Any = _NO,
) -> Any:
    """Drop-in for ``pyhanko.pdf_utils.generic.read_object``: reads the object at the stream's position and
    leaves the stream after it."""
    if in_content_stream is not _NO:
        return _pyhanko_read_object(stream, container_ref, as_metadata_stream, in_content_stream)
    start = stream.tell()
    size = _OBJECT_BLOCK
    while True:
        buf = stream.read(size)
        if len(buf) < size and stream.read(1):  # a stream that returns less before its end: pyHanko's
            stream.seek(start)
            return _pyhanko_read_object(stream, container_ref, as_metadata_stream, in_content_stream)
        try:
            reader = _ObjectReader(buf, len(buf) < size, container_ref)
            if not buf.startswith(b"<<"):
                result, end = reader.value(0)
                stream.seek(start + end)
                return result
            # a dictionary, or a stream: pyHanko's _maybe_read_stream_payload reads what follows the ">>"
            data, end = reader._dictionary(0)
        except _NeedMore:
            stream.seek(start)
            size *= 8
            continue
        except Exception:  # anything unusual (or an error): pyHanko reads it, from the start
            stream.seek(start)
            return _pyhanko_read_object(stream, container_ref, as_metadata_stream, in_content_stream)
        stream.seek(start + end)
        break
    stream_data = generic._maybe_read_stream_payload(stream, data, reader.handler)
    if stream_data is None:
        result = generic.DictionaryObject(data)
    else:
        stream_class = generic.StreamObject
        if as_metadata_stream:
            try:
                from pyhanko.pdf_utils.metadata.xmp_xml import MetadataStream

                stream_class = MetadataStream
            except ImportError:  # pragma: no cover
                pass
        result = stream_class(data, encoded_data=stream_data)
    result.container_ref = container_ref
    return result


# --- pyHanko: a historical revision's copy of an object -----------------------------------------------------

_pyhanko_subsume_object = _original(pdf_reader.HistoricalResolver._subsume_object)
# What HistoricalResolver._subsume_object returns as it is (after looking up the container reference): any
# type that is not a (decrypted) proxy, an indirect object, a dictionary, a stream or an array.
_SHARED_TYPES = frozenset(
    {
        generic.NameObject,
        generic.NumberObject,
        generic.FloatObject,
        generic.TextStringObject,
        generic.ByteStringObject,
        generic.BooleanObject,
        generic.NullObject,
    }
)


def subsume_object(self: Any, obj: Any) -> Any:
    """Drop-in for ``HistoricalResolver._subsume_object``: a name, number, string, boolean or null is
    returned as it is, without building the Reference pyHanko builds for it first and then drops."""
    if type(obj) in _SHARED_TYPES:
        container_ref = obj.get_container_ref()  # pyHanko's error for an object not read from a file
        container_ref.idnum, container_ref.generation  # noqa: B018  (and for a container without them)
        return obj
    return _pyhanko_subsume_object(self, obj)


# --- asn1crypto: equality of X.509 names -------------------------------------------------------------------

_asn1crypto_rdn_sequence_eq = _original(x509.RDNSequence.__eq__)
_asn1crypto_string_prep = _original(x509.NameTypeAndValue._ldap_string_prep)
_CACHE_SIZE = 4096
_prepared_strings: dict[str, str] = {}
_self_equal_encodings: set[bytes] = set()


def ldap_string_prep(self: Any, string: Any) -> Any:
    """Drop-in for ``asn1crypto.x509.NameTypeAndValue._ldap_string_prep``, remembered per string: the
    preparation (RFC 4518) depends on the string alone, so a string prepared once is not prepared again."""
    if type(string) is not str:  # not a text value (e.g. bytes): asn1crypto's own error, every time
        return _asn1crypto_string_prep(self, string)
    try:
        return _prepared_strings[string]
    except KeyError:
        pass
    prepared = _asn1crypto_string_prep(self, string)  # a string it refuses raises, and is not remembered
    if len(_prepared_strings) >= _CACHE_SIZE:
        _prepared_strings.clear()
    _prepared_strings[string] = prepared
    return prepared


def _encoding(value: Any) -> bytes | None:
    """The value's encoding as parsed (what ``dump()`` returns), or ``None`` when ``dump()`` would re-encode
    (indefinite length, changed children) or the value was never encoded."""
    header = value._header
    if header is None or header[-1:] == b"\x80" or value._is_mutated():
        return None
    return header + value._contents + value._trailer  # type: ignore[no-any-return]


def rdn_sequence_eq(self: Any, other: Any) -> Any:
    """Drop-in for ``asn1crypto.x509.RDNSequence.__eq__`` (and so ``Name.__eq__``): two names with the same
    encoding are equal once asn1crypto has found that encoding equal to itself."""
    if type(self) is x509.RDNSequence and type(other) is x509.RDNSequence:
        encoding = _encoding(self)
        if encoding is not None and encoding == _encoding(other):
            if encoding in _self_equal_encodings:
                return True
            result = _asn1crypto_rdn_sequence_eq(self, other)
            if result is True:
                if len(_self_equal_encodings) >= _CACHE_SIZE:
                    _self_equal_encodings.clear()
                _self_equal_encodings.add(encoding)
            return result
    return _asn1crypto_rdn_sequence_eq(self, other)


# --- installation ------------------------------------------------------------------------------------------

#: (owner, attribute, replacement, original) for each replacement, installed below.
PATCHES: list[tuple[Any, str, Any, Any]] = [
    (generic, "read_hex_string_from_stream", read_hex_string_from_stream, _pyhanko_reader),
    (misc, "read_non_whitespace", read_non_whitespace, _pyhanko_non_whitespace),
    (generic, "read_non_whitespace", read_non_whitespace, _pyhanko_non_whitespace),
    (misc, "read_until_delimiter", read_until_delimiter, _pyhanko_until_delimiter),
    (generic, "read_until_delimiter", read_until_delimiter, _pyhanko_until_delimiter),
    (generic, "_decode_name", decode_name, _pyhanko_decode_name),
    (generic, "read_object", read_object, _pyhanko_read_object),
    (pdf_reader.HistoricalResolver, "_subsume_object", subsume_object, _pyhanko_subsume_object),
    (x509.NameTypeAndValue, "_ldap_string_prep", ldap_string_prep, _asn1crypto_string_prep),
    (x509.RDNSequence, "__eq__", rdn_sequence_eq, _asn1crypto_rdn_sequence_eq),
]
for _owner, _attribute, _ours, _theirs in PATCHES:
    _ours.__wrapped__ = _theirs
    setattr(_owner, _attribute, _ours)
