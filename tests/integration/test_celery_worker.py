import datetime

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.tasks import clear_expired_sessions
from tests.integration.conftest import wait_until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def make_session(*, expires_in):
    store = SessionStore()
    store["who"] = "candidate"
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() + expires_in
    )
    return store.session_key


def test_a_task_sent_through_redis_runs_in_the_worker_and_changes_postgresql(real_worker):
    expired = make_session(expires_in=-datetime.timedelta(hours=1))
    live = make_session(expires_in=datetime.timedelta(hours=1))

    clear_expired_sessions.delay()

    assert wait_until(lambda: not Session.objects.filter(session_key=expired).exists())
    assert Session.objects.filter(session_key=live).exists()
    assert real_worker.poll() is None
