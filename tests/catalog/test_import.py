"""Importing the portal's files: all 270 justice records, idempotence, versions, all-or-nothing."""

from __future__ import annotations

import gzip
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from taicho.catalog.models import (
    Component,
    Fee,
    ImportRun,
    Procedure,
    ProcedureCase,
    ProcedureVersion,
    ResultType,
)
from taicho.catalog.services import ImportFailed, import_catalog, import_catalog_paths

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 27)


def detail_lines(path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def as_jsonl(records: list[dict]) -> bytes:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode()


def snapshot() -> tuple[int, ...]:
    return tuple(
        m.objects.count() for m in (Procedure, ProcedureVersion, ProcedureCase, Fee, Component, ResultType)
    )


def test_all_270_justice_records_import_with_parsed_limits_and_fees(catalog_detail_file):
    run = import_catalog_paths([catalog_detail_file], effective_from=DAY)
    assert run.status == ImportRun.Status.SUCCEEDED
    assert (run.created, run.new_versions, run.unchanged) == (270, 0, 0)
    assert Procedure.objects.count() == 270
    assert run.flagged == ProcedureVersion.objects.filter(needs_review=True).count()
    # Every in-person row whose source states a number and a unit got a structured limit.
    for case in ProcedureCase.objects.filter(channel="in_person"):
        if case.time_limit_value is None:
            assert case.version.needs_review, case.version.procedure.code

    marriage = Procedure.objects.get(code="1.000894").version_on(DAY)
    assert marriage.levels and marriage.result_types.exists()
    copy_cert = Procedure.objects.get(code="2.000815").version_on(DAY)
    fees = Fee.objects.filter(case__version=copy_cert, case__channel="in_person")
    assert {(f.amount, f.currency, f.per_unit) for f in fees} >= {(2000, "VND", "trang"), (10, "USD", "bản")}
    extract_copy = Procedure.objects.get(code="2.000635").version_on(DAY)
    assert Fee.objects.filter(case__version=extract_copy, case__channel="in_person", amount=8000).exists()
    birth = Procedure.objects.get(code="1.001193").version_on(DAY)
    assert birth.result_types.filter(code="KQ.G15.000031", name="Giấy khai sinh").exists()
    assert birth.components.count() >= 3
    # Text is stored NFC.
    import unicodedata

    assert all(unicodedata.is_normalized("NFC", p.name) for p in Procedure.objects.all())


def test_reimporting_the_same_files_changes_nothing(catalog_detail_file, catalog_list_file):
    first = import_catalog_paths([catalog_detail_file, catalog_list_file], effective_from=DAY)
    assert first.created >= 270
    before = snapshot()
    again = import_catalog_paths([catalog_detail_file, catalog_list_file], effective_from=date(2026, 12, 1))
    assert (again.created, again.new_versions, again.flagged) == (0, 0, 0)
    assert again.unchanged == first.created
    assert snapshot() == before


def test_a_changed_record_creates_a_new_version_and_the_old_one_stays(catalog_detail_file):
    records = detail_lines(catalog_detail_file)
    import_catalog(files=[("chi-tiet.jsonl", as_jsonl(records))], effective_from=DAY)
    old = Procedure.objects.get(code="2.000908").version_on(DAY)
    changed = [dict(r) for r in records]
    for record in changed:
        if record["ma_thu_tuc"] == "2.000908":
            record["cach_thuc_thuc_hien"] = record["cach_thuc_thuc_hien"].replace(
                "1 Ngày làm việc", "2 Ngày làm việc"
            )
    run = import_catalog(files=[("chi-tiet.jsonl", as_jsonl(changed))], effective_from=date(2027, 1, 1))
    assert (run.created, run.new_versions, run.unchanged) == (0, 1, 269)
    procedure = Procedure.objects.get(code="2.000908")
    assert procedure.version_on(DAY) == old
    new = procedure.version_on(date(2027, 1, 1))
    assert new.number == 2
    assert set(new.cases.values_list("time_limit_value", flat=True)) == {Decimal("2")}
    assert set(old.cases.values_list("time_limit_value", flat=True)) == {Decimal("1")}


def test_the_portal_list_alone_creates_flagged_procedures(catalog_list_file):
    run = import_catalog_paths([catalog_list_file], effective_from=DAY)
    assert run.created == Procedure.objects.count() > 250
    assert run.flagged == run.created
    version = Procedure.objects.get(code="1.000094").version_on(DAY)
    assert version.sector_name == "Hộ tịch" and version.performing_agency == "Ủy ban nhân dân cấp xã"
    assert "chưa có thời hạn" in version.review_notes[0]


def test_unreadable_line_refuses_the_whole_import_and_names_the_line(catalog_detail_file):
    records = detail_lines(catalog_detail_file)[:5]
    content = as_jsonl(records[:2]) + b"\n{not json\n" + as_jsonl(records[2:])
    with pytest.raises(ImportFailed) as exc:
        import_catalog(files=[("hong.jsonl", content)], effective_from=DAY)
    assert any("hong.jsonl, dòng 3" in p and "JSON" in p for p in exc.value.problems)
    assert snapshot() == (0, 0, 0, 0, 0, 0)
    assert ImportRun.objects.get().status == ImportRun.Status.FAILED


def test_a_record_with_an_invalid_code_refuses_the_import(catalog_detail_file):
    records = detail_lines(catalog_detail_file)[:3]
    records[1] = {**records[1], "ma_thu_tuc": "1.00089X"}
    with pytest.raises(ImportFailed) as exc:
        import_catalog(files=[("a.jsonl", as_jsonl(records))], effective_from=DAY)
    assert "dòng 2" in exc.value.problems[0] and "Mã thủ tục" in exc.value.problems[0]
    assert Procedure.objects.count() == 0


def test_a_corrupt_xlsx_is_refused_in_vietnamese(catalog_list_file, catalog_detail_file):
    content = catalog_list_file.read_bytes()
    corrupt = content[: len(content) // 2]
    with pytest.raises(ImportFailed) as exc:
        import_catalog(
            files=[("ds.xlsx", corrupt), ("ok.jsonl.gz", catalog_detail_file.read_bytes())],
            effective_from=DAY,
        )
    assert "ds.xlsx: tệp Excel bị hỏng" in exc.value.problems[0]
    assert Procedure.objects.count() == 0


def test_an_unknown_format_and_a_broken_gzip_are_refused():
    with pytest.raises(ImportFailed) as exc:
        import_catalog(
            files=[("ghi-chu.txt", "xin chào".encode()), ("x.gz", b"\x1f\x8b\x08\x00broken")],
            effective_from=DAY,
        )
    assert "không nhận ra định dạng" in exc.value.problems[0]
    assert "gzip bị hỏng" in exc.value.problems[1]


def test_an_xlsx_without_the_header_row_is_refused():
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Mã", "Tên thủ tục"])
    book.active.append(["1.000894", "Đăng ký kết hôn"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ImportFailed) as exc:
        import_catalog(files=[("ds.xlsx", buffer.getvalue())], effective_from=DAY)
    assert "không tìm thấy dòng tiêu đề" in exc.value.problems[0]


def test_an_unknown_time_unit_is_kept_as_text_and_flagged(catalog_detail_file):
    record = next(r for r in detail_lines(catalog_detail_file) if r["ma_thu_tuc"] == "2.000908")
    record = {
        **record,
        "cach_thuc_thuc_hien": record["cach_thuc_thuc_hien"].replace("1 Ngày làm việc", "3 Tuần"),
    }
    run = import_catalog(files=[("a.jsonl", as_jsonl([record]))], effective_from=DAY)
    assert run.flagged == 1
    version = Procedure.objects.get(code="2.000908").version_on(DAY)
    assert version.needs_review and any("3 Tuần" in note for note in version.review_notes)
    assert "3 Tuần" in version.cases.first().time_limit_text


def test_import_catalog_command(catalog_detail_file, tmp_path):
    out = io.StringIO()
    call_command("import-catalog", str(catalog_detail_file), "--effective-from", "2026-11-27", stdout=out)
    assert "270 thủ tục mới" in out.getvalue()
    bad = tmp_path / "hong.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CommandError, match="dữ liệu không thay đổi"):
        call_command("import-catalog", str(bad), stdout=io.StringIO())
    with pytest.raises(CommandError, match="Không mở được tệp"):
        call_command("import-catalog", str(tmp_path / "khong-co.xlsx"), stdout=io.StringIO())
