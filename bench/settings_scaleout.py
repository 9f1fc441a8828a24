"""
The bench settings with a short Redis visibility timeout, for the worker of
`bench/scaleout.py`'s drill "a Celery worker killed mid-certificate" only.

A task whose worker was killed stays in Redis's unacknowledged set until the
visibility timeout has passed since its delivery; then a worker's periodic
scan puts it back on its queue (kombu scans on every 10th 10-s tick, so
every 100 s or so). Production keeps an hour
(`config/settings/base.py`: it must outlast the longest task, a question
import of up to 1,900 s), so there a certificate whose worker died comes back
within the hour; the drill waits 30 s instead, to show the same path in a
bench run.
"""

from config.settings.bench import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 30}
