from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from accounts.demo import DEMO_PASSWORD, seed_people
from cms.demo import seed_site
from cms.quiz.demo import seed_quiz
from exams.demo import seed_question_bank
from exams.demo_attempts import seed_practice
from exams.demo_centres import seed_centres
from exams.demo_history import seed_history
from proctoring.demo import seed_policy
from training.demo import seed_courses


class Command(BaseCommand):
    help = "Fill the database with demo content and one account per role. Safe to run again."

    def handle(self, *args, **options):
        seed_site()
        logins = seed_people()
        seed_question_bank()
        seed_courses()
        seed_centres()
        seed_practice()
        seed_policy()
        seed_history()
        seed_quiz()
        self.stdout.write(self.style.SUCCESS(_("Demo data is ready.")))
        self.stdout.write(_("Sign in at http://127.0.0.1:8000/admin/ (staff) or /accounts/login/:"))
        for username, role in logins:
            self.stdout.write(f"  {username:<18} {DEMO_PASSWORD}  ({role})")
