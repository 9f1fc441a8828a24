"""
In the Wagtail admin: the bureau edits the consent policy (Snippets) and
decides appeals, and the centres' staff find the proctoring review queue
under Test centres.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet

from exams import checkin
from proctoring.models import ConsentPolicy

register_snippet(ConsentPolicy)


class DeskStaffMenuItem(MenuItem):
    def is_shown(self, request):
        return checkin.is_desk_staff(request.user)


@hooks.register("register_test_centres_menu_item")
def review_queue_menu_item():
    return DeskStaffMenuItem(
        _("Proctoring review"),
        reverse("proctoring:review-queue"),
        name="proctoring_review",
        icon_name="view",
        order=30,
    )


class BureauMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_bureau


@hooks.register("register_test_centres_menu_item")
def appeals_menu_item():
    return BureauMenuItem(
        _("Appeals"),
        reverse("proctoring:appeals"),
        name="proctoring_appeals",
        icon_name="help",
        order=31,
    )
