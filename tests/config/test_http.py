"""The client's address for rate limits: X-Forwarded-For only as far as the proxies are trusted."""

from django.test import RequestFactory
from rest_framework.settings import api_settings

from config.http import client_ip


def request(forwarded=None):
    meta = {"REMOTE_ADDR": "10.0.0.2"}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_a_proxy_a_forged_header_changes_nothing(settings):
    # DRF reloads its settings when the test changes them (setting_changed).
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": None}
    assert api_settings.NUM_PROXIES is None
    assert client_ip(request("1.2.3.4")) == "10.0.0.2"


def test_behind_nginx_the_address_nginx_saw_counts(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert api_settings.NUM_PROXIES == 1
    # A client's own forged entry comes first; nginx appends what it saw.
    assert client_ip(request("1.2.3.4, 203.0.113.9")) == "203.0.113.9"
    assert client_ip(request()) == "10.0.0.2"
