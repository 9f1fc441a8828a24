"""
The API fuzzed from its own OpenAPI schema (issue 12's security sweep):
schemathesis generates requests for every operation, valid in form and not,
and sends them in-process to the WSGI application, as a signed-in candidate
and as the public. No request may end in a server error, and a successful
answer must look as the schema says.

Bounded and derandomized, so that CI sees the same requests every run.
"""

import contextlib

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.exams.conftest import bank, centre, exam, make_question, make_session, room  # noqa: F401
from tests.proctoring.conftest import consented, policy, seat, sitting  # noqa: F401

pytestmark = pytest.mark.django_db

# Requests per operation and persona: under a minute for the whole API each.
EXAMPLES = {GenerationMode.POSITIVE: 15, GenerationMode.NEGATIVE: 8}


def _fuzz(operation, mode, headers):
    """Every failing request of `operation`, as a curl command with what went wrong."""
    failures = []

    @settings(
        max_examples=EXAMPLES[mode],
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # report, don't spend the budget shrinking
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        try:
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )
        except Exception as error:  # noqa: BLE001 - every failure is collected and shown
            failures.append(f"{case.as_curl_command(headers=headers)}\n  {error}")

    # Unsatisfiable: nothing in this operation can be made invalid (no parameters, no body).
    with contextlib.suppress(Unsatisfiable):
        run()
    return failures


@pytest.fixture
def api_schema(db):
    # Requests run in this thread, inside the test's transaction: keep Django
    # from closing the connection at the end of each, as its test client does.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("persona", ["candidate", "anonymous"])
def test_no_request_the_schema_allows_or_forbids_ends_in_a_server_error(
    api_schema,
    persona,
    alice,
    consented,  # noqa: F811
):
    # A's prepared attempt, bank and session give the low ids something to find.
    headers = {}
    if persona == "candidate":
        headers["Authorization"] = f"Token {Token.objects.create(user=alice).key}"
    failures = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 40  # the whole API, not an empty schema
    for operation in operations:
        for mode in EXAMPLES:
            failures += _fuzz(operation, mode, headers)
    assert not failures, "\n\n".join(failures)
