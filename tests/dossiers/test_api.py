"""The JSON API: a whole copy certification through HTTP with each role's bearer token, one error format for
every failure, session auth with CSRF, and bounded queries on the lists."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client

from taicho.dossiers.models import Dossier
from taicho.dossiers.states import Status

from .conftest import RESULT_DATA, provided_all, scan_png

ROLES = ("tiepnhan", "thamdinh", "lanhdao", "vanthu", "canboxa")


@pytest.fixture
def tokens(people) -> dict[str, str]:
    from taicho.org.services import issue_api_token

    return {name: issue_api_token(staff=people[name], name="kiểm thử") for name in ROLES}


class Api:
    """A client that speaks JSON with one role's bearer token."""

    def __init__(self, client: Client, tokens: dict[str, str]) -> None:
        self.client, self.tokens = client, tokens

    def call(self, role: str | None, method: str, path: str, body: Any = None, raw: str | None = None):  # type: ignore[no-untyped-def]
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        if method == "get":
            return self.client.get(path, headers=headers)
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.post(path, data=data, content_type="application/json", headers=headers)

    def get(self, role: str | None, path: str):  # type: ignore[no-untyped-def]
        return self.call(role, "get", path)

    def post(self, role: str | None, path: str, body: Any = None, raw: str | None = None):  # type: ignore[no-untyped-def]
        return self.call(role, "post", path, body, raw)


@pytest.fixture
def api(client, tokens) -> Api:
    return Api(client, tokens)


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


def receipt_body(api: Api, **applicant: str) -> dict[str, Any]:
    found = api.get("tiepnhan", "/api/procedures?q=2.000815").json()
    assert [p["code"] for p in found] == ["2.000815"]
    procedure = found[0]
    assert procedure["on_the_spot"] and procedure["cases"][0]["time_limit"]
    return {
        "procedure": "2.000815",
        "applicant": {
            "name": "Nguyễn Thị Lan Anh",
            "id_number": "022186001234",
            "address": "Tổ 3, khu 5, phường Hạ Long",
            "phone": "0912345678",
        }
        | applicant,
        "components": [
            {
                "component_id": c["id"],
                "provided_as": "original",
                "count": 2,
                "files": [
                    {"name": "trang-1.png", "content_type": "image/png", "content_base64": b64(scan_png())},
                    {"name": "trang-2.png", "content_type": "image/png", "content_base64": b64(scan_png())},
                ],
            }
            for c in procedure["components"]
            if c["required"]
        ],
    }


def assert_error(
    response, status: int, code: str | None = None, message: str | None = None
) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    if code:
        assert body["error"]["code"] == code
    if message:
        assert message in body["error"]["message"]
    return body["error"]


@pytest.fixture
def received_code(received) -> str:
    return received.code


def test_a_copy_certification_from_receipt_to_rating_through_the_api(api):
    received = api.post("tiepnhan", "/api/dossiers", receipt_body(api))
    assert received.status_code == 200, received.content
    dossier = received.json()
    code = dossier["code"]
    assert (dossier["status"], dossier["national_status"], dossier["fee_amount"]) == ("received", 2, 4000)
    assert dossier["due"]["level"] in {"ok", "soon", "overdue"}
    base = f"/api/dossiers/{code}"
    steps = [
        ("thamdinh", "/start-appraisal", {}, "appraising"),
        (
            "thamdinh",
            "/submit-for-approval",
            {
                "template": "copy_certification",
                "title": "Bản sao được chứng thực từ bản chính",
                "data": RESULT_DATA,
                "number": "125/SCT-STP",
            },
            "awaiting_approval",
        ),
        ("lanhdao", "/approve", {}, "approved"),
        ("vanthu", "/seal", {}, "result_ready"),
        ("vanthu", "/print", {"copies": 2}, "printed"),
        ("tiepnhan", "/payments", {"amount": 4000, "receipt": "BL-0001"}, "printed"),
        (
            "tiepnhan",
            "/return",
            {"receiver_name": "Nguyễn Thị Lan Anh", "receiver_id": "022186001234", "relation": "Chủ hồ sơ"},
            "returned",
        ),
        ("tiepnhan", "/rating", {"scores": [2] * 11, "overall": 5, "comment": "Nhanh"}, "returned"),
    ]
    for role, path, body, status in steps:
        response = api.post(role, base + path, body)
        assert response.status_code == 200, (path, response.content)
        assert response.json()["status"] == status, path
    detail = api.get("thamdinh", base).json()
    assert detail["national_status"] == 10 and detail["fee_paid"] == 4000
    assert [e["action"] for e in detail["timeline"]] == [
        "receive",
        "start_appraisal",
        "submit_for_approval",
        "approve",
        "seal",
        "release",
        "record_print",
        "payment",
        "return_result",
    ]
    assert detail["result"]["status"] == "released" and detail["components"][0]["digitization_code"]
    receipt = api.get("thamdinh", detail["papers"][0]["url"])
    assert receipt.status_code == 200 and b"".join(receipt.streaming_content)[:5] == b"%PDF-"
    result = api.get("tiepnhan", detail["result"]["url"])
    assert result.status_code == 200 and b"".join(result.streaming_content)[:5] == b"%PDF-"
    slip = api.get("thamdinh", base + "/control-slip.pdf")
    assert slip.status_code == 200 and slip.content[:5] == b"%PDF-"
    day = detail["received_at"][:10]
    book = api.get("tiepnhan", f"/api/logbook.xlsx?start={day}&end={day}")
    assert book.status_code == 200 and book.content[:2] == b"PK"
    assert_error(api.get("canboxa", detail["result"]["url"]), 404, "not_found")  # files are scoped too


