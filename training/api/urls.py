from django.urls import path

from training.api import views

urlpatterns = [
    path("enrolments/", views.MyEnrolmentsApi.as_view(), name="training-enrolments"),
    path("courses/<int:course_id>/enrol/", views.EnrolApi.as_view(), name="training-enrol"),
    path(
        "lessons/<int:lesson_id>/study-sessions/",
        views.StudySessionStartApi.as_view(),
        name="training-study-start",
    ),
    path(
        "lessons/<int:lesson_id>/check-answers/",
        views.CheckAnswerApi.as_view(),
        name="training-check-answer",
    ),
    path(
        "study-sessions/<str:token>/heartbeats/",
        views.HeartbeatApi.as_view(),
        name="training-heartbeat",
    ),
]
