import pytest
from rest_framework.test import APIClient

from config.api import exception_handler
from config.errors import DomainError

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_an_anonymous_caller_gets_the_common_error_shape(api):
    response = api.get("/api/v1/me/")
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response.json()["error"]["message"]


def test_me_shows_the_masked_id_number_and_never_the_full_one(api, alice):
    api.force_authenticate(alice)
    body = api.get("/api/v1/me/").json()
    assert body["real_name"] == "王建国"
    assert body["id_number_masked"] == alice.id_number_masked
    assert alice.id_number not in str(body)
    assert body["roles"] == ["考生"]


def test_a_token_signs_in_a_desk_device(api, alice):
    from tests.factories import PASSWORD

    token = api.post(
        "/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json"
    ).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").json()["username"] == "alice"


def test_a_wrong_password_gets_a_validation_error_in_the_common_shape(api, alice):
    response = api.post(
        "/api/v1/auth/token/", {"username": "alice", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert response.json()["error"]["details"]["non_field_errors"]


class SessionFull(DomainError):
    code = "session_full"
    status = 409


def test_a_domain_error_becomes_the_common_shape_with_its_status():
    response = exception_handler(SessionFull("该场次已满", details={"capacity": 30}), {})
    assert response.status_code == 409
    assert response.data == {
        "error": {"code": "session_full", "message": "该场次已满", "details": {"capacity": 30}}
    }


def test_the_openapi_schema_and_its_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    assert "/api/v1/me/" in schema.json()["paths"]

    docs = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower()


def test_the_api_answers_in_the_language_the_client_asks_for(client):
    url = "/api/v1/training/enrolments/"
    assert client.get(url).json()["error"]["message"] == "身份认证信息未提供。"
    english = client.get(url, headers={"Accept-Language": "en"})
    assert english.json()["error"]["message"] == "Authentication credentials were not provided."
    assert english["Content-Language"] == "en"
