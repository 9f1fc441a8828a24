"""
The dashboard's charts, drawn on the server as inline SVG (no script, no
CDN): the geometry is computed here, the template draws it with a title, a
description and the table beside it as the accessible alternative.
"""

import math

WIDTH = 720
MONTH_HEIGHT = 260
# Room for the axis labels on the left and the month labels below.
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 40
BAR_ROW = 30
LABEL_WIDTH = 220


def nice_ceiling(value):
    """The round number an axis should end at: 7 → 10, 23 → 25, 180 → 200."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return int(step * magnitude) if step * magnitude >= 1 else 1
    return int(10 * magnitude)


def month_chart(months):
    """
    Two bars a month, sittings and passes, on a shared axis from 0; the
    geometry for templates/exams/statistics/month_chart.html.
    """
    top = nice_ceiling(max((row["attempts"] for row in months), default=0))
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = MONTH_HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(months), 1)
    bar = max(2.0, min(24.0, slot * 0.35))
    baseline = TOP + plot_height

    def height(value):
        return round(plot_height * value / top, 1)

    columns = []
    for index, row in enumerate(months):
        centre = LEFT + slot * index + slot / 2
        attempts, passed = height(row["attempts"]), height(row["passed"])
        columns.append(
            {
                "row": row,
                "label_x": round(centre, 1),
                "attempts": {
                    "x": round(centre - bar, 1),
                    "y": round(baseline - attempts, 1),
                    "height": attempts,
                },
                "passed": {
                    "x": round(centre, 1),
                    "y": round(baseline - passed, 1),
                    "height": passed,
                },
            }
        )
    ticks = [
        {"value": value, "y": round(baseline - height(value), 1)}
        for value in (0, top / 2, top)
        if value == int(value)
    ]
    return {
        "width": WIDTH,
        "height": MONTH_HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "baseline": baseline,
        "bar": round(bar, 1),
        "columns": columns,
        "ticks": [{**tick, "value": int(tick["value"])} for tick in ticks],
        "label_y": baseline + 18,
        # Every other month label when there are too many to read.
        "label_every": 1 if len(months) <= 12 else math.ceil(len(months) / 12),
    }


def rate_chart(rows):
    """
    One horizontal bar a row: its pass rate from 0 to 100 %; the geometry for
    templates/exams/statistics/rate_chart.html.
    """
    plot_width = WIDTH - LABEL_WIDTH - 70
    bars = []
    for index, row in enumerate(rows):
        rate = row["pass_rate"] or 0
        bars.append(
            {
                "row": row,
                "y": TOP + index * BAR_ROW,
                "text_y": TOP + index * BAR_ROW + BAR_ROW / 2 + 4,
                "width": round(plot_width * rate / 100, 1),
            }
        )
    return {
        "width": WIDTH,
        "height": TOP * 2 + BAR_ROW * max(len(rows), 1),
        "label_x": LABEL_WIDTH - 8,
        "bar_x": LABEL_WIDTH,
        "bar_height": BAR_ROW - 8,
        "full_width": plot_width,
        "value_x": LABEL_WIDTH + plot_width + 6,
        "bars": bars,
    }
