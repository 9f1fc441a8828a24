import datetime
import zoneinfo

import pytest
import time_machine
from django.utils import timezone, translation
from django.utils.translation import gettext

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# 10:00 in Shanghai: the lock of a failure now ends at 10:30 there.
NOW = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
SITE_LOGIN = "/en/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def axes_on(settings):
    # Off in the rest of the suite (config/settings/test.py says why).
    settings.AXES_ENABLED = True


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def sign_in(client, username, password, *, url=SITE_LOGIN, **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def fail(client, username, times, **extra):
    return [sign_in(client, username, "wrong", **extra) for _ in range(times)]


def assert_chinese_lockout_page(page):
    assert '<html lang="zh-hans">' in page
    with translation.override("zh-hans"):
        # Whatever the catalogue holds: the test does not go stale when it is translated.
        assert gettext("Sign-in paused") in page
        assert gettext("Try again after %(time)s.") % {"time": "2026-03-02 10:30"} in page


def test_it_refuses_the_sixth_attempt_even_with_the_right_password(client, alice, clock):
    first_four = fail(client, "alice", 4)
    assert [r.status_code for r in first_four] == [200] * 4
    assert "The username or password is not correct." in first_four[-1].content.decode()

    fifth = fail(client, "alice", 1)[0]
    assert fifth.status_code == 429

    sixth = sign_in(client, "alice", PASSWORD)
    assert sixth.status_code == 429
    assert "_auth_user_id" not in client.session
    page = sixth.content.decode()
    assert "Sign-in paused" in page
    assert "Try again after 2026-03-02 10:30." in page
    assert "paused for 30 minutes" in page
    # The lockout page is under the strict policy too (directives in any order).
    directives = dict(
        part.strip().split(" ", 1) for part in sixth["Content-Security-Policy"].split(";")
    )
    assert directives["script-src"] == "'self'"


def test_it_lets_the_person_in_again_once_the_cool_off_is_over(client, alice, clock):
    fail(client, "alice", 5)
    clock.shift(datetime.timedelta(minutes=29))
    assert sign_in(client, "alice", PASSWORD).status_code == 429
    # That attempt started the wait again: 30 minutes from it, not from the fifth failure.
    clock.shift(datetime.timedelta(minutes=29))
    assert sign_in(client, "alice", PASSWORD).status_code == 429
    clock.shift(datetime.timedelta(minutes=31))

    response = sign_in(client, "alice", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_the_lockout_page_is_in_chinese_at_the_default_address(client, alice, clock):
    fail(client, "alice", 5, REMOTE_ADDR="10.0.0.7")

    response = sign_in(client, "alice", PASSWORD, url="/accounts/login/", REMOTE_ADDR="10.0.0.7")

    assert response.status_code == 429
    assert_chinese_lockout_page(response.content.decode())


def test_a_success_before_the_limit_clears_only_that_persons_count(client, alice, bob, clock):
    fail(client, "alice", 4)
    fail(client, "bob", 4)

    assert sign_in(client, "alice", PASSWORD).status_code == 302
    client.logout()

    # Alice starts again from zero: four more mistakes do not lock her out…
    assert [r.status_code for r in fail(client, "alice", 4)] == [200] * 4
    # …but Bob's four failures from this address still count: his fifth locks him.
    assert fail(client, "bob", 1)[0].status_code == 429
    assert sign_in(client, "bob", PASSWORD).status_code == 429


def test_another_address_is_not_locked_out(client, alice, clock):
    fail(client, "alice", 5, REMOTE_ADDR="10.0.0.1")

    response = sign_in(client, "alice", PASSWORD, REMOTE_ADDR="10.0.0.2")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_another_username_from_the_same_address_is_not_locked_out(client, alice, bob, clock):
    fail(client, "alice", 5)

    assert sign_in(client, "bob", PASSWORD).status_code == 302


def test_behind_the_proxy_the_address_nginx_saw_counts_not_what_the_client_wrote(
    client, alice, settings, clock
):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    # nginx at 10.9.9.9 appends the address it saw to whatever the client sent.
    for forged in ["1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4", "5.5.5.5"]:
        fail(
            client,
            "alice",
            1,
            REMOTE_ADDR="10.9.9.9",
            HTTP_X_FORWARDED_FOR=f"{forged}, 203.0.113.5",
        )

    locked = sign_in(
        client,
        "alice",
        PASSWORD,
        REMOTE_ADDR="10.9.9.9",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5",
    )
    # Another candidate in another place, through the same nginx.
    elsewhere = sign_in(
        client, "alice", PASSWORD, REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="198.51.100.8"
    )

    assert locked.status_code == 429
    assert elsewhere.status_code == 302


def test_the_wagtail_admin_login_locks_out_too(client, trainer, clock):
    for _ in range(5):
        sign_in(client, "trainer", "wrong", url=ADMIN_LOGIN)

    response = sign_in(client, "trainer", PASSWORD, url=ADMIN_LOGIN)

    assert response.status_code == 429
    # Addresses outside /en/ are in Chinese, the admin's login included.
    assert_chinese_lockout_page(response.content.decode())
    assert "_auth_user_id" not in client.session


def test_sign_in_records_past_their_retention_are_deleted_nightly(settings):
    from axes.models import AccessFailureLog, AccessLog

    from accounts import tasks

    settings.LOGIN_RECORD_RETENTION_DAYS = 180
    old, recent = (
        AccessLog.objects.create(username="alice", ip_address="10.0.0.1", user_agent="x"),
        AccessLog.objects.create(username="alice", ip_address="10.0.0.1", user_agent="x"),
    )
    failure = AccessFailureLog.objects.create(
        username="alice", ip_address="10.0.0.9", user_agent="x", locked_out=False
    )
    long_ago = timezone.now() - datetime.timedelta(days=181)
    AccessLog.objects.filter(pk=old.pk).update(attempt_time=long_ago)
    AccessFailureLog.objects.filter(pk=failure.pk).update(attempt_time=long_ago)

    assert tasks.purge_old_login_records() == 2

    assert list(AccessLog.objects.all()) == [recent]
    assert not AccessFailureLog.objects.exists()
