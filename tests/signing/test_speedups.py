"""Each replacement in `taicho.signing._speedups` gives the answers of the pyHanko or asn1crypto function it
replaces, including its errors."""

from __future__ import annotations

import io
import random

import pytest
from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils import reader as pdf_reader
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
    assert generic.read_object is _speedups.read_object
    for owner, attribute, ours, original in _speedups.PATCHES:
        assert getattr(owner, attribute) is ours and ours.__wrapped__ is original is not ours


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


def _originals(monkeypatch) -> None:
    """pyHanko's and asn1crypto's own functions, for the rest of the test."""
    for owner, attribute, _ours, original in _speedups.PATCHES:
        monkeypatch.setattr(owner, attribute, original)


def _handler_name(handler) -> object:
    if isinstance(handler, pdf_reader.HistoricalResolver):
        return ("HistoricalResolver", handler.revision)
    return type(handler).__name__


def _ref(ref) -> object:
    """A container reference, its handler by kind (two readers of one file give the same description)."""
    if ref is None:
        return None
    return (
        type(ref).__name__,
        getattr(ref, "idnum", None),
        getattr(ref, "generation", None),
        _handler_name(ref.get_pdf_handler()),
    )


def _deep(obj) -> object:
    """Everything about a PDF object that pyHanko's reader determines: type, value, attributes (the container
    reference and a string's detected encoding, a stream's data), recursively; keys with their own type and
    attributes too."""
    attributes = (
        {k: v for k, v in vars(obj).items() if k != "container_ref"} if hasattr(obj, "__dict__") else {}
    )
    head = (type(obj).__name__, _ref(getattr(obj, "container_ref", None)))
    if isinstance(obj, generic.IndirectObject):
        reference = attributes.pop("reference")
        return (*head, reference.idnum, reference.generation, _handler_name(reference.pdf), attributes)
    if isinstance(obj, dict):
        entries = [(_deep(k), _deep(v)) for k, v in dict.items(obj)]
        return (*head, entries, sorted((k, repr(v)) for k, v in attributes.items()))
    if isinstance(obj, list):
        return (*head, [_deep(v) for v in list.__iter__(obj)], attributes)
    value = "null" if isinstance(obj, generic.NullObject) else repr(obj)
    return (*head, value, sorted((k, repr(v)) for k, v in attributes.items()))


def _every_object(pdf: bytes) -> list[object]:
    """Every object of every revision, fully read: as the reader reads it, and as each revision's historical
    resolver (pyHanko's difference analysis) copies it."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    out = []
    for revision in range(reader.xrefs.total_revisions):
        resolver = reader.get_historical_resolver(revision)
        for ref in sorted(reader.xrefs.explicit_refs_in_revision(revision), key=lambda r: r.idnum):
            out.append((revision, ref.idnum, _deep(reader.get_object(ref, revision=revision))))
            out.append((revision, ref.idnum, "historical", _deep(resolver(ref))))
    return out


def test_signed_result_reads_the_same(test_pdf, leader, organisation, signature_png, seal_png, monkeypatch):
    """A typst document signed by the leader and sealed: every object reads the same with pyHanko's own
    functions as with ours, down to each value's container reference."""
    pdf = _signed(test_pdf, leader, organisation, signature_png, seal_png)
    ours = _every_object(pdf)
    _originals(monkeypatch)
    assert _every_object(pdf) == ours
    assert len(ours) > 100


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


# --- read_object -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def handler(test_pdf):
    """A PDF handler for the container references (and for a stream's indirect /Length: object 1 of the
    test document)."""
    return PdfFileReader(io.BytesIO(test_pdf), strict=False)


def _read_outcome(function, data: bytes, handler, **kwargs):
    stream = io.BytesIO(data)
    try:
        result = function(stream, generic.Reference(7, 0, handler), **kwargs)
    except Exception as exc:  # pyHanko's errors (and whatever else it raises): the same, with the same text
        return type(exc).__name__, str(exc), stream.tell()
    return _deep(result), stream.tell()


