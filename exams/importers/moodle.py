"""
Moodle question XML, as exported by Moodle sites (题库 → 导出 → Moodle XML).

Only single choice, multiple choice and true/false questions are imported;
the others are reported as skipped. Moodle has no difficulty, so every
question gets the default (3).

Categories become tags: `$course$/top/默认 安全培训/危化品/储存` tags the
questions that follow it 危化品 and 储存. The leading context (`$course$`,
`$system$`…), `top` and Moodle's default category (默认 …, Default for …)
say where the bank lived in Moodle, not what a question is about, and are
dropped.

GIFT is Moodle's other format, and gift.py shares these rules.
"""

import base64
import binascii
import math
import re
from xml.etree.ElementTree import ParseError

import defusedxml
import defusedxml.ElementTree
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from exams.choices import QuestionType

from .base import (
    FALSE,
    MAX_OPTIONS,
    TOO_MANY_OPTIONS,
    TRUE,
    ImportFileError,
    ParsedQuestion,
    ParseIssue,
    ParseResult,
    html_to_text,
    text_to_html,
)

MAX_BYTES = 20 * 1024 * 1024
FULL_MARKS = 100  # Moodle grades answers in percent

# Names for the types we skip, as a trainer who used Moodle knows them.
SKIPPED_TYPE_NAMES = {
    "shortanswer": _("short answer"),
    "essay": _("essay"),
    "match": _("matching"),
    "matching": _("matching"),
    "numerical": _("numerical"),
    "multianswer": _("cloze (embedded answers)"),
    "cloze": _("cloze (embedded answers)"),
    "description": _("description"),
    "calculated": _("calculated"),
    "calculatedsimple": _("calculated"),
    "calculatedmulti": _("calculated"),
    "ddwtos": _("drag and drop into text"),
    "ddimageortext": _("drag and drop onto image"),
    "ddmarker": _("drag and drop markers"),
    "gapselect": _("select missing words"),
    "randomsamatch": _("random short-answer matching"),
}
# Moodle's truefalse answers read "true" and "false"; some sites translate them.
TRUE_ANSWER_TEXTS = {"true", "正确", "对"}
# Formats whose text is not HTML; the rest (html, moodle_auto_format) are kept as HTML.
PLAIN_TEXT_FORMATS = {"plain_text", "markdown"}
CONTEXT_SEGMENT = re.compile(r"\$\w+\$")
# A "/" inside a category name is written "//".
CATEGORY_SEPARATOR = re.compile(r"(?<!/)/(?!/)")

FILE_EMPTY = _("The file is empty.")
FILE_TOO_BIG = _(
    "The file is larger than %(limit)s, the most that can be imported. Split it into smaller files."
)
NOT_XML = _("The file is not well-formed XML (error at line %(line)d, column %(column)d).")
XML_DECLARATIONS = _(
    "The file contains a DOCTYPE or entity declarations, which are refused for security. "
    "Moodle exports have none: export the questions from Moodle again."
)
NOT_MOODLE = _(
    "The file is not a Moodle question export: its root element is <%(tag)s>, not <quiz>."
)
NO_QUESTIONS = _("The file contains no questions.")

QUESTION = _("Question %(number)d")
NAMED_QUESTION = _("Question %(number)d “%(name)s”")

SKIPPED = _(
    "Skipped: %(type)s questions cannot be imported; "
    "only single choice, multiple choice and true/false can."
)
STEM_EMPTY = _("The question text is empty.")
TOO_FEW_ANSWERS = _("A choice question needs at least 2 answers; this one has %(count)d.")
ANSWER_EMPTY = _("Answer %(letter)s is empty.")
GRADE_NOT_A_NUMBER = _("Answer %(letter)s has a grade that is not a number: “%(grade)s”.")
NO_FULL_MARKS = _("No answer is graded 100%, so the question has no correct answer.")
SEVERAL_FULL_MARKS = _(
    "%(count)d answers are graded 100%%, but a single-choice question has exactly one "
    "correct answer."
)
NO_POSITIVE_GRADE = _("No answer has a positive grade, so the question has no correct answer.")
ONE_POSITIVE_GRADE = _(
    "Only one answer has a positive grade, but a multiple-choice question needs at least 2 "
    "correct answers. If the question has one right answer, make it a single-answer question."
)
TRUE_FALSE_ANSWERS = _("A true/false question needs a “true” and a “false” answer.")
IMAGE_NOT_BASE64 = _("The embedded file “%(name)s” is damaged (not valid base64).")


