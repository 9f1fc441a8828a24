"""
The check-in desk API, for the desk page (templates/exams/desk/) and for desk
devices and kiosks, one view per operation: my sessions, one session and how
its room stands, its bookings, a webcam frame scanned for a ticket's QR code,
a ticket looked up, a check-in. Desk staff reach only the sessions of their
own centres (`exams.checkin.desk_sessions`); the rules are in exams/checkin.py.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from exams import checkin
from exams.api.desk_serializers import (
    CheckInInput,
    DeskBookingOutput,
    DeskSessionOutput,
    ScanInput,
    ScanOutput,
    TicketInput,
)
from exams.choices import BookingStatus


class DeskStaff(permissions.BasePermission):
    message = _("Only the proctors and admins of a test centre can use its check-in desk.")

    def has_permission(self, request, view):
        return checkin.is_desk_staff(request.user)


def _session(request, session_id):
    sessions = checkin.desk_sessions(request.user).select_related("exam", "centre", "room")
    return get_object_or_404(sessions, pk=session_id)


class DeskSessionListApi(ListAPIView):
    """The sessions whose desk I staff: today's first, then the coming ones, then earlier ones."""

    permission_classes = [DeskStaff]
    serializer_class = DeskSessionOutput

    def get_queryset(self):
        return checkin.sessions_for_desk(self.request.user)


class DeskSessionApi(APIView):
    permission_classes = [DeskStaff]

    @extend_schema(responses=DeskSessionOutput, summary="A session and how its room stands")
    def get(self, request, session_id):
        return Response(DeskSessionOutput(_session(request, session_id)).data)


@extend_schema_view(
    get=extend_schema(
        summary="A session's bookings, by seat (ID numbers masked)",
        parameters=[
            OpenApiParameter(
                "status",
                enum=[BookingStatus.BOOKED, BookingStatus.CHECKED_IN, BookingStatus.NO_SHOW],
                required=False,
            )
        ],
    )
)
class DeskBookingListApi(ListAPIView):
    permission_classes = [DeskStaff]
    serializer_class = DeskBookingOutput

    def get_queryset(self):
        session = _session(self.request, self.kwargs["session_id"])
        bookings = checkin.bookings_for_desk(self.request.user).filter(session=session)
        if status := self.request.query_params.get("status"):
            bookings = bookings.filter(status=status)
        return bookings.order_by("seat", "pk")


class ScanApi(APIView):
    permission_classes = [DeskStaff]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": ScanInput},
        responses=ScanOutput,
        summary="Look for a ticket's QR code in a webcam frame",
    )
    def post(self, request, session_id):
        session = _session(request, session_id)
        data = ScanInput(data=request.data)
        data.is_valid(raise_exception=True)
        # One byte more than allowed is enough to know that it is too much.
        frame = data.validated_data["frame"].read(checkin.MAX_FRAME_BYTES + 1)
        token = checkin.decode_qr(frame)
        booking = checkin.find_booking(session=session, token=token) if token else None
        return Response(ScanOutput({"booking": booking}).data)


class LookupApi(APIView):
    permission_classes = [DeskStaff]

    @extend_schema(
        request=TicketInput,
        responses=DeskBookingOutput,
        summary="Find a booking of this session by its ticket's QR text or number",
    )
    def post(self, request, session_id):
        session = _session(request, session_id)
        data = TicketInput(data=request.data)
        data.is_valid(raise_exception=True)
        booking = checkin.find_booking(session=session, **data.validated_data)
        return Response(DeskBookingOutput(booking).data)


class CheckInApi(APIView):
    permission_classes = [DeskStaff]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={"multipart/form-data": CheckInInput, "application/json": TicketInput},
        responses=DeskBookingOutput,
        summary="Check a candidate in, by ticket QR text or number, with a photo taken now",
    )
    def post(self, request, session_id):
        session = _session(request, session_id)
        data = CheckInInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        booking = checkin.find_booking(
            session=session, token=values.get("token"), ticket_number=values.get("ticket_number")
        )
        booking = checkin.check_in(booking=booking, by=request.user, photo=values.get("photo"))
        return Response(DeskBookingOutput(booking).data)
