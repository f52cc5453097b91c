"""The faster hex-string reader and tokenizer functions give pyHanko's answers, including its errors."""

from __future__ import annotations

import io
import random

import pytest
from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader

from taicho.signing import _speedups

from .test_sign_validate import _signed


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
    assert misc.read_non_whitespace is generic.read_non_whitespace is _speedups.read_non_whitespace
    assert misc.read_until_delimiter is generic.read_until_delimiter is _speedups.read_until_delimiter
    assert generic._decode_name is _speedups.decode_name


def _outcome(function, data: bytes, *args, **kwargs):
    stream = io.BytesIO(data)
    try:
        return function(stream, *args, **kwargs), stream.tell()
    except (PdfReadError, misc.PdfStreamError) as exc:
        return type(exc), str(exc)


WHITESPACE_CASES = [
    b"   /Name",
    b"\x00\t\n\x0c\r 12 0 R",
    b"x",
    b"",  # end of stream: pyHanko's error, or b"" with allow_eof
    b"     ",
    b" % a comment\r\n  % another\n  /After",
    b"%only a comment",
    b" " * 200 + b"]",  # white space longer than one block
]


@pytest.mark.parametrize("data", WHITESPACE_CASES)
@pytest.mark.parametrize("seek_back", [False, True])
@pytest.mark.parametrize("allow_eof", [False, True])
def test_read_non_whitespace_as_pyhanko(data, seek_back, allow_eof):
    ours = _outcome(_speedups.read_non_whitespace, data, seek_back=seek_back, allow_eof=allow_eof)
    theirs = _outcome(_speedups._pyhanko_non_whitespace, data, seek_back=seek_back, allow_eof=allow_eof)
    assert ours == theirs


@pytest.mark.parametrize(
    "data",
    [
        b"Type/Page",
        b"Font>>",
        b"endobj\n",
        b"123 0 R",
        b"obj",  # to the end of the stream
        b"",
        b"(string)",
        b"A" * 150 + b" tail",  # a token longer than one block
        b"A" * 128,  # exactly two blocks, then the end
        b"Name#20With#2FEscapes/Next",
        b"%comment",
    ],
)
def test_read_until_delimiter_as_pyhanko(data):
    assert _outcome(_speedups.read_until_delimiter, data) == _outcome(
        _speedups._pyhanko_until_delimiter, data
    )


@pytest.mark.parametrize(
    "name",
    [b"Type", b"", b"A#20B", b"F1.0", b"Caf\xc3\xa9", b"\xff\xfe", b"Bad#2", b"Bad#ZZ", b"Sp ace"],
)
def test_decode_name_as_pyhanko(name):
    def outcome(function):
        try:
            result = function(name)
            return type(result), str(result)
        except PdfReadError as exc:
            return type(exc), str(exc)

    assert outcome(_speedups.decode_name) == outcome(_speedups._pyhanko_decode_name)


def _every_object(pdf: bytes) -> list[str]:
    """Every object of every revision, fully read, as text (pyHanko's reader)."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    out = []
    for revision in range(reader.xrefs.total_revisions):
        for ref in sorted(reader.xrefs.explicit_refs_in_revision(revision), key=lambda r: r.idnum):
            obj = reader.get_object(ref, revision=revision)
            out.append(f"{revision} {ref.idnum}: {obj!r}")
    return out


def test_signed_result_reads_the_same(test_pdf, leader, organisation, signature_png, seal_png, monkeypatch):
    """A typst document signed by the leader and sealed: every object reads the same with pyHanko's own
    tokenizer as with ours."""
    pdf = _signed(test_pdf, leader, organisation, signature_png, seal_png)
    ours = _every_object(pdf)
    for module, name, original in (
        (misc, "read_non_whitespace", _speedups._pyhanko_non_whitespace),
        (generic, "read_non_whitespace", _speedups._pyhanko_non_whitespace),
        (misc, "read_until_delimiter", _speedups._pyhanko_until_delimiter),
        (generic, "read_until_delimiter", _speedups._pyhanko_until_delimiter),
        (generic, "_decode_name", _speedups._pyhanko_decode_name),
        (generic, "read_hex_string_from_stream", _speedups._pyhanko_reader),
    ):
        monkeypatch.setattr(module, name, original)
    assert _every_object(pdf) == ours
    assert len(ours) > 50


def test_signing_certificate_attribute_is_pyhankos(leader, signature_png, test_pdf):
    """The cached ``signing-certificate-v2`` attribute is byte for byte pyHanko's, and it is what a signature
    made through our signers carries (its ESS certificate hash is the signer's certificate)."""
    import hashlib

    from asn1crypto import cms
    from pyhanko.sign.general import as_signing_certificate_v2, simple_cms_attribute

    from taicho.signing import signers
    from taicho.signing.sign import sign_as_leader

    from .conftest import LEADER_BOX, SIGNING_TIME

    signer = signers.pkcs12_signer(leader.p12, leader.password)
    cert = signer.certificate
    expected = simple_cms_attribute("signing_certificate_v2", as_signing_certificate_v2(cert)).dump()
    assert signers._signing_certificate_attribute(cert.dump()) == expected

    pdf = sign_as_leader(
        test_pdf, signer=signer, box=LEADER_BOX, image_png=signature_png, signing_time=SIGNING_TIME
    )
    embedded = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_regular_signatures[0]
    signed_attrs = embedded.signer_info["signed_attrs"]
    (attribute,) = [a for a in signed_attrs if a["type"].native == "signing_certificate_v2"]
    assert attribute.dump() == expected
    ess = attribute["values"][0]["certs"][0]
    assert ess["cert_hash"].native == hashlib.sha256(cert.dump()).digest()
    assert isinstance(signed_attrs, cms.CMSAttributes)
