"""Centre admins, proctors and the bureau at work on centres, sessions and bookings."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.users.models import UserProfile

from accounts.choices import Role
from exams import bookings, models
from exams.choices import BookingAction, BookingStatus
from exams.models import Booking, ExamSession, Room
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SESSIONS_URL = "/admin/snippets/exams/examsession/"


def signed_in(client, user):
    """The admin in English, whatever translations the project adds."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)
    return client


@pytest.fixture
def other_centre(db):
    """余杭's centre, with its own admin, room and a session of another exam."""
    centre = models.TestCentre.objects.create(
        name="余杭区安全生产考点", code="YH01", address="临平路 8 号"
    )
    centre.admins.add(UserFactory(username="yuhang_admin", roles=[Role.CENTRE_ADMIN]))
    return centre


@pytest.fixture
def other_session(other_centre, session):
    """A session like `session`, at the other centre."""
    room = Room.objects.create(centre=other_centre, name="余杭第一考场", seat_count=40)
    return ExamSession.objects.create(
        exam=session.exam,
        centre=other_centre,
        room=room,
        starts_at=session.starts_at,
        capacity=30,
        booking_opens_at=session.booking_opens_at,
        booking_closes_at=session.booking_closes_at,
    )


@pytest.fixture
def booked(session, alice, bob):
    """Alice in seat 1 and Bob in seat 2 of the session."""
    return [bookings.book(session=session, candidate=person) for person in (alice, bob)]


def edit_data(session, **changes):
    local = timezone.localtime
    data = {
        "exam": session.exam_id,
        "centre": session.centre_id,
        "room": session.room_id,
        "starts_at": f"{local(session.starts_at):%Y-%m-%d %H:%M}",
        "duration_minutes": session.duration_minutes,
        "capacity": session.capacity,
        "booking_opens_at": f"{local(session.booking_opens_at):%Y-%m-%d %H:%M}",
        "booking_closes_at": f"{local(session.booking_closes_at):%Y-%m-%d %H:%M}",
        "check_in_grace_minutes": session.check_in_grace_minutes,
        "proctor": "",
    }
    data.update(changes)
    return data


# Sessions: who sees and edits which


def test_a_centre_admin_sees_and_edits_only_their_centres_sessions(
    client, centre_admin, session, other_session
):
    signed_in(client, centre_admin)

    page = client.get(SESSIONS_URL).content.decode()

    assert "第一考场" in page
    assert "余杭第一考场" not in page
    assert client.get(f"{SESSIONS_URL}edit/{other_session.pk}/").status_code == 404
    response = client.post(
        f"{SESSIONS_URL}edit/{other_session.pk}/", edit_data(other_session, capacity=5)
    )
    assert response.status_code == 404
    other_session.refresh_from_db()
    assert other_session.capacity == 30
    assert client.get(f"{SESSIONS_URL}delete/{other_session.pk}/").status_code == 404


def test_a_centre_admin_changes_their_session_but_not_below_the_seats_taken(
    client, centre_admin, session, booked
):
    signed_in(client, centre_admin)
    url = f"{SESSIONS_URL}edit/{session.pk}/"

    response = client.post(url, edit_data(session, capacity=1))

    assert "2 candidates hold seats: the capacity cannot be lower." in response.content.decode()
    assert client.post(url, edit_data(session, capacity=2)).status_code == 302
    session.refresh_from_db()
    assert session.capacity == 2


