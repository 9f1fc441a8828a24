"""
The proctoring API.

For the candidate's exam page: consent, snapshot upload, browser events, and
what the proctor has to say (messages), each on their own attempts only (any
other attempt is "not found").

For the proctor: a session's live board, an attempt's timeline, a snapshot's
image (each look recorded), messages, irregularities, and review decisions;
on the attempts of the centres they staff only (exams.checkin), or any for
the bureau. Pause, resume, extra time and terminate are the exam API's
(exams/api/attempt_views.py), through exams.delivery.
"""

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from exams import checkin
from exams.models import Attempt
from proctoring import selectors, services
from proctoring.choices import (
    BROWSER_EVENT_CHOICES,
    Decision,
    IrregularityCategory,
    Severity,
    SnapshotKind,
)
from proctoring.models import CandidateMessage, Incident, Snapshot, SnapshotView


def _own(request, attempt_id):
    return get_object_or_404(Attempt, pk=attempt_id, candidate=request.user)


def _proctored(request, attempt_id):
    return get_object_or_404(
        selectors.attempts_for_proctor(request.user).select_related("booking__candidate"),
        pk=attempt_id,
    )


class _CandidateApi(APIView):
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "exam"


class _ProctorApi(APIView):
    permission_classes = [permissions.IsAuthenticated]


# ---------------------------------------------------------------------------
# The candidate
# ---------------------------------------------------------------------------


class ConsentInput(serializers.Serializer):
    policy_version = serializers.CharField(max_length=20)


class ConsentOutput(serializers.Serializer):
    policy_version = serializers.CharField()
    given_at = serializers.DateTimeField()


class ConsentApi(_CandidateApi):
    @extend_schema(request=ConsentInput, responses=ConsentOutput, summary="Consent to proctoring")
    def post(self, request, attempt_id):
        """Records the candidate's consent to the policy version they were shown."""
        data = ConsentInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            consent = services.give_consent(
                attempt_id=attempt_id, candidate=request.user, **data.validated_data
            )
        except Attempt.DoesNotExist as missing:
            raise Http404 from missing
        return Response(ConsentOutput(consent).data, status=201)


class SnapshotInput(serializers.Serializer):
    image = serializers.FileField()
    sequence = serializers.IntegerField(min_value=1, max_value=services.CHECK_SEQUENCES - 1)
    taken_at = serializers.DateTimeField()
    # Camera-check frames come only through the camera check.
    kind = serializers.ChoiceField(
        choices=[(k.value, k.label) for k in SnapshotKind if k != SnapshotKind.CHECK],
        default=SnapshotKind.INTERVAL,
    )
    event = serializers.ChoiceField(
        choices=BROWSER_EVENT_CHOICES, required=False, allow_blank=True, default=""
    )


class SnapshotOutput(serializers.Serializer):
    id = serializers.IntegerField()
    sequence = serializers.IntegerField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class SnapshotUploadApi(_CandidateApi):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request=SnapshotInput, responses=SnapshotOutput, summary="Upload a webcam snapshot"
    )
    def post(self, request, attempt_id):
        """
        Keeps one webcam frame (re-encoded to a JPEG of at most 640×480) and
        queues its analysis. Needs the candidate's consent. A retry with the
        same sequence number returns the frame already stored (200, not 201).
        """
        data = SnapshotInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            snapshot, created = services.store_snapshot(
                attempt_id=attempt_id, candidate=request.user, **data.validated_data
            )
        except Attempt.DoesNotExist as missing:
            raise Http404 from missing
        return Response(SnapshotOutput(snapshot).data, status=201 if created else 200)


class CameraCheckInput(serializers.Serializer):
    image = serializers.FileField()


class CameraCheckOutput(serializers.Serializer):
    passed = serializers.BooleanField()
    problems = serializers.ListField(child=serializers.CharField())


