"""A province-year of realistic data, generated fast (issue 5, item 9: scale): the agency tree, staff, a catalog of
procedures with their on-the-spot designations, and dossiers with their components, every event of their life
and the citizens' ratings — what the supervision pages are measured against, and what `taicho generate-year`
adds on top of the demo.

How it stays fast and small:
* Time is integer seconds since the epoch; working time is a "working clock" built once from the center's own
  calendar (`calendar_for(center)`: its seasons, holidays, make-up days, cut-off): `w(t)` is the working time
  before ``t``, `at(x)` the earliest instant with ``w == x``. The calendar's `elapsed` and `due` become a
  subtraction and a bisection, with the same results (tests/supervision/test_generate.py compares them).
* Dossiers are made day by day in the order they were received and written in chunks, one transaction each:
  PostgreSQL `COPY … FROM STDIN` through psycopg, SQLite `executemany` of plain INSERTs. Memory is bounded by
  the chunk, plus a fixed pool of returning citizens whose digitized papers later dossiers reuse.
* Ids are handed out here (after the largest id of each table); PostgreSQL sequences are reset afterwards.
  Foreign keys are valid by construction. On PostgreSQL, when the account may, the per-row foreign-key triggers
  are off for the session while loading (`session_replication_role = replica`), and every new row's references
  are then checked with one anti-join per foreign key instead; otherwise the triggers do the checking.

Codes are in the real formats (QCVN 102 identifiers refining the province's, TTHC codes, dossier codes
`{agency}-{YYMMDD}-{NNNN}`), and the daily counters behind dossier codes are advanced, so a dossier received
later through the services never gets a code generated here. Names and numbers of generated agencies, staff
and citizens are illustrative. Run it while nobody else writes dossiers: ids are taken from the tables' maxima.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from taicho.catalog.models import (
    Component,
    Fee,
    OnTheSpotDesignation,
    OnTheSpotStatus,
    Procedure,
    ProcedureCase,
    ProcedureVersion,
    Sector,
    TimeUnit,
)
from taicho.core.calendar import calendar_for
from taicho.core.codes import parse_agency_identifier
from taicho.core.models import DailyCounter
from taicho.core.workcal import WorkingCalendar
from taicho.documents.models import IssuedDocument
from taicho.dossiers.models import Dossier, DossierComponent, DossierEvent, Rating
from taicho.dossiers.services import STEP_SHARES
from taicho.dossiers.states import PAUSED, TRANSITIONS
from taicho.org.models import AdministrativeUnit, Agency, Center, Counter, Delegation, Role, Staff, StaffRole
from taicho.supervision.models import StaffAssignment

Progress = Callable[[str, int, int], None]
Row = tuple[Any, ...]

PROVINCE_CODE = "000.00.00.H49"
CENTER_CODE = "TTPVHCC-H49"
CHUNK = 5_000  # dossiers per transaction
SPOT_SHARE = 0.35  # of each agency's procedures run "5 tại chỗ"
HOUR = 3600
DAY = 8 * HOUR  # a working day
EPOCH = date(1970, 1, 1).toordinal()

# --- what generated names are made of (illustrative) ---------------------------------------------------------

# Departments after the reorganisation of 2025, one a line: name | short | sector | objects of procedures (";").
DEPARTMENTS_TEXT = """
Sở Tư pháp|STP|Lý lịch tư pháp|phiếu lý lịch tư pháp; thẻ công chứng viên; giấy đăng ký hoạt động văn phòng công
 chứng; chứng chỉ hành nghề luật sư; giấy đăng ký hoạt động của tổ chức hành nghề luật sư; thẻ giám định viên
 tư pháp; giấy đăng ký hoạt động của doanh nghiệp đấu giá tài sản; thẻ trợ giúp viên pháp lý
Sở Xây dựng|SXD|Hoạt động xây dựng|giấy phép xây dựng công trình; chứng chỉ hành nghề hoạt động xây dựng; chứng
 chỉ năng lực hoạt động xây dựng; giấy phép lái xe; giấy phép kinh doanh vận tải bằng xe ô tô; phù hiệu xe ô tô
 kinh doanh vận tải; giấy phép thi công công trình trên đường bộ; đăng ký xe máy chuyên dùng
Sở Nông nghiệp và Môi trường|SNNMT|Đất đai|giấy chứng nhận quyền sử dụng đất; đăng ký biến động đất đai; giấy
 phép môi trường; giấy phép khai thác nước mặt; giấy phép thăm dò khoáng sản; giấy chứng nhận cơ sở đủ điều kiện
 an toàn thực phẩm nông lâm thủy sản; chứng chỉ hành nghề thú y; giấy phép khai thác thủy sản
Sở Tài chính|STC|Thành lập và hoạt động doanh nghiệp|đăng ký thành lập doanh nghiệp; đăng ký thay đổi nội dung
 đăng ký doanh nghiệp; đăng ký hoạt động chi nhánh, văn phòng đại diện; giấy chứng nhận đăng ký đầu tư; quyết
 định chủ trương đầu tư; đăng ký hợp tác xã; tạm ngừng kinh doanh; giải thể doanh nghiệp
Sở Công Thương|SCT|Thương mại|giấy phép bán lẻ sản phẩm rượu; giấy phép bán buôn sản phẩm thuốc lá; giấy chứng
 nhận đủ điều kiện kinh doanh xăng dầu; giấy chứng nhận đủ điều kiện sản xuất hóa chất; giấy phép hoạt động điện
 lực; xác nhận đăng ký thực hiện khuyến mại; chứng nhận huấn luyện kỹ thuật an toàn hóa chất
Sở Y tế|SYT|Khám bệnh, chữa bệnh|giấy phép hành nghề khám bệnh, chữa bệnh; giấy phép hoạt động cơ sở khám bệnh,
 chữa bệnh; chứng chỉ hành nghề dược; giấy chứng nhận đủ điều kiện kinh doanh dược; giấy chứng nhận cơ sở đủ
 điều kiện an toàn thực phẩm; tiếp nhận bản công bố sản phẩm mỹ phẩm; xác nhận nội dung quảng cáo thực phẩm
Sở Giáo dục và Đào tạo|SGDĐT|Giáo dục và Đào tạo|bản sao văn bằng, chứng chỉ từ sổ gốc; công nhận văn bằng do
 cơ sở nước ngoài cấp; giấy phép hoạt động trung tâm ngoại ngữ, tin học; chuyển trường đối với học sinh trung
 học phổ thông; chỉnh sửa nội dung văn bằng, chứng chỉ; cho phép hoạt động giáo dục nghề nghiệp
Sở Nội vụ|SNV|Lao động, việc làm|giấy phép lao động cho người lao động nước ngoài; giấy phép hoạt động dịch vụ
 việc làm; đăng ký nội quy lao động; trợ cấp thất nghiệp; thành lập hội; xếp hạng đơn vị sự nghiệp
Sở Khoa học và Công nghệ|SKHCN|Khoa học và Công nghệ|giấy chứng nhận đăng ký hoạt động khoa học và công nghệ;
 giấy phép tiến hành công việc bức xạ; chứng chỉ nhân viên bức xạ; giấy phép hoạt động in; giấy phép xuất bản
 bản tin; đăng ký kiểm định phương tiện đo
Sở Văn hóa và Thể thao|SVHTT|Văn hóa|giấy phép tổ chức lễ hội; giấy phép kinh doanh dịch vụ karaoke; giấy chứng
 nhận đủ điều kiện kinh doanh hoạt động thể thao; giấy phép triển lãm mỹ thuật; giấy phép phổ biến phim
Sở Du lịch|SDL|Du lịch|giấy phép kinh doanh dịch vụ lữ hành nội địa; thẻ hướng dẫn viên du lịch; công nhận hạng
 cơ sở lưu trú du lịch; công nhận điểm du lịch
Sở Dân tộc và Tôn giáo|SDTTG|Tôn giáo|đăng ký sinh hoạt tôn giáo tập trung; đăng ký người được bổ nhiệm chức
 việc; chấp thuận tổ chức cuộc lễ ngoài cơ sở tôn giáo; đăng ký mở lớp bồi dưỡng về tôn giáo
Ban Quản lý Khu kinh tế|BQLKKT|Đầu tư tại khu kinh tế|giấy chứng nhận đăng ký đầu tư trong khu kinh tế; giấy
 phép xây dựng trong khu công nghiệp; xác nhận ưu đãi đầu tư; giấy chứng nhận xuất xứ hàng hóa
Công an tỉnh|CA|Quản lý xuất nhập cảnh|hộ chiếu phổ thông; giấy chứng nhận đủ điều kiện về an ninh, trật tự;
 giấy phép sử dụng vật liệu nổ công nghiệp; thẩm duyệt thiết kế về phòng cháy và chữa cháy; đăng ký con dấu
Bảo hiểm xã hội tỉnh|BHXH|Bảo hiểm xã hội|sổ bảo hiểm xã hội; thẻ bảo hiểm y tế; giải quyết hưởng lương hưu;
 giải quyết hưởng trợ cấp một lần; giải quyết chế độ thai sản
Thuế tỉnh|THUE|Thuế|đăng ký thuế lần đầu; thay đổi thông tin đăng ký thuế; hoàn thuế giá trị gia tăng; miễn,
 giảm tiền thuê đất; xác nhận nghĩa vụ thuế
Thanh tra tỉnh|TTr|Tiếp công dân, khiếu nại, tố cáo|giải quyết khiếu nại lần hai; giải quyết tố cáo; tiếp nhận,
 xử lý phản ánh, kiến nghị
