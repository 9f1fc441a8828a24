"""
The evidence report of one attempt, as a PDF for appeals: the candidate and
sitting, the consent, the timeline of incidents with their decisions, the
flagged snapshots (embedded, each inclusion logged as a look), and the
proctor's messages. Rendered by WeasyPrint from data URIs only: nothing is
fetched over the network.
"""

import base64

from django.template.loader import render_to_string
from django.utils import timezone

from proctoring import selectors
from proctoring.models import SnapshotView

# An appeal needs the frames behind the flags, not the whole exam.
MAX_FRAMES = 40


def _data_uri(snapshot):
    try:
        with snapshot.image.open("rb") as file:
            return "data:image/jpeg;base64," + base64.b64encode(file.read()).decode("ascii")
    except OSError:  # deleted by retention
        return None


def render_evidence(attempt, *, viewer):
    from weasyprint import HTML  # loads Pango; only the processes that render need it

    incidents = list(selectors.timeline(attempt))
    flagged = {incident.snapshot_id for incident in incidents if incident.snapshot_id}
    frames = []
    for snapshot in attempt.snapshots.filter(pk__in=flagged).order_by("sequence")[:MAX_FRAMES]:
        uri = _data_uri(snapshot)
        if uri:
            frames.append({"snapshot": snapshot, "uri": uri})
            SnapshotView.objects.create(
                attempt=attempt,
                snapshot=snapshot,
                snapshot_sequence=snapshot.sequence,
                viewer=viewer,
            )
    html = render_to_string(
        "proctoring/evidence.html",
        {
            "attempt": attempt,
            "consent": getattr(attempt, "consent", None),
            "incidents": incidents,
            "frames": frames,
            "messages": attempt.messages.all(),
            "events": attempt.events.select_related("by").order_by("at"),
            "made_at": timezone.now(),
            "viewer": viewer,
        },
    )
    return HTML(string=html).write_pdf()
