"""Candidate and test-centre desk pages of exams (under the site's language prefix)."""

app_name = "exams"

urlpatterns: list = [
    # Candidate pages (sessions to book, my bookings, tickets) and the check-in
    # desk register their paths here.
]