Sở Ngoại vụ|SNgV|Ngoại vụ|cho phép tổ chức hội nghị, hội thảo quốc tế; xác nhận lãnh sự; cho phép đoàn ra
Văn phòng Ủy ban nhân dân tỉnh|VP|Hành chính công|giấy phép sử dụng thẻ ABTC; xác nhận kết quả giải quyết thủ
 tục hành chính
"""
COMMUNE_TEXT = """giấy khai sinh; giấy chứng nhận kết hôn; trích lục khai tử; giấy xác nhận tình trạng hôn nhân;
 chứng thực chữ ký trong giấy tờ, văn bản; chứng thực hợp đồng, giao dịch liên quan đến tài sản; giấy chứng nhận
 đăng ký hộ kinh doanh; trợ cấp xã hội hằng tháng; hỗ trợ chi phí mai táng; đăng ký thường trú; xác nhận hộ
 nghèo, hộ cận nghèo; giấy phép xây dựng nhà ở riêng lẻ; đăng ký giám hộ; nhận cha, mẹ, con; thay đổi, cải
 chính, bổ sung thông tin hộ tịch; hỗ trợ người có công với cách mạng; hòa giải tranh chấp đất đai"""
COMPONENTS_TEXT = """Đơn đề nghị (theo mẫu); Tờ khai (theo mẫu); Bản sao Căn cước hoặc Căn cước công dân;
 Giấy ủy quyền (trường hợp nộp thay); Bản sao Giấy chứng nhận đăng ký doanh nghiệp; Bản vẽ thiết kế, mặt bằng;
 Giấy chứng nhận quyền sử dụng đất; Hợp đồng (bản sao); Báo cáo kết quả thực hiện; 02 ảnh cỡ 4x6 cm; Giấy khám
 sức khỏe; Bằng cấp, chứng chỉ chuyên môn; Sơ yếu lý lịch có xác nhận; Phiếu lý lịch tư pháp; Văn bản thẩm
 định, thẩm duyệt; Giấy tờ chứng minh nơi cư trú; Danh sách thành viên; Bản thuyết minh dự án"""
# Family names (weighted by repetition), then middle and given names for men and for women, one group a line.
NAMES_TEXT = """Nguyễn Nguyễn Nguyễn Nguyễn Nguyễn Nguyễn Nguyễn Trần Trần Trần Lê Lê Phạm Phạm Hoàng Huỳnh Phan Vũ
 Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trịnh
Văn Hữu Đức Minh Quang Thanh Công Xuân
Thị Thị Ngọc Thu Thanh Minh Kim Hồng
An Bình Cường Dũng Hải Hùng Khánh Long Nam Phong Quân Sơn Thắng Trung Tuấn Việt
Anh Chi Dung Giang Hà Hạnh Hoa Hương Lan Linh Mai Nga Ngọc Phương Thảo Trang"""
ACTIONS = ("Cấp", "Cấp lại", "Cấp đổi", "Điều chỉnh", "Gia hạn", "Thu hồi", "Công nhận", "Xác nhận")
QUALIFIERS = (
    "",
    " đối với tổ chức",
    " đối với cá nhân",
    " có yếu tố nước ngoài",
    " (trường hợp bị mất, hỏng)",
)
CASE_NAMES = ("Cấp mới", "Cấp lại", "Điều chỉnh nội dung")
REASONS = {
    "request_supplement": (
        "Thiếu bản sao giấy tờ chứng minh theo quy định.",
        "Tờ khai chưa ghi đủ thông tin.",
    ),
    "request_obligation": ("Chờ thực hiện nghĩa vụ tài chính theo thông báo của cơ quan thuế.",),
    "send_back": ("Dự thảo kết quả cần chỉnh sửa nội dung.", "Đề nghị thẩm định lại hồ sơ."),
    "refuse": (
        "Hồ sơ không đủ điều kiện theo quy định.",
        "Nội dung đề nghị không thuộc thẩm quyền giải quyết.",
    ),
    "request_withdrawal": ("Công dân đề nghị rút hồ sơ.",),
    "stop": ("Dừng giải quyết theo đề nghị của công dân.", "Công dân không bổ sung hồ sơ đúng hạn."),
    "apologise": ("Hồ sơ cần xác minh thêm tại cơ quan liên quan.", "Cán bộ thẩm định nghỉ ốm đột xuất."),
}


def _items(text: str) -> tuple[str, ...]:
    return tuple(" ".join(part.split()) for part in text.split(";") if part.strip())


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _lines(text: str) -> list[str]:
    return text.replace("\n ", " ").strip().splitlines()


DEPARTMENTS = tuple(
    (name, short, sector, _items(objects))
    for name, short, sector, objects in (line.split("|") for line in _lines(DEPARTMENTS_TEXT))
)
COMMUNE_OBJECTS = _items(COMMUNE_TEXT)
COMPONENT_NAMES = _items(COMPONENTS_TEXT)
FAMILY, *_GROUPS = (tuple(line.split()) for line in _lines(NAMES_TEXT))
MIDDLE, GIVEN = (_GROUPS[0], _GROUPS[1]), (_GROUPS[2], _GROUPS[3])

TARGET = {action: (str(t.target) if t.target is not None else None) for action, t in TRANSITIONS.items()}
STEP = {action: str(t.step) for action, t in TRANSITIONS.items()}
SHARE = {str(step): share for step, share in STEP_SHARES.items()}
PAUSED_STATES = {str(s) for s in PAUSED}
FINISHING = {"release", "refuse", "stop"}

# Columns written for the bulk tables, in this order (model field names; the columns come from `_meta`).
DOSSIER_FIELDS = _words("""id code procedure version case agency center counter channel status on_the_spot applicant_name
 applicant_id applicant_address applicant_phone applicant_email owner_name owner_id owner_address content sets
 result_delivery received_at received_by clock_started_at due_at original_due_at paused_since finished_at
 returned_at fee_amount fee_paid fee_receipt result printed_copies physical_seal receiver_name receiver_id
 receiver_relation originals_returned guidance row_version created_at""")
EVENT_FIELDS = _words("""id dossier action step from_status to_status actor agency at reason budget_seconds used_seconds
 detail""")
COMPONENT_FIELDS = _words("""id dossier component provided_as count digitized digitized_sha256 digitization_code
 reused_from""")
DOCUMENT_FIELDS = _words("""id verification_code kind template title number agency procedure dossier_code owner_id
 data layout pdf sha256 status signed_by signed_at delegation sealed_by sealed_at released_at validation
 pending_signature created_by created_at""")
RATING_FIELDS = _words("id dossier scores overall comment officer created_at")


# --- writing rows ------------------------------------------------------------------------------------------------


class Writer:
    """Rows into a model's table in bulk: COPY on PostgreSQL, executemany on SQLite; columns from `_meta`."""

    def __init__(self) -> None:
        self.pg = connection.vendor == "postgresql"
        self.count: dict[type[models.Model], int] = {}
        self.first_id: dict[type[models.Model], int] = {}
        self.triggers_off = False
        self.cache_size: int | None = None

    def next_id(self, model: type[models.Model]) -> int:
        """The first free id of ``model``'s table (the generator hands out the ids)."""
        top = int(model._default_manager.aggregate(top=Max("pk"))["top"] or 0)
        self.first_id.setdefault(model, top + 1)
        return top + 1

    def insert(self, model: type[models.Model], fields: Sequence[str], rows: Sequence[Row]) -> None:
        if not rows:
            return
        quote = connection.ops.quote_name
        meta: Any = model._meta
        columns = ", ".join(quote(meta.get_field(name).column) for name in fields)
        table = quote(model._meta.db_table)
        connection.ensure_connection()
        raw: Any = connection.connection
        if self.pg:
            with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(fields))
            raw.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608
        self.count[model] = self.count.get(model, 0) + len(rows)

    def loading(self, *, on: bool) -> None:
        """Session settings for the load, and back. PostgreSQL: leave out this session's per-row foreign-key
        triggers (allowed to superusers only; for anyone else they stay on and check every row). SQLite: a
        64 MB page cache instead of 2 MB, which halves the time spent updating the indexes."""
        with connection.cursor() as cursor:
            if not self.pg:
                if on:
                    cursor.execute("PRAGMA cache_size")
                    self.cache_size = int(cursor.fetchone()[0])
                    cursor.execute("PRAGMA cache_size = -65536")
                elif self.cache_size is not None:
                    cursor.execute(f"PRAGMA cache_size = {self.cache_size}")
            elif on:
                try:
                    with transaction.atomic():
                        cursor.execute("SET session_replication_role = replica")
                    self.triggers_off = True
                except DatabaseError:
                    self.triggers_off = False
            elif self.triggers_off:
                cursor.execute("SET session_replication_role = DEFAULT")

    def finish(self) -> None:
        """Sequences past the ids handed out; planner statistics for the new rows."""
        written = [m for m, n in self.count.items() if n]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), written):
                cursor.execute(sql)
            if not self.pg:
                cursor.execute("PRAGMA analysis_limit = 1000")  # a sample is enough for the planner
            for model in written:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")

    def dangling(self) -> list[str]:
        """References of the new rows that point nowhere (one anti-join per foreign key)."""
        problems = []
        q = connection.ops.quote_name
        with connection.cursor() as cursor:
            for model, first in self.first_id.items():
                if not self.count.get(model):
                    continue
                for fk in model._meta.concrete_fields:
                    if not fk.is_relation:
                        continue
                    target: Any = fk.related_model
                    pk, column, parent_pk = q(model._meta.pk.column), q(fk.column), q(target._meta.pk.column)
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {q(model._meta.db_table)} c "  # noqa: S608 - names from _meta
                        f"LEFT JOIN {q(target._meta.db_table)} p ON p.{parent_pk} = c.{column} "
                        f"WHERE c.{pk} >= %s AND c.{column} IS NOT NULL AND p.{parent_pk} IS NULL",
                        [first],
                    )
                    missing = cursor.fetchone()[0]
                    if missing:
                        problems.append(f"{model._meta.db_table}.{fk.column}: {missing}")
        return problems


