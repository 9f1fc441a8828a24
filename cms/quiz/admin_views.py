"""A quiz's results for the publicity centre: charts, tables, Excel, badge winners, prize draws."""

import tempfile

import openpyxl
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin.paginator import WagtailPaginator

from cms.quiz import poster as quiz_poster
from cms.quiz import selectors, services
from cms.quiz.models import Play, Quiz
from config import xlsx

FLAGGED_PER_PAGE = 50

# Bar charts in SVG user units: a label column, then the bars.
CHART_WIDTH = 720
CHART_LABEL_WIDTH = 200
CHART_BAR_SPACE = 440
CHART_ROW_HEIGHT = 26
CHART_BAR_HEIGHT = 16


def bar_chart(rows, *, label, value):
    """Geometry of a horizontal bar chart, scaled to the largest value (no library, no CDN)."""
    largest = max((row[value] or 0 for row in rows), default=0) or 1
    bars = []
    for index, row in enumerate(rows):
        width = round(CHART_BAR_SPACE * (row[value] or 0) / largest, 1)
        y = 6 + index * CHART_ROW_HEIGHT
        bars.append(
            {
                "label": str(row[label]),
                "value": round(row[value] or 0, 1),
                "y": y,
                "mid": y + CHART_BAR_HEIGHT / 2,
                "width": width,
                "text_x": CHART_LABEL_WIDTH + width + 6,
            }
        )
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": 12 + len(rows) * CHART_ROW_HEIGHT,
        "bar_x": CHART_LABEL_WIDTH,
        "label_x": CHART_LABEL_WIDTH - 8,
        "bar_height": CHART_BAR_HEIGHT,
    }


@permission_required("cms.view_play", raise_exception=True)
def results(request, quiz_id):
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    days = selectors.plays_by_day(quiz)
    towns = selectors.results_by(quiz, "town")
    employers = selectors.results_by(quiz, "employer", limit=20)
    distribution = selectors.score_distribution(quiz)
    missed = selectors.most_missed_questions(quiz)
    draws = list(quiz.prize_draws.select_related("created_by"))
    winners = Play.objects.in_bulk({pk for draw in draws for pk in draw.winners})
    for draw in draws:
        draw.winner_plays = [winners[pk] for pk in draw.winners if pk in winners]
        draw.reproduced = services.rerun_draw(draw) == draw.winners
    for row in days:
        row["label"] = row["day"].strftime("%m-%d")
    return TemplateResponse(
        request,
        "cms/quiz/admin/results.html",
        {
            "quiz": quiz,
            "summary": selectors.summary(quiz),
            "days": days,
            "days_chart": bar_chart(days, label="label", value="participants"),
            "towns": towns,
            "towns_chart": bar_chart(towns, label="town", value="participants"),
            "employers": employers,
            "distribution_chart": bar_chart(distribution, label="label", value="plays"),
            "missed": missed,
            "missed_chart": bar_chart(
                [
                    {"label": f"{i}", "share": row["missed_share"]}
                    for i, row in enumerate(missed, 1)
                ],
                label="label",
                value="share",
            ),
            "stars": selectors.star_plays(quiz)[:200],
            # Those still to decide first; a venue's shared Wi-Fi can flag hundreds.
            "flagged": WagtailPaginator(selectors.flagged_plays(quiz), FLAGGED_PER_PAGE).get_page(
                request.GET.get("p")
            ),
            "draws": draws,
            "can_draw": request.user.has_perm("cms.add_prizedraw"),
        },
    )


@permission_required("cms.view_play", raise_exception=True)
def export(request, quiz_id):
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = xlsx.write_only_sheet(
        workbook,
        _("Plays"),
        [
            (_("Started"), 18),
            (_("Nickname"), 14),
            (_("Name"), 10),
            (_("Mobile phone"), 14),
            (_("Town"), 16),
            (_("Employer"), 24),
            (_("Score"), 8),
            (_("Correct answers"), 10),
            (_("Seconds"), 10),
            (_("Safety star"), 10),
            (_("Flagged"), 10),
            (_("Disqualified"), 10),
        ],
    )
    plays = Play.objects.filter(quiz=quiz).select_related("quiz").order_by("started_at", "pk")
    for play in plays.iterator(chunk_size=2000):
        xlsx.append_row(
            sheet,
            [
                play.started_at,
                play.nickname,
                play.real_name,
                play.phone,
                play.town,
                play.employer,
                play.score,
                play.correct,
                play.seconds,
                _("Yes") if play.is_star else "",
                _("Yes") if play.flags else "",
                _("Yes") if play.disqualified else "",
            ],
        )
    file = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook.save(file)
    file.seek(0)
    filename = f"{quiz.title}-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(file, as_attachment=True, filename=filename, content_type=xlsx.CONTENT_TYPE)


@require_POST
@permission_required("cms.add_prizedraw", raise_exception=True)
def prize_draw(request, quiz_id):
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    try:
        count = int(request.POST.get("winners", ""))
    except ValueError:
        count = 0
    if not 1 <= count <= 1000:
        messages.error(request, _("Enter how many winners to draw (1 to 1000)."))
        return redirect("quiz_results", quiz.pk)
    try:
        draw = services.draw_prizes(quiz=quiz, winner_count=count, user=request.user)
    except services.DrawTooEarly as refused:
        messages.error(request, refused.message)
        return redirect("quiz_results", quiz.pk)
    messages.success(
        request,
        _("%(winners)d winners drawn among %(entrants)d safety stars.")
        % {"winners": len(draw.winners), "entrants": len(draw.entrants)},
    )
    return redirect("quiz_results", quiz.pk)


@require_POST
@permission_required("cms.change_play", raise_exception=True)
def disqualify(request, play_id):
    play = get_object_or_404(Play, pk=play_id)
    if request.POST.get("clear") == "1":
        services.play_clear_flags(play=play)
    else:
        services.play_set_disqualified(play=play, disqualified=request.POST.get("undo") != "1")
    return redirect("quiz_results", play.quiz_id)


@permission_required("cms.view_quiz", raise_exception=True)
def poster(request, quiz_id):
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    url = request.build_absolute_uri(quiz.get_absolute_url())
    response = HttpResponse(quiz_poster.render_poster(quiz, url), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="quiz-{quiz.slug}-poster.pdf"'
    return response
