"""Thin tasks: take ids, call one service."""

from config.celery_app import idempotent_task
from proctoring import services


@idempotent_task
def analyse_snapshot(snapshot_id):
    services.analyse_snapshot(snapshot_id)


@idempotent_task
def purge_old_snapshots():
    return services.purge_old_snapshots()
