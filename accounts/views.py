from axes.helpers import get_cool_off
from django.conf import settings
from django.template.response import TemplateResponse
from django.utils import timezone


def locked_out(request, original_response=None, credentials=None):
    """
    What django-axes answers instead of the login page once a username has
    failed AXES_FAILURE_LIMIT times from one address (settings.AXES_LOCKOUT_CALLABLE).

    Every attempt while locked out counts as a failure and starts the cool-off
    again (axes' AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT, on by default),
    so the lock ends one cool-off after this very request.
    """
    cool_off = get_cool_off(request)
    response = TemplateResponse(
        request,
        "accounts/locked_out.html",
        {
            "try_again_at": timezone.localtime(timezone.now() + cool_off),
            "cool_off_minutes": int(cool_off.total_seconds() // 60),
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    # The middleware replaces the login view's response after it was rendered.
    return response.render()
