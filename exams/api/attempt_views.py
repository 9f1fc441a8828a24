"""
The candidate's attempt API. What reaches the browser before submission is
the paper as the candidate sees it: stems and options in their order, never
the key.
"""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from exams import attempts
from exams.models import Attempt


class AttemptQuestionOutput(serializers.Serializer):
    position = serializers.IntegerField()
    type = serializers.CharField(source="question.type")
    stem = serializers.CharField(source="question.stem")
    options = serializers.SerializerMethodField()
    points = serializers.DecimalField(max_digits=5, decimal_places=1)

    def get_options(self, item) -> list[str]:
        """The options in this candidate's order (their original indexes stay on the server)."""
        return [item.question.options[index] for index in item.option_order]


class AttemptOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    deadline = serializers.DateTimeField()
    remaining_seconds = serializers.SerializerMethodField()
    questions = AttemptQuestionOutput(many=True, source="questions.all")

    def get_remaining_seconds(self, attempt) -> int:
        return max(0, int((attempt.deadline - timezone.now()).total_seconds()))


class StartAttemptApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses=AttemptOutput, summary="Start (or resume) my attempt")
    def post(self, request, attempt_id):
        try:
            attempt = attempts.start(attempt_id=attempt_id, candidate=request.user)
        except Attempt.DoesNotExist as missing:  # not there, or not theirs
            raise Http404 from missing
        attempt = Attempt.objects.prefetch_related("questions__question").get(pk=attempt.pk)
        return Response(AttemptOutput(attempt).data)
