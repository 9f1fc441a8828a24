from django.urls import path

from proctoring.api import views

urlpatterns = [
    path("attempts/<int:attempt_id>/consent/", views.ConsentApi.as_view(), name="attempt-consent"),
    path(
        "attempts/<int:attempt_id>/snapshots/",
        views.SnapshotUploadApi.as_view(),
        name="attempt-snapshots",
    ),
    path(
        "attempts/<int:attempt_id>/camera-check/",
        views.CameraCheckApi.as_view(),
        name="attempt-camera-check",
    ),
    path("attempts/<int:attempt_id>/events/", views.EventApi.as_view(), name="attempt-events"),
    path(
        "attempts/<int:attempt_id>/proctoring/",
        views.ProctoringStateApi.as_view(),
        name="attempt-proctoring",
    ),
    path(
        "attempts/<int:attempt_id>/timeline/",
        views.TimelineApi.as_view(),
        name="attempt-timeline",
    ),
    path(
        "attempts/<int:attempt_id>/messages/",
        views.MessageApi.as_view(),
        name="attempt-messages",
    ),
    path(
        "attempts/<int:attempt_id>/irregularities/",
        views.IrregularityApi.as_view(),
        name="attempt-irregularities",
    ),
    path(
        "snapshots/<int:snapshot_id>/image/",
        views.SnapshotImageApi.as_view(),
        name="snapshot-image",
    ),
    path(
        "proctoring/sessions/<int:session_id>/board/",
        views.BoardApi.as_view(),
        name="proctoring-board",
    ),
    path(
        "proctoring/incidents/<int:incident_id>/decision/",
        views.DecisionApi.as_view(),
        name="incident-decision",
    ),
]
