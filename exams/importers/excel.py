"""
Question banks in Excel (.xlsx), one question per row, in the layout Chinese
training providers use:

    题型 | 题干 | 选项A … 选项H | 答案 | 解析 | 难度 | 知识点

Files come from many hands (typed in WPS, exported from other platforms,
passed around for years), so the reader is lenient about how things are
written (a title row above the header, merged or decorated header cells,
full-width letters, 对/错 or √/× for true/false, 易…难 for the difficulty)
and strict about what they mean: a row whose answer names a missing option,
say, is reported, never guessed at.
"""

import itertools
import re
import unicodedata

from django.utils.translation import gettext_lazy as _

from config.xlsx import (
    EMPTY_WORKBOOK,
    HEADER_SEARCH_ROWS,
    MISSING_COLUMNS,
    cell_text,
    find_header_row,
    has_content,
    header_key,
    match_columns,
    read_workbook,
    row_location,
    sheet_rows,
)
from exams.choices import QuestionType

from .base import (
    FALSE,
    MAX_OPTIONS,
    OPTION_LABELS,
    TOO_MANY_OPTIONS,
    TRUE,
    ImportFileError,
    ParsedQuestion,
    ParseIssue,
    ParseResult,
    text_to_html,
)

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000

# The header the writer produces and the template shows.
COLUMNS = (
    "题型",
    "题干",
    *(f"选项{label}" for label in OPTION_LABELS),
    "答案",
    "解析",
    "难度",
    "知识点",
)
TYPE_NAMES = {
    QuestionType.SINGLE: "单选",
    QuestionType.MULTIPLE: "多选",
    QuestionType.TRUE_FALSE: "判断",
}
TRUE_FALSE_NAMES = {TRUE: "正确", FALSE: "错误"}
TAG_SEPARATOR = "，"

# Header names, as written in the files we have seen, after `_header_key()`.
COLUMN_NAMES = {
    "type": {"题型", "题目类型", "试题类型", "类型"},
    "stem": {"题干", "题目", "试题", "题目内容", "试题内容"},
    "answer": {"答案", "正确答案", "标准答案", "参考答案"},
    "explanation": {"解析", "答案解析", "试题解析", "题目解析"},
    "difficulty": {"难度", "难易度", "难易程度"},
    "tags": {"知识点", "标签", "知识点/标签", "知识点标签"},
}
REQUIRED_COLUMNS = {"type": "题型", "stem": "题干", "answer": "答案"}
# 选项A, A, A选项; letters past H are recognised so that they can be refused.
OPTION_COLUMN = re.compile(r"(?:选项)?([A-Z])(?:选项)?")
# Some files put 选项 over several columns (merged) and the letters in a row below.
OPTION_GROUP = "选项"

TYPE_VALUES = {
    QuestionType.SINGLE: {"单选", "单选题", "单项选择", "单项选择题"},
    QuestionType.MULTIPLE: {"多选", "多选题", "多项选择", "多项选择题"},
    QuestionType.TRUE_FALSE: {"判断", "判断题", "是非题"},
}
# A and B are true and false only for a question without options; a
# true/false question with options is refused before its answer is read.
TRUE_WORDS = {"对", "正确", "√", "✓", "✔", "T", "TRUE", "是", "Y", "YES", "A"}
FALSE_WORDS = {"错", "错误", "×", "✗", "✘", "✕", "X", "F", "FALSE", "否", "N", "NO", "B"}
DIFFICULTY_WORDS = {
    "易": 1,
    "容易": 1,
    "简单": 1,
    "较易": 2,
    "中": 3,
    "中等": 3,
    "一般": 3,
    "较难": 4,
    "难": 5,
    "困难": 5,
}
DEFAULT_DIFFICULTY = 3
ANSWER_SEPARATORS = re.compile(r"[\s,、;/|.]+")
TAG_SEPARATORS = re.compile(r"[，,；;、/\s]+")

NO_HEADER = _(
    "No header row found. One of the first %(rows)d rows must name the columns "
    "题型, 题干, 选项A to 选项H, 答案, 解析, 难度 and 知识点."
)
NO_QUESTIONS = _("The file has a header row but no questions under it.")
TOO_MANY_ROWS = _(
    "The file has more than %(limit)d questions. Split it into files of at most %(limit)d."
)

