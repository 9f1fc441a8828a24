"""
The exam client's API: start (or resume), state, save an answer, submit,
result; practice; and the proctor's controls (pause, resume, extra time,
terminate).

What reaches the browser before submission is the paper as the candidate sees
it — stems and options in their order, their saved answers — never the key or
the explanations. A candidate reaches only their own attempts (anyone else's
is "not found"); a proctor only the attempts of their centres' sessions.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from exams import checkin, delivery, selectors
from exams.choices import AttemptStatus
from exams.models import Attempt, Exam


def _own(request, attempt_id):
    return get_object_or_404(
        Attempt.objects.select_related("exam", "paper"), pk=attempt_id, candidate=request.user
    )


class AttemptTimeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    practice = serializers.BooleanField()
    deadline = serializers.DateTimeField()
    remaining_seconds = serializers.SerializerMethodField()
    paused = serializers.BooleanField(source="is_paused")
    extra_minutes = serializers.IntegerField()
    sequence = serializers.IntegerField(help_text="The highest save sequence number received.")

    def get_remaining_seconds(self, attempt) -> int | None:
        return attempt.remaining_seconds(timezone.now())


class AttemptQuestionOutput(serializers.Serializer):
    position = serializers.IntegerField()
    type = serializers.CharField(source="question.type")
    stem = serializers.CharField(source="question.stem")
    options = serializers.SerializerMethodField(
        help_text="In this candidate's order; empty for true/false (0 true, 1 false)."
    )
    points = serializers.DecimalField(max_digits=5, decimal_places=1)
    selected = serializers.SerializerMethodField()
    flagged = serializers.BooleanField()

    def get_options(self, item) -> list[str]:
        return selectors.options_shown(item)

    def get_selected(self, item) -> list[int]:
        return selectors.shown(item, item.selected)


class AttemptOutput(AttemptTimeOutput):
    """The paper and everything saved so far; `page` must accompany every save."""

    page = serializers.UUIDField()
    questions = AttemptQuestionOutput(many=True, source="questions.all")


class StateOutput(AttemptTimeOutput):
    live = serializers.SerializerMethodField(
        help_text="False when another page has taken this attempt over."
    )

    def get_live(self, attempt) -> bool:
        return attempt.page is not None and str(attempt.page) == str(self.context["page"])


class SaveInput(serializers.Serializer):
    page = serializers.UUIDField()
    client_id = serializers.UUIDField()
    sequence = serializers.IntegerField(min_value=1, max_value=2**62)
    position = serializers.IntegerField(min_value=1)
    selected = serializers.ListField(child=serializers.IntegerField(min_value=0), max_length=8)
    flagged = serializers.BooleanField(default=False)


class SaveOutput(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=["saved", "stale", "duplicate"],
        help_text="stale: a newer answer was stored already; duplicate: a retry.",
    )
    position = serializers.IntegerField()
    selected = serializers.ListField(child=serializers.IntegerField())
    flagged = serializers.BooleanField()
    saved_sequence = serializers.IntegerField()


class SubmitInput(serializers.Serializer):
    page = serializers.UUIDField(
        help_text="The live page's token: a page taken over cannot hand in."
    )


class MistakeOutput(serializers.Serializer):
    position = serializers.IntegerField()
    type = serializers.CharField()
    stem = serializers.CharField()
    options = serializers.ListField(child=serializers.CharField())
    selected = serializers.ListField(child=serializers.IntegerField())
    key = serializers.ListField(child=serializers.IntegerField())
    explanation = serializers.CharField()
    earned = serializers.DecimalField(max_digits=6, decimal_places=1)
    points = serializers.DecimalField(max_digits=5, decimal_places=1)


class ResultOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    practice = serializers.BooleanField()
    score = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    max_score = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    pass_mark = serializers.DecimalField(source="paper.pass_mark", max_digits=5, decimal_places=1)
    passed = serializers.BooleanField(allow_null=True)
    mistakes = serializers.SerializerMethodField(
        help_text="Only when the exam shows mistakes after submission, and for a sitting "
        "once its session has ended; otherwise null."
    )

    @extend_schema_field(MistakeOutput(many=True, allow_null=True))
    def get_mistakes(self, attempt):
        if not selectors.mistakes_shown(attempt):
            return None
        return MistakeOutput(selectors.mistakes(attempt), many=True).data


class _CandidateApi(APIView):
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "exam"


def _paper(attempt):
    attempt = Attempt.objects.prefetch_related("questions__question").get(pk=attempt.pk)
    return AttemptOutput(attempt).data


class StartAttemptApi(_CandidateApi):
    @extend_schema(request=None, responses=AttemptOutput, summary="Start or resume my attempt")
    def post(self, request, attempt_id):
        """
        Starts the attempt (the server fixes the deadline) or resumes it with
        the deadline it has. Either way this page becomes the live one.
        """
        try:
            attempt = delivery.start(attempt_id=attempt_id, candidate=request.user)
        except Attempt.DoesNotExist as missing:  # not there, or not theirs
            raise Http404 from missing
        return Response(_paper(attempt))


class AttemptStateApi(_CandidateApi):
    @extend_schema(responses=StateOutput, summary="The time left and whether this page is live")
    def get(self, request, attempt_id):
        attempt = _own(request, attempt_id)
        return Response(StateOutput(attempt, context={"page": request.GET.get("page")}).data)


class SaveAnswerApi(_CandidateApi):
    @extend_schema(request=SaveInput, responses=SaveOutput, summary="Save one answer")
    def post(self, request, attempt_id):
        """
        Saves one answer (positions as shown to the candidate; an empty list
        clears it). Retries and late, older saves never overwrite a newer
        answer; the response is what the server has stored.
        """
        data = SaveInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            item, outcome = delivery.save_answer(
                attempt_id=attempt_id, candidate=request.user, **data.validated_data
            )
        except Attempt.DoesNotExist as missing:
            raise Http404 from missing
        return Response(
            SaveOutput(
                {
                    "outcome": outcome,
                    "position": item.position,
                    "selected": selectors.shown(item, item.selected),
                    "flagged": item.flagged,
                    "saved_sequence": item.saved_sequence,
                }
            ).data
        )


class SubmitApi(_CandidateApi):
    @extend_schema(request=SubmitInput, responses=ResultOutput, summary="Submit my attempt")
    def post(self, request, attempt_id):
        """Hands the paper in; it is graded at once. Submitting again returns the result."""
        data = SubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            attempt = delivery.submit(
                attempt_id=attempt_id, candidate=request.user, page=data.validated_data["page"]
            )
        except Attempt.DoesNotExist as missing:
            raise Http404 from missing
        return Response(ResultOutput(attempt).data)


class ResultApi(_CandidateApi):
    @extend_schema(responses=ResultOutput, summary="My result")
    def get(self, request, attempt_id):
        attempt = _own(request, attempt_id)
        if attempt.status in (AttemptStatus.PREPARED, AttemptStatus.STARTED):
            raise Http404
        return Response(ResultOutput(attempt).data)


class PracticeApi(_CandidateApi):
    @extend_schema(request=None, responses={201: AttemptOutput}, summary="Start a practice round")
    def post(self, request, exam_id):
        """A practice attempt (模拟考试): unproctored, unlimited, never counting."""
        exam = get_object_or_404(Exam, pk=exam_id)
        attempt = delivery.start_practice(exam=exam, candidate=request.user)
        return Response(_paper(attempt), status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------------------
# The proctor's controls
# ---------------------------------------------------------------------------


class ControlInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ExtraTimeInput(serializers.Serializer):
    minutes = serializers.IntegerField(min_value=1, max_value=delivery.EXTRA_MINUTES_MAX)
    reason = serializers.CharField(max_length=200)


class TerminateInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class _ProctorApi(APIView):
    permission_classes = [permissions.IsAuthenticated]
    input_class = ControlInput

    def post(self, request, attempt_id):
        if not checkin.attempts_for_desk(request.user).filter(pk=attempt_id).exists():
            raise Http404
        data = self.input_class(data=request.data)
        data.is_valid(raise_exception=True)
        attempt = self.act(attempt_id=attempt_id, by=request.user, **data.validated_data)
        return Response(AttemptTimeOutput(attempt).data)


@extend_schema(
    request=ControlInput, responses=AttemptTimeOutput, summary="Pause an attempt's clock"
)
class PauseApi(_ProctorApi):
    act = staticmethod(delivery.pause)


@extend_schema(
    request=ControlInput, responses=AttemptTimeOutput, summary="Start an attempt's clock again"
)
class ResumeApi(_ProctorApi):
    act = staticmethod(delivery.resume)


@extend_schema(request=ExtraTimeInput, responses=AttemptTimeOutput, summary="Grant extra time")
class ExtraTimeApi(_ProctorApi):
    input_class = ExtraTimeInput
    act = staticmethod(delivery.add_time)


@extend_schema(request=TerminateInput, responses=AttemptTimeOutput, summary="Terminate an attempt")
class TerminateApi(_ProctorApi):
    input_class = TerminateInput
    act = staticmethod(delivery.terminate)
