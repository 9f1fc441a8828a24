"""
Test centres in the Wagtail admin: centres, their rooms and their exam
sessions, each person seeing the centres they work at (exams.centre_selectors)
and changing only those they administer. The calendar, the bookings and the
Excel booking import are linked from here and live in calendar_views and
booking_admin.

A session's status is not edited here: it moves forward through
exams.bookings.session_transition, at the check-in desk and in the exam room.
"""

import django_filters
from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, ProtectedError, Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.base import BaseListingView
from wagtail.admin.widgets.button import Button, HeaderButton
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetChosenView,
)
from wagtail.snippets.views.snippets import (
    DeleteView,
    EditView,
    HistoryView,
    IndexView,
    SnippetViewSet,
    SnippetViewSetGroup,
    UsageView,
)

from accounts.choices import ROLE_GROUP_NAMES, Role
from accounts.models import User
from exams import bookings, similarity_views
from exams.centre_selectors import (
    administered_centres,
    administered_rooms,
    administered_sessions,
    centres_for,
    rooms_for,
    sessions_for,
    with_seats_taken,
)
from exams.checkin import sees_every_centre
from exams.choices import SEAT_HOLDING, SessionStatus
from exams.models import Exam, ExamSession, Room, TestCentre

# ---------------------------------------------------------------------------
# Views that find only what the person may reach
# ---------------------------------------------------------------------------


class InScope:
    """
    Object views that look the object up among `scope(user)`: another centre's
    room or session is not found (404), whatever the model permissions.
    """

    scope = None

    def get_queryset(self):  # edit and delete views
        return self.scope(self.request.user)


class ObjectInScope:
    """
    History and usage views are listings: their own queryset is the log
    entries or references listed, so only the object is looked up in scope.
    """

    scope = None

    def get_base_object_queryset(self):
        return self.scope(self.request.user)


class RefuseProtectedDelete:
    """A centre, room or session that sessions or bookings still use is kept, with a message."""

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                _("“%(object)s” cannot be deleted: sessions or bookings still refer to it.")
                % {"object": self.object},
            )
            return redirect(self.get_success_url())


def scoped(view_class, scope):
    """`view_class`, finding its object among `scope(user)`."""
    bases = (ObjectInScope if issubclass(view_class, BaseListingView) else InScope, view_class)
    if issubclass(view_class, DeleteView):
        bases = (RefuseProtectedDelete, *bases)
    return type(view_class.__name__, bases, {"scope": staticmethod(scope)})


def scoped_chooser(scope):
    """A snippet chooser that lists and returns only what `scope(user)` holds."""

    class Scoped:
        def get_object_list(self):
            return scope(self.request.user)

        def get_object(self, pk):
            return scope(self.request.user).get(pk=pk)

    return type(
        "ScopedChooserViewSet",
        (SnippetChooserViewSet,),
        {
            "choose_view_class": type("ChooseView", (Scoped, ChooseView), {}),
            "choose_results_view_class": type("ChooseResultsView", (Scoped, ChooseResultsView), {}),
            "chosen_view_class": type("ChosenView", (Scoped, SnippetChosenView), {}),
        },
    )


def as_select(form, *names):
    """
    Plain drop-downs instead of snippet choosers: a chooser would list every
    centre and room, not the ones this person may choose.
    """
    for name in names:
        field = form.fields[name]
        field.widget = forms.Select(choices=field.choices)


def people_in_role(role, *, also=None):
    """The people of a role group, and `also` (people already chosen), by name."""
    wanted = Q(groups__name=ROLE_GROUP_NAMES[role])
    if also is not None:
        wanted |= Q(pk__in=also.values("pk"))
    return User.objects.filter(wanted).distinct().order_by("real_name", "username")


# ---------------------------------------------------------------------------
# Test centres
# ---------------------------------------------------------------------------


