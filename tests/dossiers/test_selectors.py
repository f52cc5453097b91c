"""Inboxes, working time left, the control slip (form 06) and the logbook (form 07)."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
from django.utils import timezone

from taicho.dossiers.selectors import (
    MARK_EARLY,
    MARK_LATE,
    MARK_ON_TIME,
    control_slip,
    control_slip_pdf,
    due_state,
    format_working,
    inbox,
    inbox_counts,
    logbook_xlsx,
    mark,
)
from taicho.dossiers.services import approve, seal

from .conftest import to_approval


def test_inboxes_follow_the_steps(received, people):
    assert list(inbox(people["thamdinh"], "appraisal")) == [received]
    assert not inbox(people["lanhdao"], "approval").exists()
    to_approval(received, people)
    assert list(inbox(people["lanhdao"], "approval")) == [received]
    assert not inbox(people["canboxa"], "approval").exists()  # another agency sees nothing
    counts = {name: n for name, _label, n in inbox_counts(people["lanhdao"])}
    assert counts["approval"] == 1


def test_working_time_left_and_colours(received):
    state = due_state(received, now=received.received_at)
    assert state.level in ("ok", "soon") and state.left > timedelta(0)
    late = due_state(received, now=received.due_at + timedelta(days=3))
    assert late.level == "overdue" and late.text.startswith("Quá hạn")
    assert format_working(timedelta(hours=9, minutes=15)) == "1 ngày 1 giờ 15 phút"


def test_marks_compare_time_used_with_the_step_budget():
    assert mark(3600, 4 * 3600) == MARK_EARLY
    assert mark(4 * 3600, 4 * 3600) == MARK_ON_TIME
    assert mark(5 * 3600, 4 * 3600) == MARK_LATE


def test_control_slip_rows_and_pdf(received, people):
    dossier = to_approval(received, people)
    approve(dossier=dossier, leader=people["lanhdao"])
    seal(dossier=dossier, clerk=people["vanthu"])
    rows = control_slip(dossier)
    assert [r["result"] for r in rows][:3] == ["Đã tiếp nhận", "Đang thẩm định", "Chờ phê duyệt"]
    assert {r["mark_label"] for r in rows} <= {"Trước hạn", "Đúng hạn", "Quá hạn"}
    assert control_slip_pdf(dossier)[:5] == b"%PDF-"


def test_logbook_export(received, people):
    today = timezone.localdate()
    content = logbook_xlsx(people["thamdinh"], today - timedelta(days=1), today)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][0] == "Mã hồ sơ"
    assert rows[3][0] == received.code and rows[3][3] == "Nguyễn Thị Lan Anh"
    empty = openpyxl.load_workbook(io.BytesIO(logbook_xlsx(people["canboxa"], today, today))).active
    assert empty.max_row == 3  # another agency's officer gets only the header
