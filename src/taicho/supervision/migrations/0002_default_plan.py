"""The default plan (domain.md §1), created once if no default plan exists; an administrator edits it or enters
another province's plan in the admin.

How the plan is read:
- Phase 1 (Sep–Dec 2021): at least 30 % of each provincial department's procedures and 60 % of each district's
  run under "5 tại chỗ", counted on all their procedures.
- Phase 2 (2022): 100 % of the procedures that are eligible and have dossiers; and at least 50 % "delegated
  (phân cấp) or authorised (ủy quyền) to the receiving officer to appraise or approve". Delegation to the
  officer at the counter only means something for a procedure handled at the center, so the 50 % is read as a
  share of the procedures on the spot (base ON_THE_SPOT), not of all procedures.
- Maintenance (2023–2030): the phase-2 targets kept, for departments, districts (dossiers of the old districts)
  and communes: since 1 July 2025 the government has two levels and the communes took over the districts'
  procedures (domain.md §1), so the demo and any 2026 figures have a phase in force.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

NAME = "Kế hoạch thực hiện “5 tại chỗ” tại Trung tâm Phục vụ Hành chính công tỉnh"

PHASES = [
    (
        1,
        "Giai đoạn 1",
        date(2021, 9, 1),
        date(2021, 12, 31),
        [
            ("department", "on_the_spot", "all", Decimal("30")),
            ("district", "on_the_spot", "all", Decimal("60")),
        ],
    ),
    (
        2,
        "Giai đoạn 2",
        date(2022, 1, 1),
        date(2022, 12, 31),
        [
            ("department", "on_the_spot", "eligible_with_dossiers", Decimal("100")),
            ("department", "delegated", "on_the_spot", Decimal("50")),
            ("district", "on_the_spot", "eligible_with_dossiers", Decimal("100")),
            ("district", "delegated", "on_the_spot", Decimal("50")),
        ],
    ),
    (
        3,
        "Duy trì (sau sắp xếp đơn vị hành chính)",
        date(2023, 1, 1),
        date(2030, 12, 31),
        [
            (level, metric, base, percent)
            for level in ("department", "district", "commune")
            for metric, base, percent in (
                ("on_the_spot", "eligible_with_dossiers", Decimal("100")),
                ("delegated", "on_the_spot", Decimal("50")),
            )
        ],
    ),
]


def create_default_plan(apps, schema_editor):
    Plan = apps.get_model("supervision", "Plan")
    Phase = apps.get_model("supervision", "Phase")
    Target = apps.get_model("supervision", "Target")
    if Plan.objects.filter(is_default=True).exists():
        return
    plan = Plan.objects.create(
        name=NAME,
        is_default=True,
        note="Kế hoạch mặc định theo tài liệu nghiệp vụ (domain.md §1); quản trị viên sửa theo kế hoạch của tỉnh.",
    )
    for ordinal, name, starts, ends, targets in PHASES:
        phase = Phase.objects.create(plan=plan, ordinal=ordinal, name=name, starts=starts, ends=ends)
        Target.objects.bulk_create(
            Target(phase=phase, level=level, metric=metric, base=base, percent=percent)
            for level, metric, base, percent in targets
        )


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]

    # Going back keeps the plan: roadmaps entered under it would go with it.
    operations = [migrations.RunPython(create_default_plan, migrations.RunPython.noop)]
