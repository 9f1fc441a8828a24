from django.urls import path

from cms import views
from cms.quiz import views as quiz_views

app_name = "cms"

urlpatterns = [
    path("search/", views.search, name="search"),
    # Campaign quizzes (cms/quiz/): the address on the QR poster is the quiz page.
    path("quiz/<slug:slug>/", quiz_views.quiz, name="quiz"),
    path("quiz/<slug:slug>/leaderboard/", quiz_views.big_screen, name="quiz-big-screen"),
    path(
        "quiz/<slug:slug>/leaderboard.json",
        quiz_views.leaderboard_json,
        name="quiz-leaderboard",
    ),
    path("quiz/play/<str:token>/", quiz_views.play_page, name="quiz-play"),
    path("quiz/play/<str:token>/state", quiz_views.play_state, name="quiz-play-state"),
    path("quiz/play/<str:token>/answer", quiz_views.play_answer, name="quiz-play-answer"),
    path("quiz/play/<str:token>/result/", quiz_views.result, name="quiz-result"),
    path("quiz/play/<str:token>/card.png", quiz_views.card, name="quiz-card"),
]
