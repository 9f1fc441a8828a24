"""
Making Chinese text searchable with the database's own full-text search.

Full-text search splits text into words at spaces and punctuation; a Chinese
sentence is one long "word" to it, so 危险化学品 would only match itself. The
usual remedy without a Chinese tokenizer is to index overlapping character
pairs (bigrams, as Lucene's CJKAnalyzer does): 危险 险化 化学 学品. A query gets
the same treatment and must match all its pairs, which finds 化学品 inside
危险化学品 and rarely anything that does not contain it.
"""

import re

from django.utils.html import strip_tags

# CJK Unified Ideographs, Extension A, Compatibility Ideographs, and the
# supplementary planes (Extension B onwards, e.g. 𡃁 in people's names).
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")


def _bigrams(run):
    if len(run) == 1:
        return run
    return " ".join(run[i : i + 2] for i in range(len(run) - 1))


def cjk_bigrams(text):
    """Replace every run of Chinese characters by its overlapping pairs, spaced."""
    spaced = CJK_RUN.sub(lambda match: f" {_bigrams(match.group())} ", text or "")
    return " ".join(spaced.split())


def streamfield_text(stream_value):
    """The plain text of a StreamField value, as Wagtail would index it."""
    if not stream_value:
        return ""
    content = stream_value.stream_block.get_searchable_content(stream_value)
    return " ".join(strip_tags(str(part)) for part in content)