class CameraCheckApi(_CandidateApi):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request=CameraCheckInput, responses=CameraCheckOutput, summary="Check the camera"
    )
    def post(self, request, attempt_id):
        """
        Analyses one frame now and says, in plain words, what is wrong (no
        face, too dark, blurred, several people). A frame that passes is kept
        as the identity photo the proctor sees beside the check-in photo.
        """
        data = CameraCheckInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            problems, _snapshot = services.camera_check(
                attempt_id=attempt_id, candidate=request.user, **data.validated_data
            )
        except Attempt.DoesNotExist as missing:
            raise Http404 from missing
        return Response(CameraCheckOutput({"passed": not problems, "problems": problems}).data)


class EventInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=BROWSER_EVENT_CHOICES)
    at = serializers.DateTimeField(required=False)


class IncidentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    category = serializers.CharField()
    severity = serializers.IntegerField()
    severity_display = serializers.CharField(source="get_severity_display")
    reason = serializers.CharField()
    confidence = serializers.FloatField(allow_null=True)
    count = serializers.IntegerField()
    first_at = serializers.DateTimeField()
    last_at = serializers.DateTimeField()
    snapshot = serializers.IntegerField(source="snapshot_id", allow_null=True)
    decision = serializers.CharField()
    note = serializers.CharField()


class EventApi(_CandidateApi):
    @extend_schema(request=EventInput, responses=IncidentOutput, summary="Report a browser event")
    def post(self, request, attempt_id):
        """An event without a frame: the camera lost or denied, or no frame to be had."""
        data = EventInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            incident = services.report_event(
                attempt_id=attempt_id, candidate=request.user, **data.validated_data
            )
        except Attempt.DoesNotExist as missing:
            raise Http404 from missing
        return Response(IncidentOutput(incident).data, status=201)


