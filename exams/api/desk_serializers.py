"""
What the check-in desk API reads and writes. A candidate appears with a
masked ID number and a link to the registered photo, which only desk staff
of the session's centre can open.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from exams import checkin
from exams.models import Booking, ExamSession


class DeskCountsOutput(serializers.Serializer):
    total = serializers.IntegerField(help_text="Seats held: booked, checked in and no-shows.")
    booked = serializers.IntegerField(help_text="Still expected: booked, not checked in.")
    checked_in = serializers.IntegerField()
    no_show = serializers.IntegerField()


class DeskSessionOutput(serializers.ModelSerializer):
    exam = serializers.CharField(source="exam.title")
    centre = serializers.CharField(source="centre.name")
    room = serializers.CharField(source="room.name")
    status_display = serializers.CharField(source="get_status_display")
    check_in_opens_at = serializers.SerializerMethodField()
    check_in_closes_at = serializers.DateTimeField()
    counts = serializers.SerializerMethodField()

    class Meta:
        model = ExamSession
        fields = [
            "id",
            "exam",
            "centre",
            "room",
            "starts_at",
            "duration_minutes",
            "status",
            "status_display",
            "check_in_opens_at",
            "check_in_closes_at",
            "counts",
        ]

    @extend_schema_field(serializers.DateTimeField())
    def get_check_in_opens_at(self, session):
        return serializers.DateTimeField().to_representation(checkin.check_in_opens_at(session))

    @extend_schema_field(DeskCountsOutput)
    def get_counts(self, session):
        if hasattr(session, "booked_count"):  # annotated by checkin.sessions_for_desk
            counts = {
                "booked": session.booked_count,
                "checked_in": session.checked_in_count,
                "no_show": session.no_show_count,
            }
            counts["total"] = sum(counts.values())
        else:
            counts = checkin.desk_counts(session)
        return DeskCountsOutput(counts).data


class DeskBookingOutput(serializers.ModelSerializer):
    """A candidate as the desk sees them."""

    candidate_name = serializers.CharField(source="candidate.real_name")
    id_number_masked = serializers.CharField(source="candidate.id_number_masked")
    registered_photo_url = serializers.SerializerMethodField(
        help_text="The registered photo, for desk staff of this centre; null when there is none."
    )
    seat_label = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")

    class Meta:
        model = Booking
        fields = [
            "id",
            "session",
            "ticket_number",
            "seat",
            "seat_label",
            "candidate_name",
            "id_number_masked",
            "registered_photo_url",
            "status",
            "status_display",
            "checked_in_at",
        ]

    def get_registered_photo_url(self, booking) -> str | None:
        if not booking.candidate.photo:
            return None
        return reverse("exams:desk-registered-photo", args=[booking.pk])


class ScanInput(serializers.Serializer):
    frame = serializers.FileField(
        help_text="A webcam frame (JPEG, PNG or WebP, at most 3 MB) that may show a ticket's QR."
    )


class ScanOutput(serializers.Serializer):
    booking = DeskBookingOutput(
        allow_null=True, help_text="The booking whose ticket is in the frame; null when none is."
    )


class TicketInput(serializers.Serializer):
    """A ticket by its QR code's text, or by its typed number."""

    token = serializers.CharField(required=False, allow_blank=True, max_length=500)
    ticket_number = serializers.CharField(required=False, allow_blank=True, max_length=20)

    def validate(self, data):
        if not data.get("token") and not data.get("ticket_number"):
            raise serializers.ValidationError(
                _("Scan the ticket's QR code or type its number."), code="required"
            )
        return data


class CheckInInput(TicketInput):
    photo = serializers.FileField(
        required=False, help_text="A photo of the candidate taken at the desk now."
    )