class Stamps:
    """Epoch seconds → the text the database stores (UTC), or ISO 8601 in local time (event details). The day
    and time-of-day parts are made once each: a million dossiers have ten million instants."""

    def __init__(self, *, pg: bool, offset: int) -> None:
        suffix = "+00" if pg else ""  # SQLite: naive UTC, as Django stores it
        self.offset = offset
        self.tod = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]
        self.tod_utc = [f"{t}{suffix}" for t in self.tod]
        self.days: dict[int, str] = {}
        self.zone = f"{'+' if offset >= 0 else '-'}{abs(offset) // 3600:02d}:{abs(offset) // 60 % 60:02d}"

    def _day(self, day: int) -> str:
        text = self.days[day] = date.fromordinal(EPOCH + day).isoformat()
        return text

    def utc(self, t: int) -> str:
        day, second = divmod(t, 86400)
        try:
            return f"{self.days[day]} {self.tod_utc[second]}"
        except KeyError:
            return f"{self._day(day)} {self.tod_utc[second]}"

    def local_iso(self, t: int) -> str:
        day, second = divmod(t + self.offset, 86400)
        return f"{self.days.get(day) or self._day(day)}T{self.tod[second]}{self.zone}"


class Dice(random.Random):
    """`random.Random` with cheaper draws for the hot loop (`choice` and `randrange` check their arguments and
    draw bits; a million dossiers make tens of millions of draws)."""

    def pick(self, seq: Sequence[Any]) -> Any:
        return seq[int(self.random() * len(seq))]

    def between(self, low: int, high: int) -> int:
        """An integer in [low, high)."""
        return low + int(self.random() * (high - low))


# --- the working clock -----------------------------------------------------------------------------------------


class Clock:
    """The center's working time over integer epoch seconds, from ``first`` to ``last`` (module docstring)."""

    def __init__(self, cal: WorkingCalendar, first: date, last: date) -> None:
        offsets = {datetime.combine(d, datetime.min.time(), tzinfo=cal.tz).utcoffset() for d in (first, last)}
        offset = offsets.pop()
        if offsets or offset is None:
            raise ValueError("the generator needs a zone with one UTC offset (Asia/Ho_Chi_Minh has one)")
        self.offset = int(offset.total_seconds())
        cut = cal.cutoff
        self.cutoff = cut.hour * HOUR + cut.minute * 60 + cut.second if cut is not None else None
        self.hours_per_day = int(cal.hours_per_day)
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.cum: list[int] = []  # working seconds before each session
        self.by_day: dict[int, tuple[int, ...]] = {}  # local day (ordinal) -> its sessions
        total, day = 0, first
        while day <= last:
            found = []
            for start, end in cal.sessions_on(day):
                s, e = int(start.timestamp()), int(end.timestamp())
                found.append(len(self.starts))
                self.starts.append(s)
                self.ends.append(e)
                self.cum.append(total)
                total += e - s
            if found:
                self.by_day[day.toordinal()] = tuple(found)
            day += timedelta(days=1)
        self.cum_end = [c + e - s for c, s, e in zip(self.cum, self.starts, self.ends, strict=True)]
        self.total = total

    def w(self, t: int) -> int:
        """Working seconds before ``t``."""
        i = bisect_right(self.starts, t) - 1
        return 0 if i < 0 else self.cum[i] + min(t, self.ends[i]) - self.starts[i]

    def at(self, x: int) -> int:
        """The earliest instant with ``w == x`` (x > 0); beyond the clock, its end."""
        x = min(x, self.total)
        i = bisect_left(self.cum_end, x)
        return self.starts[i] + x - self.cum[i]

    def local_day(self, t: int) -> int:
        return (t + self.offset) // 86400 + EPOCH

    def next_working_day(self, day: int) -> int:
        day += 1
        while day not in self.by_day:
            day += 1
        return day

    def start_of_count(self, t: int) -> int:
        """As `WorkingCalendar.start_of_count`: from ``t`` or the next session of the day when before the
        cut-off, else from the first session of the next working day."""
        day = self.local_day(t)
        if self.cutoff is None or (t + self.offset) % 86400 < self.cutoff:
            for i in self.by_day.get(day, ()):
                if t < self.ends[i]:
                    return max(self.starts[i], t)
        return self.starts[self.by_day[self.next_working_day(day)][0]]

    def due(self, received: int, unit: str, value: Decimal) -> int:
        """As `WorkingCalendar.due`."""
        origin = self.start_of_count(received)
        if unit in (TimeUnit.WORKING_HOURS, TimeUnit.WORKING_DAYS):
            seconds = int(value * HOUR * (self.hours_per_day if unit == TimeUnit.WORKING_DAYS else 1))
            return self.at(self.w(origin) + seconds) if seconds > 0 else origin
        day = self.local_day(origin)
        if unit == TimeUnit.CALENDAR_DAYS:
            day += int(value)
            if day not in self.by_day:
                day = self.next_working_day(day)
        return self.ends[self.by_day[day][-1]]


def limit_seconds(unit: str, value: Decimal) -> int:
    """The legal limit in working seconds, for step budgets (as `dossiers.services._limit_seconds`)."""
    if unit == TimeUnit.WORKING_HOURS:
        return int(value * HOUR)
    if unit == TimeUnit.WITHIN_DAY:
        return DAY
    return int(value * DAY)


# --- people ------------------------------------------------------------------------------------------------------


def _province_codes() -> list[str]:
    from taicho.core.codes import _province_codes as codes

    return sorted(codes())


def personal_id(rnd: random.Random, province: str, *, female: bool, born: int) -> str:
    """A 12-digit CCCD number: province of birth registration, gender/century digit, year, 6 digits."""
    digit = (0 if born < 2000 else 2) + (1 if female else 0)
    return f"{province}{digit}{born % 100:02d}{int(rnd.random() * 1_000_000):06d}"


def full_name(rnd: random.Random, *, female: bool) -> str:
    middle, given = MIDDLE[female], GIVEN[female]
    r = rnd.random
    return f"{FAMILY[int(r() * len(FAMILY))]} {middle[int(r() * len(middle))]} {given[int(r() * len(given))]}"


# --- the province: agencies, counters, staff --------------------------------------------------------------------


@dataclass
class AgencyInfo:
    """An agency and who may act for it: stationed at the center, or at its headquarters (``hq_``)."""

    agency: Agency
    counter_id: int
    receivers: list[int] = field(default_factory=list)
    appraisers: list[int] = field(default_factory=list)
    hq_appraisers: list[int] = field(default_factory=list)
    approvers: list[int] = field(default_factory=list)
    hq_approvers: list[int] = field(default_factory=list)
    clerks: list[int] = field(default_factory=list)
    hq_clerks: list[int] = field(default_factory=list)


def _center(center: Center | None) -> Center:
    """The given center; else the Quảng Ninh center of the demo; else a new one (and its province)."""
    if center is not None:
        return center
    found = Center.objects.filter(code=CENTER_CODE).select_related("agency").first()
    if found is not None:
        return found
    province = Agency.objects.filter(code=PROVINCE_CODE).first()
    if province is None:
        province = Agency(
            code=PROVINCE_CODE, name="Ủy ban nhân dân tỉnh Quảng Ninh", level=Agency.Level.PROVINCE
        )
        province.full_clean()
        province.save()
    return Center.objects.create(
        code=CENTER_CODE, name="Trung tâm Phục vụ Hành chính công tỉnh Quảng Ninh", agency=province
    )


def _codes(taken: set[str], level1: str, *, commune: bool) -> Any:
    """Free identifiers under the province: departments 000.00.NN.Hxx; communes 000.NN.MM.Hxx (level 3, in
    level-2 groups MM from 41 up, since the districts above them were abolished in 2025)."""
    n = 0
    while True:
        n += 1
        if commune:
            code = f"000.{(n - 1) % 99 + 1:02d}.{41 + (n - 1) // 99:02d}.{level1}"
        else:
            code = f"000.00.{n:02d}.{level1}"
        if code not in taken:
            taken.add(code)
            yield code