def _same_read(data: bytes, handler, **kwargs) -> object:
    ours = _read_outcome(_speedups.read_object, data, handler, **kwargs)
    assert ours == _read_outcome(_speedups._pyhanko_read_object, data, handler, **kwargs), data
    return ours


OBJECTS = [
    # names
    b"/Type",
    b"/",
    b"/A#20B",
    b"/A#2",
    b"/Caf\xc3\xa9",
    b"/F1.0/Next",
    # numbers
    b"0",
    b"-12",
    b"+7",
    b"3.25",
    b".5",
    b"-.5",
    b"1,5",
    b"--1",
    b"1.2.3",
    b"+",
    b"12abc",
    # indirect references, as pyHanko decides them
    b"12 0 R",
    b"12 0 R]",
    b"12 0 Rx",
    b"12\n0\r\nR/",
    b"12 0\x0bR ",
    b"12\x0b0 R ",
    b"12 \x0b0 R ",
    b"12 0 \x0bR ",
    b"12\x000 R ",
    b"0 0 R ",
    b"12        0          R ",  # longer than INDIRECT_PATTERN's 20 bytes: numbers
    b"007 00 R ",
    # booleans, null
    b"true",
    b"true ",
    b"false]",
    b"fals",
    b"truex ",
    b"null ",
    b"nul ",
    b"nix ",
    # literal strings
    b"(Hello) ",
    b"() ",
    b"(a (nested (deep)) string) ",
    b"(unbalanced ",
    b"(esc \\( \\) \\\\ \\/ \\% \\< \\> \\[ \\] \\# \\_ \\& \\$ \\  end) ",
    b"(\\n\\r\\t\\b\\f) ",
    b"(\\0\\01\\012\\0123\\101\\1010) ",
    b"(\\8) ",
    b"(\\19) ",
    b"(\\777) ",
    b"(\\400) ",
    b"(line\\\ncontinued\\\r\nand\\\r\rx\\\n\ny) ",
    b"(\\q) ",
    b"(\\",
    b"(\\1",
    b"(raw\r\nlines) ",
    b"(\xfe\xff\x00T\x00\xe0) ",
    b"(\xef\xbb\xbfUTF-8 \xc3\xa0) ",
    b"(D\\07220261127173135Z) ",
    b"(with \x00 nul and \x7f) ",
    # hex strings
    b"<48656C6C6F> ",
    b"<48 65\n6c> ",
    b"<4865F> ",
    b"<> ",
    b"<FEFF0054> ",
    b"<48656Z> ",
    b"<48%c\n65> ",
    b"<4865",
    # arrays
    b"[] ",
    b"[ 1 2 3 ] ",
    b"[1 2 3]",
    b"[0 0 280 1 2 722 3 3 250] ",
    b"[1 0 R 2 0 R] ",
    b"[1 2 3 0 R 4] ",
    b"[1 2\x0b3] ",
    b"[1\x002 3] ",
    b"[1 2 3.5 4] ",
    b"[1 2 -3 +4 ,5] ",
    b"[1 2 3R] ",
    b"[12 0 R/Name(str)<4142>[true false null]<</A 1>>] ",
    b"[1 % comment\n 2] ",
    b"[1 2 ",
    b"[/a/b/c] ",
    b"[ 5 ] ",
    # dictionaries
    b"<<>> ",
    b"<< >> ",
    b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>> ",
    b"<< /A 1 /B [1 2 3] /C << /D (x) >> /E 3 0 R >> ",
    b"<</A 1/A 2>> ",
    b"<</A 1 >x ",
    b"<</A 1 > ",
    b"<< A 1 >> ",
    b"<</A>> ",
    b"<</A/B>>",
    b"<< % comment\n /A 1 >> ",
    b"<< /A % comment\n 1 >> ",
    b"<</A#20B 1>> ",
    b"<</A 1",
    b"<</A <</B 1>> stream\n>> ",
    b"<</A <</B 1>> %c\n>> ",
    b"<</A <</B 1>>/S 2>> ",
    b"<</A <</B 1>>>> ",
    b"<</A <</B 1>>\n/stream 2>> ",
    # streams: pyHanko's _maybe_read_stream_payload
    b"<</Length 5>>stream\nHelloendstream ",
    b"<</Length 5>>\nstream\r\nHello\nendstream ",
    b"<</Length 6>>stream\nHello\nendstream ",
    b"<</Length 3>>stream\nHelloendstream ",
    b"<</Length 1 0 R>>stream\nHelloendstream ",
    b"<</Type/XObject>> streamx ",
    b"<</A 1>> % comment\nendobj",
    b"<</A 1>>",
    # neither
    b"",
    b" /Leading",
    b"% comment\n/Name ",
    b"{ ",
    b"R ",
]