class TestCentreForm(WagtailAdminModelForm):
    """Admins and proctors are chosen among the people of those roles, not every account."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        centre = self.instance
        self.fields["admins"].queryset = people_in_role(
            Role.CENTRE_ADMIN, also=centre.admins.all() if centre.pk else None
        )
        self.fields["proctors"].queryset = people_in_role(
            Role.PROCTOR, also=centre.proctors.all() if centre.pk else None
        )
        if self.for_user is not None and not sees_every_centre(self.for_user):
            # Who administers a centre is the bureau's decision.
            self.fields["admins"].disabled = True


class TestCentreIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        centre = urlencode({"centre": instance.pk})
        for label, url_name, icon, priority in (
            (_("Exam rooms"), "wagtailsnippets_exams_room:list", "table", 5),
            (_("Exam sessions"), "wagtailsnippets_exams_examsession:list", "list-ul", 6),
            (_("Calendar"), "exams_session_calendar", "calendar", 7),
        ):
            buttons.append(
                Button(
                    label, url=f"{reverse(url_name)}?{centre}", icon_name=icon, priority=priority
                )
            )
        return buttons


class TestCentreViewSet(SnippetViewSet):
    model = TestCentre
    icon = "home"
    menu_label = _("Test centres")
    index_view_class = TestCentreIndexView
    list_display = ["code", "name", "address", "phone", Column("room_count", label=_("Rooms"))]
    search_fields = ["name", "code", "address"]
    search_backend_name = None  # substring search: right for Chinese
    copy_view_enabled = False
    edit_handler = ObjectList(TestCentre.panels, base_form_class=TestCentreForm)
    edit_view_class = scoped(EditView, administered_centres)
    chooser_viewset_class = scoped_chooser(centres_for)
    delete_view_class = scoped(DeleteView, administered_centres)
    history_view_class = scoped(HistoryView, centres_for)
    usage_view_class = scoped(UsageView, centres_for)

    def get_queryset(self, request):
        return centres_for(request.user).annotate(room_count=Count("rooms"))


# ---------------------------------------------------------------------------
# Rooms
# ---------------------------------------------------------------------------


class RoomForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None:
            self.fields["centre"].queryset = administered_centres(self.for_user)
        as_select(self, "centre")
        if self.instance.pk:
            # A room's sessions and seats belong to its centre.
            self.fields["centre"].disabled = True

    def clean_seat_count(self):
        seats = self.cleaned_data["seat_count"]
        if not self.instance.pk:
            return seats
        upcoming = self.instance.sessions.exclude(status=SessionStatus.CLOSED)
        if upcoming.filter(capacity__gt=seats).exists():
            raise forms.ValidationError(
                _("A session still to come in this room has more places than that.")
            )
        if upcoming.filter(bookings__status__in=SEAT_HOLDING, bookings__seat__gt=seats).exists():
            raise forms.ValidationError(
                _("A candidate of a session still to come sits in a seat above that number.")
            )
        return seats


class RoomFilterSet(WagtailFilterSet):
    centre = django_filters.ModelChoiceFilter(
        label=_("Test centre"), queryset=lambda request: centres_for(request.user)
    )

    class Meta:
        model = Room
        fields = ["centre"]


class RoomViewSet(SnippetViewSet):
    model = Room
    icon = "table"
    menu_label = _("Exam rooms")
    list_display = ["name", "centre", "seat_count", "seats_per_row"]
    filterset_class = RoomFilterSet
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel("centre"),
            FieldRowPanel(
                [FieldPanel("name"), FieldPanel("seat_count"), FieldPanel("seats_per_row")]
            ),
        ],
        base_form_class=RoomForm,
    )
    edit_view_class = scoped(EditView, administered_rooms)
    chooser_viewset_class = scoped_chooser(rooms_for)
    delete_view_class = scoped(DeleteView, administered_rooms)
    history_view_class = scoped(HistoryView, rooms_for)
    usage_view_class = scoped(UsageView, rooms_for)

    def get_queryset(self, request):
        return rooms_for(request.user)


# ---------------------------------------------------------------------------
# Exam sessions
# ---------------------------------------------------------------------------


class ExamSessionForm(WagtailAdminModelForm):
    """
    A session of a centre the person administers, in one of its rooms, watched
    by one of its proctors. Once candidates hold seats, the exam and the centre
    stay as booked, and the capacity and room must still seat everyone.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        session = self.instance
        if self.for_user is not None:
            centres = administered_centres(self.for_user)
            self.fields["centre"].queryset = centres
            self.fields["room"].queryset = Room.objects.filter(centre__in=centres).select_related(
                "centre"
            )
            if not session.pk and len(centres) == 1:
                self.fields["centre"].initial = centres[0]
        self.fields["proctor"].queryset = people_in_role(
            Role.PROCTOR, also=User.objects.filter(pk=session.proctor_id)
        )
        as_select(self, "exam", "centre", "room")
        self.held = session.bookings.filter(status__in=SEAT_HOLDING) if session.pk else None
        if self.held is not None and self.held.exists():
            self.fields["exam"].disabled = True
            self.fields["centre"].disabled = True

    def clean(self):
        cleaned = super().clean()
        centre, proctor = cleaned.get("centre"), cleaned.get("proctor")
        if centre and proctor and not centre.proctors.filter(pk=proctor.pk).exists():
            self.add_error("proctor", _("Choose one of this test centre's proctors."))
        if self.held is None:
            return cleaned
        taken = self.held.count()
        capacity, room = cleaned.get("capacity"), cleaned.get("room")
        if capacity and capacity < taken:
            self.add_error(
                "capacity",
                _("%(count)d candidates hold seats: the capacity cannot be lower.")
                % {"count": taken},
            )
        if room and self.held.filter(seat__gt=room.seat_count).exists():
            self.add_error(
                "room",
                _("Some candidates sit in seats this room lacks: change their seats first."),
            )
        return cleaned


