"""Reading the National Public Service Portal's catalog files into source records.

Two formats, told apart by their bytes (not their names, which administrators rename):
- the portal's xlsx list ("DANH SÁCH THỦ TỤC HÀNH CHÍNH": Mã số, Tên, Cơ quan ban hành, Cơ quan thực hiện, Lĩnh vực);
- the portal's detail records, one JSON object a line, plain or gzipped.

Reading never guesses: a line or row it cannot read is reported with its place, and the caller refuses the
whole import (all or nothing).
"""

from __future__ import annotations

import gzip
import io
import json
import unicodedata
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from taicho.core.codes import validate_tthc_code

LIST_HEADERS = ("Mã số", "Tên", "Cơ quan ban hành", "Cơ quan thực hiện", "Lĩnh vực")


def nfc(text: object) -> str:
    """Normalise text to NFC with collapsed whitespace (what people read is stored NFC)."""
    if text is None:
        return ""
    return " ".join(unicodedata.normalize("NFC", str(text)).split())


@dataclass
class SourceRecord:
    """One procedure as a file states it."""

    kind: str  # "detail" or "list"
    code: str
    data: dict[str, Any]
    place: str  # "file.jsonl.gz, dòng 12" / "file.xlsx, dòng 7"


@dataclass
class ReadResult:
    records: list[SourceRecord] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what could not be read, each with its place


def read_catalog_file(name: str, content: bytes) -> ReadResult:
    """Read one uploaded or local file. Never raises for bad content: problems are returned with their place."""
    if content[:2] == b"\x1f\x8b":
        try:
            content = gzip.decompress(content)
        except (OSError, EOFError) as exc:
            return ReadResult(
                problems=[_("%(file)s: tệp nén gzip bị hỏng (%(error)s).") % {"file": name, "error": exc}]
            )
        return _read_jsonl(name, content)
    if content[:4] == b"PK\x03\x04":
        return _read_xlsx(name, content)
    stripped = content.lstrip()
    if stripped[:1] == b"{":
        return _read_jsonl(name, content)
    return ReadResult(
        problems=[
            _(
                "%(file)s: không nhận ra định dạng tệp. Chỉ nhận danh sách TTHC dạng Excel (.xlsx) xuất từ Cổng "
                "DVCQG hoặc bản ghi chi tiết dạng JSON lines (.jsonl, .jsonl.gz)."
            )
            % {"file": name}
        ]
    )


def _read_jsonl(name: str, content: bytes) -> ReadResult:
    result = ReadResult()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        result.problems.append(
            _("%(file)s: không phải văn bản UTF-8 (%(error)s).") % {"file": name, "error": exc}
        )
        return result
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        place = _("%(file)s, dòng %(line)d") % {"file": name, "line": number}
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            result.problems.append(
                _("%(place)s: không phải JSON hợp lệ (%(error)s).") % {"place": place, "error": exc.msg}
            )
            continue
        if not isinstance(data, dict):
            result.problems.append(_("%(place)s: mỗi dòng phải là một đối tượng JSON.") % {"place": place})
            continue
        code = nfc(data.get("ma_thu_tuc"))
        name_text = nfc(data.get("ten_thu_tuc"))
        problem = _check_code_and_name(code, name_text, place)
        if problem:
            result.problems.append(problem)
            continue
        result.records.append(SourceRecord("detail", code, data, place))
    if not result.records and not result.problems:
        result.problems.append(_("%(file)s: tệp không có bản ghi nào.") % {"file": name})
    return result


def _read_xlsx(name: str, content: bytes) -> ReadResult:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    result = ReadResult()
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        result.problems.append(
            _("%(file)s: tệp Excel bị hỏng hoặc không phải .xlsx (%(error)s).") % {"file": name, "error": exc}
        )
        return result
    try:
        sheet = workbook.worksheets[0]
        header_at: int | None = None
        columns: dict[str, int] = {}
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [nfc(c) for c in row]
            if header_at is None:
                if "Mã số" in cells and "Tên" in cells:
                    header_at = number
                    columns = {h: cells.index(h) for h in LIST_HEADERS if h in cells}
                elif number > 20:
                    break
                continue
            if not any(cells):
                continue
            place = _("%(file)s, dòng %(line)d") % {"file": name, "line": number}
            raw = {h: row[i] if i < len(row) else None for h, i in columns.items()}
            code, name_text = nfc(raw.get("Mã số")), nfc(raw.get("Tên"))
            problem = _check_code_and_name(code, name_text, place)
            if problem:
                result.problems.append(problem)
                continue
            data = {
                "ma_thu_tuc": code,
                "ten_thu_tuc": name_text,
                "co_quan_ban_hanh": nfc(raw.get("Cơ quan ban hành")),
                # The portal puts one performing agency per line inside the cell.
                "co_quan_thuc_hien": "; ".join(
                    nfc(part) for part in str(raw.get("Cơ quan thực hiện") or "").splitlines() if nfc(part)
                ),
                "linh_vuc": nfc(raw.get("Lĩnh vực")),
            }
            result.records.append(SourceRecord("list", code, data, place))
    finally:
        workbook.close()
    if header_at is None:
        result.problems.append(
            _("%(file)s: không tìm thấy dòng tiêu đề “%(headers)s” của danh sách TTHC.")
            % {"file": name, "headers": ", ".join(LIST_HEADERS)}
        )
    elif not result.records and not result.problems:
        result.problems.append(_("%(file)s: danh sách không có thủ tục nào.") % {"file": name})
    return result


def _check_code_and_name(code: str, name: str, place: str) -> str | None:
    if not code:
        return _("%(place)s: thiếu mã thủ tục.") % {"place": place}
    try:
        validate_tthc_code(code)
    except ValidationError as exc:
        return f"{place}: {exc.messages[0]}"
    if not name:
        return _("%(place)s: thủ tục %(code)s thiếu tên.") % {"place": place, "code": code}
    return None