@pytest.mark.parametrize("data", OBJECTS)
@pytest.mark.parametrize("wrap", ["alone", "in an array", "in a dictionary", "then endobj"])
def test_read_object_as_pyhanko(data, wrap, handler):
    data = {
        "alone": data,
        "in an array": b"[" + data + b"]",
        "in a dictionary": b"<</Key " + data + b">>",
        "then endobj": data + b"\nendobj\n",
    }[wrap]
    _same_read(data, handler)


@pytest.mark.parametrize("data", [b"<</A 1/A 2>> ", b"<</A 1>> ", b"[1 0 R] "])
def test_read_object_strict_as_pyhanko(data, test_pdf):
    _same_read(data, PdfFileReader(io.BytesIO(test_pdf), strict=True))


def test_read_object_metadata_and_content_streams_as_pyhanko(handler):
    xmp = b"<x:xmpmeta xmlns:x='adobe:ns:meta/'></x:xmpmeta>"
    data = b"<</Type/Metadata/Subtype/XML/Length %d>>stream\n%s\nendstream " % (len(xmp), xmp)
    assert _same_read(data, handler, as_metadata_stream=True)[0][0] == "MetadataStream"
    for mode in generic.ContentOpReading:
        _same_read(b"[1 2 Tf q] ", handler, in_content_stream=mode)


