"""Candidate and test-centre desk pages of exams (under the site's language prefix)."""

from django.urls import path

from exams import candidate_views, desk_views, exam_views

app_name = "exams"

urlpatterns = [
    path("sessions/", candidate_views.session_list, name="sessions"),
    path("sessions/<int:session_id>/book/", candidate_views.book, name="book"),
    path("bookings/", candidate_views.my_bookings, name="my-bookings"),
    path("bookings/<int:booking_id>/cancel/", candidate_views.cancel, name="cancel-booking"),
    path("bookings/<int:booking_id>/ticket.pdf", candidate_views.ticket, name="ticket"),
    path("attempts/<int:attempt_id>/", exam_views.attempt, name="attempt"),
    path("attempts/<int:attempt_id>/photo/", exam_views.attempt_photo, name="attempt-photo"),
    path("attempts/<int:attempt_id>/result/", exam_views.result, name="attempt-result"),
    path("results/", exam_views.my_results, name="my-results"),
    path("practice/", exam_views.practice, name="practice"),
    path("practice/<int:exam_id>/start/", exam_views.start_practice, name="practice-start"),
    path("desk/", desk_views.session_list, name="desk"),
    path("desk/<int:session_id>/", desk_views.session_desk, name="desk-session"),
    path(
        "desk/bookings/<int:booking_id>/photo/",
        desk_views.registered_photo,
        name="desk-registered-photo",
    ),
    path("desk/<int:session_id>/attempts/", desk_views.session_attempts, name="desk-attempts"),
    path(
        "desk/attempts/<int:attempt_id>/<slug:action>/",
        desk_views.attempt_action,
        name="desk-attempt-action",
    ),
]