def _setup_agencies(center: Center, wanted: int) -> list[Agency]:
    """The agencies under the province: those there (up to ``wanted``), then new departments (about 45 % in
    all) and communes (named after the province's communes)."""
    province = center.agency
    existing = list(
        Agency.objects.filter(
            parent=province, level__in=[Agency.Level.DEPARTMENT, Agency.Level.COMMUNE], valid_to__isnull=True
        ).order_by("code")[:wanted]
    )
    missing = wanted - len(existing)
    have = sum(1 for a in existing if a.level == Agency.Level.DEPARTMENT)
    new_departments = max(0, min(missing, round(wanted * 0.45) - have))
    taken = set(Agency.objects.values_list("code", flat=True))
    level1 = parse_agency_identifier(province.code).level1
    department_codes, commune_codes = (
        _codes(taken, level1, commune=False),
        _codes(taken, level1, commune=True),
    )
    specs = [d for d in DEPARTMENTS if not any(a.name.startswith(d[0]) for a in existing)]
    created = []
    for i in range(new_departments):
        name = specs[i % len(specs)][0] + (f" (khối {i // len(specs) + 1})" if i >= len(specs) else "")
        created.append(
            Agency(code=next(department_codes), name=f"{name} tỉnh Quảng Ninh", short_name=name,
                   level=Agency.Level.DEPARTMENT, parent=province,
                   administrative_unit_id=province.administrative_unit_id)
        )  # fmt: skip
    units = [
        u
        for u in AdministrativeUnit.objects.filter(province_id=province.administrative_unit_id).order_by(
            "code"
        )
        if not any(u.name.lower() in a.name.lower() for a in existing)
    ]
    for i in range(missing - new_departments):
        unit = units[i] if i < len(units) else None
        label = f"xã số {i + 1}"
        if unit is not None:
            kind = unit.division_type
            rest = (
                unit.name[len(kind) + 1 :] if unit.name.lower().startswith(kind.lower() + " ") else unit.name
            )
            label = f"{kind} {rest}"
        created.append(
            Agency(code=next(commune_codes), name=f"Ủy ban nhân dân {label}", short_name=f"UBND {label}",
                   level=Agency.Level.COMMUNE, parent=province, administrative_unit=unit)
        )  # fmt: skip
    for agency in created:
        agency.full_clean()  # QCVN 102: the code refines the province's (Agency.clean)
        agency.save()
    agencies = existing + created
    center.served_agencies.add(*agencies)
    return agencies


# (username key, title, roles, stationed at the center, how many) for each agency.
STAFF_PLAN = (
    ("tn", "Công chức tiếp nhận", (Role.RECEIVING_OFFICER,), True, 3),
    ("td", "Chuyên viên thẩm định tại Trung tâm", (Role.APPRAISER,), True, 2),
    ("tdcq", "Chuyên viên", (Role.APPRAISER,), False, 2),
    ("pgd", "Phó Thủ trưởng", (Role.APPROVER,), True, 1),
    ("gd", "Thủ trưởng", (Role.APPROVER,), False, 1),
    ("vt", "Văn thư tại Trung tâm", (Role.SEAL_CLERK,), True, 1),
    ("vtcq", "Văn thư", (Role.SEAL_CLERK,), False, 1),
)


def _setup_staff(rnd: random.Random, center: Center, agencies: list[Agency], start: date) -> list[AgencyInfo]:
    """A counter for each agency, its staff (no usable password) with roles and assignments at the center, and
    the pools of actors — the accounts already there (the demo's) included."""
    counters: dict[int, int] = {}
    for counter in Counter.objects.filter(center=center).prefetch_related("agencies"):
        for agency in counter.agencies.all():
            counters.setdefault(agency.pk, counter.pk)
    number = Counter.objects.filter(center=center).aggregate(top=Max("number"))["top"] or 0
    for agency in agencies:
        if agency.pk not in counters:
            number += 1
            counter = Counter.objects.create(center=center, number=number, name=f"Quầy {agency.short_name}")
            counter.agencies.add(agency)
            counters[agency.pk] = counter.pk
    taken = set(Staff.objects.values_list("username", flat=True))
    provinces = _province_codes()
    people: list[Staff] = []
    roles: list[tuple[str, str]] = []
    for agency in agencies:
        for key, title, held, here, count in STAFF_PLAN:
            for k in range(1, count + 1):
                username = f"sinh.{agency.pk}.{key}{k}"
                if username in taken:
                    continue
                female = rnd.random() < 0.5
                origin = "022" if rnd.random() < 0.8 else rnd.choice(provinces)
                people.append(
                    Staff(username=username, password=make_password(None), full_name=full_name(rnd, female=female),
                          title=title, agency=agency, center=center if here else None,
                          counter_id=counters[agency.pk] if key == "tn" else None,
                          personal_id=personal_id(rnd, origin, female=female, born=rnd.randrange(1968, 2000)),
                          email=f"{username}@sinh.taicho.invalid")
                )  # fmt: skip
                roles.extend((username, role) for role in held)
    Staff.objects.bulk_create(people, batch_size=500)
    ids = dict(Staff.objects.filter(username__in=[p.username for p in people]).values_list("username", "pk"))
    StaffRole.objects.bulk_create([StaffRole(staff_id=ids[u], role=r) for u, r in roles], batch_size=1000)
    StaffAssignment.objects.bulk_create(
        StaffAssignment(
            staff_id=ids[p.username], center=center, counter_id=p.counter_id, agency=p.agency, duties=p.title,
            starts=start - timedelta(days=rnd.randrange(30, 700)),
            trained_on=start - timedelta(days=rnd.randrange(0, 30)) if rnd.random() < 0.85 else None,
        )
        for p in people
        if p.center_id is not None
    )  # fmt: skip
    infos = {a.pk: AgencyInfo(a, counters[a.pk]) for a in agencies}
    for person in Staff.objects.filter(agency__in=agencies, is_active=True).prefetch_related("roles"):
        info = infos[person.agency_id]  # type: ignore[index]
        here = person.center_id == center.pk
        if Role.RECEIVING_OFFICER in person.role_set and here:
            info.receivers.append(person.pk)
        if Role.APPRAISER in person.role_set:
            (info.appraisers if here else info.hq_appraisers).append(person.pk)
        if Role.APPROVER in person.role_set:
            (info.approvers if here else info.hq_approvers).append(person.pk)
        if Role.SEAL_CLERK in person.role_set:
            (info.clerks if here else info.hq_clerks).append(person.pk)
    for info in infos.values():
        # An agency with nobody in a pool (accounts made by hand) borrows the nearest one.
        info.receivers = info.receivers or info.appraisers or info.approvers
        info.appraisers = info.appraisers or info.receivers
        info.hq_appraisers = info.hq_appraisers or info.appraisers
        info.approvers = info.approvers or info.hq_approvers or info.appraisers
        info.hq_approvers = info.hq_approvers or info.approvers
        info.clerks = info.clerks or info.hq_clerks or info.receivers
        info.hq_clerks = info.hq_clerks or info.clerks
        if info.agency.head_id is None:
            Agency.objects.filter(pk=info.agency.pk).update(head_id=info.hq_approvers[0])
    return [infos[a.pk] for a in agencies]


# --- the catalog -------------------------------------------------------------------------------------------------


@dataclass
class CaseInfo:
    id: int
    channel: str
    unit: str
    value: Decimal
    limit: int  # working seconds, for step budgets
    fee: int


@dataclass
class VersionInfo:
    id: int
    effective: int  # ordinal of effective_from
    name: str
    cases: list[CaseInfo]
    components: list[tuple[int, int, bool, int | None]]  # id, ordinal, required, only for case


@dataclass
class Offer:
    """A procedure as one agency runs it."""

    procedure_id: int
    versions: list[VersionInfo]
    spot_from: int | None = None  # the day its designation took effect (ordinal); None: not on the spot
    spot_seconds: int = 0
    counter_appraises: bool = False
    counter_approves: bool = False


def _link_real_catalog(agencies: list[Agency]) -> None:
    """Procedures of the imported national catalog not linked to an agency yet go to the agencies of their level:
    provincial ones to the justice department (the catalog shipped is the Ministry of Justice's), commune ones to
    every commune; ministry-level ones stay unlinked (no dossiers at the province)."""
    through = Procedure.agencies.through
    linked = set(through.objects.values_list("procedure_id", flat=True))
    justice = [a for a in agencies if "Tư pháp" in a.name][:1]
    communes = [a for a in agencies if a.level == Agency.Level.COMMUNE]
    rows: list[Any] = []
    for pid, levels in ProcedureVersion.objects.exclude(procedure_id__in=linked).values_list(
        "procedure_id", "levels"
    ):
        if pid not in linked:
            linked.add(pid)
            text = " ".join(levels or []).lower()
            targets = (justice if "tỉnh" in text else []) + (communes if "xã" in text else [])
            rows.extend(through(procedure_id=pid, agency_id=a.pk) for a in targets)
    through.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