def test_without_credentials_or_with_a_wrong_token_401(api, received_code):
    error = assert_error(api.get(None, "/api/dossiers"), 401, "unauthenticated")
    assert error["message"] == "Chưa đăng nhập hoặc khóa truy cập không hợp lệ"
    api.tokens["intruder"] = "tc_khong-phai-khoa-that"
    assert_error(api.post("intruder", f"/api/dossiers/{received_code}/start-appraisal"), 401)


def test_a_revoked_token_no_longer_works(api, people):
    from django.utils import timezone

    from taicho.org.models import ApiToken

    assert api.get("thamdinh", "/api/dossiers").status_code == 200
    ApiToken.objects.filter(staff=people["thamdinh"]).update(revoked_at=timezone.now())
    assert_error(api.get("thamdinh", "/api/dossiers"), 401)


def test_a_step_by_the_wrong_role_403(api, received_code):
    error = assert_error(
        api.post("vanthu", f"/api/dossiers/{received_code}/start-appraisal"), 403, "not_allowed"
    )
    assert "Vai trò" in error["message"]
    assert Dossier.objects.get(code=received_code).status == Status.RECEIVED


def test_another_agency_and_unknown_codes_404_alike(api, received_code):
    other = assert_error(api.get("canboxa", f"/api/dossiers/{received_code}"), 404, "not_found")
    unknown = assert_error(api.get("thamdinh", "/api/dossiers/000.00.12.H49-200101-9999"), 404, "not_found")
    assert other == unknown  # the answer does not reveal that the code exists
    assert_error(api.post("canboxa", f"/api/dossiers/{received_code}/start-appraisal"), 404)
    assert api.get("canboxa", "/api/dossiers").json()["count"] == 0


def test_a_repeated_step_409(api, received_code):
    path = f"/api/dossiers/{received_code}/start-appraisal"
    assert api.post("thamdinh", path).status_code == 200
    assert_error(api.post("tiepnhan", path), 409, "conflict", "người khác vừa xử lý")


def test_a_certification_number_in_the_draft_422_and_nothing_changes(api, received_code):
    base = f"/api/dossiers/{received_code}"
    assert api.post("thamdinh", base + "/start-appraisal").status_code == 200
    body = {
        "template": "copy_certification",
        "title": "Bản sao được chứng thực từ bản chính",
        "data": RESULT_DATA | {"certification_number": "7"},
    }
    assert_error(
        api.post("thamdinh", base + "/submit-for-approval", body),
        422,
        "register_number_given",
        "cấp theo sổ chứng thực",
    )
    assert Dossier.objects.get(code=received_code).status == "appraising"


def test_a_malformed_personal_id_422(api):
    body = receipt_body(api, id_number="12345")
    assert_error(api.post("tiepnhan", "/api/dossiers", body), 422, "invalid_applicant", "12 chữ số")
    assert not Dossier.objects.exists()


def test_an_incomplete_dossier_422(api):
    body = receipt_body(api) | {"components": []}
    assert_error(api.post("tiepnhan", "/api/dossiers", body), 422, "incomplete", "chưa đầy đủ")


def test_a_bad_field_422_with_the_field_named(api):
    body = receipt_body(api)
    body["components"][0]["count"] = "hai"
    body["components"][0]["files"][0]["content_base64"] = "không phải base64"
    error = assert_error(api.post("tiepnhan", "/api/dossiers", body), 422, "invalid_request")
    assert error["message"] == "Dữ liệu gửi lên không hợp lệ"
    locations = [d["loc"][-2:] for d in error["details"]]
    assert ["0", "count"] in [[str(x) for x in loc] for loc in locations]
    assert any(d["loc"][-1] == "content_base64" for d in error["details"])
    assert_error(api.post("tiepnhan", "/api/dossiers", raw="{không phải JSON"), 400, "bad_request")
    assert_error(api.get("tiepnhan", "/api/dossiers?inbox=khong-co"), 422, "invalid_request")


