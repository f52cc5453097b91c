"""Load the 34 provinces and 3,321 communes of the `vietnam-provinces` package (refresh: `taicho load-units`)."""

from django.db import migrations


def load(apps, schema_editor):
    from vietnam_provinces import Province, Ward

    Unit = apps.get_model("org", "AdministrativeUnit")
    provinces = {}
    for p in Province.iter_all():
        provinces[int(p.code)], _ = Unit.objects.get_or_create(
            kind="province", code=int(p.code), defaults={"name": p.name, "division_type": str(p.division_type.value)}
        )
    existing = set(Unit.objects.filter(kind="commune").values_list("code", flat=True))
    Unit.objects.bulk_create(
        [
            Unit(kind="commune", code=int(w.code), name=w.name, division_type=str(w.division_type.value),
                 province=provinces[int(w.province_code)])
            for w in Ward.iter_all()
            if int(w.code) not in existing
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
