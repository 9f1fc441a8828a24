"""
The lesson page's API: open a study session, report heartbeats, answer check
questions; and the learner's own enrolments. A learner reaches only their own.
"""

from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from training import selectors, services
from training.api.serializers import (
    CheckAnswerInput,
    CheckAnswerOutput,
    EnrolmentOutput,
    HeartbeatInput,
    HeartbeatOutput,
    StudySessionOutput,
)
from training.choices import BeatOutcome
from training.models import CoursePage, LessonPage


def _live_lesson(pk):
    return get_object_or_404(LessonPage.objects.live().public(), pk=pk)


class StudySessionStartApi(APIView):
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "study_start"

    @extend_schema(request=None, responses=StudySessionOutput, summary="Open a study session")
    def post(self, request, lesson_id):
        session = services.study_start(
            learner=request.user,
            lesson=_live_lesson(lesson_id),
            user_agent=request.headers.get("User-Agent", ""),
        )
        return Response(
            StudySessionOutput(
                {
                    "token": session.token,
                    "heartbeat_seconds": settings.TRAINING_HEARTBEAT_SECONDS,
                    "idle_limit_seconds": settings.TRAINING_IDLE_LIMIT_SECONDS,
                    "state": selectors.lesson_state(session.progress),
                }
            ).data,
            status=201,
        )


class HeartbeatApi(APIView):
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "study"

    @extend_schema(request=HeartbeatInput, responses=HeartbeatOutput, summary="Report study")
    def post(self, request, token):
        data = HeartbeatInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.heartbeat(
            learner=request.user, token=token, beat=services.Beat(**data.validated_data)
        )
        return Response(
            HeartbeatOutput(
                {
                    "outcome": result.outcome,
                    "message": BeatOutcome(result.outcome).label,
                    "credited_seconds": result.credited,
                    "lesson_completed_now": result.lesson_completed_now,
                    "course_completed_now": result.course_completed_now,
                    "state": selectors.lesson_state(result.progress),
                }
            ).data
        )


class CheckAnswerApi(APIView):
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "study"

    @extend_schema(
        request=CheckAnswerInput, responses=CheckAnswerOutput, summary="Answer a check question"
    )
    def post(self, request, lesson_id):
        data = CheckAnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        correct, expected, explanation, progress = services.check_answer(
            learner=request.user, lesson=_live_lesson(lesson_id), **data.validated_data
        )
        return Response(
            CheckAnswerOutput(
                {
                    "correct": correct,
                    "correct_choice": expected,
                    "explanation": explanation,
                    "state": selectors.lesson_state(progress),
                }
            ).data
        )


class EnrolApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses=EnrolmentOutput, summary="Enrol in a course")
    def post(self, request, course_id):
        course = get_object_or_404(CoursePage.objects.live().public(), pk=course_id)
        enrolment = services.enrol(learner=request.user, course=course)
        return Response(EnrolmentOutput(enrolment).data, status=201)


class MyEnrolmentsApi(ListAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = EnrolmentOutput

    def get_queryset(self):
        return selectors.enrolments_for_learner(self.request.user)
