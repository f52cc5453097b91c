"""Writes of the catalog: importing the portal's files, and new versions of a procedure."""

from __future__ import annotations

import hashlib
import json
import logging
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from taicho.catalog.models import (
    Component,
    Fee,
    ImportRun,
    Procedure,
    ProcedureCase,
    ProcedureVersion,
    ResultType,
    Sector,
)
from taicho.catalog.parsing import ParsedRecord, parse_record
from taicho.catalog.sources import SourceRecord, nfc, read_catalog_file

if TYPE_CHECKING:
    from taicho.org.models import Staff

logger = logging.getLogger(__name__)


class ImportFailed(Exception):
    """The import changed nothing; ``problems`` says what could not be read, each with its place."""

    def __init__(self, problems: Sequence[str], run: ImportRun | None = None) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)
        self.run = run


@dataclass
class ImportCounts:
    created: int = 0
    new_versions: int = 0
    unchanged: int = 0
    flagged: int = 0
    flagged_codes: list[str] = field(default_factory=list)


def import_catalog_paths(paths: Iterable[str | Path], **kwargs: object) -> ImportRun:
    files = []
    problems = []
    for path in paths:
        try:
            files.append((Path(path).name, Path(path).read_bytes()))
        except OSError as exc:
            problems.append(
                _("Không mở được tệp “%(path)s”: %(error)s") % {"path": path, "error": exc.strerror or exc}
            )
    if problems:
        raise ImportFailed(problems)
    return import_catalog(files=files, **kwargs)  # type: ignore[arg-type]


def import_catalog(
    *,
    files: Sequence[tuple[str, bytes]],
    started_by: Staff | None = None,
    effective_from: date | None = None,
) -> ImportRun:
    """Import portal files into the catalog, all or nothing.

    Every file is read first; if anything cannot be read (a corrupt file, a line that is not JSON, a row without
    a valid TTHC code) nothing is written and ImportFailed lists each problem with its place. Otherwise, in one
    transaction: a procedure not yet known is created; a known one whose record changed gets a new version
    effective from ``effective_from`` (default: today in Vietnam); an identical record changes nothing. Content
    the parser cannot read is kept as text and the version is flagged for review — never dropped.
    The ImportRun row (kept even when the import fails) records the counts.
    """
    run = ImportRun.objects.create(started_by=started_by, files=[name for name, _content in files])
    records: list[SourceRecord] = []
    problems: list[str] = []
    for name, content in files:
        read = read_catalog_file(name, content)
        records.extend(read.records)
        problems.extend(read.problems)
    if not files:
        problems.append(_("Chưa chọn tệp nào để nhập."))
    if problems:
        _finish(
            run,
            status=ImportRun.Status.FAILED,
            error=_("Không nhập được: có nội dung không đọc được."),
            report=problems,
        )
        raise ImportFailed(problems, run)

    effective = effective_from or timezone.localdate()
    try:
        with transaction.atomic():
            counts = _apply(records, effective)
    except Exception as exc:
        logger.exception("catalog import failed")
        _finish(run, status=ImportRun.Status.FAILED, error=str(exc), report=[str(exc)])
        raise ImportFailed(
            [_("Lỗi khi ghi dữ liệu, không có thay đổi nào được lưu: %(error)s") % {"error": exc}], run
        ) from exc
    report = [_("Cần rà soát: %(code)s") % {"code": code} for code in counts.flagged_codes]
    _finish(
        run,
        status=ImportRun.Status.SUCCEEDED,
        created=counts.created,
        new_versions=counts.new_versions,
        unchanged=counts.unchanged,
        flagged=counts.flagged,
        report=report,
    )
    return run


def _finish(run: ImportRun, **fields: object) -> None:
    for key, value in fields.items():
        setattr(run, key, value)
    run.finished_at = timezone.now()
    run.save()


