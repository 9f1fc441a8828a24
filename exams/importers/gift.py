"""
Moodle's GIFT text format, the subset a question bank of choice and
true/false questions needs:

    // 注释
    $CATEGORY: 危化品/储存

    ::标题::[html]有限空间作业前应当先进行什么？{
        =通风 #per-answer feedback (ignored)
        ~检测
        ~作业
        ####解析 (general feedback)
    }

    多选题：{~%50%正确一 ~%50%正确二 ~%-100%错误}
    判断题：{T} {TRUE} {F} {FALSE}

Questions are separated by blank lines; `\\~ \\= \\# \\{ \\} \\: \\\\` stand
for the characters themselves and `\\n` for a line break. Other question
types (short answer, numerical, matching, essay, description) are reported
as skipped. Categories become tags as in Moodle XML (see moodle.py); GIFT
has no difficulty, so every question gets the default (3).

The rules follow Moodle's own reader (question/format/gift/format.php), so
that a file behaves here as it does in Moodle.
"""

import io
import re

from django.utils.translation import gettext_lazy as _

from exams.choices import QuestionType

from .base import (
    FALSE,
    TRUE,
    ImportFileError,
    ParsedQuestion,
    ParseIssue,
    ParseResult,
    html_to_text,
    text_to_html,
)
from .moodle import (
    FULL_MARKS,
    MAX_BYTES,
    NO_QUESTIONS,
    STEM_EMPTY,
    category_tags,
    check_options,
    choice_answer,
    plain_text,
    read_upload,
    skipped_message,
)

# Escaped characters are hidden behind private-use characters while the
# question is taken apart, then put back.
ESCAPES = {
    "\\": "\ue000",
    ":": "\ue001",
    "#": "\ue002",
    "=": "\ue003",
    "{": "\ue004",
    "}": "\ue005",
    "~": "\ue006",
    "n": "\ue007",
}
UNESCAPES = {placeholder: character for character, placeholder in ESCAPES.items()}
UNESCAPES["\ue007"] = "\n"
ESCAPE = re.compile(r"\\([\\:#={}~n])")
PLACEHOLDER = re.compile("[\ue000-\ue007]")

FORMAT_MARKER = re.compile(r"\[(html|moodle|plain|markdown)\]")
ANSWER = re.compile(r"([=~])([^=~]*)")
WEIGHT = re.compile(r"%(-?\d+(?:\.\d+)?)%")
TRUE_WORDS = {"T", "TRUE"}
FALSE_WORDS = {"F", "FALSE"}
# Where a "missing word" question had its answers, as Chinese papers mark a blank.
BLANK = "（  ）"

NOT_UTF8 = _(
    "The file is not UTF-8 text (it may have been saved as GBK/ANSI). "
    "Save it again with UTF-8 encoding."
)
UNBALANCED_BRACES = _(
    "The answers must be between “{” and “}”; write a brace that is part of the text as \\{ or \\}."
)
QUESTION_AT_LINE = _("Question %(number)d, line %(line)d")


def parse_gift(source, *, max_bytes=MAX_BYTES):
    """Read GIFT from a file (bytes), from bytes or from already decoded text."""
    text = _decode(source, max_bytes)
    questions, issues = [], []
    tags = []
    number = 0
    for line_number, block in _blocks(text):
        block = ESCAPE.sub(lambda match: ESCAPES[match[1]], block)
        if block.startswith("$CATEGORY:"):
            category, _newline, block = block.partition("\n")
            tags = category_tags(_unescape(category.removeprefix("$CATEGORY:")))
            block = block.strip()
            if not block:
                continue
            line_number += 1  # the question begins under its category line
        number += 1
        location = QUESTION_AT_LINE % {"number": number, "line": line_number}
        question, problems, skipped = _read_question(block, tags)
        if skipped:
            issues.append(ParseIssue(location, skipped, skipped=True))
        elif problems:
            issues.extend(ParseIssue(location, str(message)) for message in problems)
        else:
            question.location = location
            questions.append(question)
    if not questions and not issues:
        raise ImportFileError(NO_QUESTIONS)
    return ParseResult(questions, issues)