@pytest.mark.parametrize("size", [100, 5000, 40_000])
def test_read_object_longer_than_a_block(size, handler):
    """Objects longer than the block read first are read again with larger blocks, to the same result."""
    rng = random.Random(size)
    numbers = b" ".join(str(rng.randrange(10_000)).encode() for _ in range(size // 5))
    hex_digits = "".join(rng.choice("0123456789ABCDEF") for _ in range(size)).encode()
    for data in (
        b"[" + numbers + b"] ",
        b"[" + numbers + b" 5 0 R] ",
        b"<</Contents <" + hex_digits + b">/ByteRange [0 1 2 3]>> ",
        b"(" + numbers + b") ",
        b"[" + numbers,  # never closed
    ):
        _same_read(data, handler)


class _ShortReads(io.BytesIO):
    """A stream that returns at most 7 bytes per read, before its end too."""

    def read(self, size=-1):
        return super().read(7 if size is None or size < 0 else min(size, 7))


@pytest.mark.parametrize("data", [b"<</A 1/B [1 2 3 0 R] /C (x)>> ", b"[1 2 3 4 5 6 7 8 9 10 11 12 0 R] "])
def test_read_object_short_reads_as_pyhanko(data, handler):
    outcomes = []
    for function in (_speedups.read_object, _speedups._pyhanko_read_object):
        stream = _ShortReads(data)
        outcomes.append((_deep(function(stream, generic.Reference(7, 0, handler))), stream.tell()))
    assert outcomes[0] == outcomes[1]


def _raw_objects(pdf: bytes) -> list[bytes]:
    import re

    return [
        m.group(1) for m in re.finditer(rb"\d+ \d+ obj\s*(.*?)endobj", pdf, re.S) if len(m.group(1)) < 20_000
    ]


def test_read_object_mutated_objects_as_pyhanko(
    test_pdf, leader, organisation, signature_png, seal_png, handler
):
    """Every object of a sealed result, then thousands of them with bytes changed to ones that matter to the
    tokenizer, or cut short: the same result (or error), and the same position, as pyHanko's."""
    raw = _raw_objects(_signed(test_pdf, leader, organisation, signature_png, seal_png))
    assert len(raw) > 50
    for data in raw:
        _same_read(data, handler)
    rng = random.Random(20261127)
    alphabet = b" \n\r\t\x00\x0b/<>[](){}\\%#0123456789R+-.,eEstrnulf"
    for _ in range(3000):
        data = bytearray(rng.choice(raw))
        for _ in range(rng.randint(1, 3)):
            if rng.random() < 0.15:
                del data[rng.randrange(len(data) + 1) :]
            elif data:
                data[rng.randrange(len(data))] = rng.choice(alphabet)
        if data.startswith(b"%") and not (b"\r" in data or b"\n" in data):
            continue  # pyHanko's read_object loops forever on a comment that never ends (so, then, do we)
        _same_read(bytes(data), handler)


# --- HistoricalResolver._subsume_object -----------------------------------------------------------------------


def test_subsume_object_errors_as_pyhanko(handler):
    resolver = handler.get_historical_resolver(0)

    def outcome(function, obj):
        try:
            return function(resolver, obj) is obj
        except Exception as exc:
            return type(exc).__name__, str(exc)

    trailer_ref = generic.TrailerReference(handler)
    for obj in (
        generic.NumberObject(1),  # read from no file: pyHanko's error
        generic.NameObject("/A"),
        generic.TextStringObject("x"),
        generic.NullObject(),
    ):
        assert outcome(_speedups.subsume_object, obj) == outcome(_speedups._pyhanko_subsume_object, obj)
        obj.container_ref = trailer_ref  # a container without an object number
        assert outcome(_speedups.subsume_object, obj) == outcome(_speedups._pyhanko_subsume_object, obj)
        obj.container_ref = generic.Reference(3, 0, handler)
        assert (
            outcome(_speedups.subsume_object, obj) is outcome(_speedups._pyhanko_subsume_object, obj) is True
        )


# --- X.509 names ---------------------------------------------------------------------------------------------


PREP_STRINGS = [
    "Sở Tư pháp tỉnh Quảng Ninh",
    "So\u031b\u0309 Tu\u031b pha\u0301p",  # decomposed Vietnamese: NFKC
    "  Trần   Thị\tHương ",
    "UPPER lower",
    "ﬁ ligature ① ２",
    "soft\u00adhyphen zero\u200bwidth",
    "",
    " ",
    "\u0627\u0644\u0639\u0631\u0628\u064a\u0629",  # right to left only
    "mixed \u0627\u0644 left and right",  # a malformed bidirectional sequence: asn1crypto's error
    "private \ue000 use",  # prohibited: asn1crypto's error
    "unassigned \u0378",
    "replacement \ufffd",
]


def _prep_outcome(function, value):
    try:
        return function(None, value)
    except Exception as exc:
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize("value", [*PREP_STRINGS, b"bytes", 5])
def test_string_prep_as_asn1crypto(value):
    theirs = _prep_outcome(_speedups._asn1crypto_string_prep, value)
    assert _prep_outcome(_speedups.ldap_string_prep, value) == theirs
    assert _prep_outcome(_speedups.ldap_string_prep, value) == theirs  # remembered, or refused again


def _name(*rdns, printable=False, parsed=True):
    """An x509.Name of single- (or multi-) valued RDNs, as a certificate would carry it (parsed from DER)."""
    from asn1crypto import x509

    def atv(kind, text):
        string = "printable_string" if printable else "utf8_string"
        return x509.NameTypeAndValue({"type": kind, "value": x509.DirectoryString(name=string, value=text)})

    sequence = x509.RDNSequence(
        [
            x509.RelativeDistinguishedName([atv(*pair) for pair in (rdn if isinstance(rdn, list) else [rdn])])
            for rdn in rdns
        ]
    )
    name = x509.Name(name="", value=sequence)
    return x509.Name.load(name.dump()) if parsed else name


ORG = ("organization_name", "Taicho DEMO")
CN = ("common_name", "Tran Thi Huong")
NAMES = {
    "org+cn": lambda **kw: _name(("country_name", "VN"), ORG, CN, **kw),
    "org+cn printable": lambda **kw: _name(("country_name", "VN"), ORG, CN, printable=True, **kw),
    "case and spaces": lambda **kw: _name(
        ("country_name", "vn"),
        ("organization_name", " taicho   demo "),
        ("common_name", "TRAN THI HUONG"),
        **kw,
    ),
    "other cn": lambda **kw: _name(("country_name", "VN"), ORG, ("common_name", "Tran Thi Huon"), **kw),
    "fewer rdns": lambda **kw: _name(("country_name", "VN"), ORG, **kw),
    "multi-valued": lambda **kw: _name(("country_name", "VN"), [ORG, CN], **kw),
    "multi-valued reversed": lambda **kw: _name(("country_name", "VN"), [CN, ORG], **kw),
    "vietnamese": lambda **kw: _name(("common_name", "Trần Thị Hương"), **kw),
    "vietnamese decomposed": lambda **kw: _name(
        ("common_name", "Tra\u0300n Thi\u0323 Hu\u031bo\u031bng"), **kw
    ),
    "private use": lambda **kw: _name(("common_name", "bad \ue000"), **kw),
    "bidi": lambda **kw: _name(("common_name", "mixed \u0627\u0644 text"), **kw),
}


def _eq_outcome(function, a, b):
    try:
        return function(a, b)
    except Exception as exc:
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize("left", sorted(NAMES))
@pytest.mark.parametrize("right", sorted(NAMES))
@pytest.mark.parametrize("parsed", [True, False])
def test_name_equality_as_asn1crypto(left, right, parsed):
    """Every pair — same encoding, equivalent encodings (PrintableString / UTF8String, case, spaces, Unicode
    normalisation), different names, names asn1crypto refuses to prepare — compares as asn1crypto compares it,
    on fresh objects and again (after the shortcut has remembered an encoding), as Name and as RDNSequence."""
    for _ in range(2):
        a, b = NAMES[left](parsed=parsed), NAMES[right](parsed=parsed)
        theirs = _eq_outcome(_speedups._asn1crypto_rdn_sequence_eq, a.chosen, b.chosen)
        assert _eq_outcome(_speedups.rdn_sequence_eq, a.chosen, b.chosen) == theirs
        assert _eq_outcome(lambda x, y: x == y, a, b) == theirs  # Name.__eq__, through ours
        assert _eq_outcome(lambda x, y: x != y, a, b) == (not theirs if isinstance(theirs, bool) else theirs)
    if left == right and left not in ("private use", "bidi"):
        assert theirs is True
    if {left, right} == {"org+cn", "org+cn printable"} or {left, right} == {"org+cn", "case and spaces"}:
        assert theirs is True  # asn1crypto's own equivalences, kept
    if {left, right} == {"org+cn", "other cn"}:
        assert theirs is False


def test_name_equality_shortcut_and_other_types():
    from asn1crypto import x509

    a, b = NAMES["org+cn"](), NAMES["org+cn"]()
    assert a.dump() == b.dump() and a == b
    assert _speedups._encoding(a.chosen) in _speedups._self_equal_encodings
    assert (a == "not a name") is False and (a.chosen == x509.RDNSequence([])) is False
    # A name that dump() would re-encode (built, or changed after parsing) is compared by asn1crypto.
    built = NAMES["org+cn"](parsed=False)
    assert _speedups._encoding(built.chosen) is None and built == a
    changed = NAMES["org+cn"]()
    changed.chosen.append(changed.chosen[0])
    assert _speedups._encoding(changed.chosen) is None and changed != a


def test_certificate_names_as_asn1crypto(root, leader, organisation, monkeypatch):
    """The demo certificates' names: issuer against subject, both ways, and their hashable forms."""
    from taicho.signing.signers import load_certificate

    certificates = [load_certificate(c.certificate_pem) for c in (root, leader, organisation)]
    names = [n for c in certificates for n in (c.subject, c.issuer)]
    ours = [[a == b for b in names] for a in names] + [[n.hashable for n in names]]
    _originals(monkeypatch)
    fresh = [
        n
        for c in certificates
        for n in (load_certificate(c.dump()).subject, load_certificate(c.dump()).issuer)
    ]
    assert [[a == b for b in fresh] for a in fresh] + [[n.hashable for n in fresh]] == ours
