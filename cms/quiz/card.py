"""
The shareable result card: a PNG drawn with Pillow in the Noto CJK font
(like the demo posters), so that it can be saved and posted from a phone.
"""

import io

from PIL import Image, ImageDraw

from cms.demo_media import _font

WIDTH, HEIGHT = 750, 1000
RED = (179, 60, 0)
GOLD = (242, 183, 5)


def result_card_png(*, play, rank):
    image = Image.new("RGB", (WIDTH, HEIGHT), (255, 248, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 230), fill=RED)
    draw.text((WIDTH / 2, 80), play.quiz.title[:18], font=_font(46), fill="white", anchor="mm")
    draw.text(
        (WIDTH / 2, 160), "知识竞赛 · 成绩单", font=_font(34, bold=False), fill="white", anchor="mm"
    )
    draw.text((WIDTH / 2, 330), play.display_name, font=_font(48), fill=(30, 30, 30), anchor="mm")
    draw.text((WIDTH / 2, 480), str(play.score), font=_font(180), fill=RED, anchor="mm")
    draw.text((WIDTH / 2, 600), "分", font=_font(40, bold=False), fill=(80, 80, 80), anchor="mm")
    answered = f"答对 {play.correct} 题 · 用时 {play.seconds:g} 秒 · 第 {rank} 名"
    draw.text(
        (WIDTH / 2, 690), answered, font=_font(34, bold=False), fill=(30, 30, 30), anchor="mm"
    )
    if play.is_star:
        draw.ellipse((WIDTH / 2 - 150, 750, WIDTH / 2 + 150, 850), fill=GOLD)
        draw.text((WIDTH / 2, 800), "★ 安全之星", font=_font(42), fill=(90, 40, 0), anchor="mm")
    draw.text(
        (WIDTH / 2, 930),
        "人人讲安全 · 个个会应急",
        font=_font(30, bold=False),
        fill=RED,
        anchor="mm",
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
