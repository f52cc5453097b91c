"""Builders for the plan-supervision tests: procedures with a version, components and time limits; dossiers
received (the daily roll-up the stats module keeps); plans with targets."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from taicho.catalog.models import Component, Procedure, ProcedureCase, ProcedureVersion
from taicho.org.models import Agency
from taicho.supervision.models import DailyStat, Phase, Plan, Target

_codes = itertools.count(1)


def make_procedure(
    *agencies: Agency,
    name: str = "",
    components: int = 2,
    limit: tuple[str, str] | None = ("1", "working_days"),
    coordinating: str = "",
    effective: date = date(2020, 1, 1),
    code: str = "",
) -> Procedure:
    code = code or f"9.{next(_codes):06d}"
    procedure = Procedure.objects.create(code=code, name=name or f"Thủ tục thử {code}")
    procedure.agencies.add(*agencies)
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=1,
        effective_from=effective,
        name=procedure.name,
        coordinating_agency=coordinating,
    )
    for i in range(components):
        Component.objects.create(version=version, ordinal=i + 1, name=f"Giấy tờ {i + 1}")
    if limit is None:
        ProcedureCase.objects.create(
            version=version, ordinal=1, channel="in_person", time_limit_text="Chưa rõ"
        )
    else:
        ProcedureCase.objects.create(
            version=version,
            ordinal=1,
            channel="in_person",
            time_limit_value=Decimal(limit[0]),
            time_limit_unit=limit[1],
        )
    return procedure


def received(agency: Agency, procedure: Procedure, day: date, n: int) -> None:
    """Dossiers received on ``day``: the rows `stats.refresh` writes from the dossier events (the day's, and its
    month's sum)."""
    from taicho.supervision.stats import _rollup_months

    DailyStat.objects.create(day=day, agency=agency, procedure=procedure, received=n)
    _rollup_months([day.replace(day=1)])


def make_plan(
    name: str = "Kế hoạch thử",
    targets: list[tuple[str, str, str, str]] = (),  # type: ignore[assignment]
    starts: date = date(2026, 1, 1),
    ends: date = date(2026, 12, 31),
    **criteria: object,
) -> tuple[Plan, Phase]:
    plan = Plan.objects.create(name=name, **criteria)
    phase = Phase.objects.create(plan=plan, ordinal=1, name="Giai đoạn thử", starts=starts, ends=ends)
    for level, metric, base, percent in targets:
        Target.objects.create(phase=phase, level=level, metric=metric, base=base, percent=Decimal(percent))
    return plan, phase
