"""The exam page (camera, answers sent by fetch) is served under the strict policy."""

import pytest
from django.utils import translation

from tests.config.test_csp import STRICT, directives
from tests.exams.test_exam_pages import attempt_url, checked_in, exam_with_paper, started

pytestmark = pytest.mark.django_db

__all__ = ["checked_in", "exam_with_paper", "started"]  # fixtures used below


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_the_exam_page_has_the_strict_policy(client, alice, started):
    client.force_login(alice)
    response = client.get(attempt_url(started))
    assert response.status_code == 200
    assert 'id="exam"' in response.content.decode()
    assert directives(response) == STRICT
