"""
Certificate verification as JSON, for employers' and inspectors' systems: the
same check as the public page, with the same answer and the same limit per
address (one budget shared with the page).
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from exams import certificates
from exams.certificate_views import VerifyThrottle

State = certificates.VerificationState
STATES = [State.VALID, State.EXPIRED, State.REVOKED, State.NOT_FOUND]


class VerifyInput(serializers.Serializer):
    token = serializers.CharField(
        required=False, max_length=512, help_text="The signed token of the certificate's QR code."
    )
    number = serializers.CharField(required=False, max_length=32)
    name = serializers.CharField(
        required=False, max_length=64, help_text="The holder's full name, as printed."
    )

    def validate(self, data):
        if data.get("token"):
            return {"token": data["token"].strip()}
        if data.get("number") and data.get("name"):
            return {"number": data["number"].strip().upper(), "name": data["name"].strip()}
        raise serializers.ValidationError(_("Give the token, or the number and the holder's name."))


class VerifyOutput(serializers.Serializer):
    state = serializers.ChoiceField(choices=STATES)
    masked_name = serializers.CharField(required=False)
    exam = serializers.CharField(required=False)
    issued_on = serializers.DateField(required=False)
    expires_on = serializers.DateField(required=False)
    revoked_on = serializers.DateField(required=False, allow_null=True)

    def to_representation(self, instance):
        # Not found is the state alone: no empty fields that look like facts.
        data = super().to_representation(instance)
        return {key: value for key, value in data.items() if key in instance}


class VerifyCertificateApi(APIView):
    """
    Is this certificate valid? By the token of its QR code, or by its number
    and the holder's name. Answers valid, expired, revoked (with the date) or
    not_found; nothing else about the holder than the masked name.
    """

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [VerifyThrottle]

    @extend_schema(
        request=VerifyInput,
        responses={
            200: VerifyOutput,
            400: OpenApiResponse(description="Neither a token nor a number and a name."),
            429: OpenApiResponse(description="Too many checks from this address: wait."),
        },
        examples=[
            OpenApiExample(
                "By number and name",
                {"number": "AK-2026-000123", "name": "李秀英"},
                request_only=True,
            ),
            OpenApiExample(
                "Answer",
                {
                    "state": "valid",
                    "masked_name": "李*英",
                    "exam": "有限空间作业安全考试",
                    "issued_on": "2026-10-29",
                    "expires_on": "2029-10-28",
                    "revoked_on": None,
                },
                response_only=True,
            ),
        ],
    )
    def post(self, request):
        given = VerifyInput(data=request.data)
        given.is_valid(raise_exception=True)
        result = certificates.verify(**given.validated_data)
        return Response(VerifyOutput(public_fields(result)).data)


def public_fields(result):
    """What anyone may know of a certificate: its state and, when found, the printed facts."""
    if not result.found:
        return {"state": result.state}
    return {
        "state": result.state,
        "masked_name": result.masked_name,
        "exam": result.exam_title,
        "issued_on": result.issued_on,
        "expires_on": result.expires_on,
        "revoked_on": result.revoked_on,
    }