def _synthetic_catalog(rnd: random.Random, w: Writer, agencies: list[Agency], wanted: int, start: date,
                       stamps: Stamps) -> int:  # fmt: skip
    """Procedures up to ``wanted`` in all: local TTHC codes `N.9NNNNN.{agency}`, one version (5 % get a second
    one during the year), 1–3 cases with limits in working days or hours, 1–8 components, some with fees;
    80 % belong to one department, 20 % to every commune."""
    missing = wanted - Procedure.objects.count()
    departments = [a for a in agencies if a.level == Agency.Level.DEPARTMENT]
    communes = [a for a in agencies if a.level == Agency.Level.COMMUNE]
    if missing <= 0 or not agencies:
        return 0
    province: Any = agencies[0].parent
    sectors: dict[str, int] = {}
    codes = set(Procedure.objects.values_list("code", flat=True))
    pid, vid, cid = w.next_id(Procedure), w.next_id(ProcedureVersion), w.next_id(ProcedureCase)
    comp_id, fee_id, link_id = w.next_id(Component), w.next_id(Fee), w.next_id(Procedure.agencies.through)
    procedures: list[Row] = []
    versions: list[Row] = []
    cases: list[Row] = []
    components: list[Row] = []
    fees: list[Row] = []
    links: list[Row] = []
    now = stamps.utc(int(time.time()))
    serial, names = 900_000, set()
    for i in range(missing):
        agency = (
            departments[rnd.randrange(len(departments))]
            if departments and (i >= missing * 0.2 or not communes)
            else None
        )
        spec = next((d for d in DEPARTMENTS if agency and agency.short_name.startswith(d[0])), None)
        sector, objects, level = (
            (spec[2], spec[3], "Cấp tỉnh") if spec else ("Hành chính cấp xã", COMMUNE_OBJECTS, "Cấp xã")
        )
        performer = agency.name if agency else "Ủy ban nhân dân cấp xã"
        if sector not in sectors:
            sectors[sector] = Sector.objects.get_or_create(name=sector)[0].pk
        code = ""
        while not code or code in codes:
            serial += 1
            code = f"{1 + serial % 2}.{serial:06d}.{(agency or province).code}"
        codes.add(code)
        name = ""
        for _attempt in range(20):
            name = f"{rnd.choice(ACTIONS)} {rnd.choice(objects)}{rnd.choice(QUALIFIERS)}"
            if name not in names:
                break
        names.add(name)
        procedures.append((pid, code, name, sectors[sector], now))
        for holder in [agency] if agency else communes:
            links.append((link_id, pid, holder.pk))
            link_id += 1
        for number in range(1, (2 if rnd.random() < 0.05 else 1) + 1):
            days = -rnd.randrange(30, 1500) if number == 1 else rnd.randrange(60, 300)
            effective = (start + timedelta(days=days)).isoformat()
            versions.append(
                (vid, pid, number, effective, name, sector, json.dumps([level]), "", performer, performer, "",
                 "[]", "", "", f"{rnd.randrange(100, 3000)}/QĐ-UBND", "", "manual", "", None, False, "[]", now)
            )  # fmt: skip
            for ordinal in range(1, rnd.choice((1, 1, 1, 2, 2, 3)) + 1):
                roll = rnd.random()
                if roll < 0.72:
                    value, unit = rnd.choice((1, 2, 3, 3, 5, 5, 5, 7, 10, 10, 12, 15)), TimeUnit.WORKING_DAYS
                    text = f"{value} ngày làm việc"
                elif roll < 0.94:
                    value, unit = rnd.choice((2, 4, 4, 8, 16, 24)), TimeUnit.WORKING_HOURS
                    text = f"{value} giờ làm việc"
                else:
                    value, unit, text = 1, TimeUnit.WITHIN_DAY, "Trong ngày"
                case_name = CASE_NAMES[ordinal - 1] if ordinal > 1 or rnd.random() < 0.5 else ""
                cases.append((cid, vid, ordinal, case_name, "in_person", str(value), str(unit), text, ""))
                if rnd.random() < 0.3:
                    amount = rnd.choice((20_000, 50_000, 100_000, 150_000, 200_000, 500_000))
                    fees.append(
                        (fee_id, cid, "Lệ phí", amount, "VND", "", f"{amount:,} đồng".replace(",", "."))
                    )
                    fee_id += 1
                cid += 1
            papers = rnd.sample(COMPONENT_NAMES, rnd.randint(1, 8))
            for ordinal, paper in enumerate(papers, start=1):
                required = ordinal < len(papers) or len(papers) == 1 or rnd.random() < 0.5
                components.append((comp_id, vid, None, ordinal, paper, "", 1, 0, 0, required, ""))
                comp_id += 1
            vid += 1
        pid += 1
    w.insert(Procedure, ("id", "code", "name", "sector", "created_at"), procedures)
    w.insert(
        ProcedureVersion,
        _words("""id procedure number effective_from name sector_name levels issuing_agency competent_agency
        performing_agency coordinating_agency legal_basis steps_text conditions_text decision_number source_url
        origin source_hash source_record needs_review review_notes created_at"""),
        versions,
    )
    w.insert(
        ProcedureCase,
        _words(
            "id version ordinal name channel time_limit_value time_limit_unit time_limit_text description"
        ),
        cases,
    )
    w.insert(Fee, ("id", "case", "kind", "amount", "currency", "per_unit", "text"), fees)
    w.insert(
        Component,
        _words("id version case ordinal name group originals certified_copies copies required form_name"),
        components,
    )
    w.insert(Procedure.agencies.through, ("id", "procedure", "agency"), links)
    return len(procedures)


def _load_catalog() -> dict[int, list[VersionInfo]]:
    """Per procedure, its versions by effective date that have a case with a usable time limit (in-person cases
    first), with their components."""
    fees: dict[int, int] = {}
    for case_id, amount in Fee.objects.filter(currency="VND", per_unit="").values_list("case_id", "amount"):
        fees[case_id] = fees.get(case_id, 0) + amount
    cases: dict[int, list[CaseInfo]] = {}
    rows = (
        ProcedureCase.objects.filter(time_limit_value__isnull=False)
        .exclude(time_limit_unit="")
        .order_by("version_id", "ordinal")
        .values_list("id", "version_id", "channel", "time_limit_value", "time_limit_unit")
    )
    for cid, vid, channel, value, unit in rows:
        if value is not None and (value > 0 or unit == TimeUnit.WITHIN_DAY):
            limit = limit_seconds(unit, value)
            cases.setdefault(vid, []).append(CaseInfo(cid, channel, unit, value, limit, fees.get(cid, 0)))
    for found in cases.values():
        found.sort(key=lambda c: c.channel != "in_person")
    components: dict[int, list[tuple[int, int, bool, int | None]]] = {}
    for cid, vid, ordinal, required, only in Component.objects.order_by("version_id", "ordinal").values_list(
        "id", "version_id", "ordinal", "required", "case_id"
    ):
        components.setdefault(vid, []).append((cid, ordinal, required, only))
    catalog: dict[int, list[VersionInfo]] = {}
    for vid, pid, effective, name in ProcedureVersion.objects.order_by(
        "procedure_id", "effective_from", "number"
    ).values_list("id", "procedure_id", "effective_from", "name"):
        if vid in cases:
            info = VersionInfo(vid, effective.toordinal(), name[:500], cases[vid], components.get(vid, []))
            catalog.setdefault(pid, []).append(info)
    return catalog


