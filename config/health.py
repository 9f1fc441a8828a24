"""
`/healthz`: is this web process able to do its work?

JSON with the state of the database, the cache and the Celery broker, and a
non-200 status when one of them is down, for a load balancer or a monitor.
Built on django-health-check's checks; the broker check is ours because the
packaged Celery check pings *workers*, which is a different question (a web
process can queue work while the workers restart).
"""

import asyncio
import dataclasses
import datetime

from django.conf import settings
from django.http import JsonResponse
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from config.celery_app import app as celery_app


@dataclasses.dataclass
class Broker(HealthCheck):
    """Open (and close) a connection to the broker that CELERY_BROKER_URL names."""

    timeout: datetime.timedelta = dataclasses.field(
        default=datetime.timedelta(seconds=2), repr=False
    )

    def run(self):
        try:
            with celery_app.connection_for_write(settings.CELERY_BROKER_URL) as connection:
                connection.ensure_connection(max_retries=1, timeout=self.timeout.total_seconds())
        except Exception as exc:  # kombu raises transport-specific errors
            raise ServiceUnavailable("Broker unreachable") from exc


CHECKS = {"database": Database, "cache": Cache, "broker": Broker}


class HealthView(HealthCheckView):
    checks = tuple(CHECKS.values())

    async def get(self, request, *args, **kwargs):
        with self.get_executor() as executor:
            self.results = await asyncio.gather(
                *(check().get_result(executor) for check in CHECKS.values())
            )
        return self.render_to_response_json(503 if self.has_errors else 200)

    @property
    def has_errors(self):
        return any(result.error for result in self.results)

    def render_to_response_json(self, status):
        checks = {
            name: {"ok": result.error is None, "error": str(result.error or "") or None}
            for name, result in zip(CHECKS, self.results, strict=True)
        }
        return JsonResponse({"ok": not self.has_errors, "checks": checks}, status=status)
