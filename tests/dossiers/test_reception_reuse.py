"""Reception offers the owner's earlier digitized papers (Circular 01/2023: never ask for a paper twice)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from taicho.dossiers.models import Dossier
from tests.dossiers.test_views import login, page, reception_post


def test_the_data_store_is_offered_and_a_paper_is_reused_without_scanning(client, copy_cert):
    login(client, "tiepnhan")
    url = reverse("dossiers:reception_form", args=[copy_cert.code])
    version = copy_cert.version_on(timezone.localdate())
    assert client.post(url, reception_post(version)).status_code == 302
    first = Dossier.objects.get()
    earlier = {c.component_id: c for c in first.components.exclude(digitized="")}
    assert earlier

    # Same owner comes back: the officer opens the data store before scanning anything.
    data = reception_post(version, files=False)
    data["lookup"] = "1"
    html = page(client.post(url, data))
    assert "Kho dữ liệu của 022186001234" in html
    for component_id, paper in earlier.items():
        assert f'name="c{component_id}-reuse"' in html
        assert f'<option value="{paper.pk}" selected>' in html  # suggested by the component's name

    data = reception_post(version, files=False)
    for component_id, paper in earlier.items():
        data[f"c{component_id}-reuse"] = str(paper.pk)
    response = client.post(url, data)
    assert response.status_code == 302
    second = Dossier.objects.exclude(pk=first.pk).get()
    for row in second.components.filter(component_id__in=earlier):
        assert row.reused_from_id == earlier[row.component_id].pk
        assert row.digitized.name == earlier[row.component_id].digitized.name
        assert not row.originals.exists()  # nothing scanned again


def test_another_owners_paper_cannot_be_reused(client, copy_cert):
    login(client, "tiepnhan")
    url = reverse("dossiers:reception_form", args=[copy_cert.code])
    version = copy_cert.version_on(timezone.localdate())
    client.post(url, reception_post(version))
    paper = Dossier.objects.get().components.exclude(digitized="").first()
    data = reception_post(version, files=False)
    data["id_number"] = "022186009876"
    data[f"c{paper.component_id}-reuse"] = str(paper.pk)
    response = client.post(url, data)
    assert response.status_code == 400
    assert "không thuộc kho dữ liệu của chủ hồ sơ" in page(response)
    assert Dossier.objects.count() == 1


def test_an_owner_without_papers_is_told_so(client, copy_cert):
    login(client, "tiepnhan")
    url = reverse("dossiers:reception_form", args=[copy_cert.code])
    data = reception_post(copy_cert.version_on(timezone.localdate()), files=False)
    data["lookup"] = "1"
    html = page(client.post(url, data))
    assert "chưa có giấy tờ nào đã số hóa" in html