def _designate(rnd: random.Random, w: Writer, infos: list[AgencyInfo], start: date,
               catalog: dict[int, list[VersionInfo]]) -> None:  # fmt: skip
    """About 35 % of each agency's procedures on the spot (short, simple ones first; 20 % of them only from some
    day in the year), a few found not eligible, a few proposed; the counter appraises about half of them, and
    approves some, under a delegation decision to the receiving officers."""
    through = Procedure.agencies.through
    existing = set(OnTheSpotDesignation.objects.values_list("procedure_id", "agency_id"))
    active = set(
        OnTheSpotDesignation.objects.filter(status=OnTheSpotStatus.ACTIVE).values_list(
            "procedure_id", "agency_id"
        )
    )
    did = w.next_id(OnTheSpotDesignation)
    rows: list[Row] = []
    delegated: dict[tuple[int, bool], list[int]] = {}
    for info in infos:
        aid = info.agency.pk
        scored = []  # (score, procedure, shortest limit): short and simple procedures score low, come first
        for pid in sorted(through.objects.filter(agency_id=aid).values_list("procedure_id", flat=True)):
            limit, papers = 10 * DAY, 5  # a procedure without a usable limit comes late
            if pid in catalog:
                limit = min(c.limit for c in catalog[pid][-1].cases)
                papers = len(catalog[pid][-1].components)
            score = rnd.random() * (0.3 if limit <= 3 * DAY else 1) * (0.6 if papers <= 4 else 1)
            scored.append((score, pid, limit))
        scored.sort()
        goal = round(len(scored) * SPOT_SHARE) - sum(1 for _s, pid, _l in scored if (pid, aid) in active)
        for rank, (_score, pid, limit) in enumerate(scored):
            if (pid, aid) in existing:
                continue
            roll = rnd.random()
            if goal > 0:
                goal -= 1
                hours = min(rnd.choice((1, 2, 2, 4, 4, 4, 8, 8)), max(1, limit // HOUR))
                appraises = rnd.random() < 0.55
                approves = appraises and rnd.random() < 0.3
                days = -rnd.randrange(30, 900) if roll < 0.8 else rnd.randrange(20, 300)
                effective = start + timedelta(days=days)
                rows.append(
                    (did, pid, aid, "", str(OnTheSpotStatus.ACTIVE), appraises, approves, str(hours),
                     f"{rnd.randrange(100, 3000)}/QĐ-UBND", (effective - timedelta(days=15)).isoformat(),
                     effective.isoformat(), "Dữ liệu sinh tự động")
                )  # fmt: skip
                if appraises:
                    delegated.setdefault((aid, approves), []).append(pid)
            elif rank > len(scored) * 0.85 and roll < 0.35:
                note = (
                    "Không đủ điều kiện: thời hạn dài hoặc phải phối hợp nhiều cơ quan (dữ liệu sinh tự động)"
                )
                rows.append(
                    (
                        did,
                        pid,
                        aid,
                        "",
                        str(OnTheSpotStatus.NOT_ELIGIBLE),
                        False,
                        False,
                        None,
                        "",
                        None,
                        None,
                        note,
                    )
                )
            elif roll < 0.04:
                note = "Đề xuất thực hiện 5 tại chỗ (dữ liệu sinh tự động)"
                rows.append(
                    (
                        did,
                        pid,
                        aid,
                        "",
                        str(OnTheSpotStatus.CANDIDATE),
                        False,
                        False,
                        None,
                        "",
                        None,
                        None,
                        note,
                    )
                )
            else:
                continue
            did += 1
    w.insert(
        OnTheSpotDesignation,
        _words("""id procedure agency case_name status counter_appraises counter_approves on_the_spot_hours
        decision_number decision_date effective_from note"""),
        rows,
    )
    heads = {i.agency.pk: i.hq_approvers[0] for i in infos}
    for (aid, approves), pids in delegated.items():
        delegation = Delegation.objects.create(
            agency_id=aid, decision_number=f"{rnd.randrange(10, 999)}/QĐ-UQ",
            decision_date=start - timedelta(days=40), delegator_id=heads[aid],
            delegate_role=Role.RECEIVING_OFFICER, can_appraise=True, can_approve=approves, formula="TUQ",
            signer_title="CÔNG CHỨC TIẾP NHẬN", valid_from=start - timedelta(days=30),
        )  # fmt: skip
        delegation.procedures.add(*pids)


def _offers(infos: list[AgencyInfo], catalog: dict[int, list[VersionInfo]]) -> dict[int, list[Offer]]:
    offers: dict[int, list[Offer]] = {i.agency.pk: [] for i in infos}
    spots = {
        (d.procedure_id, d.agency_id): d
        for d in OnTheSpotDesignation.objects.filter(status=OnTheSpotStatus.ACTIVE, case_name="")
    }
    pairs = Procedure.agencies.through.objects.filter(agency_id__in=list(offers)).order_by(
        "agency_id", "procedure_id"
    )
    for pid, aid in pairs.values_list("procedure_id", "agency_id"):
        if pid in catalog:
            offer = Offer(pid, catalog[pid])
            spot = spots.get((pid, aid))
            if spot is not None:
                offer.spot_from = spot.effective_from.toordinal() if spot.effective_from else 0
                offer.spot_seconds = int((spot.on_the_spot_hours or Decimal(4)) * HOUR)
                offer.counter_appraises, offer.counter_approves = (
                    spot.counter_appraises,
                    spot.counter_approves,
                )
            offers[aid].append(offer)
    return offers


# --- dossiers ----------------------------------------------------------------------------------------------------


@dataclass
class Totals:
    dossiers: int = 0
    events: int = 0
    components: int = 0
    results: int = 0
    reused: int = 0
    ratings: int = 0
    finished: int = 0
    in_process: int = 0
    late: int = 0
    on_the_spot: int = 0
    left_center: int = 0
    apologies: int = 0


Plan = list[tuple[int, str, int, str, str]]  # (working position, action, actor, reason, detail JSON)


class YearMaker:
    """Makes the dossiers of one day at a time and keeps their rows until a chunk is written."""

    def __init__(self, *, rnd: Dice, w: Writer, clock: Clock, stamps: Stamps, center_id: int,
                 infos: list[AgencyInfo], offers: dict[int, list[Offer]], horizon: int, places: list[str]) -> None:  # fmt: skip
        self.rnd, self.w, self.clock, self.stamps = rnd, w, clock, stamps
        self.center_id, self.horizon = center_id, horizon
        self.totals = Totals()
        self.next = {
            m: w.next_id(m) for m in (IssuedDocument, Dossier, DossierEvent, DossierComponent, Rating)
        }
        self.rows: dict[type[models.Model], list[Row]] = {m: [] for m in self.next}
        self.counters: dict[tuple[str, int], int] = {}  # (agency code, day) -> last ordinal of dossier codes
        self.dirty: set[tuple[str, int]] = set()
        # Agencies by volume (departments busier than communes); each agency's procedures by a Zipf law over a
        # random order of popularity in which on-the-spot procedures (chosen as frequent) come early.
        self.infos = [i for i in infos if offers.get(i.agency.pk)]
        level = Agency.Level.DEPARTMENT
        weights = [
            rnd.uniform(0.6, 3.0) if i.agency.level == level else rnd.uniform(0.3, 1.2) for i in self.infos
        ]
        self.agency_cum = list(accumulate(weights))
        self.offers = []
        self.offer_cum = []
        for info in self.infos:
            ranked = sorted(
                offers[info.agency.pk], key=lambda o: rnd.random() * (0.2 if o.spot_from is not None else 1)
            )
            self.offers.append(ranked)
            self.offer_cum.append(list(accumulate(1 / (rank + 1) ** 1.1 for rank in range(len(ranked)))))
        # A few receiving officers, and those of one commune, get low ratings: the satisfaction flags (per
        # officer, per agency) have something to find.
        receivers = sorted({r for i in self.infos for r in i.receivers})
        self.low = set(rnd.sample(receivers, min(len(receivers), max(1, len(receivers) // 40))))
        communes = [i for i in self.infos if i.agency.level == Agency.Level.COMMUNE]
        if len(communes) > 2:
            self.low.update(rnd.pick(communes).receivers)
        self.addresses = [
            f"Số {rnd.between(1, 300)}, tổ {rnd.between(1, 40)}, {rnd.pick(places)}, tỉnh Quảng Ninh"
            for _ in range(3000)
        ]
        codes = _province_codes()
        self.birth_provinces = ["022"] * 8 + [rnd.pick(codes) for _ in range(4)]
        self.pool: list[list[Any]] = []  # returning citizens: [id, name, address, phone, [their papers]]
        self.good_scores = [json.dumps([rnd.pick((2, 2, 2, 2, 1)) for _ in range(11)]) for _ in range(400)]
        self.poor_scores = [json.dumps([rnd.pick((0, 1, 1, 2)) for _ in range(11)]) for _ in range(400)]
        self.recent = clock.w(horizon) - 45 * DAY  # received in the last ~45 working days

    def _person(self) -> list[Any]:
        rnd = self.rnd
        if self.pool and rnd.random() < 0.2:
            return self.pool[rnd.between(0, len(self.pool))]
        female = rnd.random() < 0.5
        born = rnd.between(1950, 2008)
        person = [
            personal_id(rnd, rnd.pick(self.birth_provinces), female=female, born=born),
            full_name(rnd, female=female),
            rnd.pick(self.addresses),
            f"09{rnd.between(0, 10**8):08d}",
            [],
        ]
        if rnd.random() < 0.3:
            if len(self.pool) < 20_000:
                self.pool.append(person)
            else:
                self.pool[rnd.between(0, len(self.pool))] = person
        return person

    def day(self, day: int, count: int) -> None:
        """Receive ``count`` dossiers on the local day ``day`` (ordinal), in time order, inside its sessions."""
        clock, rnd = self.clock, self.rnd
        sessions = [
            (clock.starts[i], min(clock.ends[i], self.horizon - 60)) for i in clock.by_day.get(day, ())
        ]
        sessions = [(s, e) for s, e in sessions if e - s > 120]
        if count <= 0 or not sessions:
            return
        cum = list(accumulate(e - s for s, e in sessions))
        instants = []
        for _ in range(count):
            x = rnd.random() * cum[-1]
            i = bisect_right(cum, x)
            instants.append(sessions[i][1] - int(cum[i] - x))
        instants.sort()
        picks = rnd.choices(range(len(self.infos)), cum_weights=self.agency_cum, k=count)
        yymmdd = date.fromordinal(day).strftime("%y%m%d")
        for r, a in zip(instants, picks, strict=True):
            info, cum_offers = self.infos[a], self.offer_cum[a]
            offer = self.offers[a][bisect_left(cum_offers, rnd.random() * cum_offers[-1])]
            key = (info.agency.code, day)
            n = self.counters[key] = self.counters.get(key, 0) + 1
            self.dirty.add(key)
            self._dossier(f"{info.agency.code}-{yymmdd}-{n:04d}", r, day, info, offer)

    def _dossier(self, code: str, r: int, day: int, info: AgencyInfo, offer: Offer) -> None:
        """Decide the dossier's path; `_store` writes it."""
        rnd, clock = self.rnd, self.clock
        random_ = rnd.random
        version = offer.versions[0]  # the version in force; the first when none was yet (imported later)
        for v in offer.versions:
            if v.effective <= day:
                version = v
        case = version.cases[0] if len(version.cases) == 1 or random_() < 0.6 else rnd.pick(version.cases)
        on_spot = offer.spot_from is not None and offer.spot_from <= day
        origin, due0 = clock.start_of_count(r), clock.due(r, case.unit, case.value)
        w_r, w_o, w_due = clock.w(r), clock.w(origin), clock.w(due0)
        available = max(w_due - w_o, 900)
        receiver = rnd.pick(info.receivers)
        # Mostly the officer who received it hands the result over.
        returner = receiver if receiver in self.low or random_() < 0.8 else rnd.pick(info.receivers)
        left = on_spot and random_() < 0.03
        # Who acts: the counter where the agency delegated it, its officers stationed at the center for
        # on-the-spot dossiers; its headquarters otherwise, and for the ~3 % on-the-spot dossiers that left.
        if on_spot and not left:
            appraiser = receiver if offer.counter_appraises else rnd.pick(info.appraisers)
            approver = receiver if offer.counter_approves else rnd.pick(info.approvers)
            clerk = rnd.pick(info.clerks)
        else:
            appraiser, approver = rnd.pick(info.hq_appraisers), rnd.pick(info.hq_approvers)
            clerk = rnd.pick(info.hq_clerks)
        # How much working time from the start of the count to the result.
        roll = random_()
        late = roll < 0.055
        stuck = not late and w_r > self.recent and roll < 0.055 + 0.16
        if late:
            span = int(available * rnd.uniform(1.05, 1.8)) + 600
        elif stuck:  # still in process at the horizon, often past due
            span = clock.w(self.horizon) - w_o + rnd.between(HOUR, 30 * DAY)
        elif on_spot:
            spot = min(offer.spot_seconds, available)
            span = min(int(spot * (rnd.uniform(1.2, 2.5) if left or random_() < 0.06 else rnd.uniform(0.25, 0.95))),
                       int(available * 0.97))  # fmt: skip
        else:
            span = int(available * (0.05 + 0.9 * random_() ** 1.4))
        span = max(span, 900)
        plan: Plan = []
        # On the spot, work starts at once, even after the cut-off; otherwise when the count starts.
        begin = w_r if on_spot and not left else w_o
        x = begin + max(60, int(span * rnd.uniform(0.02, 0.12)))
        waited = 0  # working time the clock stood still, waiting for the citizen
        fate = random_()
        if fate < 0.015:  # stopped, mostly at the citizen's request
            if random_() < 0.6:
                plan.append((x, "start_appraisal", appraiser, "", "{}"))
                x += max(60, int(span * 0.3))
            if random_() < 0.6:
                plan.append((x, "request_withdrawal", receiver, REASONS["request_withdrawal"][0], "{}"))
                x += rnd.between(HOUR, 3 * DAY)
            stopper = receiver if random_() < 0.5 else rnd.pick(info.hq_approvers)
            plan.append((x, "stop", stopper, rnd.pick(REASONS["stop"]), "{}"))
        else:
            plan.append((x, "start_appraisal", appraiser, "", "{}"))
            appraisal = max(120, int(span * rnd.uniform(0.4, 0.6)))
            if case.limit >= DAY and random_() < 0.08:
                before = max(60, int(appraisal * rnd.uniform(0.2, 0.6)))
                asked = json.dumps({"components": [c[0] for c in version.components[:2]]})
                plan.append(
                    (
                        x + before,
                        "request_supplement",
                        appraiser,
                        rnd.pick(REASONS["request_supplement"]),
                        asked,
                    )
                )
                waited = rnd.between(DAY, 10 * DAY)
                plan.append((x + before + waited, "supplement_received", receiver, "", "{}"))
                if random_() < 0.05:  # asked twice: beyond the rule (domain.md §2), for the supervision flag
                    again = x + before + waited + 600
                    plan.append(
                        (again, "request_supplement", appraiser, REASONS["request_supplement"][1], asked)
                    )
                    more = rnd.between(DAY, 5 * DAY)
                    plan.append((again + more, "supplement_received", receiver, "", "{}"))
                    waited += 600 + more
            elif case.fee and random_() < 0.05:
                before = max(60, appraisal // 2)
                plan.append(
                    (x + before, "request_obligation", appraiser, REASONS["request_obligation"][0], "{}")
                )
                waited = rnd.between(2 * HOUR, 3 * DAY)
                plan.append((x + before + waited, "obligation_fulfilled", receiver, "", "{}"))
            x += appraisal + waited
            if fate < 0.045:  # refused after appraisal
                plan.append((x, "refuse", appraiser, rnd.pick(REASONS["refuse"]), "{}"))
                if random_() < 0.6:
                    x += rnd.between(300, 3 * DAY)
                    plan.append((x, "return_result", returner, "", "{}"))
            else:
                self._approve_and_return(plan, x, span, waited, begin, w_due, on_spot and not left,
                                         receiver, returner, appraiser, approver, clerk)  # fmt: skip
        # An apology and new appointment for some late dossiers: at least one working day before the due, while
        # the dossier is still in process (domain.md §2).
        if late and not waited and plan[0][1] != "request_withdrawal" and random_() < 0.45:
            x_ap = w_due - DAY - rnd.between(0, 2 * HOUR)
            x_end = next(p[0] for p in plan if p[1] in FINISHING)
            if w_r < x_ap < x_end and all(p[0] != x_ap for p in plan):
                new_due = clock.at(w_due + rnd.between(4 * HOUR, 5 * DAY))
                old, new = self.stamps.local_iso(due0), self.stamps.local_iso(new_due)
                detail = json.dumps({"old_due": old, "new_due": new})
                plan.append(
                    (
                        x_ap,
                        "apologise",
                        rnd.pick(info.hq_approvers),
                        rnd.pick(REASONS["apologise"]),
                        detail,
                    )
                )
                plan.sort(key=lambda p: p[0])
        self._store(code, r, info, offer, version, case, on_spot, left, receiver, origin, due0, w_r, plan)

    def _approve_and_return(self, plan: Plan, x: int, span: int, waited: int, begin: int, w_due: int, at_once: bool,
                            receiver: int, returner: int, appraiser: int, approver: int, clerk: int) -> None:  # fmt: skip
        rnd = self.rnd
        plan.append((x, "submit_for_approval", appraiser, "", "{}"))
        approval = max(60, int(span * rnd.uniform(0.15, 0.3)))
        if rnd.random() < 0.02:
            plan.append((x + approval // 2, "send_back", approver, rnd.pick(REASONS["send_back"]), "{}"))
            x += approval
            plan.append((x, "submit_for_approval", appraiser, "", "{}"))
        x += approval
        plan.append((x, "approve", approver, "", "{}"))
        x = max(x + 60, begin + span + waited)  # the result is out when the span is used up
        plan.append((x, "seal", clerk, "", "{}"))
        x += rnd.between(5, 90)
        plan.append((x, "release", clerk, "", "{}"))
        if rnd.random() < 0.55:
            x += rnd.between(60, 900)
            printer = clerk if rnd.random() < 0.5 else receiver
            copies = rnd.pick((1, 1, 2, 3))
            plan.append((x, "record_print", printer, "", f'{{"copies": {copies}, "physical_seal": true}}'))
        if rnd.random() < 0.97:
            if at_once:  # handed over in the same sitting
                x += rnd.between(60, 900)
            elif w_due + waited > x + 600:  # the citizen comes back by the appointment
                x += rnd.between(300, w_due + waited - x)
            else:
                x += rnd.between(300, 2 * DAY)
            plan.append((x, "return_result", returner, "", "{}"))

    def _store(self, code: str, r: int, info: AgencyInfo, offer: Offer, version: VersionInfo, case: CaseInfo,
               on_spot: bool, left: bool, receiver: int, origin: int, due0: int, w_r: int, plan: Plan) -> None:  # fmt: skip
        """The rows of one dossier: its events up to the horizon, its papers, itself as the last event left it,
        and maybe a rating."""
        rnd, clock, stamps, utc, horizon = self.rnd, self.clock, self.stamps, self.stamps.utc, self.horizon
        random_ = rnd.random
        did = self.next[Dossier]
        self.next[Dossier] += 1
        agency_id, limit = info.agency.pk, case.limit
        received = utc(r)
        owner = self._person()
        applicant = owner if random_() < 0.85 else self._person()
        events = self.rows[DossierEvent]
        eid = self.next[DossierEvent]
        receipt = f'{{"due_at": "{stamps.local_iso(due0)}", "fee": {case.fee}}}'
        events.append(
            (
                eid,
                did,
                "receive",
                "reception",
                "",
                "received",
                receiver,
                agency_id,
                received,
                "",
                0,
                0,
                receipt,
            )
        )
        eid += 1
        status, prev_x, prev_at, due = "received", w_r, r, due0
        paused_since: int | None = None
        paused_x, printed, apologised = 0, 0, False
        # The electronic result: drafted when submitted for approval, signed, sealed, released (documents app).
        drafted: tuple[int, int] | None = None
        signed: tuple[int, int] | None = None
        sealed: tuple[int, int] | None = None
        released: int | None = None
        finished: int | None = None
        returned: int | None = None
        for x, action, actor, reason, detail in plan:
            at = max(clock.at(x), prev_at)
            if at > horizon:
                break
            target = TARGET[action] or status
            # Working time since the last event; none while the clock stood still (services._finish).
            used = 0 if status in PAUSED_STATES else x - prev_x
            if target in PAUSED_STATES and status not in PAUSED_STATES:
                paused_since, paused_x = at, x
            elif status in PAUSED_STATES and target not in PAUSED_STATES:
                if action != "stop":  # the appointment moves by the working time waited (services._resume)
                    due = clock.at(clock.w(due) + x - paused_x)
                paused_since = None
            if action == "apologise":
                apologised = True
                due = int(datetime.fromisoformat(json.loads(detail)["new_due"]).timestamp())
            elif action in FINISHING:
                finished = at
            elif action == "record_print":
                printed = json.loads(detail)["copies"]
            elif action == "return_result":
                returned = at
            if action == "submit_for_approval":
                drafted = drafted or (at, actor)
            elif action == "approve":
                signed = (at, actor)
            elif action == "seal":
                sealed = (at, actor)
            if action == "release":
                released = at
            step = STEP[action]
            events.append((eid, did, action, step, status, target, actor, agency_id, utc(at), reason,
                           int(limit * SHARE[step]), max(used, 0), detail))  # fmt: skip
            eid += 1
            status, prev_x, prev_at = target, x, at
        n_events = eid - self.next[DossierEvent]
        self.next[DossierEvent] = eid
        # Papers: every required one and some optional ones, digitized at the counter; papers of a returning
        # citizen already digitized for an earlier dossier are reused instead (Circular 01/2023).
        papers = [c for c in version.components if c[3] is None or c[3] == case.id]
        papers = [c for c in papers if c[2] or random_() < 0.4][:10]
        rows = self.rows[DossierComponent]
        stored = owner[4]
        earlier, left_to_reuse = list(stored), len(stored)
        folder = received[:7].replace("-", "/")
        electronic = random_() < 0.15
        for comp_id, ordinal, _required, _only in papers:
            pk = self.next[DossierComponent]
            self.next[DossierComponent] += 1
            if left_to_reuse and random_() < 0.6:
                left_to_reuse -= 1
                source, name, sha, dcode = earlier[left_to_reuse]
                rows.append((pk, did, comp_id, "electronic", 1, name, sha, dcode, source))
                self.totals.reused += 1
                continue
            name = sha = dcode = ""
            if random_() < 0.97:
                name = f"digitized/{folder}/{code}-{ordinal:02d}.pdf"
                sha = hashlib.sha256(name.encode()).hexdigest()
                dcode = f"{code}.{ordinal:02d}"
                if len(stored) < 3:
                    stored.append((pk, name, sha, dcode))
                else:
                    stored[rnd.between(0, 3)] = (pk, name, sha, dcode)
            kind = (
                "electronic" if electronic else rnd.pick(("original", "original", "certified_copy", "copy"))
            )
            rows.append((pk, did, comp_id, kind, 1, name, sha, dcode, None))
        result = None
        if drafted is not None:
            result = self.next[IssuedDocument]
            self.next[IssuedDocument] += 1
            self.totals.results += 1
            status_doc = "released" if released else "sealed" if sealed else "signed" if signed else "draft"
            pdf = f"documents/{folder}/{code}.pdf" if signed else ""
            self.rows[IssuedDocument].append((
                result, base64.urlsafe_b64encode(rnd.getrandbits(96).to_bytes(12, "big")).decode(), "result",
                "decision", version.name[:300], "", agency_id, offer.procedure_id, code, owner[0], "{}", "{}",
                pdf, hashlib.sha256(pdf.encode()).hexdigest() if pdf else "", status_doc,
                signed[1] if signed else None, utc(signed[0]) if signed else None, None,
                sealed[1] if sealed else None, utc(sealed[0]) if sealed else None,
                utc(released) if released else None, "{}", None, drafted[1], utc(drafted[0]),
            ))  # fmt: skip
        done = returned is not None
        channel = case.channel if case.channel in ("online", "post") or random_() < 0.82 else "online"
        delivery = "center" if random_() < 0.86 else rnd.pick(("post", "online"))
        fee = case.fee
        self.rows[Dossier].append((
            did, code, offer.procedure_id, version.id, case.id, agency_id, self.center_id, info.counter_id,
            channel, status, on_spot, applicant[1], applicant[0], applicant[2], applicant[3], "",
            owner[1], owner[0], owner[2], version.name, 1, delivery, received, receiver,
            utc(origin), utc(due), utc(due0), None if paused_since is None else utc(paused_since),
            None if finished is None else utc(finished), None if returned is None else utc(returned),
            fee, fee, f"BL{did:08d}" if fee else "", result, printed, printed > 0,
            owner[1] if done else "", owner[0] if done else "", "", done and random_() < 0.5,
            "[]", n_events - 1, received,  # every step after the reception bumps the row version
        ))  # fmt: skip
        totals = self.totals
        totals.dossiers += 1
        totals.events += n_events
        totals.components += len(papers)
        totals.on_the_spot += on_spot
        totals.left_center += left
        totals.apologies += apologised
        if finished is None:
            totals.in_process += 1
        else:
            totals.finished += 1
            totals.late += finished > due
        if returned is not None and status == "returned" and random_() < 0.3:
            low = receiver in self.low
            overall = rnd.pick((1, 2, 2, 3, 3, 4)) if low else rnd.pick((5, 5, 5, 4, 4, 3))
            scores = rnd.pick(self.poor_scores if low else self.good_scores)
            rated = utc(min(returned + rnd.between(30, 600), horizon))
            self.rows[Rating].append((self.next[Rating], did, scores, overall, "", receiver, rated))
            self.next[Rating] += 1
            totals.ratings += 1

    def flush(self) -> None:
        """Write the rows kept (one transaction) with the daily counters of dossier codes."""
        w = self.w
        with transaction.atomic():
            w.insert(IssuedDocument, DOCUMENT_FIELDS, self.rows[IssuedDocument])
            w.insert(Dossier, DOSSIER_FIELDS, self.rows[Dossier])
            w.insert(DossierComponent, COMPONENT_FIELDS, self.rows[DossierComponent])
            w.insert(DossierEvent, EVENT_FIELDS, self.rows[DossierEvent])
            w.insert(Rating, RATING_FIELDS, self.rows[Rating])
            table = connection.ops.quote_name(DailyCounter._meta.db_table)
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {table} (scope, day, last_value) VALUES (%s, %s, %s) "  # noqa: S608
                    "ON CONFLICT (scope, day) DO UPDATE SET last_value = excluded.last_value",
                    [
                        (f"dossier:{c}", date.fromordinal(d), self.counters[c, d])
                        for c, d in sorted(self.dirty)
                    ],
                )
        for rows in self.rows.values():
            rows.clear()
        self.dirty.clear()


def _day_counts(rnd: random.Random, clock: Clock, first: date, last: date, horizon: int,
                total: int) -> list[tuple[int, int]]:  # fmt: skip
    """``total`` dossiers spread over the working days: some noise, busier Mondays; a day cut by the horizon
    gets the share of its open time."""
    days, weights = [], []
    for day in range(first.toordinal(), last.toordinal() + 1):
        sessions = clock.by_day.get(day, ())
        open_ = sum(max(0, min(clock.ends[i], horizon) - clock.starts[i]) for i in sessions)
        if open_ > 120:
            full = sum(clock.ends[i] - clock.starts[i] for i in sessions)
            monday = 1.15 if date.fromordinal(day).weekday() == 0 else 1.0
            days.append(day)
            weights.append(max(0.2, rnd.gauss(1.0, 0.15)) * monday * open_ / full)
    whole = sum(weights)
    exact = [total * weight / whole for weight in weights]
    counts = [int(e) for e in exact]
    for i in sorted(range(len(days)), key=lambda i: counts[i] - exact[i])[: total - sum(counts)]:
        counts[i] += 1
    return list(zip(days, counts, strict=True))


# --- the whole year ----------------------------------------------------------------------------------------------


def generate_year(
    *,
    dossiers: int,
    agencies: int = 40,
    procedures: int = 1500,
    year_end: date | None = None,
    seed: int = 1,
    center: Center | None = None,
    progress: Progress | None = None,
    chunk: int = CHUNK,
) -> dict[str, Any]:
    """Add a province-year of generated data (module docstring) to what is there; returns counts and timings.

    ``year_end``: the last day dossiers are received (default today); the year is the 365 days up to it, and
    nothing happens after now. ``progress(stage, done, total)`` is called along the way. Interrupted, it leaves
    whole dossiers: every chunk of ``chunk`` dossiers is one transaction.
    """
    started = time.perf_counter()
    rnd = Dice(seed)
    year_end = year_end or timezone.localdate()
    year_start = year_end - timedelta(days=364)
    report = progress or (lambda stage, done, total: None)
    w = Writer()
    center = _center(center)
    cal = calendar_for(center)
    clock = Clock(cal, year_start - timedelta(days=10), year_end + timedelta(days=500))
    end_of_day = datetime.combine(year_end + timedelta(days=1), datetime.min.time(), tzinfo=cal.tz)
    horizon = min(int(time.time()), int(end_of_day.timestamp()) - 1)
    stamps = Stamps(pg=w.pg, offset=clock.offset)
    timings: dict[str, float] = {}

    report("setup", 0, 1)
    with transaction.atomic():
        agency_rows = _setup_agencies(center, agencies)
        infos = _setup_staff(rnd, center, agency_rows, year_start)
        _link_real_catalog(agency_rows)
        added = _synthetic_catalog(rnd, w, agency_rows, procedures, year_start, stamps)
        catalog = _load_catalog()
        _designate(rnd, w, infos, year_start, catalog)
        offers = _offers(infos, catalog)
    timings["setup_s"] = time.perf_counter() - started
    report("setup", 1, 1)

    unit = center.agency.administrative_unit_id
    places = list(AdministrativeUnit.objects.filter(province_id=unit).values_list("name", flat=True))
    if dossiers > 0 and not any(offers.values()):
        raise ValueError("Không có thủ tục nào (có thời hạn giải quyết) gắn với cơ quan để sinh hồ sơ.")
    maker = YearMaker(rnd=rnd, w=w, clock=clock, stamps=stamps, center_id=center.pk, infos=infos, offers=offers,
                      horizon=horizon, places=places or ["phường Hạ Long"])  # fmt: skip
    for scope, day, value in DailyCounter.objects.filter(
        scope__startswith="dossier:", day__gte=year_start, day__lte=year_end
    ).values_list("scope", "day", "last_value"):
        maker.counters[scope.removeprefix("dossier:"), day.toordinal()] = value  # continue after codes given
    generation = time.perf_counter()
    w.loading(on=True)
    try:
        done = 0
        for ordinal, count in _day_counts(rnd, clock, year_start, year_end, horizon, dossiers):
            maker.day(ordinal, count)
            done += count
            if len(maker.rows[Dossier]) >= chunk and done < dossiers:
                maker.flush()
                report("dossiers", done, dossiers)
        maker.flush()
        report("dossiers", dossiers, dossiers)
        timings["dossiers_s"] = time.perf_counter() - generation
        finishing = time.perf_counter()
        w.finish()
        problems = w.dangling() if w.triggers_off else []
    finally:
        w.loading(on=False)
    if problems:
        raise RuntimeError("generated rows with dangling references: " + "; ".join(problems))
    timings["finish_s"] = time.perf_counter() - finishing
    timings["total_s"] = time.perf_counter() - started
    t = maker.totals
    return {
        "center": center.code,
        "year_start": year_start,
        "year_end": year_end,
        "agencies": len(infos),
        "procedures_added": added,
        "procedures": Procedure.objects.count(),
        "designations": OnTheSpotDesignation.objects.count(),
        "dossiers": t.dossiers,
        "events": t.events,
        "components": t.components,
        "results": t.results,
        "reused": t.reused,
        "ratings": t.ratings,
        "finished": t.finished,
        "in_process": t.in_process,
        "late": t.late,
        "on_the_spot": t.on_the_spot,
        "left_center": t.left_center,
        "apologies": t.apologies,
        "foreign_key_check": "anti-join after loading" if w.triggers_off else "per row",
        "timings": timings,
    }
