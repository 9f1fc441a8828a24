"""
Snapshots uploaded through the API are analysed by a real Celery worker
process, on Redis and PostgreSQL: the face counts and flags of real
photographs arrive in the database without the test running any task.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from exams import delivery
from proctoring.choices import IncidentKind
from proctoring.models import Incident, Snapshot
from tests.integration.conftest import celery_worker_process, real_worker, wait_until  # noqa: F401
from tests.proctoring import frames
from tests.proctoring.conftest import pass_camera_check

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_uploaded_snapshots_are_analysed_by_the_worker(real_worker, consented, alice, client):  # noqa: F811
    pass_camera_check(consented)
    delivery.start(attempt_id=consented.pk, candidate=alice)
    client.force_login(alice)
    for sequence, rgb in enumerate(
        [frames.astronaut(), frames.empty_scene(), frames.two_portraits()], start=1
    ):
        response = client.post(
            reverse("api:attempt-snapshots", args=[consented.pk]),
            {
                "image": SimpleUploadedFile("f.jpg", frames.jpeg(rgb), content_type="image/jpeg"),
                "sequence": sequence,
                "taken_at": timezone.now().isoformat(),
            },
        )
        assert response.status_code == 201
    assert wait_until(
        lambda: (
            Snapshot.objects.exclude(kind="check").filter(analysed_at__isnull=False).count() == 3
        ),
        timeout=60,
    ), "the worker did not analyse the snapshots; see var/test-worker.log"
    counts = list(
        Snapshot.objects.exclude(kind="check")
        .order_by("sequence")
        .values_list("face_count", flat=True)
    )
    assert counts == [1, 0, 2]
    assert set(Incident.objects.values_list("kind", flat=True)) == {
        IncidentKind.NO_FACE,
        IncidentKind.SEVERAL_FACES,
    }