def test_a_centre_admin_cannot_add_a_session_at_another_centre(
    client, centre_admin, session, other_centre
):
    signed_in(client, centre_admin)
    room = Room.objects.create(centre=other_centre, name="余杭第二考场", seat_count=20)

    response = client.post(
        f"{SESSIONS_URL}add/", edit_data(session, centre=other_centre.pk, room=room.pk)
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ExamSession.objects.filter(centre=other_centre).exists()


def test_a_proctor_sees_the_sessions_of_their_centre_and_changes_nothing(
    client, proctor, session, other_session
):
    signed_in(client, proctor)

    page = client.get(SESSIONS_URL).content.decode()

    assert "第一考场" in page and "余杭第一考场" not in page
    assert f"{SESSIONS_URL}edit/{session.pk}/" not in page
    assert client.get(f"{SESSIONS_URL}edit/{session.pk}/").status_code == 404
    assert client.get(f"{SESSIONS_URL}add/")["Location"] == reverse("wagtailadmin_home")


def test_the_bureau_sees_every_centres_sessions(client, bureau_admin, session, other_session):
    signed_in(client, bureau_admin)

    page = client.get(SESSIONS_URL).content.decode()

    assert "第一考场" in page and "余杭第一考场" in page


def test_a_centre_admin_edits_their_centre_but_not_another(
    client, centre_admin, centre, other_centre
):
    signed_in(client, centre_admin)
    url = "/admin/snippets/exams/testcentre/"

    page = client.get(url).content.decode()

    assert "西湖区安全生产考点" in page and "余杭区安全生产考点" not in page
    assert client.get(f"{url}edit/{other_centre.pk}/").status_code == 404
    form = client.get(f"{url}edit/{centre.pk}/").context["form"]
    assert form.fields["admins"].disabled  # who administers a centre is the bureau's decision
    assert set(form.fields["proctors"].queryset.values_list("username", flat=True)) == {"proctor"}


def test_a_session_with_bookings_is_not_deleted(client, centre_admin, session, booked):
    signed_in(client, centre_admin)

    response = client.post(f"{SESSIONS_URL}delete/{session.pk}/", follow=True)

    assert "cannot be deleted: sessions or bookings still refer to it" in response.content.decode()
    assert ExamSession.objects.filter(pk=session.pk).exists()


def test_a_room_keeps_the_seats_its_candidates_sit_in(client, centre_admin, room, booked):
    signed_in(client, centre_admin)
    url = f"/admin/snippets/exams/room/edit/{room.pk}/"
    data = {"name": room.name, "seat_count": 20, "seats_per_row": room.seats_per_row}

    response = client.post(url, data)

    assert "A session still to come in this room has more places than that." in (
        response.content.decode()
    )
    room.refresh_from_db()
    assert room.seat_count == 40


# The calendar


def test_the_calendar_shows_a_session_on_its_day_and_week(client, centre_admin, session):
    signed_in(client, centre_admin)
    day = timezone.localdate(session.starts_at)
    url = reverse("exams_session_calendar")

    on_the_day = client.get(url, {"view": "day", "date": day.isoformat()}).content.decode()
    the_day_before = client.get(
        url, {"view": "day", "date": (day - datetime.timedelta(days=1)).isoformat()}
    ).content.decode()
    the_week = client.get(url, {"view": "week", "date": day.isoformat()}).content.decode()

    starts = f"{timezone.localtime(session.starts_at):%H:%M}"
    assert "危险化学品安全管理人员考试" in on_the_day and starts in on_the_day
    assert "0 of 30 seats taken" in on_the_day
    assert "危险化学品安全管理人员考试" not in the_day_before
    assert "危险化学品安全管理人员考试" in the_week
    assert f"date={(day + datetime.timedelta(days=1)).isoformat()}" in on_the_day  # next day


def test_the_calendar_shows_only_the_persons_centres(client, centre_admin, other_centre):
    signed_in(client, centre_admin)

    response = client.get(reverse("exams_session_calendar"), {"centre": other_centre.pk})

    assert "余杭区安全生产考点" not in response.content.decode()


# Bookings: search, masking, export


def test_the_bookings_list_finds_a_full_id_number_and_never_shows_one(
    client, centre_admin, alice, bob, booked
):
    signed_in(client, centre_admin)

    response = client.get(reverse("exams_bookings"), {"q": alice.id_number}, follow=True)

    page = response.content.decode()
    assert alice.id_number not in response.redirect_chain[0][0]
    assert "王建国" in page and "李秀英" not in page
    assert alice.id_number_masked in page
    assert alice.id_number not in page and bob.id_number not in page
    everyone = client.get(reverse("exams_bookings")).content.decode()
    assert "王建国" in everyone and "李秀英" in everyone
    assert alice.id_number not in everyone and bob.id_number not in everyone


def test_the_bookings_list_searches_by_name_and_filters_by_status(
    client, centre_admin, booked, alice
):
    signed_in(client, centre_admin)
    bookings.cancel(booking=booked[1], by=centre_admin, reason="生病")

    by_name = client.get(reverse("exams_bookings"), {"q": "建国"}).content.decode()
    cancelled = client.get(reverse("exams_bookings"), {"status": "cancelled"}).content.decode()

    assert "王建国" in by_name and "李秀英" not in by_name
    assert "李秀英" in cancelled and "王建国" not in cancelled


def test_the_bookings_list_does_not_name_someone_outside_the_centres(client, centre_admin, booked):
    stranger = UserFactory(real_name="钱多多")
    signed_in(client, centre_admin)

    page = client.get(reverse("exams_bookings"), {"candidate": stranger.pk}).content.decode()

    assert "钱多多" not in page and stranger.id_number_masked not in page
    assert "No booking matches." in page


def test_an_unknown_id_number_is_said_masked(client, centre_admin, booked):
    signed_in(client, centre_admin)
    nobody = "110105194912310021"

    page = client.get(reverse("exams_bookings"), {"q": nobody}).content.decode()

    assert "No one is registered with the ID card number 110***********0021." in page
    assert nobody not in page


def test_the_export_lists_the_bookings_with_masked_id_numbers(
    client, centre_admin, alice, bob, booked, other_session
):
    signed_in(client, centre_admin)
    bookings.book(session=other_session, candidate=UserFactory(real_name="钱多多"))

    response = client.get(reverse("exams_bookings_export"))

    content = b"".join(response.streaming_content)
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Admission ticket number", "Name", "ID card number")
    assert [(row[1], row[2], row[8]) for row in rows[1:]] == [
        ("王建国", alice.id_number_masked, 1),
        ("李秀英", bob.id_number_masked, 2),
    ]
    assert alice.id_number not in str(rows)


# One booking: seat, cancel, move, and the audit trail


def test_a_centre_admin_changes_a_seat_and_the_history_says_so(client, centre_admin, booked):
    signed_in(client, centre_admin)
    url = reverse("exams_booking", args=[booked[0].pk])

    taken = client.post(url, {"action": "seat", "seat-seat": 2, "seat-reason": ""})
    assert "Seat 2 is taken." in taken.content.decode()

    response = client.post(url, {"action": "seat", "seat-seat": 9, "seat-reason": "靠近门口"})

    assert response.status_code == 302
    booked[0].refresh_from_db()
    assert booked[0].seat == 9
    event = booked[0].events.get(action=BookingAction.SEAT_CHANGED)
    assert (event.by, event.reason, event.details) == (centre_admin, "靠近门口", {"seat": [1, 9]})
    page = client.get(url).content.decode()
    assert "Seat 01 → 09" in page and "靠近门口" in page


def test_a_centre_admin_cancels_a_booking_with_a_reason(client, centre_admin, booked):
    signed_in(client, centre_admin)
    url = reverse("exams_booking", args=[booked[1].pk])

    without_reason = client.post(url, {"action": "cancel", "cancel-reason": ""})
    assert without_reason.status_code == 200
    client.post(url, {"action": "cancel", "cancel-reason": "单位通知不参加"})

    booked[1].refresh_from_db()
    assert booked[1].status == BookingStatus.CANCELLED
    assert booked[1].events.get(action=BookingAction.CANCELLED).reason == "单位通知不参加"


def test_a_centre_admin_moves_a_booking_to_another_session_of_the_exam(
    client, centre_admin, booked, make_session
):
    later = make_session(starts_in=datetime.timedelta(days=14))
    signed_in(client, centre_admin)
    url = reverse("exams_booking", args=[booked[0].pk])

    response = client.post(url, {"action": "move", "move-to_session": later.pk, "move-reason": ""})

    moved = Booking.objects.get(session=later)
    assert response["Location"] == reverse("exams_booking", args=[moved.pk])
    assert moved.candidate == booked[0].candidate and moved.seat == 1
    page = client.get(response["Location"]).content.decode()
    assert "Moved to another session" in page
    assert reverse("exams_booking", args=[booked[0].pk]) in page


def test_a_move_the_rules_refuse_shows_why(client, centre_admin, booked, make_session):
    closed = make_session(
        starts_in=datetime.timedelta(days=14),
        booking_closes_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    signed_in(client, centre_admin)

    response = client.post(
        reverse("exams_booking", args=[booked[0].pk]),
        {"action": "move", "move-to_session": closed.pk, "move-reason": ""},
    )

    assert "Booking for this session has closed." in response.content.decode()
    assert not Booking.objects.filter(session=closed).exists()


def test_a_proctor_sees_a_booking_but_cannot_change_it(client, proctor, booked):
    signed_in(client, proctor)
    url = reverse("exams_booking", args=[booked[0].pk])

    shown = client.get(url)
    page = shown.content.decode()
    response = client.post(url, {"action": "cancel", "cancel-reason": "不来了"})

    assert shown.status_code == 200 and booked[0].ticket_number in page
    assert "Change this booking" not in page
    assert response.status_code in (302, 403)
    booked[0].refresh_from_db()
    assert booked[0].status == BookingStatus.BOOKED


def test_an_admin_of_another_centre_does_not_find_the_booking(client, other_centre, booked):
    client.force_login(other_centre.admins.get())

    assert client.get(reverse("exams_booking", args=[booked[0].pk])).status_code == 404
    page = client.get(reverse("exams_bookings")).content.decode()
    assert "王建国" not in page


def test_a_candidate_gets_no_staff_screen(client, alice, session, booked):
    client.force_login(alice)

    for url in (
        SESSIONS_URL,
        reverse("exams_session_calendar"),
        reverse("exams_bookings"),
        reverse("exams_bookings_export"),
        reverse("exams_booking", args=[booked[0].pk]),
        reverse("exams_book_from_excel", args=[session.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("wagtailadmin_login")), url


# Demo data


def test_seed_demo_adds_two_centres_a_past_sitting_a_session_today_and_one_to_come():
    for _run in range(2):
        call_command("seed_demo", stdout=io.StringIO())

    assert list(models.TestCentre.objects.values_list("code", flat=True)) == ["XH01", "YH01"]
    xihu = models.TestCentre.objects.get(code="XH01")
    assert [(r.name, r.seat_count) for r in xihu.rooms.all()] == [
        ("第一考场", 30),
        ("第二考场", 24),
    ]
    assert list(xihu.admins.values_list("username", flat=True)) == ["centre_admin"]
    assert list(xihu.proctors.values_list("username", flat=True)) == ["proctor"]
    past, today, to_come = ExamSession.objects.filter(exam__title="有限空间作业安全考试")
    assert past.status == "closed"
    assert timezone.localdate(today.starts_at) == timezone.localdate()
    assert not today.booking_is_open() and to_come.booking_is_open()
    # 李秀英 passed a month ago (taken through the exam services); 王建国 sits today.
    sat = past.bookings.get()
    assert sat.candidate.username == "candidate2" and sat.status == "checked_in"
    assert sat.attempt.status == "graded" and sat.attempt.passed
    assert sat.attempt.score == sum(q.earned for q in sat.attempt.questions.all())
    assert list(today.bookings.values_list("candidate__username", "seat")) == [("candidate", 1)]
    assert not to_come.bookings.exists()