class SessionEditView(EditView):
    def save_instance(self):
        session = super().save_instance()
        if PRINTED_ON_TICKETS & set(self.form.changed_data):
            bookings.tickets_outdated(session)
        return session


# What a candidate's admission ticket shows of a session.
PRINTED_ON_TICKETS = {"exam", "centre", "room", "starts_at", "duration_minutes"}


class SessionFilterSet(WagtailFilterSet):
    centre = django_filters.ModelChoiceFilter(
        label=_("Test centre"), queryset=lambda request: centres_for(request.user)
    )
    exam = django_filters.ModelChoiceFilter(label=_("Exam"), queryset=Exam.objects.all())
    date = django_filters.DateFromToRangeFilter(
        field_name="starts_at", label=_("Date"), widget=DateRangePickerWidget
    )

    class Meta:
        model = ExamSession
        fields = ["centre", "exam", "status", "date"]


class StartsColumn(TitleColumn):
    def get_value(self, instance):
        return f"{timezone.localtime(instance.starts_at):%Y-%m-%d %H:%M}"


class SeatsColumn(Column):
    def get_value(self, instance):
        return f"{instance.seats_taken} / {instance.capacity}"


class ExamSessionIndexView(IndexView):
    def _get_title_column(self, field_name, column_class=StartsColumn, **kwargs):
        # Wagtail puts a row's buttons in its title column only: the start is that column.
        return super()._get_title_column(field_name, column_class, **kwargs)

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        buttons.append(
            Button(
                _("Calendar"),
                url=reverse("exams_session_calendar"),
                icon_name="calendar",
                priority=10,
            )
        )
        return buttons

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.request.user.has_perm("exams.view_booking"):
            buttons.append(
                HeaderButton(_("Bookings"), url=reverse("exams_bookings"), icon_name="list-ul")
            )
        return buttons

    @cached_property
    def administered(self):
        return set(administered_centres(self.request.user).values_list("pk", flat=True))

    @cached_property
    def similarity_centres(self):
        return similarity_views.reviewable_centre_ids(self.request.user)

    def get_edit_url(self, instance):
        # A proctor at one centre may administer another: edit only the latter's sessions.
        return super().get_edit_url(instance) if instance.centre_id in self.administered else None

    def get_delete_url(self, instance):
        return super().get_delete_url(instance) if instance.centre_id in self.administered else None

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        user = self.request.user
        if user.has_perm("exams.view_booking"):
            buttons.append(
                Button(
                    _("Bookings"),
                    url=f"{reverse('exams_bookings')}?{urlencode({'session': instance.pk})}",
                    icon_name="list-ul",
                    priority=5,
                )
            )
        if user.has_perm("exams.add_booking") and instance.centre_id in self.administered:
            buttons.append(
                Button(
                    _("Book from Excel"),
                    url=reverse("exams_book_from_excel", args=[instance.pk]),
                    icon_name="upload",
                    priority=6,
                )
            )
        if button := similarity_views.similarity_button(instance, self.similarity_centres):
            buttons.append(button)
        local = timezone.localtime(instance.starts_at)
        query = urlencode(
            {"centre": instance.centre_id, "view": "day", "date": f"{local:%Y-%m-%d}"}
        )
        buttons.append(
            Button(
                _("Day in the calendar"),
                url=f"{reverse('exams_session_calendar')}?{query}",
                icon_name="calendar",
                priority=7,
            )
        )
        return buttons


class ExamSessionViewSet(SnippetViewSet):
    model = ExamSession
    icon = "calendar"
    menu_label = _("Exam sessions")
    index_view_class = ExamSessionIndexView
    list_display = [
        "starts_at",
        "exam",
        "centre",
        Column("room", label=_("Exam room"), accessor="room.name"),
        SeatsColumn("seats", label=_("Seats taken")),
        "status",
        "proctor",
    ]
    filterset_class = SessionFilterSet
    ordering = ["-starts_at"]
    list_per_page = 50
    copy_view_enabled = False
    edit_handler = ObjectList(ExamSession.panels, base_form_class=ExamSessionForm)
    edit_view_class = scoped(SessionEditView, administered_sessions)
    delete_view_class = scoped(DeleteView, administered_sessions)
    chooser_viewset_class = scoped_chooser(sessions_for)
    history_view_class = scoped(HistoryView, sessions_for)
    usage_view_class = scoped(UsageView, sessions_for)

    def get_queryset(self, request):
        return with_seats_taken(sessions_for(request.user))


class TestCentreGroup(SnippetViewSetGroup):
    items = (ExamSessionViewSet, TestCentreViewSet, RoomViewSet)
    menu_icon = "home"
    menu_label = _("Test centres")
    menu_name = "test_centres"
    menu_order = 310
    # The calendar and the bookings join this menu from wagtail_hooks.
    submenu_hook = "register_test_centres_menu_item"
