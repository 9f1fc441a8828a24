"""Certificates for people (under the site's language prefix): verification and my certificates."""

from django.urls import path

from exams import certificate_views

app_name = "certificates"

urlpatterns = [
    path("", certificate_views.my_certificates, name="mine"),
    path("verify/", certificate_views.verify, name="verify"),
    path("<int:certificate_id>/certificate.pdf", certificate_views.certificate_pdf, name="pdf"),
]