def _decode(source, max_bytes):
    if isinstance(source, str):
        return source.removeprefix("\ufeff")
    data = read_upload(io.BytesIO(source) if isinstance(source, bytes) else source, max_bytes)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(NOT_UTF8) from error


def _blocks(text):
    """(first line number, text) of each run of lines between blank lines, without comments."""
    lines, start = [], None
    for line_number, line in enumerate([*text.splitlines(), ""], start=1):
        if not line.strip():
            if lines:
                yield start, "\n".join(lines).strip()
            lines, start = [], None
        elif not line.strip().startswith("//"):
            lines.append(line)
            start = start or line_number


def _read_question(block, category):
    """
    (question, [], None); or (None, the problems that keep it out, None); or
    (None, [], why it is skipped).
    """
    if block.startswith("::"):
        _title, _separator, block = block[2:].partition("::")
        block = block.strip()

    start, end = block.find("{"), block.find("}")
    if start == end == -1:
        return None, [], skipped_message("description")
    if start == -1 or end < start:
        return None, [UNBALANCED_BRACES], None
    answers_text = block[start + 1 : end].strip()
    after = block[end + 1 :].strip()
    stem_text = block[:start].rstrip() + (BLANK + after if after else "")

    stem_text, text_format = _split_format(stem_text.strip(), "moodle")
    stem = _html(stem_text, text_format)
    feedback = ""
    if "####" in answers_text:
        answers_text, _separator, feedback = answers_text.rpartition("####")
    explanation = _plain(*_split_format(feedback.strip(), text_format))

    kind = _gift_type(answers_text.strip())
    if kind not in ("multichoice", "truefalse"):
        return None, [], skipped_message(kind)
    problems = [] if html_to_text(stem) else [STEM_EMPTY]
    if kind == "truefalse":
        question_type, options = QuestionType.TRUE_FALSE, []
        answer = TRUE if answers_text.partition("#")[0].strip().upper() in TRUE_WORDS else FALSE
    else:
        options, grades = _choices(answers_text, text_format)
        problems.extend(check_options(options))
        question_type, answer, grade_problems = choice_answer(grades, single="=" in answers_text)
        problems.extend(grade_problems)
    if problems:
        return None, problems, None
    return (
        ParsedQuestion(
            type=question_type,
            stem=stem,
            options=options,
            answer=answer,
            explanation=explanation,
            tags=list(category),
        ),
        [],
        None,
    )


def _gift_type(answers_text):
    """The Moodle question type an answer block makes, decided in Moodle's order."""
    if not answers_text:
        return "essay"
    if answers_text.startswith("#"):
        return "numerical"
    if "~" in answers_text:
        return "multichoice"
    if "=" in answers_text and "->" in answers_text:
        return "match"
    if answers_text.partition("#")[0].strip().upper() in TRUE_WORDS | FALSE_WORDS:
        return "truefalse"
    return "shortanswer"


def _choices(answers_text, question_format):
    """The option texts and their grades (percent): "=" is right, "~" wrong unless weighted."""
    options, grades = [], []
    leading = answers_text[: ANSWER.search(answers_text).start()]
    # Like Moodle, text before the first ~ or = is an answer of its own.
    answers = [("~", leading)] if leading.strip() else []
    answers += ANSWER.findall(answers_text)
    for marker, text in answers:
        text = text.strip()
        grade = FULL_MARKS if marker == "=" else 0
        # As in Moodle, only a "~" answer can carry a weight.
        if marker == "~" and (weight := WEIGHT.match(text)):
            grade = float(weight[1])
            text = text[weight.end() :]
        text = text.partition("#")[0].strip()
        options.append(_plain(*_split_format(text, question_format)))
        grades.append(grade)
    return options, grades


def _split_format(text, default):
    """The text without its [html]/[moodle]/[plain]/[markdown] marker, and its format."""
    if marker := FORMAT_MARKER.match(text):
        return text[marker.end() :].strip(), marker[1]
    return text, default


def _html(text, text_format):
    text = _unescape(text).strip()
    return text if text_format == "html" else text_to_html(text)


def _plain(text, text_format):
    text = _unescape(text).strip()
    return plain_text(text) if text_format == "html" else text


def _unescape(text):
    return PLACEHOLDER.sub(lambda match: UNESCAPES[match[0]], text)
