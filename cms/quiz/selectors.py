"""
Reads of a campaign quiz: leaderboards (cached, for thousands of viewers),
a play's rank, and the results the publicity centre studies afterwards.
"""

from django.conf import settings
from django.core.cache import cache
from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from cms.quiz.choices import PlayStatus
from cms.quiz.models import Play, PlayAnswer

LEADERBOARD_PEOPLE = 20
LEADERBOARD_GROUPS = 15


def ranked_plays(quiz):
    """Finished plays that count: best score first, then the quicker."""
    return Play.objects.filter(quiz=quiz, status=PlayStatus.FINISHED, disqualified=False).order_by(
        "-score", "duration_ms", "pk"
    )


def best_plays(quiz, limit=None):
    """Each person's best play, best first (a person with two plays appears once)."""
    seen, best = set(), []
    fields = (
        "pk",
        "person_key",
        "nickname",
        "real_name",
        "town",
        "employer",
        "score",
        "duration_ms",
    )
    for row in ranked_plays(quiz).values(*fields).iterator():
        if row["person_key"] in seen:
            continue
        seen.add(row["person_key"])
        best.append(row)
        if limit and len(best) >= limit:
            break
    return best


def rank_of(play):
    """1 + the number of other people with a better play."""
    better = (
        ranked_plays(play.quiz)
        .filter(Q(score__gt=play.score) | Q(score=play.score, duration_ms__lt=play.duration_ms))
        .exclude(person_key=play.person_key)
        .values("person_key")
        .distinct()
        .count()
    )
    return better + 1


def _display_name(row):
    if row["nickname"]:
        return row["nickname"]
    name = row["real_name"]
    return name[0] + "*" * max(len(name) - 1, 1) if name else "—"


def _groups(quiz, field):
    rows = (
        ranked_plays(quiz)
        .exclude(**{field: ""})
        .values(field)
        .annotate(participants=Count("person_key", distinct=True), average=Avg("score"))
        .order_by("-participants", "-average", field)[:LEADERBOARD_GROUPS]
    )
    return [
        {
            "name": row[field],
            "participants": row["participants"],
            "average": round(row["average"] or 0, 1),
        }
        for row in rows
    ]


def leaderboard(quiz):
    """
    The board as JSON-ready data. Thousands of phones and a big screen poll
    it, so it is computed at most once every QUIZ_LEADERBOARD_SECONDS by
    whichever request finds it missing, and shared through the cache.
    """
    key = f"quiz:leaderboard:{quiz.pk}"
    board = cache.get(key)
    if board is None:
        people = [
            {
                "rank": index,
                "name": _display_name(row),
                "town": row["town"] or row["employer"],
                "score": row["score"],
                "seconds": round(row["duration_ms"] / 1000, 1),
            }
            for index, row in enumerate(best_plays(quiz, LEADERBOARD_PEOPLE), start=1)
        ]
        totals = ranked_plays(quiz).aggregate(
            plays=Count("pk"), participants=Count("person_key", distinct=True)
        )
        board = {
            "title": quiz.title,
            "people": people,
            "towns": _groups(quiz, "town"),
            "employers": _groups(quiz, "employer") if quiz.ask_employer else [],
            "plays": totals["plays"],
            "participants": totals["participants"],
            "updated_at": timezone.localtime().strftime("%H:%M:%S"),
        }
        cache.set(key, board, settings.QUIZ_LEADERBOARD_SECONDS)
    return board


def star_entrants(*, quiz):
    """
    The prize draw's entrants: each safety star's best play id, ascending,
    leaving out plays flagged as suspicious (answers faster than a person
    reads) unless they were cleared.
    """
    flagged = set(
        Play.objects.filter(quiz=quiz, flags_cleared=False)
        .exclude(flags=[])
        .values_list("pk", flat=True)
    )
    return sorted(
        row["pk"]
        for row in best_plays(quiz)
        if row["score"] >= quiz.star_score and row["pk"] not in flagged
    )


def star_plays(quiz):
    ids = star_entrants(quiz=quiz)
    return Play.objects.filter(pk__in=ids).order_by("-score", "duration_ms")


# ---------------------------------------------------------------------------
# Results for the publicity centre
# ---------------------------------------------------------------------------


def flagged_plays(quiz):
    """Plays flagged as suspicious, those still to decide first, then the newest."""
    return (
        Play.objects.filter(quiz=quiz)
        .exclude(flags=[])
        .order_by("flags_cleared", "disqualified", "-started_at")
    )


def plays_by_day(quiz):
    return list(
        Play.objects.filter(quiz=quiz)
        .annotate(day=TruncDate("started_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(plays=Count("pk"), participants=Count("person_key", distinct=True))
        .order_by("day")
    )


def results_by(quiz, field, limit=30):
    return list(
        Play.objects.filter(quiz=quiz, status=PlayStatus.FINISHED)
        .exclude(**{field: ""})
        .values(field)
        .annotate(
            participants=Count("person_key", distinct=True),
            plays=Count("pk"),
            average=Avg("score"),
            stars=Count("person_key", filter=Q(score__gte=quiz.star_score), distinct=True),
        )
        .order_by("-participants", field)[:limit]
    )


def score_distribution(quiz):
    """Finished plays per band of ten points: 0–9, 10–19, …, 90–100."""
    bands = [0] * 10
    for score in Play.objects.filter(quiz=quiz, status=PlayStatus.FINISHED).values_list(
        "score", flat=True
    ):
        bands[min(score // 10, 9)] += 1
    return [
        {"label": f"{band * 10}–{band * 10 + (10 if band == 9 else 9)}", "plays": count}
        for band, count in enumerate(bands)
    ]


def most_missed_questions(quiz, limit=10, minimum=3):
    """The knowledge gaps: questions most often answered wrongly or not in time."""
    rows = (
        PlayAnswer.objects.filter(play__quiz=quiz)
        .filter(Q(answered_at__isnull=False) | Q(timed_out=True))
        .values("question", "question__stem", "question__explanation")
        .annotate(
            asked=Count("pk"),
            missed=Count("pk", filter=Q(is_correct=False) | Q(timed_out=True)),
        )
        .filter(asked__gte=minimum)
    )
    for row in rows:
        row["missed_share"] = round(100 * row["missed"] / row["asked"])
    return sorted(rows, key=lambda row: (-row["missed_share"], -row["asked"]))[:limit]


def summary(quiz):
    plays = Play.objects.filter(quiz=quiz)
    return plays.aggregate(
        plays=Count("pk"),
        participants=Count("person_key", distinct=True),
        finished=Count("pk", filter=Q(status=PlayStatus.FINISHED)),
        average=Avg("score", filter=Q(status=PlayStatus.FINISHED)),
        flagged=Count("pk", filter=~Q(flags=[])),
    )
