"""
API plumbing shared by every app: one JSON error shape and the v1 URL list.

Every error the API returns looks like

    {"error": {"code": "not_eligible", "message": "…", "details": {…}}}

whether it came from a domain rule, validation, authentication or throttling,
so that the exam client and desk devices handle errors in one place.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.errors import DomainError


def error_response(*, code, message, details=None, http_status):
    return Response(
        {"error": {"code": code, "message": str(message), "details": details or {}}},
        status=http_status,
    )


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return error_response(
            code=exc.code, message=exc.message, details=exc.details, http_status=exc.status
        )
    if isinstance(exc, DjangoValidationError):
        # A service's validation (e.g. a question that cannot be asked fairly).
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: let Django log it and answer 500

    if isinstance(exc, exceptions.ValidationError):
        code, message, details = "invalid", _("Some of the data is not valid."), exc.detail
        if not isinstance(details, dict):
            details = {"non_field_errors": details}
    else:
        detail = getattr(exc, "detail", "")
        code = detail.code if hasattr(detail, "code") else "error"
        message, details = str(detail), {}
    response.data = {"error": {"code": code, "message": message, "details": details}}
    return response


def only_ankang_endpoints(endpoints, **kwargs):
    """drf-spectacular preprocessing hook: document our API, not Wagtail's internal admin API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]
