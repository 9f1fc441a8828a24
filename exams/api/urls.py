from django.urls import path

from exams.api import attempt_views, booking_views, certificate_views, desk_views, views

urlpatterns = [
    path("banks/", views.BankListApi.as_view(), name="banks"),
    path("questions/", views.QuestionListApi.as_view(), name="questions"),
    path("questions/retire/", views.QuestionRetireApi.as_view(), name="questions-retire"),
    path("questions/<int:pk>/", views.QuestionDetailApi.as_view(), name="question"),
    path("question-imports/", views.ImportJobCreateApi.as_view(), name="question-imports"),
    path("question-imports/<int:pk>/", views.ImportJobDetailApi.as_view(), name="question-import"),
    path("papers/", views.PaperListApi.as_view(), name="papers"),
    path("papers/<int:pk>/", views.PaperDetailApi.as_view(), name="paper"),
    path("papers/<int:pk>/draw/", views.PaperDrawApi.as_view(), name="paper-draw"),
    path("sessions/open/", booking_views.OpenSessionListApi.as_view(), name="sessions-open"),
    path("sessions/<int:session_id>/book/", booking_views.BookApi.as_view(), name="session-book"),
    path("bookings/mine/", booking_views.MyBookingListApi.as_view(), name="bookings-mine"),
    path(
        "bookings/<int:booking_id>/cancel/",
        booking_views.CancelBookingApi.as_view(),
        name="booking-cancel",
    ),
    # The check-in desk (exams/api/desk_views.py).
    path("desk/sessions/", desk_views.DeskSessionListApi.as_view(), name="desk-sessions"),
    path(
        "desk/sessions/<int:session_id>/",
        desk_views.DeskSessionApi.as_view(),
        name="desk-session",
    ),
    path(
        "desk/sessions/<int:session_id>/bookings/",
        desk_views.DeskBookingListApi.as_view(),
        name="desk-bookings",
    ),
    path("desk/sessions/<int:session_id>/scan/", desk_views.ScanApi.as_view(), name="desk-scan"),
    path(
        "desk/sessions/<int:session_id>/lookup/",
        desk_views.LookupApi.as_view(),
        name="desk-lookup",
    ),
    path(
        "desk/sessions/<int:session_id>/check-ins/",
        desk_views.CheckInApi.as_view(),
        name="desk-check-in",
    ),
    path(
        "attempts/<int:attempt_id>/start/",
        attempt_views.StartAttemptApi.as_view(),
        name="attempt-start",
    ),
    path(
        "attempts/<int:attempt_id>/state/",
        attempt_views.AttemptStateApi.as_view(),
        name="attempt-state",
    ),
    path(
        "attempts/<int:attempt_id>/answers/",
        attempt_views.SaveAnswerApi.as_view(),
        name="attempt-answers",
    ),
    path(
        "attempts/<int:attempt_id>/submit/",
        attempt_views.SubmitApi.as_view(),
        name="attempt-submit",
    ),
    path(
        "attempts/<int:attempt_id>/result/",
        attempt_views.ResultApi.as_view(),
        name="attempt-result",
    ),
    path("exams/<int:exam_id>/practice/", attempt_views.PracticeApi.as_view(), name="practice"),
    path(
        "attempts/<int:attempt_id>/pause/", attempt_views.PauseApi.as_view(), name="attempt-pause"
    ),
    path(
        "attempts/<int:attempt_id>/resume/",
        attempt_views.ResumeApi.as_view(),
        name="attempt-resume",
    ),
    path(
        "attempts/<int:attempt_id>/extra-time/",
        attempt_views.ExtraTimeApi.as_view(),
        name="attempt-extra-time",
    ),
    path(
        "attempts/<int:attempt_id>/terminate/",
        attempt_views.TerminateApi.as_view(),
        name="attempt-terminate",
    ),
    path(
        "certificates/verify/",
        certificate_views.VerifyCertificateApi.as_view(),
        name="certificate-verify",
    ),
]