def parse_moodle_xml(fileobj, *, max_bytes=MAX_BYTES):
    root = _parse_xml(read_upload(fileobj, max_bytes))
    if root.tag != "quiz":
        raise ImportFileError(NOT_MOODLE % {"tag": root.tag})

    questions, issues = [], []
    tags = []
    number = 0
    for element in root.findall("question"):
        question_type = element.get("type", "")
        if question_type == "category":
            tags = category_tags(element.findtext("category/text", ""))
            continue
        number += 1
        name = element.findtext("name/text", "").strip()
        location = (NAMED_QUESTION if name else QUESTION) % {"number": number, "name": name}
        if question_type not in ("multichoice", "truefalse"):
            issues.append(ParseIssue(location, skipped_message(question_type), skipped=True))
            continue
        question, problems = _read_question(element, question_type, tags)
        if problems:
            issues.extend(ParseIssue(location, str(message)) for message in problems)
        else:
            question.location = location
            questions.append(question)
    if not questions and not issues:
        raise ImportFileError(NO_QUESTIONS)
    return ParseResult(questions, issues)


def read_upload(fileobj, max_bytes):
    """The file's bytes, refusing an empty file or one over `max_bytes` before parsing."""
    data = fileobj.read(max_bytes + 1)
    if not data:
        raise ImportFileError(FILE_EMPTY)
    if len(data) > max_bytes:
        raise ImportFileError(FILE_TOO_BIG % {"limit": filesizeformat(max_bytes)})
    return data


def category_tags(path):
    """`$course$/top/默认 安全培训/危化品/储存` → ["危化品", "储存"]."""
    segments = [
        segment.strip().replace("//", "/") for segment in CATEGORY_SEPARATOR.split(path or "")
    ]
    segments = [segment for segment in segments if segment]
    while segments and _is_moodle_place(segments[0]):
        segments.pop(0)
    return list(dict.fromkeys(segments))


def _is_moodle_place(segment):
    return (
        CONTEXT_SEGMENT.fullmatch(segment) is not None
        or segment.lower() == "top"
        or segment == "默认"
        or segment.startswith(("默认 ", "Default for "))
    )


def skipped_message(question_type):
    return SKIPPED % {"type": SKIPPED_TYPE_NAMES.get(question_type, question_type)}


def plain_text(html):
    """Option and explanation texts: HTML as plain text, where &nbsp; is just a space."""
    return html_to_text(html).replace("\xa0", " ")


def choice_answer(grades, *, single):
    """
    The question type and correct answers from Moodle's grades (percent), or
    the problems that keep the question out.

    Single-answer questions: the answer graded 100% is correct (partial
    credit answers count as wrong). Multiple-answer questions: every answer
    with a positive grade is correct; Moodle gives wrong ones 0 or less.
    """
    if single:
        correct = tuple(
            index for index, grade in enumerate(grades) if math.isclose(grade, FULL_MARKS)
        )
        if not correct:
            return None, (), [NO_FULL_MARKS]
        if len(correct) > 1:
            return None, (), [SEVERAL_FULL_MARKS % {"count": len(correct)}]
        return QuestionType.SINGLE, correct, []
    correct = tuple(index for index, grade in enumerate(grades) if grade > 0)
    if not correct:
        return None, (), [NO_POSITIVE_GRADE]
    if len(correct) == 1:
        return None, (), [ONE_POSITIVE_GRADE]
    return QuestionType.MULTIPLE, correct, []