def test_session_auth_needs_the_csrf_token(people, received_code):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["thamdinh"])
    assert client.get(f"/api/dossiers/{received_code}").status_code == 200  # safe methods: no token needed
    path = f"/api/dossiers/{received_code}/start-appraisal"
    assert_error(client.post(path, "{}", content_type="application/json"), 403, "csrf_failed")
    secret = "a" * 32
    client.cookies["csrftoken"] = secret
    response = client.post(path, "{}", content_type="application/json", headers={"X-CSRFToken": secret})
    assert response.status_code == 200 and response.json()["status"] == "appraising"


def test_the_openapi_document_lists_the_endpoints(client):
    document = client.get("/api/openapi.json").json()
    paths = document["paths"]
    for path in (
        "/api/procedures",
        "/api/dossiers",
        "/api/dossiers/{code}",
        "/api/dossiers/{code}/approve",
        "/api/dossiers/approve-batch",
        "/api/dossiers/{code}/control-slip.pdf",
        "/api/logbook.xlsx",
    ):
        assert path in paths
    assert {"StaffToken", "SessionAuth"} <= set(document["components"]["securitySchemes"])
    assert client.get("/api/docs").status_code == 200


def test_batch_approval_reports_each_code(api, people, copy_cert, applicant):
    from taicho.dossiers.services import receive_dossier

    from .conftest import to_approval

    codes = [
        to_approval(
            receive_dossier(
                officer=people["tiepnhan"],
                procedure=copy_cert,
                applicant=applicant,
                components=provided_all(copy_cert, files=False),
            ),
            people,
        ).code
        for _ in range(2)
    ]
    outcomes = api.post("lanhdao", "/api/dossiers/approve-batch", {"codes": [*codes, "khong-co"]}).json()
    assert [(o["ok"], o["status"]) for o in outcomes] == [(True, "approved"), (True, "approved"), (False, "")]
    assert "Không tìm thấy" in outcomes[2]["message"]


def _receive_many(people, copy_cert, applicant, n: int) -> None:
    from taicho.dossiers.services import receive_dossier

    for _ in range(n):
        receive_dossier(
            officer=people["tiepnhan"],
            procedure=copy_cert,
            applicant=applicant,
            components=provided_all(copy_cert, files=False),
        )


def test_lists_take_a_bounded_number_of_queries(
    api, people, copy_cert, applicant, django_assert_max_num_queries
):
    _receive_many(people, copy_cert, applicant, 2)
    api.get("thamdinh", "/api/dossiers")  # warm the calendar cache
    with django_assert_max_num_queries(8):
        few = api.get("thamdinh", "/api/dossiers?inbox=appraisal").json()
    _receive_many(people, copy_cert, applicant, 4)
    with django_assert_max_num_queries(8):
        many = api.get("thamdinh", "/api/dossiers?inbox=appraisal").json()
    assert (few["count"], many["count"]) == (2, 6) and len(many["items"]) == 6
    with django_assert_max_num_queries(8):
        assert len(api.get("tiepnhan", "/api/procedures?limit=50").json()) >= 1


def _to_result_ready(api: Api, code: str) -> str:
    base = f"/api/dossiers/{code}"
    submit = {
        "template": "copy_certification",
        "title": "Bản sao được chứng thực từ bản chính",
        "data": RESULT_DATA,
    }
    for role, path, body in (
        ("thamdinh", "/start-appraisal", {}),
        ("thamdinh", "/submit-for-approval", submit),
        ("lanhdao", "/approve", {}),
        ("vanthu", "/seal", {}),
    ):
        response = api.post(role, base + path, body)
        assert response.status_code == 200, (path, response.content)
    return base


def test_pay_and_return_in_one_request(api, received_code):
    """The counter's hand-over in one request: the fee, then the result; both steps keep their events."""
    base = _to_result_ready(api, received_code)
    response = api.post(
        "tiepnhan",
        base + "/pay-and-return",
        {
            "receiver_name": "Nguyễn Thị Lan Anh",
            "receiver_id": "022186001234",
            "amount": 4000,
            "receipt": "BL-7",
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "returned"
    detail = api.get("tiepnhan", base).json()
    assert detail["fee_paid"] == 4000 and detail["national_status"] == 10
    assert [e["action"] for e in detail["timeline"]][-2:] == ["payment", "return_result"]


def test_pay_and_return_refused_records_no_payment(api, received_code):
    """A refused return (the receiver's personal ID is malformed) leaves no payment behind either."""
    base = _to_result_ready(api, received_code)
    response = api.post(
        "tiepnhan",
        base + "/pay-and-return",
        {"receiver_name": "Nguyễn Thị Lan Anh", "receiver_id": "12345", "amount": 4000, "receipt": "BL-8"},
    )
    assert response.status_code in (409, 422), response.content
    assert_error(response, response.status_code)
    dossier = Dossier.objects.get(code=received_code)
    assert dossier.fee_paid == 0 and dossier.status == Status.RESULT_READY
    assert not dossier.events.filter(action="payment").exists()
