from django.urls import path

from proctoring import views

app_name = "proctoring"

urlpatterns = [
    path("sessions/<int:session_id>/board/", views.board, name="board"),
    path("bookings/<int:booking_id>/check-in-photo/", views.check_in_photo, name="check-in-photo"),
    path("review/", views.review_queue, name="review-queue"),
    path("review/<int:attempt_id>/", views.review_attempt, name="review-attempt"),
    path("review/<int:attempt_id>/evidence.pdf", views.evidence, name="evidence"),
    path("attempts/<int:attempt_id>/snapshots/", views.my_snapshots, name="my-snapshots"),
    path("appeals/", views.appeals, name="appeals"),
    path("appeals/<int:appeal_id>/", views.appeal_detail, name="appeal"),
    path("snapshots/<int:snapshot_id>/", views.my_snapshot_image, name="my-snapshot"),
]
