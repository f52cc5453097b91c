"""A fast QR Code Model 2 encoder (ISO/IEC 18004:2015) for the codes printed on the papers.

It does exactly what ``segno.make(payload, error="m", micro=False, boost_error=False, mask=4)`` does and
produces the same module matrix, and ``svg_inline`` writes the same SVG as segno's
``svg_inline(scale=1, border=...)``, byte for byte — more than ten times faster, because everything that
only depends on the version is computed once and cached:

- the payload becomes bytes the way segno does it: ISO/IEC 8859-1 if possible, else Shift JIS, else UTF-8,
  without an ECI header; then one segment in the first mode that fits, in segno's order: numeric,
  alphanumeric, kanji, byte (7.4);
- error correction level M, the smallest version that holds the segment (no boost), data mask pattern 4
  (``(i div 2 + j div 3) mod 2 = 0``); no Micro QR, no structured append;
- the bit stream is padded like segno: terminator (7.4.9), then 1–8 zero bits (a whole zero byte when the
  stream already ends on a codeword boundary), then the pad codewords 0xEC, 0x11 (7.4.10);
- per version: the function patterns with the (constant) format and version information, the zigzag
  placement of the codeword bits (7.7.3) and the mask, folded into one index map from the masked bit string
  to the modules in row-major order; per block length: Reed–Solomon remainders for every leading
  coefficient, so a block's error correction codewords take one table look-up per data codeword (7.5.2).

A payload too long for version 40-M raises segno's ``DataOverflowError`` (a ``ValueError``), as before.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from itertools import chain
from typing import Any

from segno.encoder import DataOverflowError

__all__ = ["DataOverflowError", "QrCode", "encode", "qr_svg_inline", "svg_inline"]

# --- constants (ISO/IEC 18004:2015) ----------------------------------------------------------------------

_MODE_NUMERIC = 1
_MODE_ALPHANUMERIC = 2
_MODE_BYTE = 4
_MODE_KANJI = 8

#: Character count indicator length per mode for versions 1–9, 10–26 and 27–40 (Table 3).
_COUNT_BITS = {
    _MODE_NUMERIC: (10, 12, 14),
    _MODE_ALPHANUMERIC: (9, 11, 13),
    _MODE_BYTE: (8, 16, 16),
    _MODE_KANJI: (8, 10, 12),
}

_ALPHANUMERIC_CHARS = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_ALPHANUMERIC_VALUE = {c: i for i, c in enumerate(_ALPHANUMERIC_CHARS)}
_ALPHANUMERIC = re.compile(b"^[" + re.escape(_ALPHANUMERIC_CHARS) + b"]+\\Z")

#: Error correction level M per version 1–40 (Table 9): error correction codewords per block, then
#: (number of blocks, data codewords per block) for the first and the second group.
_EC_M: tuple[tuple[int, int, int, int, int], ...] = (
    (10, 1, 16, 0, 0),
    (16, 1, 28, 0, 0),
    (26, 1, 44, 0, 0),
    (18, 2, 32, 0, 0),
    (24, 2, 43, 0, 0),
    (16, 4, 27, 0, 0),
    (18, 4, 31, 0, 0),
    (22, 2, 38, 2, 39),
    (22, 3, 36, 2, 37),
    (26, 4, 43, 1, 44),
    (30, 1, 50, 4, 51),
    (22, 6, 36, 2, 37),
    (22, 8, 37, 1, 38),
    (24, 4, 40, 5, 41),
    (24, 5, 41, 5, 42),
    (28, 7, 45, 3, 46),
    (28, 10, 46, 1, 47),
    (26, 9, 43, 4, 44),
    (26, 3, 44, 11, 45),
    (26, 3, 41, 13, 42),
    (26, 17, 42, 0, 0),
    (28, 17, 46, 0, 0),
    (28, 4, 47, 14, 48),
    (28, 6, 45, 14, 46),
    (28, 8, 47, 13, 48),
    (28, 19, 46, 4, 47),
    (28, 22, 45, 3, 46),
    (28, 3, 45, 23, 46),
    (28, 21, 45, 7, 46),
    (28, 19, 47, 10, 48),
    (28, 2, 46, 29, 47),
    (28, 10, 46, 23, 47),
    (28, 14, 46, 21, 47),
    (28, 14, 46, 23, 47),
    (28, 12, 47, 26, 48),
    (28, 6, 47, 34, 48),
    (28, 29, 46, 14, 47),
    (28, 13, 46, 32, 47),
    (28, 40, 47, 7, 48),
    (28, 18, 47, 31, 48),
)

#: Data capacity in bits of each version at level M (index 0 is unused).
_CAPACITY = (0, *(8 * (b1 * d1 + b2 * d2) for _, b1, d1, b2, d2 in _EC_M))

_MASK_PATTERN = 4
_ERROR_LEVEL_M = 0b00  # the two error correction level bits of the format information (Table 12)


def _mask(i: int, j: int) -> int:
    """Data mask pattern 4 (Table 10): 1 where a data module at row ``i``, column ``j`` is inverted."""
    return 1 if (i // 2 + j // 3) % 2 == 0 else 0


# --- GF(256) and Reed–Solomon (7.5.2) --------------------------------------------------------------------


def _gf_tables() -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Antilog (doubled, so that sums of two logs need no modulo) and log tables of GF(2^8) modulo
    x^8 + x^4 + x^3 + x^2 + 1 (0x11D)."""
    exp = [0] * 512
    log = [0] * 256
    value = 1
    for power in range(255):
        exp[power] = value
        log[value] = power
        value <<= 1
        if value & 0x100:
            value ^= 0x11D
    for power in range(255, 512):
        exp[power] = exp[power - 255]
    return tuple(exp), tuple(log)


