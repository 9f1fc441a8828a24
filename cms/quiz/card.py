"""
The shareable result card: a PNG drawn with Pillow in the Noto CJK font
(like the demo posters, and with Latin letters too), so that it can be saved
and posted from a phone. Its words are in the player's language: the card is
asked for from the result page, under that page's language prefix.
"""

import io

from django.utils.translation import gettext, pgettext
from PIL import Image, ImageDraw

from cms.demo_media import _font

WIDTH, HEIGHT = 750, 1000
RED = (179, 60, 0)
GOLD = (242, 183, 5)


def card_text(*, play, rank):
    """The card's words in the active language (the quiz's title and the name as given)."""
    return {
        "title": play.quiz.title[:18],
        "heading": gettext("Knowledge quiz · Result"),
        "name": play.display_name,
        "score": str(play.score),
        "unit": pgettext("result card", "points"),
        "details": gettext("%(correct)d right · %(seconds)s s · rank %(rank)d")
        % {"correct": play.correct, "seconds": f"{play.seconds:g}", "rank": rank},
        "star": "★ " + gettext("Safety star") if play.is_star else "",
        "motto": gettext("Safety for everyone · Ready for emergencies"),
    }


def result_card_png(*, play, rank):
    text = card_text(play=play, rank=rank)
    image = Image.new("RGB", (WIDTH, HEIGHT), (255, 248, 240))
    draw = ImageDraw.Draw(image)
    middle = WIDTH / 2
    draw.rectangle((0, 0, WIDTH, 230), fill=RED)
    draw.text((middle, 80), text["title"], font=_font(46), fill="white", anchor="mm")
    draw.text((middle, 160), text["heading"], font=_font(34, bold=False), fill="white", anchor="mm")
    draw.text((middle, 330), text["name"], font=_font(48), fill=(30, 30, 30), anchor="mm")
    draw.text((middle, 480), text["score"], font=_font(180), fill=RED, anchor="mm")
    draw.text(
        (middle, 600), text["unit"], font=_font(40, bold=False), fill=(80, 80, 80), anchor="mm"
    )
    draw.text(
        (middle, 690), text["details"], font=_font(34, bold=False), fill=(30, 30, 30), anchor="mm"
    )
    if text["star"]:
        font = _font(42)
        half = max(150, draw.textlength(text["star"], font=font) / 2 + 40)
        draw.ellipse((middle - half, 750, middle + half, 850), fill=GOLD)
        draw.text((middle, 800), text["star"], font=font, fill=(90, 40, 0), anchor="mm")
    draw.text((middle, 930), text["motto"], font=_font(30, bold=False), fill=RED, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
