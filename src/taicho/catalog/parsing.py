"""Parse procedure detail records crawled from the National Public Service Portal (dichvucong.gov.vn).

The portal renders each administrative procedure ("thủ tục hành chính", TTHC) as an HTML page whose tables
were flattened to plain text by the crawler: cells are concatenated without any separator, so the text of
one cell runs straight into the next one. This module turns that text back into structured values. It is
pure Python (standard library only) so the importer, management commands and tests can all use it
without Django.

The fields handled here, as they appear in ``/work/shared/data/catalog/tthc-bo-tu-phap-details.jsonl.gz``:

``cach_thuc_thuc_hien`` (channels, time limit, fee, description)
    A table with the header ``Hình thức nộpThời gianPhí, lệ phíMô tả`` followed by one row per submission
    channel. A row is ``<channel><time><fee>[(<fee note>)]<description>``, for example
    ``Trực tiếp5 Ngày làm việc800,000 Việt Nam Đồng(/hồ sơ)Phí: 800.000 đồng/hồ sơ…``.

    * channel: ``Trực tiếp`` (in person), ``Trực tuyến`` (online) or ``Dịch vụ bưu chính`` (post). The
      same channel may have several rows (e.g. one per fee tariff or per case).
    * time: ``<n> Ngày làm việc``, ``<n> Ngày``, ``Không có thông tin`` or a bare number such as ``1`` whose
      unit the portal did not print. A bare number is ambiguous and is reported, never guessed.
    * fee: ``Miễn phí``, ``Không có thông tin`` or ``<amount> <currency>`` where the amount uses ``,`` as
      thousands separator (``2,000 Việt Nam Đồng``, ``8,000 VNĐ``, ``10 USD``). A parenthesised note may
      follow: ``(/trang)`` gives the unit the fee is charged per, anything else is free text. When the time
      is a bare number and the fee an amount, their digits run together (``1200 VNĐ``) and cannot be split.
    * description ("Mô tả"): free text; it sometimes states extra fees (``Lệ phí: 100.000 đồng/hồ sơ``).

``thanh_phan_ho_so`` (required documents)
    One or more tables, each introduced by a group heading (``* Giấy tờ phải nộp:``, ``* Giấy tờ phải xuất
    trình:``, ``* Lưu ý:``, a case such as ``a) Trường hợp …:`` or just ``--``) and the header ``Tên giấy
    tờMẫu đơn, tờ khaiSố lượng``. Each row is ``<name>[<form file>]<quantity>`` where the quantity cell is
    ``<n> bản chính`` optionally followed by ``,<m> bản sao``.

``ket_qua_xu_ly`` (results)
    ``<name>Mã: <code>`` repeated, followed by page chrome starting with ``Từ khóa``. Codes look like
    ``KQ.G15.000031``; some records carry legacy (``000.00.00.G15-KQ0187``) or placeholder codes.

``can_cu_phap_ly`` (legal basis)
    The header ``Tên văn bản pháp lýMã văn bản`` followed by ``<title><document number>`` pairs.

Parsing never drops text silently: whatever cannot be read is kept as text and described in a Vietnamese
``problems`` entry so the importer can import the record and flag it for review.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

__all__ = [
    "ParseError",
    "ParsedChannel",
    "ParsedComponent",
    "ParsedFee",
    "ParsedRecord",
    "ParsedResult",
    "ParsedTimeLimit",
    "TimeUnit",
    "normalize_text",
    "parse_channels",
    "parse_components",
    "parse_fees",
    "parse_legal_basis",
    "parse_record",
    "parse_results",
    "parse_time_limit",
]


class ParseError(ValueError):
    """A value is present but cannot be read. The message is Vietnamese, for the people reviewing imports."""


class TimeUnit:
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    WORKING_HOURS = "working_hours"
    WITHIN_DAY = "within_day"


@dataclass(frozen=True)
class ParsedTimeLimit:
    value: Decimal
    unit: str
    text: str


@dataclass(frozen=True)
class ParsedFee:
    amount: int
    currency: str
    per_unit: str
    kind: str
    text: str


@dataclass
class ParsedChannel:
    channel: str
    time_limit: ParsedTimeLimit | None
    time_limit_text: str
    fees: list[ParsedFee]
    description: str
    problems: list[str] = field(default_factory=list)


@dataclass
class ParsedComponent:
    name: str
    group: str
    originals: int
    certified_copies: int
    copies: int
    required: bool
    form: str
    text: str


@dataclass
class ParsedResult:
    name: str
    code: str


@dataclass
class ParsedRecord:
    code: str
    name: str
    levels: list[str]
    sector: str
    competent_agency: str
    legal_basis: list[tuple[str, str]]
    channels: list[ParsedChannel]
    components: list[ParsedComponent]
    results: list[ParsedResult]
    problems: list[str]


# --------------------------------------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------------------------------------

# Invisible format characters found in the crawl (e.g. a left-to-right mark inside "đăng k\u200eý").
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"), None)
_WS_RE = re.compile(r"\s+")
_NO_INFO = "Không có thông tin"
_DIGITS = frozenset("0123456789")
_QUOTE_LIMIT = 120


def normalize_text(text: object) -> str:
    """NFC-normalise, drop invisible format characters and collapse all whitespace to single spaces.

    About a third of the crawled records mix decomposed (NFD) Vietnamese diacritics with composed ones, so
    string comparisons only work after NFC normalisation.
    """
    if text is None:
        return ""
    normalized = unicodedata.normalize("NFC", str(text)).translate(_INVISIBLE)
    return _WS_RE.sub(" ", normalized).strip()


def _letter_class(predicate: Callable[[str], bool]) -> str:
    """A regex character class of the Latin letters (incl. all Vietnamese ones) satisfying ``predicate``.

    Ranges such as ``à-ỹ`` cannot be used: Latin Extended blocks alternate upper- and lower-case letters.
    """
    letters = (chr(code) for code in range(0x41, 0x1EFA))
    chosen = [c for c in letters if unicodedata.name(c, "").startswith("LATIN") and predicate(c)]
    return "[" + "".join(re.escape(c) for c in chosen) + "]"


_LOWER = _letter_class(str.islower)
_UPPER = _letter_class(str.isupper)


def _quote(text: str) -> str:
    """The text as it is quoted in problem messages, shortened so a message stays readable."""
    if len(text) > _QUOTE_LIMIT:
        text = text[: _QUOTE_LIMIT - 1].rstrip() + "…"
    return f"'{text}'"


def _balanced_end(text: str, start: int) -> int:
    """Index just after the parenthesis group opening at ``text[start]`` (or the end if it never closes)."""
    depth = 0
    for index in range(start, len(text)):
        char = text[index]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index + 1
    return len(text)


# --------------------------------------------------------------------------------------------------------
# Time limits
# --------------------------------------------------------------------------------------------------------

_TIME_NUMBER_RE = re.compile(r"(?P<number>[0-9]+(?:[.,][0-9]+)?)\s*(?P<unit>.*)", re.DOTALL)
_TIME_PREFIX_RE = re.compile(r"^(?:trong thời hạn|không quá|tối đa)\s+", re.IGNORECASE)
_TIME_UNITS = {
    "ngày làm việc": TimeUnit.WORKING_DAYS,
    "ngày": TimeUnit.CALENDAR_DAYS,
    "ngày lịch": TimeUnit.CALENDAR_DAYS,
    "giờ": TimeUnit.WORKING_HOURS,
    "giờ làm việc": TimeUnit.WORKING_HOURS,
}
# Units that appear in Vietnamese procedures but that the deadline engine does not model: months and years
# depend on the calendar, weeks/sessions/minutes are not used by the service centre's SLA rules.
_UNSUPPORTED_TIME_UNITS = ("tháng", "năm", "tuần", "quý", "buổi", "phút")
_WITHIN_DAY_RE = re.compile(r"^(?:ngay\s+)?trong\s+(?:ngày|ngày làm việc|cùng ngày)$", re.IGNORECASE)
_NO_TIME_TEXTS = {"", "không có thông tin", "không quy định"}


def parse_time_limit(text: str) -> ParsedTimeLimit | None:
    """Read a processing time limit such as ``5 Ngày làm việc``, ``0,5 ngày`` or ``Trong ngày``.

    Returns ``None`` when nothing is stated (empty text or ``Không có thông tin``). Raises :class:`ParseError`
    when a value is present but cannot be used: a number without unit (the portal prints bare numbers whose
    unit is unknown, and guessing would give a wrong deadline), an unsupported unit (months, years…) or an
    unknown one.
    """
    source = normalize_text(text)
    folded = source.casefold().rstrip(" .")
    if folded in _NO_TIME_TEXTS:
        return None
    if _WITHIN_DAY_RE.match(folded):
        return ParsedTimeLimit(value=Decimal("1"), unit=TimeUnit.WITHIN_DAY, text=source)
    match = _TIME_NUMBER_RE.fullmatch(_TIME_PREFIX_RE.sub("", folded))
    if match is None:
        raise ParseError(f"Không đọc được thời hạn giải quyết: {_quote(source)}")
    try:
        value = Decimal(match["number"].replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the regex only lets digits through
        raise ParseError(f"Không đọc được thời hạn giải quyết: {_quote(source)}") from exc
    unit_text = match["unit"].strip(" .")
    if not unit_text:
        raise ParseError(f"Thời hạn giải quyết chỉ có số, không có đơn vị thời gian: {_quote(source)}")
    if value <= 0:
        raise ParseError(f"Thời hạn giải quyết phải lớn hơn 0: {_quote(source)}")
    unit = _TIME_UNITS.get(unit_text)
    if unit is not None:
        return ParsedTimeLimit(value=value, unit=unit, text=source)
    if unit_text.split(" ", 1)[0] in _UNSUPPORTED_TIME_UNITS:
        raise ParseError(f"Đơn vị thời gian không được hỗ trợ: {_quote(source)}")
    raise ParseError(f"Đơn vị thời gian không xác định: {_quote(source)}")


# --------------------------------------------------------------------------------------------------------
# Fees
# --------------------------------------------------------------------------------------------------------

# An amount with "," or "." thousands separators ("2,000", "2.000", "1,800,000") or a plain integer. The
# look-arounds refuse to start or stop inside a longer number, so "2,1 tỷ" or "0.5" never yield an amount.
_AMOUNT = r"(?<![0-9.,])(?:[0-9]{1,3}(?:[.,][0-9]{3})+|[0-9]+)(?![.,]?[0-9])"
_VND = rf"(?:[Vv]iệt [Nn]am [Đđ]ồng|VNĐ|VND|[Đđ]ồng|đ(?!{_LOWER}))"
_CURRENCY = rf"(?:{_VND}|USD|[Đđ]ô la Mỹ)"
_AMOUNT_CURRENCY_RE = re.compile(rf"(?P<amount>{_AMOUNT})\s*(?P<currency>{_CURRENCY})")
# The look-ahead is case-sensitive: "Miễn phíGửi hồ sơ…" is the fee cell glued to a capitalised description.
_FREE_RE = re.compile(
    rf"(?:miễn phí|miễn lệ phí|không thu(?: phí| lệ phí)?|không)(?-i:(?!{_LOWER}))", re.IGNORECASE
)
# An explicitly labelled statement such as "Lệ phí: 100.000 đồng/hồ sơ" or "Phí : 8.000 Đồng". Labels are
# capitalised on purpose: the lower-case "áp dụng mức phí: 400.000 đồng" states a temporary reduced rate,
# not an additional fee.
_AMOUNT_IN_WORDS = r"(?:\s*\([^()]*\))?"  # "4.500.000 (bốn triệu năm trăm nghìn) đồng"
_LABELLED_FEE_RE = re.compile(
    rf"(?P<label>Mức thu lệ phí|Mức thu phí|Mức lệ phí|Lệ phí|Phí)\s*:\s*"
    rf"(?P<amount>{_AMOUNT}){_AMOUNT_IN_WORDS}\s*(?P<currency>{_CURRENCY}){_AMOUNT_IN_WORDS}"
    r"(?:\s*/\s*(?P<unit>[^;.()]+))?"
)
# A fee note restating the amount with its unit: "(30.000 đồng/hồ sơ)", "(65.000.000 đồng (…)/lần cấp phép)".
_RESTATED_FEE_RE = re.compile(
    rf"(?P<amount>{_AMOUNT}){_AMOUNT_IN_WORDS}\s*(?P<currency>{_CURRENCY}){_AMOUNT_IN_WORDS}"
    r"\s*/\s*(?P<unit>[^;.()]+)"
)
_PER_UNITS = (
    "trường hợp",
    "hồ sơ",
    "văn bản",
    "giao dịch",
    "di chúc",
    "hợp đồng",
    "chứng chỉ",
    "yêu cầu",
    "trang",
    "bản",
    "lần",
    "việc",
    "người",
    "thẻ",
    "bộ",
)
_PER_UNIT_RE = re.compile(rf"(?:0?1\s+)?(?P<unit>{'|'.join(_PER_UNITS)})(?-i:(?!{_LOWER}))", re.IGNORECASE)
_MIN_PLAUSIBLE_VND = 1000


def _currency_code(currency: str) -> str:
    return "USD" if currency == "USD" or currency.casefold() == "đô la mỹ" else "VND"


def _amount_value(amount: str) -> int:
    return int(amount.replace(",", "").replace(".", ""))


def _per_unit(text: str) -> str:
    """The unit in ``/trang``, ``/1 lần (Thông tư …)``, ``hồ sơ`` … (text given without the slash)."""
    text = text.strip().lstrip("(").strip()
    match = _PER_UNIT_RE.match(text)
    if match:
        return match["unit"].casefold()
    # Not a known unit: keep the first few words up to punctuation rather than the whole note.
    head = re.split(r"[(.;,)]", text, maxsplit=1)[0].strip()
    return " ".join(head.split()[:4]).casefold()


def _note_per_unit(note: str) -> str:
    """The per-unit part of a fee note: ``(/trang)`` → ``trang``; ``(hồ sơ)`` or ``((hồ sơ))`` → ``hồ sơ``."""
    inner = note[1:-1] if note.endswith(")") else note[1:]
    inner = inner.strip()
    if inner.startswith("/"):
        return _per_unit(inner[1:])
    stripped = inner.lstrip("(").strip()
    match = _PER_UNIT_RE.match(stripped)
    if match and (match.end() == len(stripped) or stripped[match.end() :].lstrip().startswith(("(", ")"))):
        return match["unit"].casefold()
    return ""


def _fee_cell(text: str) -> tuple[re.Match[str] | None, int]:
    """Match the fee value at the start of ``text`` and return it with the end of its trailing notes."""
    match = _FREE_RE.match(text) or _AMOUNT_CURRENCY_RE.match(text)
    if match is None:
        return None, 0
    end = match.end()
    # The portal appends the fee description in parentheses, sometimes doubled: "Miễn phí((…))" or
    # "3,500,000 Việt Nam Đồng(/hồ sơ)(áp dụng …)". Everything after those groups is the Mô tả column. A
    # few notes carry one closing parenthesis too many ("…Bộ Tài chính.))"); it belongs to the note.
    while end < len(text) and text[end] in "()":
        end = _balanced_end(text, end) if text[end] == "(" else end + 1
    return match, end


def _merge_fee(fees: list[ParsedFee], fee: ParsedFee) -> None:
    """Add ``fee`` unless it restates one already found (same amount and currency, compatible kind)."""
    for index, known in enumerate(fees):
        if known.amount != fee.amount or known.currency != fee.currency:
            continue
        if known.kind and fee.kind and known.kind != fee.kind:
            continue
        fees[index] = replace(known, kind=known.kind or fee.kind, per_unit=known.per_unit or fee.per_unit)
        return
    fees.append(fee)


def parse_fees(text: str) -> list[ParsedFee]:
    """Read the fees stated in a fee cell (optionally followed by the description text).

    ``Miễn phí`` / ``Không`` give one fee of amount 0. ``<amount> <currency>(/<unit>)`` gives the main fee.
    Labelled statements anywhere in the text (``Lệ phí: 100.000 đồng/hồ sơ``, ``Phí : 8.000 Đồng``) add
    fees or, when they restate the main amount, tell its kind and unit. Returns an empty list when nothing
    readable is stated (``Không có thông tin``). Never raises.
    """
    source = normalize_text(text)
    if not source or source.casefold().startswith(_NO_INFO.casefold()):
        return []
    fees: list[ParsedFee] = []
    match, end = _fee_cell(source)
    if match is not None:
        cell = source[:end]
        note = source[match.end() : end]
        if "amount" in match.groupdict():
            amount = _amount_value(match["amount"])
            currency = _currency_code(match["currency"])
            per_unit = _note_per_unit(note) if note else ""
            if not per_unit:
                restated = (
                    m
                    for m in _RESTATED_FEE_RE.finditer(note)
                    if _amount_value(m["amount"]) == amount and _currency_code(m["currency"]) == currency
                )
                first = next(restated, None)
                per_unit = _per_unit(first["unit"]) if first else ""
            fees.append(ParsedFee(amount=amount, currency=currency, per_unit=per_unit, kind="", text=cell))
        else:
            fees.append(ParsedFee(amount=0, currency="VND", per_unit="", kind="", text=cell))
    for labelled in _LABELLED_FEE_RE.finditer(source):
        kind = "lệ phí" if "lệ phí" in labelled["label"].casefold() else "phí"
        _merge_fee(
            fees,
            ParsedFee(
                amount=_amount_value(labelled["amount"]),
                currency=_currency_code(labelled["currency"]),
                per_unit=_per_unit(labelled["unit"]) if labelled["unit"] else "",
                kind=kind,
                text=labelled.group(0).strip(),
            ),
        )
    return fees


# --------------------------------------------------------------------------------------------------------
# Channels (cach_thuc_thuc_hien)
# --------------------------------------------------------------------------------------------------------

_CHANNELS_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
_CHANNEL_CODES = {"Trực tiếp": "in_person", "Trực tuyến": "online", "Dịch vụ bưu chính": "post"}
# A row starts with the channel name glued to the time cell, i.e. followed by a digit or a capital letter.
# The description column also mentions "Trực tiếp thực hiện…" with a space after it; that is not a row.
_CHANNEL_RE = re.compile(rf"(Trực tiếp|Trực tuyến|Dịch vụ bưu chính)(?=[0-9]|{_UPPER})")
_FEE_START_RE = re.compile(rf"(?:[Mm]iễn phí|[Mm]iễn lệ phí|Không thu|{_NO_INFO}|{_AMOUNT}\s*{_CURRENCY})")
_TIME_CELL_RE = re.compile(
    r"[0-9]+(?:[.,][0-9]+)?\s*(?:Ngày làm việc|Giờ làm việc|Ngày|Giờ|Tháng|Năm|Tuần)|(?:Ngay )?[Tt]rong ngày",
    re.IGNORECASE,
)
_PROVINCIAL_FEE_RE = re.compile(r"Hội đồng nhân dân[^.;]*(?:quyết định|quy định)", re.IGNORECASE)


def _split_row(row: str) -> tuple[str, str, str | None]:
    """Split a row (channel name removed) into time text, fee+description text and an optional problem."""
    if row.startswith(_NO_INFO):
        return _NO_INFO, row[len(_NO_INFO) :], None
    fee_start = _FEE_START_RE.search(row)
    if fee_start is not None:
        time_text = row[: fee_start.start()].strip()
        rest = row[fee_start.start() :]
        if not time_text and rest[:1] in _DIGITS:
            # "1200 VNĐ": a bare-number time and the fee amount ran together; 1|200, 12|00 and 120|0 are all
            # possible readings, so neither the time nor the amount is taken.
            cell = _AMOUNT_CURRENCY_RE.match(rest)
            quoted = cell.group(0) if cell else rest
            problem = f"Không tách được thời hạn giải quyết và mức phí vì chữ số dính liền: {_quote(quoted)}"
            return "", rest, problem
        return time_text, rest, None
    time_cell = _TIME_CELL_RE.match(row)
    if time_cell is not None:
        return time_cell.group(0), row[time_cell.end() :], None
    return "", row, None


def _channel_from_row(channel_name: str, row: str) -> ParsedChannel:
    problems: list[str] = []
    time_text, rest, split_problem = _split_row(row)
    time_limit: ParsedTimeLimit | None = None
    fees: list[ParsedFee] = []
    description = rest.strip()
    if split_problem is not None:
        problems.append(split_problem)
        # Keep the unreadable cell out of the fees but do not lose the note/description behind it.
        cell = _AMOUNT_CURRENCY_RE.match(rest)
        description = rest[cell.end() :].strip() if cell else rest.strip()
    else:
        try:
            time_limit = parse_time_limit(time_text)
        except ParseError as exc:
            problems.append(str(exc))
        else:
            if time_limit is None:
                problems.append("Không có thông tin về thời hạn giải quyết")
        if rest.startswith(_NO_INFO):
            problems.append("Không có thông tin về phí, lệ phí")
            description = rest[len(_NO_INFO) :].strip()
        else:
            match, end = _fee_cell(rest)
            if match is None:
                problems.append(f"Không đọc được phí, lệ phí: {_quote(rest.strip())}")
            else:
                # The description is passed too: it may state further labelled fees ("Lệ phí: …").
                fees = parse_fees(rest)
                description = rest[end:].strip()
                problems.extend(_fee_warnings(rest[match.end() : end], fees))
    return ParsedChannel(
        channel=_CHANNEL_CODES[channel_name],
        time_limit=time_limit,
        time_limit_text=time_text,
        fees=fees,
        description=description,
        problems=problems,
    )


def _fee_warnings(note: str, fees: list[ParsedFee]) -> list[str]:
    """Problems with fees that were read but cannot be trusted as they stand (``note``: the fee's note)."""
    warnings: list[str] = []
    for fee in fees:
        if fee.currency == "VND" and 0 < fee.amount < _MIN_PLAUSIBLE_VND:
            # Seen as "50 VNĐ" next to a note saying 25.000 đồng, and "1 Việt Nam Đồng" meaning free: the
            # amount was typed in thousands or as a placeholder, so it must be checked by a person.
            first = _AMOUNT_CURRENCY_RE.search(fee.text)
            shown = first.group(0) if first else fee.text
            warnings.append(f"Mức phí bất thường (dưới 1.000 đồng), có thể nhập sai: {_quote(shown)}")
    if fees and all(fee.amount == 0 for fee in fees):
        if any(_amount_value(m["amount"]) > 0 for m in _AMOUNT_CURRENCY_RE.finditer(note)):
            warnings.append(f"Ghi 'Miễn phí' nhưng phần ghi chú nêu mức thu: {_quote(note.strip('() '))}")
        elif _PROVINCIAL_FEE_RE.search(note):
            # "Miễn phí(Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh … quyết định…)": the 0 is the portal's
            # default; the real amount is set by each province and has to be entered locally.
            warnings.append("Mức lệ phí do Hội đồng nhân dân cấp tỉnh quyết định, dữ liệu không nêu số tiền")
    return warnings


def _parse_channels(text: str) -> tuple[list[ParsedChannel], list[str]]:
    source = normalize_text(text)
    problems: list[str] = []
    if source.startswith(_CHANNELS_HEADER):
        body = source[len(_CHANNELS_HEADER) :]
    else:
        body = source
        if source:
            problems.append("Thiếu tiêu đề bảng cách thức thực hiện")
    parts = _CHANNEL_RE.split(body)
    leading = parts[0].strip()
    if leading:
        problems.append(f"Không đọc được phần đầu bảng cách thức thực hiện: {_quote(leading)}")
    channels = [_channel_from_row(parts[i], parts[i + 1]) for i in range(1, len(parts), 2)]
    if not channels:
        problems.append("Không có hình thức nộp hồ sơ nào")
    return channels, problems


def parse_channels(text: str) -> list[ParsedChannel]:
    """Read the ``cach_thuc_thuc_hien`` table: one :class:`ParsedChannel` per table row, in portal order."""
    return _parse_channels(text)[0]


# --------------------------------------------------------------------------------------------------------
# Components (thanh_phan_ho_so)
# --------------------------------------------------------------------------------------------------------

_COMPONENTS_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
# Quantity cell "1 bản chính" or "0 bản chính,1 bản sao". Counts in this column never have leading zeros,
# unlike counts written inside names ("(01 bản chính hoặc 01 bản sao có chứng thực)").
_QUANTITY_RE = re.compile(
    r"(?<![0-9(])(?P<originals>0|[1-9][0-9]*) bản chính(?:, ?(?P<copies>0|[1-9][0-9]*) bản (?:sao|chụp))?"
)
_FORM_EXTENSION_RE = re.compile(r"\.(?:docx?|pdf|xlsx?|odt|rtf)$", re.IGNORECASE)
# A form file name starts with "Mẫu"/"Mau", a "TP-…" code or a "6." style index and is glued to the name.
_FORM_START_RE = re.compile(r"(?<=[^\s(])(?:Mẫu|Mau|TP[- ]|[0-9]{1,2}\.+ ?[A-Za-z])|^(?:Mẫu|Mau|TP[- ])")
_FORM_MAX_LENGTH = 90
_FORM_SEPARATOR_RE = re.compile(r"(\.(?:docx?|pdf|xlsx?|odt|rtf))(?![a-z\s]|$)")
_BULLETS = "-+*•–—. "
_LEADING_BULLET_RE = re.compile(r"^(?:[-+*•–—.]+\)?\s*)+")  # "- ", "+ ", "+) ", "-- "
_CONDITIONAL_RE = re.compile(
    r"trong trường hợp|nếu có|^trường hợp|đối với trường hợp|(?:^|\s)tùy (?:từng )?trường hợp", re.IGNORECASE
)
_CERTIFIED_RE = re.compile(r"^bản sao (?:có )?chứng thực", re.IGNORECASE)
_NOTES_GROUP = "lưu ý"


def _is_quantity_cell(text: str, match: re.Match[str]) -> bool:
    """Tell a quantity cell from the same words inside a name: a cell is glued to what follows it."""
    after = text[match.end() : match.end() + 2]
    if not after:
        return True
    if after[0] == ")":
        return False
    # After whitespace normalisation a cell followed by a new row or heading shows as "… bản chính * Lưu ý";
    # inside a name the words go on in lower case ("01 bản sao có chứng thực").
    return not (after[0] == " " and after[1:2].islower())


def _split_form(name_and_form: str) -> tuple[str, str]:
    """Separate a trailing form file name ("…ban hànhMẫu số 01-PLIII-LS.docx") from the document name."""
    if not _FORM_EXTENSION_RE.search(name_and_form):
        return name_and_form, ""
    for start in _FORM_START_RE.finditer(name_and_form):
        form = name_and_form[start.start() :]
        if len(form) <= _FORM_MAX_LENGTH:
            # Several files are glued together ("…01a.docxMẫu TP-TSCC-01b.docx"): list them with "; ".
            return name_and_form[: start.start()], _FORM_SEPARATOR_RE.sub(r"\1; ", form.strip())
    return name_and_form, ""


def _heading(text: str) -> str:
    return text.strip().strip(_BULLETS).strip().rstrip(":").strip()


def _component(group: str, segment: str, match: re.Match[str]) -> ParsedComponent:
    name_and_form, form = _split_form(segment.strip())
    name = _LEADING_BULLET_RE.sub("", name_and_form.strip()).strip()
    originals = int(match["originals"])
    stated_copies = int(match["copies"] or 0)
    # The portal has no "bản sao chứng thực" column; a copy is counted as certified when the name itself
    # asks for a certified copy and offers no plain-copy alternative.
    certified = bool(_CERTIFIED_RE.match(name)) and " hoặc " not in name.casefold()
    certified_copies = stated_copies if certified else 0
    copies = 0 if certified else stated_copies
    required = (
        originals + certified_copies + copies > 0
        and not _CONDITIONAL_RE.search(name)
        and group.casefold() != _NOTES_GROUP
    )
    return ParsedComponent(
        name=name,
        group=group,
        originals=originals,
        certified_copies=certified_copies,
        copies=copies,
        required=required,
        form=form,
        text=(segment + match.group(0)).strip(),
    )


def _parse_components(text: str) -> tuple[list[ParsedComponent], list[str]]:
    source = normalize_text(text)
    problems: list[str] = []
    if not source:
        return [], ["Không có thành phần hồ sơ"]
    parts = source.split(_COMPONENTS_HEADER)
    if len(parts) == 1:
        return [], [f"Không đọc được bảng thành phần hồ sơ: {_quote(source)}"]
    components: list[ParsedComponent] = []
    group = _heading(parts[0])
    for index, part in enumerate(parts[1:], start=1):
        cursor = 0
        for match in _QUANTITY_RE.finditer(part):
            if not _is_quantity_cell(part, match):
                continue
            segment = part[cursor : match.start()]
            cursor = match.end()
            component = _component(group, segment, match)
            if not component.name:
                problems.append(f"Thành phần hồ sơ không có tên: {_quote(component.text)}")
            components.append(component)
        trailing = part[cursor:]
        if index < len(parts) - 1:
            # Text after the last row of a table is the heading of the next table.
            group = _heading(trailing)
        elif trailing.strip():
            # The last row has no quantity cell at all: keep it as a component with no count.
            leftover = trailing.strip()
            name = _LEADING_BULLET_RE.sub("", leftover).strip()
            components.append(ParsedComponent(name, group, 0, 0, 0, False, "", leftover))
            problems.append(f"Thành phần hồ sơ không ghi số lượng: {_quote(leftover)}")
    if not components:
        problems.append("Không có thành phần hồ sơ")
    return components, problems


def parse_components(text: str) -> list[ParsedComponent]:
    """Read the ``thanh_phan_ho_so`` tables into components, keeping the heading each row was under."""
    return _parse_components(text)[0]


# --------------------------------------------------------------------------------------------------------
# Results (ket_qua_xu_ly)
# --------------------------------------------------------------------------------------------------------

_RESULTS_TRAILER = "Từ khóa"
_RESULT_CODE_RE = re.compile(
    r"KQ\.[A-Z][0-9]+\.[0-9]+"  # current format, e.g. KQ.G15.000031
    r"|[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]+-KQ[0-9]+"  # legacy format, e.g. 000.00.00.G15-KQ0187
)
# Anything else after "Mã:" up to the next result name: placeholders such as "12231", "78" or "rjwegefu",
# and form-like codes such as "G15-TP05.00001". Names start with a capital letter, codes do not.
_OTHER_CODE_RE = re.compile(r"[A-Z][0-9]+-[A-Z]+[0-9]*\.[0-9]+|[0-9a-z][0-9a-z.\-_]*")


def _parse_results(text: str) -> tuple[list[ParsedResult], list[str]]:
    source = normalize_text(text)
    trailer = source.find(_RESULTS_TRAILER)
    body = (source[:trailer] if trailer >= 0 else source).strip()
    if not body:
        return [], ["Không có kết quả giải quyết"]
    problems: list[str] = []
    parts = re.split(r"Mã\s*:\s*", body)
    results: list[ParsedResult] = []
    name = parts[0].strip()
    for part in parts[1:]:
        code_match = _RESULT_CODE_RE.match(part)
        code = ""
        if code_match is not None:
            code = code_match.group(0)
            rest = part[code_match.end() :]
        else:
            other = _OTHER_CODE_RE.match(part)
            rest = part[other.end() :] if other else part
            stated = other.group(0) if other else ""
            problems.append(f"Mã kết quả không đúng định dạng, đã bỏ qua: {_quote(stated)} ({name})")
        results.append(ParsedResult(name=name, code=code))
        name = rest.strip()
    if name:
        results.append(ParsedResult(name=name, code=""))
        problems.append(f"Kết quả không có mã: {_quote(name)}")
    return results, problems


def parse_results(text: str) -> list[ParsedResult]:
    """Read ``<name>Mã: <code>`` pairs; codes not in a recognised format are replaced by ``""``."""
    return _parse_results(text)[0]


# --------------------------------------------------------------------------------------------------------
# Legal basis (can_cu_phap_ly)
# --------------------------------------------------------------------------------------------------------

_LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"
# Issuer abbreviations seen in document numbers. Known tokens are needed because the next title is glued
# to the number: in "…/NĐ-CPThông tư…" or "…/TT-BTPBAN HÀNH…" only the vocabulary tells where it ends.
_ISSUERS = (
    "UBTƯMTTQVN|BLĐTBXH|BVHTTDL|TANDTC|VKSNDTC|BTTTT|BKHĐT|HĐND|UBND|VPCP|TTLT|NQLT|BTNMT|BNNPTNT|BGTVT|"
    "BGDĐT|UBTVQH|BTP|BTC|BCA|BQP|BYT|BCT|BNG|BNV|BXD|NHNN|TTg|NĐ|CP|TT|NQ|QĐ|QH[0-9]{2}|PL"
)
# A number may not start inside another number ("66.7/…", "…/2014/…") with two exceptions caused by gluing:
# right after a law number's "QH13" ("Luật 60/2014/QH1360/2014/QH13") and right after a date's year
# ("có hiệu lực từ ngày 01/01/2017120/2016/NĐ-CP").
_DOC_NUMBER_RE = re.compile(
    rf"(?:(?<=QH[0-9][0-9])|(?<=/[0-9]{{4}})|(?<![0-9/]))(?<![0-9]\.)"
    rf"(?P<number>[0-9]+(?:\.[0-9]+|\.?[a-z])?)/(?:(?P<year>[0-9]{{4}})/)?(?:{_ISSUERS})(?:-\s?(?:{_ISSUERS}))*"
)
_DOC_TYPES = (
    "Thông tư liên tịch|Nghị quyết liên tịch|Thông tư|Nghị định|Nghị quyết|Quyết định|Bộ luật|Luật|Pháp lệnh"
)
# The code cell sometimes repeats the document type: "…của Bộ Tư phápThông tư số 03/2023/TT-BTP".
_DOC_TYPE_SUFFIX_RE = re.compile(rf"(?<={_LOWER}|[.)])(?:{_DOC_TYPES})(?: số)?\s*$")
_DOC_TYPE_ONLY_RE = re.compile(rf"(?:{_DOC_TYPES})(?: số)?")


def _is_code_cell(text: str, start: int, end: int) -> bool:
    """A "Mã văn bản" cell is glued to the title before it or to the title after it (or ends the text).

    Numbers quoted inside a title have a space or "(" before them and a space, punctuation or the repeated
    number after them ("Luật 60/2014/QH1360/2014/QH13").
    """
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else ""
    if not after or after.isalpha():
        return True
    return not before.isspace() and before != "(" and after not in _DIGITS and after not in "-,;:)"


def parse_legal_basis(text: str) -> list[tuple[str, str]]:
    """Read ``(title, document number)`` pairs; a trailing title without number gets ``""``."""
    source = normalize_text(text)
    if source.startswith(_LEGAL_HEADER):
        source = source[len(_LEGAL_HEADER) :]
    entries: list[tuple[str, str]] = []
    cursor = 0
    for match in _DOC_NUMBER_RE.finditer(source):
        start = match.start()
        number = match.group(0)
        year = match["year"]
        if year and match["number"].startswith(year) and len(match["number"]) > len(year):
            # "…năm 201601/2016/QH14": the title ended with the year, glued to the number "01/2016/QH14".
            start += len(year)
            number = number[len(year) :]
        if start < cursor or not _is_code_cell(source, start, match.end()):
            continue
        number = number.replace(" ", "")
        title = _DOC_TYPE_SUFFIX_RE.sub("", source[cursor:start]).strip(" -–")
        cursor = match.end()
        if _DOC_TYPE_ONLY_RE.fullmatch(title):
            # "Thông tư số 64/2025/TT-BCTThông tư số 64/2025/TT-BCT": a title that is just the number, then a
            # code cell repeating it with its "Thông tư số" prefix. That is one document, not two.
            if entries and entries[-1][1] == number:
                continue
            title = f"{title} {number}"
        entries.append((title or number, number))
    rest = source[cursor:].strip()
    if rest:
        entries.append((rest, ""))
    return entries


# --------------------------------------------------------------------------------------------------------
# Whole record
# --------------------------------------------------------------------------------------------------------

_CHANNEL_LABELS = {code: label for label, code in _CHANNEL_CODES.items()}


def parse_record(record: dict) -> ParsedRecord:
    """Parse one JSON record of the crawl. Never raises on messy content; problems are listed instead."""
    problems: list[str] = []
    code = normalize_text(record.get("ma_thu_tuc"))
    name = normalize_text(record.get("ten_thu_tuc"))
    if not code:
        problems.append("Thiếu mã thủ tục")
    if not name:
        problems.append("Thiếu tên thủ tục")
    levels = [
        level.strip() for level in normalize_text(record.get("cap_thuc_hien")).split(",") if level.strip()
    ]

    channels, channel_problems = _parse_channels(record.get("cach_thuc_thuc_hien") or "")
    problems.extend(channel_problems)
    for channel in channels:
        label = _CHANNEL_LABELS[channel.channel]
        problems.extend(f"{label}: {problem}" for problem in channel.problems)

    components, component_problems = _parse_components(record.get("thanh_phan_ho_so") or "")
    problems.extend(component_problems)
    results, result_problems = _parse_results(record.get("ket_qua_xu_ly") or "")
    problems.extend(result_problems)

    legal_basis = parse_legal_basis(record.get("can_cu_phap_ly") or "")
    problems.extend(
        f"Văn bản pháp lý không có số hiệu: {_quote(title)}" for title, number in legal_basis if not number
    )

    return ParsedRecord(
        code=code,
        name=name,
        levels=levels,
        sector=normalize_text(record.get("linh_vuc")),
        competent_agency=normalize_text(record.get("co_quan_co_tham_quyen")),
        legal_basis=legal_basis,
        channels=channels,
        components=components,
        results=results,
        problems=problems,
    )
