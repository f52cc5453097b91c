"""The faster hex-string reader gives pyHanko's answers, including its errors."""

from __future__ import annotations

import io
import random

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfReadError

from taicho.signing import _speedups


def _both(data: bytes):
    ours, theirs = io.BytesIO(data), io.BytesIO(data)
    results = []
    for reader, stream in (
        (_speedups.read_hex_string_from_stream, ours),
        (_speedups._pyhanko_reader, theirs),
    ):
        try:
            results.append((reader(stream), stream.tell()))
        except PdfReadError as exc:
            results.append((type(exc), None))
    return results


@pytest.mark.parametrize(
    "data",
    [
        b"<48656C6C6F>",
        b"<48 65 6c\n6C\r\t6F\x00> trailing",
        b"<4865F>",  # odd number of digits: the last one is padded with 0
        b"<>",
        b"<FEFF0054006F00E0006E>",  # a UTF-16 text string
        b"<48656Z6C>",  # not a hex digit: pyHanko's error
        b"<48656C",  # never closed: pyHanko's error
    ],
)
def test_same_result_and_position_as_pyhanko(data):
    ours, theirs = _both(data)
    assert ours == theirs


def test_long_signature_contents():
    digits = "".join(random.choice("0123456789ABCDEF") for _ in range(40_000)).encode()
    data = b"<" + digits + b"> /ByteRange"
    ours, theirs = _both(data)
    assert ours == theirs and ours[1] == len(data) - len(b" /ByteRange")


def test_installed_in_pyhanko():
    assert generic.read_hex_string_from_stream is _speedups.read_hex_string_from_stream