def check_options(options):
    """What is wrong with a choice question's option texts."""
    if len(options) < 2:
        return [TOO_FEW_ANSWERS % {"count": len(options)}]
    if len(options) > MAX_OPTIONS:
        return [TOO_MANY_OPTIONS]
    return [
        ANSWER_EMPTY % {"letter": _letter(index)} for index, text in enumerate(options) if not text
    ]


def _parse_xml(data):
    try:
        # Moodle never writes a DOCTYPE; refusing any also stops entity
        # expansion attacks ("billion laughs") and external entities.
        return defusedxml.ElementTree.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException as error:
        raise ImportFileError(XML_DECLARATIONS) from error
    except ParseError as error:
        line, column = error.position
        raise ImportFileError(NOT_XML % {"line": line, "column": column + 1}) from error


def _read_question(element, question_type, category):
    problems = []
    stem = _html(element.find("questiontext"))
    if not html_to_text(stem) and "<img" not in stem:
        problems.append(STEM_EMPTY)
    images = _images(element.find("questiontext"), problems)
    answers = element.findall("answer")
    grades = [_grade(answer, index, problems) for index, answer in enumerate(answers)]

    if question_type == "truefalse":
        options = []
        answer = _true_false_answer(answers, grades, problems)
        kind = QuestionType.TRUE_FALSE
    else:
        options = [plain_text(_html(answer)) for answer in answers]
        problems.extend(check_options(options))
        single = element.findtext("single", "true").strip().lower() in ("true", "1")
        kind, answer, grade_problems = choice_answer(grades, single=single)
        problems.extend(grade_problems)
    if problems:
        return None, problems

    question_tags = [tag.findtext("text", "").strip() for tag in element.iterfind("tags/tag")]
    return (
        ParsedQuestion(
            type=kind,
            stem=stem,
            options=options,
            answer=answer,
            explanation=plain_text(_html(element.find("generalfeedback"))),
            tags=list(dict.fromkeys([*category, *filter(None, question_tags)])),
            images=images,
        ),
        [],
    )


def _html(element):
    """The HTML of a Moodle text element (<questiontext>, <answer>…), whatever its format."""
    if element is None:
        return ""
    text = element.findtext("text", "").strip()
    if element.get("format") in PLAIN_TEXT_FORMATS:
        return text_to_html(text)
    return text


def _grade(answer, index, problems):
    grade = answer.get("fraction", "0")
    try:
        return float(grade)
    except ValueError:
        problems.append(GRADE_NOT_A_NUMBER % {"letter": _letter(index), "grade": grade})
        return 0.0


def _letter(index):
    return chr(ord("A") + index)


def _true_false_answer(answers, grades, problems):
    texts = [html_to_text(_html(answer)).lower() for answer in answers]
    true_grades = [
        grade for text, grade in zip(texts, grades, strict=True) if text in TRUE_ANSWER_TEXTS
    ]
    if true_grades:
        true_grade = true_grades[0]
    elif len(answers) == 2:
        # Old exports have other texts; Moodle then takes the first answer as "true".
        true_grade = grades[0]
    else:
        problems.append(TRUE_FALSE_ANSWERS)
        return ()
    return TRUE if math.isclose(true_grade, FULL_MARKS) else FALSE


def _images(questiontext, problems):
    """The files embedded in the question text, named as the text refers to them."""
    if questiontext is None:
        return []
    images = []
    for file in questiontext.iterfind("file"):
        name = file.get("path", "/").strip("/") + "/" + file.get("name", "")
        name = name.lstrip("/")
        try:
            images.append((name, base64.b64decode(file.text or "")))
        except binascii.Error:
            problems.append(IMAGE_NOT_BASE64 % {"name": name})
    return images
