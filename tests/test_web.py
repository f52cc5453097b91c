"""The pages a new user meets: login, home, and the admin over the demo data."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from taicho.catalog.models import ImportRun, Procedure
from taicho.demo import DEMO_PASSWORD, build_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return build_demo()


def login(client, username):
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def test_anonymous_visitors_are_sent_to_the_vietnamese_login_page(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    page = client.get("/login/").content.decode()
    assert "Đăng nhập" in page and "Tên đăng nhập" in page and 'lang="vi"' in page


def test_wrong_password_gets_a_clear_message(client, demo):
    page = client.post("/login/", {"username": "tiepnhan", "password": "sai"}).content.decode()
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in page


def test_each_demo_account_logs_in_and_sees_home(client, demo):
    for username, full_name, _roles in demo.accounts:
        client.logout()
        response = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        page = client.get("/").content.decode()
        assert full_name in page


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_admin_lists_the_imported_procedures(client, demo):
    login(client, "quantri")
    page = client.get("/admin/catalog/procedure/?q=2.000815").content.decode()
    assert "Chứng thực bản sao từ bản chính" in page
    assert Procedure.objects.count() >= 270


def test_every_admin_page_renders_over_the_demo_data(client, demo):
    """Each registered model's list, and the change page of its first row (catches broken admin config)."""
    login(client, "quantri")
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(url).status_code == 200, url
        first = model.objects.order_by("pk").first()
        if first is not None:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
            assert client.get(url).status_code == 200, url


def test_a_version_in_force_is_read_only_and_a_new_one_is_editable(client, demo):
    from django.utils import timezone

    login(client, "quantri")
    procedure = Procedure.objects.get(code="1.001193")
    version = procedure.version_on(timezone.localdate())
    url = reverse("admin:catalog_procedureversion_change", args=[version.pk])
    page = client.get(url).content.decode()
    assert 'name="_save"' not in page  # frozen: dossiers may pin it
    response = client.post(
        reverse("admin:catalog_procedureversion_changelist"),
        {"action": "new_version", "_selected_action": [version.pk]},
    )
    assert response.status_code == 302
    newest = procedure.versions.order_by("-number").first()
    assert newest.number == version.number + 1 and newest.effective_from > timezone.localdate()
    assert newest.components.count() == version.components.count()
    assert (
        'name="_save"'
        in client.get(reverse("admin:catalog_procedureversion_change", args=[newest.pk])).content.decode()
    )


def test_upload_page_imports_and_reports(client, demo, catalog_detail_file, catalog_list_file):
    login(client, "quantri")
    url = reverse("admin:catalog_importrun_upload")
    assert "Nhập danh mục" in client.get(url).content.decode()
    with catalog_list_file.open("rb") as xlsx, catalog_detail_file.open("rb") as details:
        response = client.post(url, {"uploads": [xlsx, details]}, follow=True)
    page = response.content.decode()
    assert "Đã nhập: 0 thủ tục mới" in page
    assert ImportRun.objects.order_by("-pk").first().status == ImportRun.Status.SUCCEEDED


def test_upload_page_shows_what_could_not_be_read(client, demo):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, "quantri")
    before = Procedure.objects.count()
    bad = SimpleUploadedFile("hong.xlsx", b"PK\x03\x04garbage")
    page = client.post(reverse("admin:catalog_importrun_upload"), {"uploads": [bad]}).content.decode()
    assert "hong.xlsx: tệp Excel bị hỏng" in page and "dữ liệu không thay đổi" in page
    assert Procedure.objects.count() == before


def test_only_administrators_may_upload(client, demo):
    from taicho.org.models import Staff

    officer = Staff.objects.get(username="tiepnhan")
    officer.is_staff = True
    officer.save()
    login(client, "tiepnhan")
    response = client.get(reverse("admin:catalog_importrun_upload"))
    assert response.status_code == 302
