from django.urls import path

from training import views

app_name = "training"

urlpatterns = [
    path("", views.my_learning, name="my_learning"),
    path("<int:enrolment_id>/", views.my_record, name="my_record"),
    path("enrol/<int:course_id>/", views.enrol, name="enrol"),
    path(
        "courseware/<int:document_id>/<str:document_filename>",
        views.courseware,
        name="courseware",
    ),
]
