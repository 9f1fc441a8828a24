from wagtail import hooks

from cms.cache import serve_from_cache

hooks.register("on_serve_page", serve_from_cache)

# Campaign quizzes: the snippet screens and the results screens (cms/quiz/).
from cms.quiz.wagtail_hooks import *  # noqa: E402, F403