_GF_EXP, _GF_LOG = _gf_tables()


def _gf_mul(a: int, b: int) -> int:
    return 0 if a == 0 or b == 0 else _GF_EXP[_GF_LOG[a] + _GF_LOG[b]]


@cache
def _rs_table(degree: int) -> tuple[int, ...]:
    """For each value ``f`` of the feedback byte, ``f`` times the generator polynomial of ``degree`` error
    correction codewords (without its leading 1), as a big-endian integer of ``degree`` bytes: the shift
    register step of the polynomial division is then ``rem = (rem << 8) & mask ^ table[f]``."""
    generator = [1]  # coefficients, highest power first: product of (x - α^i), i < degree
    for i in range(degree):
        root = _GF_EXP[i]
        generator = [a ^ _gf_mul(b, root) for a, b in zip([*generator, 0], [0, *generator], strict=True)]
    tail = generator[1:]
    return tuple(int.from_bytes(bytes(_gf_mul(f, g) for g in tail), "big") for f in range(256))


# --- per-version layout ----------------------------------------------------------------------------------


def _alignment_positions(version: int) -> list[int]:
    """Row/column centres of the alignment patterns (Annex E)."""
    if version == 1:
        return []
    count = version // 7 + 2
    size = 17 + 4 * version
    step = 26 if version == 32 else (version * 4 + count * 2 + 1) // (count * 2 - 2) * 2
    return [6, *sorted(size - 7 - k * step for k in range(count - 1))]


def _bch(data: int, data_bits: int, generator: int, ec_bits: int) -> int:
    """``data`` followed by the remainder of ``data · x^ec_bits`` divided by ``generator`` (Annex C, D)."""
    rem = data << ec_bits
    for shift in range(data_bits - 1, -1, -1):
        if rem >> (shift + ec_bits) & 1:
            rem ^= generator << shift
    return data << ec_bits | rem


_FORMAT_BITS = _bch(_ERROR_LEVEL_M << 3 | _MASK_PATTERN, 5, 0x537, 10) ^ 0x5412


