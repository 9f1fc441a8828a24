"""
The candidate's booking API, one view per operation: open sessions, book a
seat, my bookings, cancel. A candidate reaches only their own bookings.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from exams import bookings, selectors
from exams.models import Booking, ExamSession


class SessionOutput(serializers.ModelSerializer):
    exam = serializers.CharField(source="exam.title")
    centre = serializers.CharField(source="centre.name")
    address = serializers.CharField(source="centre.address")
    room = serializers.CharField(source="room.name")

    class Meta:
        model = ExamSession
        fields = [
            "id",
            "exam",
            "centre",
            "address",
            "room",
            "starts_at",
            "duration_minutes",
            "booking_closes_at",
        ]


class OpenSessionOutput(SessionOutput):
    seats_left = serializers.SerializerMethodField()

    class Meta(SessionOutput.Meta):
        fields = [*SessionOutput.Meta.fields, "seats_left"]

    def get_seats_left(self, session) -> int:
        return max(0, session.capacity - session.seats_taken)


class BookingOutput(serializers.ModelSerializer):
    session = SessionOutput(read_only=True)
    status_display = serializers.CharField(source="get_status_display")

    class Meta:
        model = Booking
        fields = [
            "id",
            "ticket_number",
            "seat",
            "status",
            "status_display",
            "session",
            "created_at",
        ]


class CancelInput(serializers.Serializer):
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class OpenSessionListApi(ListAPIView):
    """Sessions whose booking window is open now, soonest first."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = OpenSessionOutput

    def get_queryset(self):
        sessions = selectors.open_sessions()
        if exam := self.request.query_params.get("exam"):
            sessions = sessions.filter(exam_id=exam) if exam.isdigit() else sessions.none()
        return sessions


class BookApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={201: BookingOutput}, summary="Book a seat")
    def post(self, request, session_id):
        session = get_object_or_404(ExamSession, pk=session_id)
        booking = bookings.book(session=session, candidate=request.user, by=request.user)
        booking = selectors.bookings_of(request.user).get(pk=booking.pk)
        return Response(BookingOutput(booking).data, status=201)


class MyBookingListApi(ListAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = BookingOutput

    def get_queryset(self):
        return selectors.bookings_of(self.request.user)


class CancelBookingApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=CancelInput, responses=BookingOutput, summary="Cancel my booking")
    def post(self, request, booking_id):
        booking = get_object_or_404(Booking, pk=booking_id, candidate=request.user)
        data = CancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        bookings.cancel(booking=booking, by=request.user, reason=data.validated_data["reason"])
        return Response(BookingOutput(selectors.bookings_of(request.user).get(pk=booking.pk)).data)
