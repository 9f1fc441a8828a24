"""
The catch-up sweeps queue lost work again only when its queue is empty: work
still waiting in Redis is a backlog being worked through, not lost, and
queuing it twice would only make the backlog longer.
"""

import uuid

import pytest

from config.celery_app import app as celery_app
from config.celery_app import queue_is_empty

pytestmark = pytest.mark.integration


@pytest.fixture
def through_the_broker():
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True


def test_a_queue_with_work_waiting_is_not_empty_until_it_is_worked_through(through_the_broker):
    name = f"catch-up-{uuid.uuid4().hex}"
    with celery_app.connection_for_write() as connection:
        queue = connection.SimpleQueue(name)
        try:
            assert queue_is_empty(name)
            queue.put({"snapshot_id": 1})
            assert not queue_is_empty(name)
            queue.get(timeout=5).ack()
            assert queue_is_empty(name)
        finally:
            queue.close()
            connection.default_channel.queue_delete(name)