class MessageOutput(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    sent_at = serializers.DateTimeField()


class ProctoringStateOutput(serializers.Serializer):
    proctored = serializers.BooleanField()
    consented = serializers.BooleanField()
    snapshot_seconds = serializers.IntegerField()
    jitter_seconds = serializers.IntegerField()
    next_sequence = serializers.IntegerField(
        help_text="The number for the page's next snapshot (after those stored)."
    )
    messages = MessageOutput(many=True)


class ProctoringStateApi(_CandidateApi):
    @extend_schema(
        responses=ProctoringStateOutput, summary="Proctoring state and the proctor's messages"
    )
    def get(self, request, attempt_id):
        """The proctor's messages after `after` (a message id), and the snapshot rhythm."""
        attempt = _own(request, attempt_id)
        after = request.GET.get("after", "0")
        messages = CandidateMessage.objects.filter(
            attempt=attempt, pk__gt=int(after) if after.isdigit() else 0
        )
        return Response(
            ProctoringStateOutput(
                {
                    "proctored": selectors.is_proctored(attempt),
                    "consented": selectors.has_consented(attempt),
                    "snapshot_seconds": settings.PROCTORING_SNAPSHOT_SECONDS,
                    "jitter_seconds": settings.PROCTORING_SNAPSHOT_JITTER_SECONDS,
                    "next_sequence": selectors.next_sequence(attempt),
                    "messages": messages,
                }
            ).data
        )


# ---------------------------------------------------------------------------
# The proctor
# ---------------------------------------------------------------------------


@method_decorator(never_cache, name="get")
class SnapshotImageApi(_ProctorApi):
    @extend_schema(responses={(200, "image/jpeg"): bytes}, summary="A snapshot's image")
    def get(self, request, snapshot_id):
        """The JPEG, for the proctors of the attempt's centre and the bureau; each look logged."""
        snapshot = get_object_or_404(
            Snapshot.objects.filter(attempt__in=selectors.attempts_for_proctor(request.user)),
            pk=snapshot_id,
        )
        SnapshotView.objects.create(
            attempt_id=snapshot.attempt_id,
            snapshot=snapshot,
            snapshot_sequence=snapshot.sequence,
            viewer=request.user,
        )
        return FileResponse(snapshot.image.open("rb"), content_type="image/jpeg")


class SnapshotListOutput(serializers.Serializer):
    id = serializers.IntegerField()
    sequence = serializers.IntegerField()
    kind = serializers.CharField()
    taken_at = serializers.DateTimeField()
    face_count = serializers.IntegerField(allow_null=True)
    brightness = serializers.FloatField(allow_null=True)
    sharpness = serializers.FloatField(allow_null=True)
    identity_distance = serializers.FloatField(allow_null=True)


class TimelineOutput(serializers.Serializer):
    incidents = IncidentOutput(many=True)
    snapshots = SnapshotListOutput(many=True)
    messages = MessageOutput(many=True)


class TimelineApi(_ProctorApi):
    @extend_schema(
        responses=TimelineOutput, summary="An attempt's incidents, snapshots and messages"
    )
    def get(self, request, attempt_id):
        attempt = _proctored(request, attempt_id)
        return Response(
            TimelineOutput(
                {
                    "incidents": selectors.timeline(attempt),
                    "snapshots": attempt.snapshots.order_by("sequence"),
                    "messages": attempt.messages.all(),
                }
            ).data
        )


class SeatOutput(serializers.Serializer):
    attempt = serializers.IntegerField(allow_null=True)
    booking = serializers.IntegerField()
    seat = serializers.CharField()
    name = serializers.CharField()
    booking_status = serializers.CharField()
    status = serializers.CharField(allow_null=True)
    status_display = serializers.CharField(allow_null=True)
    paused = serializers.BooleanField()
    remaining_seconds = serializers.IntegerField(allow_null=True)
    consented = serializers.BooleanField()
    last_snapshot = serializers.IntegerField(allow_null=True)
    last_snapshot_at = serializers.DateTimeField(allow_null=True)
    flags = IncidentOutput(many=True)
    worst = serializers.IntegerField()


class BoardOutput(serializers.Serializer):
    now = serializers.DateTimeField()
    seats = SeatOutput(many=True)


class BoardApi(_ProctorApi):
    @extend_schema(responses=BoardOutput, summary="A session's live board")
    def get(self, request, session_id):
        session = get_object_or_404(checkin.desk_sessions(request.user), pk=session_id)
        return Response(BoardOutput(selectors.board(session)).data)


class MessageInput(serializers.Serializer):
    text = serializers.CharField(max_length=500)


class MessageApi(_ProctorApi):
    @extend_schema(request=MessageInput, responses=MessageOutput, summary="Message the candidate")
    def post(self, request, attempt_id):
        attempt = _proctored(request, attempt_id)
        data = MessageInput(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.send_message(
            attempt_id=attempt.pk, by=request.user, **data.validated_data
        )
        return Response(MessageOutput(message).data, status=201)


class IrregularityInput(serializers.Serializer):
    category = serializers.ChoiceField(choices=IrregularityCategory.choices)
    note = serializers.CharField(max_length=255)
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MAJOR)


class IrregularityApi(_ProctorApi):
    @extend_schema(
        request=IrregularityInput, responses=IncidentOutput, summary="Record an irregularity"
    )
    def post(self, request, attempt_id):
        attempt = _proctored(request, attempt_id)
        data = IrregularityInput(data=request.data)
        data.is_valid(raise_exception=True)
        incident = services.record_irregularity(
            attempt_id=attempt.pk, by=request.user, **data.validated_data
        )
        return Response(IncidentOutput(incident).data, status=201)


class DecisionInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[Decision.CONFIRMED, Decision.DISMISSED])
    note = serializers.CharField(max_length=2000)
    void = serializers.BooleanField(default=False)


class DecisionApi(_ProctorApi):
    @extend_schema(
        request=DecisionInput, responses=IncidentOutput, summary="Confirm or dismiss a flag"
    )
    def post(self, request, incident_id):
        """A confirmed serious flag may void the attempt; the note is the reason given."""
        incident = get_object_or_404(
            Incident.objects.filter(attempt__in=selectors.attempts_for_proctor(request.user)),
            pk=incident_id,
        )
        data = DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        incident = services.decide(incident_id=incident.pk, by=request.user, **data.validated_data)
        return Response(IncidentOutput(incident).data)
