"""
The Celery application.

Tasks are thin (they take ids, re-fetch, call one service) and are queued with
`.delay_on_commit()` so that a worker never looks for a row whose transaction
has not committed yet. https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html
"""

import functools
import logging
import os

from celery import Celery, shared_task
from celery.contrib.django.task import DjangoTask
from django.db import InterfaceError, OperationalError, transaction
from kombu import Queue
from kombu.exceptions import OperationalError as BrokerOperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("ankang")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    # A task that hangs is killed rather than holding a worker all day.
    task_soft_time_limit=240,
    task_time_limit=300,
    # With acks_late, a prefetched-but-unstarted message would wait behind a
    # long task; take one at a time.
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
    timezone="Asia/Shanghai",
    # Three queues, so that a flood of one kind of work never delays another:
    # webcam snapshots (hundreds a minute on exam day), documents (certificates,
    # tickets, reports: minutes matter to a candidate waiting for a PDF) and
    # everything else. A worker started without -Q consumes all three (the
    # demo's and the tests' single worker); production runs workers per queue
    # (docs/deploy.md).
    task_queues=[Queue("default"), Queue("documents"), Queue("snapshots")],
    task_default_queue="default",
    task_routes={
        "proctoring.tasks.analyse_snapshot": {"queue": "snapshots"},
        "exams.tasks.issue_certificate": {"queue": "documents"},
        "exams.tasks.render_certificate": {"queue": "documents"},
        "exams.tasks.rerender_certificates": {"queue": "documents"},
        "exams.tasks.zip_session_certificates": {"queue": "documents"},
        "exams.tasks.render_admission_ticket": {"queue": "documents"},
        "exams.tasks.render_session_tickets": {"queue": "documents"},
        "exams.tasks.generate_monthly_report": {"queue": "documents"},
    },
)
app.autodiscover_tasks()

# Errors that go away when retried: a lock timeout, a restarted database, a
# broker that blinked.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, BrokerOperationalError)

logger = logging.getLogger(__name__)


class Task(DjangoTask):
    """
    `.delay_on_commit()` that never fails the request whose data it follows.

    The callback runs after the commit: the answer, the snapshot or the grade
    is stored by then, and a broker that is down (Redis restarting) would turn
    that success into a 500 for the candidate, who would retry for nothing.
    The task is logged as not queued instead; the catch-up sweeps
    (`requeue_unanalysed_snapshots`, `queue_missing_certificates`) queue the
    work again once the broker is back.
    """

    def delay_on_commit(self, *args, **kwargs):
        transaction.on_commit(functools.partial(self._queue_or_log, args, kwargs))

    def _queue_or_log(self, args, kwargs):
        try:
            self.apply_async(args, kwargs)
        except BrokerOperationalError:
            logger.warning("%s%r not queued: the broker is unreachable", self.name, args)


def queue_is_empty(name):
    """
    Whether no message waits in the queue `name`. A catch-up sweep queues work
    again only then: a queue still being worked through is a backlog, not
    lost work, and queuing it twice would only make it longer.
    """
    if app.conf.task_always_eager:
        return True
    with app.connection_for_read() as connection:
        # A declare creates nothing on Redis and answers the queue's length.
        declared = connection.default_channel.queue_declare(
            queue=name, durable=True, auto_delete=False
        )
        return declared.message_count == 0


def idempotent_task(*args, **options):
    """
    Declare a task that is safe to run more than once.

    It is acknowledged only after it finishes and is redelivered if its worker
    dies mid-way (`acks_late` + `reject_on_worker_lost`), and it retries
    transient errors with exponential backoff. The task itself must make a
    second run harmless (a unique constraint, a conditional UPDATE).
    """
    defaults = {
        "base": Task,
        "acks_late": True,
        "reject_on_worker_lost": True,
        "autoretry_for": TRANSIENT_ERRORS,
        "retry_backoff": 2,
        "retry_backoff_max": 300,
        "retry_jitter": True,
        "max_retries": 8,
    }
    return shared_task(*args, **{**defaults, **options})
