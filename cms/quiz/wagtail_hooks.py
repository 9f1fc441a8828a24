"""Campaign quizzes in the Wagtail admin; imported by cms/wagtail_hooks.py."""

from django.db.models.signals import post_delete, post_save
from django.urls import path
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from cms.cache import invalidate_pages
from cms.quiz import admin_views
from cms.quiz.choosers import quiz_question_chooser
from cms.quiz.models import Quiz
from cms.quiz.viewsets import QuizViewSet

register_snippet(QuizViewSet)

# Campaign pages show their quiz's title and dates and are cached for everyone:
# a changed quiz replaces them, like a published page does (cms.cache).
post_save.connect(invalidate_pages, sender=Quiz, dispatch_uid="cms-cache-quiz-save")
post_delete.connect(invalidate_pages, sender=Quiz, dispatch_uid="cms-cache-quiz-delete")


@hooks.register("register_admin_urls")
def quiz_admin_urls():
    return [
        path("quizzes/<int:quiz_id>/results/", admin_views.results, name="quiz_results"),
        path("quizzes/<int:quiz_id>/export.xlsx", admin_views.export, name="quiz_export"),
        path("quizzes/<int:quiz_id>/draw/", admin_views.prize_draw, name="quiz_prize_draw"),
        path(
            "quizzes/plays/<int:play_id>/disqualify/",
            admin_views.disqualify,
            name="quiz_disqualify",
        ),
        path("quizzes/<int:quiz_id>/poster.pdf", admin_views.poster, name="quiz_poster"),
    ]


@hooks.register("register_admin_viewset")
def register_quiz_question_chooser():
    return quiz_question_chooser


__all__ = ["quiz_admin_urls", "register_quiz_question_chooser"]
