"""
Every URL of the site, plus `POST /bench/bare-insert/`: a bare Django view
that inserts the JSON it receives as one row of `bench_bare_insert` (a table
`bench/exam_saves.py` creates with raw SQL in the bench database; no model, no
migration). No authentication, no serializer, no transaction of its own: the
floor under an answer save on the same stack. Loaded only by
`config.settings.bench`.
"""

import json

from django.db import connection
from django.http import HttpResponseBadRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as site_urlpatterns

TABLE = "bench_bare_insert"
CREATE_TABLE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    id bigserial PRIMARY KEY,
    client_id uuid NOT NULL,
    sequence bigint NOT NULL,
    body jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
)
"""


@csrf_exempt
@require_POST
def bare_insert(request):
    try:
        body = json.loads(request.body)
        values = [body["client_id"], int(body["sequence"]), json.dumps(body)]
    except (ValueError, KeyError, TypeError):
        return HttpResponseBadRequest()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (client_id, sequence, body) VALUES (%s, %s, %s) RETURNING id",
            values,
        )
        (row_id,) = cursor.fetchone()
    return JsonResponse({"id": row_id})


urlpatterns = [path("bench/bare-insert/", bare_insert), *site_urlpatterns]