TYPE_EMPTY = _("The question type (题型) is empty: write 单选, 多选 or 判断.")
TYPE_UNKNOWN = _("Unknown question type “%(type)s”: write 单选, 多选 or 判断.")
STEM_EMPTY = _("The question text (题干) is empty.")
OPTION_GAP = _(
    "Option %(letter)s is empty but a later option is filled in. "
    "Fill the options in from 选项A without gaps."
)
TOO_FEW_OPTIONS = _("A choice question needs at least 2 options; this one has %(count)d.")
TRUE_FALSE_WITH_OPTIONS = _(
    "A true/false question (判断) has no options: leave 选项A to 选项H empty "
    "and write 正确 or 错误 as the answer."
)
ANSWER_EMPTY = _("The answer (答案) is empty.")
ANSWER_NOT_LETTERS = _("Write the answer as option letters, such as A or ABD; “%(answer)s” is not.")
ANSWER_MISSING_OPTION = _(
    "The answer names option %(letters)s, but only options A to %(last)s are filled in."
)
SINGLE_WITH_SEVERAL_ANSWERS = _(
    "A single-choice question (单选) has one correct answer, but the answer is %(answer)s. "
    "Change the type to 多选 or correct the answer."
)
MULTIPLE_WITH_ONE_ANSWER = _(
    "A multiple-choice question (多选) needs at least 2 correct answers, but the answer is "
    "only %(answer)s. Change the type to 单选 or add the missing answers."
)
TRUE_FALSE_ANSWER = _(
    "Write the answer of a true/false question as 正确 or 错误 "
    "(对/错, √/×, T/F also work); “%(answer)s” is not."
)
DIFFICULTY_INVALID = _(
    "The difficulty must be 1 to 5 (or 易, 较易, 中, 较难, 难), not “%(value)s”."
)


def parse_excel(fileobj, *, max_rows=MAX_ROWS, max_bytes=MAX_BYTES):
    """Read every sheet that has a question header; sheets without one (notes) are ignored."""
    return read_workbook(
        fileobj, lambda workbook: _read_workbook(workbook, max_rows), max_bytes=max_bytes
    )


def _read_workbook(workbook, max_rows):
    questions, issues = [], []
    question_rows = 0
    found_header = found_content = False
    for sheet in workbook.worksheets:
        rows = sheet_rows(sheet)
        top_rows = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
        found_content = found_content or any(has_content(values) for _, values in top_rows)
        header = _find_header(top_rows)
        if header is None:
            continue
        found_header = True
        columns, first_data_row = header
        data_rows = [row for row in top_rows if row[0] >= first_data_row]
        for row_number, values in [*data_rows, *rows]:
            cells, options = _row_cells(values, columns)
            if not any(cells.values()) and not any(options):
                continue
            question_rows += 1
            if question_rows > max_rows:
                raise ImportFileError(TOO_MANY_ROWS % {"limit": max_rows})
            location = row_location(sheet, row_number, several_sheets=len(workbook.worksheets) > 1)
            question, problems = _read_question(cells, options)
            if problems:
                issues.extend(ParseIssue(location, str(message)) for message in problems)
            else:
                question.location = location
                questions.append(question)
    if not found_content:
        raise ImportFileError(EMPTY_WORKBOOK)
    if not found_header:
        raise ImportFileError(NO_HEADER % {"rows": HEADER_SEARCH_ROWS})
    if not questions and not issues:
        raise ImportFileError(NO_QUESTIONS)
    return ParseResult(questions, issues)


def _find_header(top_rows):
    """The columns and the first data row, from the first row naming two known columns."""
    position = find_header_row(top_rows, lambda values: sum(map(len, _match_columns(values))))
    if position is None:
        return None
    row_number, values = top_rows[position]
    fields, options = _match_columns(values)
    missing = [name for field, name in REQUIRED_COLUMNS.items() if field not in fields]
    if missing:
        raise ImportFileError(MISSING_COLUMNS % {"row": row_number, "columns": "、".join(missing)})
    first_data_row = row_number + 1
    below = top_rows[position + 1] if position + 1 < len(top_rows) else None
    if not options and below and OPTION_GROUP in map(header_key, values):
        _, options = _match_columns(below[1])
        if options:
            first_data_row += 1
    return {"fields": fields, "options": options}, first_data_row


def _match_columns(values):
    """{field: column index} and {option index: column index} for a header row."""
    options = {}
    for column, value in enumerate(values):
        if option := OPTION_COLUMN.fullmatch(header_key(value)):
            options.setdefault(ord(option.group(1)) - ord("A"), column)
    return match_columns(values, COLUMN_NAMES), options


