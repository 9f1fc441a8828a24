"""
Campaign-day knowledge quizzes (知识竞赛) that the public plays on phones.

`models` (a quiz, its plays and answers, prize draws), `services` (every
write: joining, answering, finishing, drawing prizes), `selectors` (reads:
leaderboards, results), `views` (the public pages and their JSON), and the
admin screens for the publicity centre (`viewsets`, `admin_views`).
"""