@dataclass(frozen=True, slots=True)
class _Layout:
    """What one version needs to turn data codewords into the modules."""

    ec_per_block: int
    data_blocks: tuple[tuple[int, int], ...]  # (start, end) of each data block in the data codewords
    interleave: Callable[[bytearray], Any]  # data + block-by-block EC codewords -> the final message (7.6)
    remainder_bits: int
    bit_format: str  # format spec of the masked message bits, zero-padded
    mask: int  # mask pattern 4 over the data modules, in message bit order (MSB = first bit placed)
    place: Callable[[str], Any]  # message bits + "01" -> the modules in row-major order (7.7.3)


@cache
def _layout(version: int) -> _Layout:
    size = 17 + 4 * version
    grid: list[list[int]] = [[-1] * size for _ in range(size)]  # -1: data module

    # Finder patterns with their separators (6.3.3, 6.3.4).
    for top, left in ((0, 0), (0, size - 7), (size - 7, 0)):
        for di in range(-1, 8):
            for dj in range(-1, 8):
                i, j = top + di, left + dj
                if 0 <= i < size and 0 <= j < size:
                    ring = max(abs(di - 3), abs(dj - 3))
                    grid[i][j] = 1 if ring in (0, 1, 3) else 0
    # Timing patterns (6.3.5).
    for k in range(8, size - 8):
        grid[6][k] = grid[k][6] = 1 - k % 2
    # Alignment patterns (6.3.6), except where they would overlap a finder pattern.
    positions = _alignment_positions(version)
    corners = {(6, 6), (6, size - 7), (size - 7, 6)}  # the centres of the finder patterns
    for ci in positions:
        for cj in positions:
            if (ci, cj) in corners:
                continue
            for di in range(-2, 3):
                for dj in range(-2, 3):
                    grid[ci + di][cj + dj] = 1 if max(abs(di), abs(dj)) != 1 else 0
    # Format information (7.9.1) and the dark module.
    row_eight = grid[8]
    for k in range(8):
        vbit = _FORMAT_BITS >> k & 1
        hbit = _FORMAT_BITS >> (14 - k) & 1
        offset = 1 if k >= 6 else 0
        grid[k + offset][8] = vbit
        row_eight[k + offset] = hbit
        row_eight[size - 1 - k] = vbit
        grid[size - 1 - k][8] = hbit
    grid[size - 8][8] = 1
    # Version information (7.10).
    if version >= 7:
        info = _bch(version, 6, 0x1F25, 12)
        for k in range(18):
            bit = info >> k & 1
            grid[size - 11 + k % 3][k // 3] = bit
            grid[k // 3][size - 11 + k % 3] = bit

    # Codeword placement (7.7.3): two-module columns from the right, alternately upwards and downwards,
    # skipping the vertical timing pattern.
    order: list[tuple[int, int]] = []
    for right in range(size - 1, 0, -2):
        if right <= 6:
            right -= 1
        upwards = ((right & 2) == 0) != (right < 6)
        for vertical in range(size):
            i = size - 1 - vertical if upwards else vertical
            for j in (right, right - 1):
                if grid[i][j] == -1:
                    order.append((i, j))

    ec_per_block, blocks1, data1, blocks2, data2 = _EC_M[version - 1]
    lengths = [data1] * blocks1 + [data2] * blocks2
    data_codewords = sum(lengths)
    total_codewords = data_codewords + ec_per_block * len(lengths)
    remainder_bits = len(order) - 8 * total_codewords
    if not 0 <= remainder_bits < 8:  # pragma: no cover - the tables above are inconsistent
        raise AssertionError(
            f"QR version {version}: {len(order)} data modules for {total_codewords} codewords"
        )

    starts = [sum(lengths[:b]) for b in range(len(lengths))]
    sequence = [starts[b] + k for k in range(max(lengths)) for b in range(len(lengths)) if k < lengths[b]]
    sequence += [
        data_codewords + b * ec_per_block + k for k in range(ec_per_block) for b in range(len(lengths))
    ]

    bits = len(order)
    mask = 0
    where = [[bits + cell for cell in row] for row in grid]  # function modules: index of "0" or "1"
    for position, (i, j) in enumerate(order):
        where[i][j] = position
        mask |= _mask(i, j) << (bits - 1 - position)

    return _Layout(
        ec_per_block=ec_per_block,
        data_blocks=tuple((start, start + n) for start, n in zip(starts, lengths, strict=True)),
        interleave=operator.itemgetter(*sequence),
        remainder_bits=remainder_bits,
        bit_format=f"0{bits}b",
        mask=mask,
        place=operator.itemgetter(*(index for row in where for index in row)),
    )


# --- data encoding (7.4) ---------------------------------------------------------------------------------


def _to_bytes(payload: str) -> bytes:
    """The payload's bytes as segno chooses them: ISO/IEC 8859-1, else Shift JIS, else UTF-8."""
    for encoding in ("iso-8859-1", "shift_jis"):
        try:
            return payload.encode(encoding)
        except UnicodeError:
            pass
    return payload.encode("utf-8")


def _is_kanji(data: bytes) -> bool:
    if not data or len(data) % 2:
        return False
    return all(
        0x8140 <= code <= 0x9FFC or 0xE040 <= code <= 0xEBBF
        for code in (data[k] << 8 | data[k + 1] for k in range(0, len(data), 2))
    )


def _segment(data: bytes) -> tuple[int, int, int, int]:
    """``(mode, character count, data bits as an integer, number of data bits)`` of the single segment."""
    n = len(data)
    if data.isdigit():
        value = 0
        for k in range(0, n, 3):
            chunk = data[k : k + 3]
            value = value << (len(chunk) * 3 + 1) | int(chunk)
        return _MODE_NUMERIC, n, value, 10 * (n // 3) + (0, 4, 7)[n % 3]
    if _ALPHANUMERIC.match(data):
        value = 0
        for k in range(0, n - 1, 2):
            value = value << 11 | _ALPHANUMERIC_VALUE[data[k]] * 45 + _ALPHANUMERIC_VALUE[data[k + 1]]
        if n % 2:
            value = value << 6 | _ALPHANUMERIC_VALUE[data[-1]]
        return _MODE_ALPHANUMERIC, n, value, 11 * (n // 2) + 6 * (n % 2)
    if _is_kanji(data):
        value = 0
        for k in range(0, n, 2):
            code = data[k] << 8 | data[k + 1]
            diff = code - (0x8140 if code <= 0x9FFC else 0xC140)
            value = value << 13 | (diff >> 8) * 0xC0 + (diff & 0xFF)
        return _MODE_KANJI, n // 2, value, 13 * (n // 2)
    return _MODE_BYTE, n, int.from_bytes(data, "big"), 8 * n


def _data_codewords(data: bytes) -> tuple[int, bytes]:
    """The smallest version at level M that holds ``data`` and its data codewords, padded like segno."""
    mode, count, value, length = _segment(data)
    count_bits = _COUNT_BITS[mode]
    for version in range(1, 41):
        cc_bits = count_bits[0 if version < 10 else 1 if version < 27 else 2]
        used = 4 + cc_bits + length
        capacity = _CAPACITY[version]
        if used <= capacity:
            break
    else:
        raise DataOverflowError("Data too large. No QR Code can handle the provided data")
    stream = (mode << cc_bits | count) << length | value
    terminator = min(capacity - used, 4)
    used += terminator
    padding = 8 - used % 8  # segno adds a whole zero byte when the stream ends on a codeword boundary
    stream <<= terminator + padding
    used += padding
    codewords = stream.to_bytes(used // 8, "big")
    wanted = capacity // 8
    if len(codewords) < wanted:
        pads = wanted - len(codewords)
        codewords += b"\xec\x11" * (pads // 2) + b"\xec" * (pads % 2)
    return version, codewords[:wanted]


# --- public API ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QrCode:
    """An encoded symbol: its version (1–40, level M, mask 4) and its modules, row by row from the top,
    each ``"1"`` (dark) or ``"0"`` (light), as one string of ``size × size`` characters."""

    version: int
    modules: str

    @property
    def size(self) -> int:
        """Modules per side, without the quiet zone."""
        return 17 + 4 * self.version

    def rows(self) -> list[str]:
        """The rows as strings of ``"0"``/``"1"``, top to bottom."""
        size = self.size
        return [self.modules[k : k + size] for k in range(0, size * size, size)]

    @property
    def matrix(self) -> tuple[bytearray, ...]:
        """The modules as segno's ``QRCode.matrix``: one ``bytearray`` of 0/1 per row."""
        return tuple(bytearray(row.encode("ascii").translate(_ZERO_ONE)) for row in self.rows())


_ZERO_ONE = bytes.maketrans(b"01", b"\x00\x01")


def encode(payload: str) -> QrCode:
    """``payload`` as a QR code, exactly as ``segno.make(payload, error="m", micro=False,
    boost_error=False, mask=4)``. Raises ``DataOverflowError`` if it does not fit in version 40-M."""
    version, data = _data_codewords(_to_bytes(payload))
    layout = _layout(version)
    ec_len = layout.ec_per_block
    table = _rs_table(ec_len)
    shift = 8 * (ec_len - 1)
    keep = (1 << shift) - 1
    message = bytearray(data)
    for start, end in layout.data_blocks:
        rem = 0
        for byte in data[start:end]:
            rem = (rem & keep) << 8 ^ table[byte ^ rem >> shift]
        message += rem.to_bytes(ec_len, "big")
    final = bytes(layout.interleave(message))
    bits = (int.from_bytes(final, "big") << layout.remainder_bits) ^ layout.mask
    modules = "".join(layout.place(format(bits, layout.bit_format) + "01"))
    return QrCode(version, modules)


#: Path command of a light run inside a row (a move to the next dark run) and of a dark run (a stroke).
_LIGHT_RUNS = {"0" * n: f"m{n} 0" for n in range(1, 178)}
_DARK_RUNS = {"1" * n: f"h{n}" for n in range(1, 178)}


def svg_inline(code: QrCode, border: int = 2) -> str:
    """The symbol as an inline SVG element (no XML declaration, no namespace), one module per user unit,
    with a quiet zone of ``border`` modules: byte for byte segno's ``svg_inline(scale=1, border=border)``.

    The dark modules are one path of horizontal 1-unit strokes, one per run of dark modules, in reading
    order, with relative moves between them; light modules are not drawn. The runs are cut out with
    ``str.split`` over the whole symbol at once: each row's dark part (its modules from the first dark one
    to the last) is preceded by a marker character standing for the move from the previous row, so that
    splitting at the dark modules gives the moves and the light runs in order, and splitting at the light
    modules (rows joined by a light one) gives the dark runs; they alternate, starting with a move."""
    moves: dict[str, str] = {}
    pieces: list[str] = []
    dark_parts: list[str] = []
    last_row = -1
    last_x = 0
    for row_number, row in enumerate(code.rows()):
        dark = row.strip("0")
        if not dark:
            continue
        start = border + row.index("1")
        marker = chr(0x100 + row_number)  # neither "0" nor "1"
        if last_row < 0:
            moves[marker] = f"M{start} {border + 0.5 + row_number}"
        else:
            moves[marker] = f"m{start - last_x} {row_number - last_row}"
        pieces.append(marker)
        pieces.append(dark)
        dark_parts.append(dark)
        last_row = row_number
        last_x = start + len(dark)
    gaps = {**_LIGHT_RUNS, **moves}
    steps = map(gaps.__getitem__, filter(None, "".join(pieces).split("1")))
    strokes = map(_DARK_RUNS.__getitem__, filter(None, "0".join(dark_parts).split("0")))
    path = "".join(chain.from_iterable(zip(steps, strokes, strict=True)))
    width = code.size + 2 * border
    return (
        f'<svg width="{width}" height="{width}" class="segno">'
        f'<path class="qrline" stroke="#000" d="{path}"/></svg>'
    )


def qr_svg_inline(payload: str, border: int = 2) -> str:
    """``svg_inline(encode(payload), border)``."""
    return svg_inline(encode(payload), border)
