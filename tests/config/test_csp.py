"""The Content-Security-Policy header: strict everywhere, two narrow exceptions (config.csp)."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from config.csp import CSPMiddleware

pytestmark = pytest.mark.django_db

STRICT = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "media-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


def directives(response):
    header = response["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def test_a_public_page_has_the_strict_policy(client, home):
    response = client.get("/")
    assert response.status_code == 200
    assert directives(response) == STRICT


def test_the_login_page_has_the_strict_policy(client):
    response = client.get("/en/accounts/login/")
    assert directives(response) == STRICT


def test_the_wagtail_admin_alone_may_run_inline_scripts(client, trainer):
    client.force_login(trainer)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert directives(response) == {**STRICT, "script-src": ["'self'", "'unsafe-inline'"]}


def test_a_view_that_allows_same_origin_framing_gets_frame_ancestors_self():
    def framed(request):
        response = HttpResponse("pdf")
        response["X-Frame-Options"] = "SAMEORIGIN"
        return response

    def plain(request):
        return HttpResponse("page")

    request = RequestFactory().get("/en/learning/courseware/1/a.pdf")
    framed_policy = directives(CSPMiddleware(framed)(request))
    plain_policy = directives(CSPMiddleware(plain)(RequestFactory().get("/en/")))

    assert framed_policy == {**STRICT, "frame-ancestors": ["'self'"]}
    assert plain_policy == STRICT
