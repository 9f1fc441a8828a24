"""
What every question-file reader produces and every writer consumes.

A reader never touches the database: it turns a file into `ParsedQuestion`s
and `ParseIssue`s (what is wrong, and where, in the user's language). The
import service validates, detects duplicates and saves, all or nothing.
"""

import dataclasses
import html
import re

from django.utils.translation import gettext_lazy as _

# Shared with every reader of uploaded files; imported from here by the question readers.
from config.xlsx import ImportFileError as ImportFileError

OPTION_LABELS = "ABCDEFGH"
MAX_OPTIONS = len(OPTION_LABELS)

# True/false questions have no options; their answer is (0,) for true (正确)
# and (1,) for false (错误).
TRUE, FALSE = (0,), (1,)


@dataclasses.dataclass
class ParsedQuestion:
    type: str  # a QuestionType value: "single", "multiple" or "true_false"
    stem: str  # HTML; plain-text sources are escaped, newlines become <br>
    options: list[str]  # option texts in order (A, B, …); empty for true/false
    answer: tuple[int, ...]  # indexes of the correct options; TRUE or FALSE for true/false
    explanation: str = ""  # plain text (解析)
    difficulty: int = 3  # 1 (easy) … 5 (hard)
    tags: list[str] = dataclasses.field(default_factory=list)  # knowledge points, categories
    source: str = ""
    # Images embedded in the file (Moodle @@PLUGINFILE@@), as (file name, bytes);
    # the stem refers to them as <img src="@@PLUGINFILE@@/name">.
    images: list[tuple[str, bytes]] = dataclasses.field(default_factory=list)
    location: str = ""  # where it was in the file, for reports: "第 5 行", "question 3"


@dataclasses.dataclass
class ParseIssue:
    location: str
    message: str
    skipped: bool = False  # True: a question type we do not import (reported, not an error)


@dataclasses.dataclass
class ParseResult:
    questions: list[ParsedQuestion]
    issues: list[ParseIssue]

    @property
    def errors(self):
        return [issue for issue in self.issues if not issue.skipped]


def text_to_html(text):
    """Plain text from a cell or a GIFT file, as the HTML a stem is stored in."""
    text = (text or "").strip()
    return "<br>".join(html.escape(line) for line in text.splitlines()) if text else ""


def html_to_text(value):
    """The reverse, for formats that hold plain text (Excel, GIFT)."""
    value = re.sub(r"<br\s*/?>", "\n", value or "", flags=re.I)
    value = re.sub(r"</p>\s*<p[^>]*>", "\n", value, flags=re.I)
    value = re.sub(r"<[^>]+>", "", value)
    return html.unescape(value).strip()


TOO_MANY_OPTIONS = _("A question has at most 8 options (A to H).")