def _row_cells(values, columns):
    """The row's texts by field, and its option texts in order (A first)."""

    def text(column):
        return cell_text(values[column]) if column < len(values) else ""

    cells = {field: text(column) for field, column in columns["fields"].items()}
    option_columns = columns["options"]
    options = [
        text(option_columns[index]) if index in option_columns else ""
        for index in range(max(option_columns, default=-1) + 1)
    ]
    return cells, options


def _read_question(cells, option_texts):
    """A ParsedQuestion, or None and what is wrong with the row."""
    problems = []
    question_type = _question_type(cells["type"], problems)
    stem = text_to_html(cells["stem"])
    if not stem:
        problems.append(STEM_EMPTY)
    options = _options(option_texts, problems)
    answer = _answer(question_type, options, cells["answer"], problems)
    difficulty = _difficulty(cells.get("difficulty", ""), problems)
    if problems:
        return None, problems
    return (
        ParsedQuestion(
            type=question_type,
            stem=stem,
            options=options,
            answer=answer,
            explanation=cells.get("explanation", ""),
            difficulty=difficulty,
            tags=list(dict.fromkeys(filter(None, TAG_SEPARATORS.split(cells.get("tags", ""))))),
        ),
        [],
    )


def _question_type(text, problems):
    if not text:
        problems.append(TYPE_EMPTY)
        return None
    key = re.sub(r"\s", "", unicodedata.normalize("NFKC", text))
    for question_type, values in TYPE_VALUES.items():
        if key in values:
            return question_type
    problems.append(TYPE_UNKNOWN % {"type": text})
    return None


def _options(texts, problems):
    """The filled-in options, without a repeated "A." in front of option A's text."""
    options = [_strip_own_label(text, index) for index, text in enumerate(texts)]
    while options and not options[-1]:
        options.pop()
    if len(options) > MAX_OPTIONS:
        problems.append(TOO_MANY_OPTIONS)
    for index, text in enumerate(options):
        if not text:
            problems.append(OPTION_GAP % {"letter": chr(ord("A") + index)})
            break
    return options


def _strip_own_label(text, index):
    letter = chr(ord("A") + index)
    full_width = chr(ord(letter) + 0xFEE0)
    return re.sub(rf"^[{letter}{full_width}]\s*[.．、:：)）]\s*", "", text)


def _answer(question_type, options, text, problems):
    if question_type is None:
        return ()
    if question_type == QuestionType.TRUE_FALSE:
        if options:
            problems.append(TRUE_FALSE_WITH_OPTIONS)
            return ()
        if not text:
            problems.append(ANSWER_EMPTY)
            return ()
        return _true_false_answer(text, problems)

    if len(options) < 2:
        problems.append(TOO_FEW_OPTIONS % {"count": len(options)})
    if not text:
        problems.append(ANSWER_EMPTY)
        return ()
    letters = ANSWER_SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()
    if not re.fullmatch(r"[A-Z]+", letters):
        problems.append(ANSWER_NOT_LETTERS % {"answer": text})
        return ()
    answer = tuple(sorted({ord(letter) - ord("A") for letter in letters}))
    written = "".join(chr(ord("A") + index) for index in answer)
    missing = [chr(ord("A") + index) for index in answer if index >= len(options)]
    if missing and len(options) >= 2:
        problems.append(
            ANSWER_MISSING_OPTION
            % {"letters": "、".join(missing), "last": OPTION_LABELS[len(options) - 1]}
        )
    if question_type == QuestionType.SINGLE and len(answer) > 1:
        problems.append(SINGLE_WITH_SEVERAL_ANSWERS % {"answer": written})
    if question_type == QuestionType.MULTIPLE and len(answer) < 2:
        problems.append(MULTIPLE_WITH_ONE_ANSWER % {"answer": written})
    return answer


def _true_false_answer(text, problems):
    word = re.sub(r"\s", "", unicodedata.normalize("NFKC", text)).upper()
    if word in TRUE_WORDS:
        return TRUE
    if word in FALSE_WORDS:
        return FALSE
    problems.append(TRUE_FALSE_ANSWER % {"answer": text})
    return ()


def _difficulty(text, problems):
    if not text:
        return DEFAULT_DIFFICULTY
    key = unicodedata.normalize("NFKC", text).strip()
    if key in DIFFICULTY_WORDS:
        return DIFFICULTY_WORDS[key]
    if re.fullmatch(r"[1-5](\.0+)?", key):
        return int(float(key))
    problems.append(DIFFICULTY_INVALID % {"value": text})
    return DEFAULT_DIFFICULTY