def _record_hash(data: dict[str, object]) -> str:
    canonical = json.dumps(
        {k: unicodedata.normalize("NFC", v) if isinstance(v, str) else v for k, v in sorted(data.items())},
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


_PRECEDENCE = {"unchanged": 0, "new_version": 1, "created": 2}


@dataclass
class _Pending:
    """New procedures and versions held back so they are written with a few bulk inserts (the parents get
    their keys from the database first, then the children are attached to them)."""

    procedures: list[Procedure] = field(default_factory=list)
    versions: list[ProcedureVersion] = field(default_factory=list)
    cases: list[tuple[ProcedureCase, list[Fee]]] = field(default_factory=list)
    components: list[Component] = field(default_factory=list)
    results: list[ResultType] = field(default_factory=list)

    def flush(self) -> None:
        Procedure.objects.bulk_create(self.procedures)
        for version in self.versions:
            version.procedure = version.procedure  # re-read the parent's new key
        ProcedureVersion.objects.bulk_create(self.versions)
        for case, _fees in self.cases:
            case.version = case.version
        ProcedureCase.objects.bulk_create([case for case, _fees in self.cases])
        fees = []
        for case, case_fees in self.cases:
            for fee in case_fees:
                fee.case = case
                fees.append(fee)
        Fee.objects.bulk_create(fees)
        for component in self.components:
            component.version = component.version
        for result in self.results:
            result.version = result.version
        Component.objects.bulk_create(self.components)
        ResultType.objects.bulk_create(self.results)
        for batch in (self.procedures, self.versions, self.cases, self.components, self.results):
            batch.clear()


def _apply(records: list[SourceRecord], effective: date) -> ImportCounts:
    """Apply records; each procedure is counted once: created, else new version, else unchanged."""
    counts = ImportCounts()
    outcome: dict[str, str] = {}

    def count(code: str, what: str) -> None:
        if _PRECEDENCE[what] >= _PRECEDENCE.get(outcome.get(code, "unchanged"), 0):
            outcome[code] = what

    # Details first: a list row for a procedure that also has a detail record adds nothing.
    records = sorted(records, key=lambda r: 0 if r.kind == "detail" else 1)
    seen: dict[tuple[str, str], str] = {}
    codes = {r.code for r in records}
    procedures = {p.code: p for p in Procedure.objects.filter(code__in=codes)}
    latest: dict[str, ProcedureVersion] = {}
    if procedures:
        last_numbers = (
            ProcedureVersion.objects.filter(procedure__in=procedures.values())
            .values("procedure_id")
            .annotate(n=Max("number"))
        )
        wanted = {(row["procedure_id"], row["n"]) for row in last_numbers}
        for version in ProcedureVersion.objects.filter(procedure__in=procedures.values()).select_related(
            "procedure"
        ):
            if (version.procedure_id, version.number) in wanted:
                latest[version.procedure.code] = version
    sectors = {s.name: s for s in Sector.objects.all()}
    touched: set[str] = set()
    pending = _Pending()
    for record in records:
        digest = _record_hash(record.data)
        if seen.get((record.kind, record.code)) == digest:
            continue  # the same record twice (e.g. the same file given twice) counts once
        seen[(record.kind, record.code)] = digest
        if record.kind == "list":
            pending.flush()  # list rows may copy or annotate versions, which must exist by then
        procedure = procedures.get(record.code)
        current = latest.get(record.code)
        if record.kind == "list" and current is not None and record.code in touched:
            # The detail record of this run already made the version; the list row adds nothing but a remark
            # when the two disagree on the name.
            if not _list_matches(record, current):
                remark = _("Tên trong danh sách TTHC khác tên trong bản ghi chi tiết: “%(name)s”.") % {
                    "name": nfc(record.data.get("ten_thu_tuc"))
                }
                current.review_notes = [*current.review_notes, remark]
                current.needs_review = True
                current.save(update_fields=["review_notes", "needs_review"])
                if record.code not in counts.flagged_codes:
                    counts.flagged += 1
                    counts.flagged_codes.append(record.code)
            continue
        if (
            record.kind == "list"
            and current is not None
            and current.origin != ProcedureVersion.Origin.PORTAL_LIST
        ):
            if _list_matches(record, current):
                count(record.code, "unchanged")
                continue
        elif current is not None and current.source_hash == digest:
            count(record.code, "unchanged")
            continue
        sector_name = nfc(record.data.get("linh_vuc"))
        sector = None
        if sector_name:
            sector = sectors.get(sector_name) or Sector.objects.create(name=sector_name)
            sectors[sector_name] = sector
        name = nfc(record.data.get("ten_thu_tuc"))
        if procedure is None:
            procedure = Procedure(code=record.code, name=name, sector=sector)
            pending.procedures.append(procedure)
            procedures[record.code] = procedure
            number = 1
            count(record.code, "created")
        else:
            number = (current.number if current else 0) + 1
            Procedure.objects.filter(pk=procedure.pk).update(name=name, sector=sector)
            count(record.code, "new_version")
        if record.kind == "detail":
            version = _version_from_detail(procedure, number, effective, record, digest, pending)
        else:
            version = _version_from_list(procedure, number, effective, record, digest, current, pending)
        latest[record.code] = version
        touched.add(record.code)
        if version.needs_review:
            counts.flagged += 1
            counts.flagged_codes.append(record.code)
    pending.flush()
    values = list(outcome.values())
    counts.created, counts.new_versions, counts.unchanged = (
        values.count("created"),
        values.count("new_version"),
        values.count("unchanged"),
    )
    return counts


def _list_matches(record: SourceRecord, version: ProcedureVersion) -> bool:
    return nfc(record.data.get("ten_thu_tuc")) == nfc(version.name) and (
        not nfc(record.data.get("linh_vuc")) or nfc(record.data.get("linh_vuc")) == nfc(version.sector_name)
    )


def _version_from_detail(
    procedure: Procedure, number: int, effective: date, record: SourceRecord, digest: str, pending: _Pending
) -> ProcedureVersion:
    parsed: ParsedRecord = parse_record(record.data)
    data = record.data
    notes = list(dict.fromkeys(parsed.problems))
    version = ProcedureVersion(
        procedure=procedure,
        number=number,
        effective_from=effective,
        name=parsed.name or nfc(data.get("ten_thu_tuc")),
        sector_name=parsed.sector,
        levels=parsed.levels,
        competent_agency=parsed.competent_agency,
        performing_agency=nfc(data.get("co_quan_thuc_hien")),
        coordinating_agency=nfc(data.get("co_quan_phoi_hop")),
        legal_basis=[{"title": title, "number": num} for title, num in parsed.legal_basis],
        steps_text=unicodedata.normalize("NFC", str(data.get("trinh_tu_thuc_hien") or "")).strip(),
        conditions_text=unicodedata.normalize("NFC", str(data.get("yeu_cau_dieu_kien") or "")).strip(),
        decision_number=nfc(data.get("so_quyet_dinh")),
        source_url=nfc(data.get("detail_url"))[:500],
        origin=ProcedureVersion.Origin.PORTAL_DETAIL,
        source_hash=digest,
        source_record=data,
        needs_review=bool(notes),
        review_notes=notes,
    )
    pending.versions.append(version)
    for ordinal, channel in enumerate(parsed.channels, start=1):
        limit = channel.time_limit
        case = ProcedureCase(
            version=version,
            ordinal=ordinal,
            name=_case_name(channel.description),
            channel=channel.channel,
            time_limit_value=limit.value if limit else None,
            time_limit_unit=limit.unit if limit else "",
            time_limit_text=channel.time_limit_text[:500],
            description=channel.description,
        )
        fees = [
            Fee(kind=fee.kind, amount=fee.amount, currency=fee.currency, per_unit=fee.per_unit, text=fee.text)
            for fee in channel.fees
        ]
        pending.cases.append((case, fees))
    pending.components.extend(
        Component(
            version=version,
            ordinal=ordinal,
            name=component.name,
            group=component.group[:300],
            originals=component.originals,
            certified_copies=component.certified_copies,
            copies=component.copies,
            required=component.required,
            form_name=component.form[:300],
        )
        for ordinal, component in enumerate(parsed.components, start=1)
    )
    pending.results.extend(
        ResultType(version=version, code=result.code, name=result.name[:500]) for result in parsed.results
    )
    return version


def _case_name(description: str) -> str:
    """A short name for a case row: the first clause of its description."""
    text = nfc(description)
    for stop in (":", ";", "."):
        if stop in text[:200]:
            text = text.split(stop, 1)[0]
            break
    return text[:200]


def _version_from_list(
    procedure: Procedure,
    number: int,
    effective: date,
    record: SourceRecord,
    digest: str,
    current: ProcedureVersion | None,
    pending: _Pending,
) -> ProcedureVersion:
    data = record.data
    if current is not None:
        # The list names only the procedure; what a newer version changes there, the rest carries over.
        version = create_version(
            source=current,
            effective_from=effective,
            name=nfc(data.get("ten_thu_tuc")),
            sector_name=nfc(data.get("linh_vuc")) or current.sector_name,
            issuing_agency=nfc(data.get("co_quan_ban_hanh")) or current.issuing_agency,
            performing_agency=nfc(data.get("co_quan_thuc_hien")) or current.performing_agency,
            origin=ProcedureVersion.Origin.PORTAL_LIST,
            source_hash=digest,
            source_record=data,
        )
        return version
    note = _(
        "Chỉ có trong danh sách TTHC: chưa có thời hạn, phí, lệ phí và thành phần hồ sơ — cần nhập bản ghi chi "
        "tiết hoặc bổ sung."
    )
    version = ProcedureVersion(
        procedure=procedure,
        number=number,
        effective_from=effective,
        name=nfc(data.get("ten_thu_tuc")),
        sector_name=nfc(data.get("linh_vuc")),
        issuing_agency=nfc(data.get("co_quan_ban_hanh")),
        performing_agency=nfc(data.get("co_quan_thuc_hien")),
        origin=ProcedureVersion.Origin.PORTAL_LIST,
        source_hash=digest,
        source_record=data,
        needs_review=True,
        review_notes=[note],
    )
    pending.versions.append(version)
    return version


@transaction.atomic
def create_version(*, source: ProcedureVersion, effective_from: date, **changes: object) -> ProcedureVersion:
    """A new version of ``source``'s procedure, copying its cases, fees, components and result types, with
    ``changes`` applied; dossiers received under ``source`` keep it. The number is the procedure's next one."""
    procedure = Procedure.objects.select_for_update().get(pk=source.procedure_id)
    number = (procedure.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    copy_fields = [
        f.name
        for f in ProcedureVersion._meta.concrete_fields
        if f.name not in {"id", "procedure", "number", "effective_from", "created_at"}
    ]
    values = {name: getattr(source, name) for name in copy_fields}
    values.update(changes)
    version = ProcedureVersion.objects.create(
        procedure=procedure, number=number, effective_from=effective_from, **values
    )
    case_map: dict[int, ProcedureCase] = {}
    for case in source.cases.prefetch_related("fees"):
        old_pk = case.pk
        fees = list(case.fees.all())
        case.pk = None
        case.version = version
        case.save()
        case_map[old_pk] = case
        for fee in fees:
            fee.pk = None
            fee.case = case
        Fee.objects.bulk_create(fees)
    components = list(source.components.all())
    for component in components:
        component.pk = None
        component.version = version
        component.case = case_map.get(component.case_id) if component.case_id else None
    Component.objects.bulk_create(components)
    results = list(source.result_types.all())
    for result in results:
        result.pk = None
        result.version = version
    ResultType.objects.bulk_create(results)
    if "name" in changes:
        Procedure.objects.filter(pk=procedure.pk).update(name=changes["name"])
    return version
