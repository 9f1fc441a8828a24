"""Thin tasks: take ids, call one service."""

import datetime

from django.conf import settings

from config.celery_app import idempotent_task, queue_is_empty
from proctoring import services


@idempotent_task
def analyse_snapshot(snapshot_id):
    services.analyse_snapshot(snapshot_id)


@idempotent_task
def requeue_unanalysed_snapshots():
    """Snapshots stored while the broker was down are analysed once it is back."""
    if not queue_is_empty("snapshots"):
        return 0
    return services.requeue_unanalysed(
        older_than=datetime.timedelta(seconds=settings.CATCH_UP_SECONDS)
    )


@idempotent_task
def purge_old_snapshots():
    return services.purge_old_snapshots()
