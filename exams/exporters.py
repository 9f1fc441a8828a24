"""
Question files for download, in the formats the readers in importers/ accept:
what is exported can be imported again, here or in Moodle.

What each format cannot hold:
- Excel: images (the stem is written as plain text) and HTML formatting.
- Moodle XML: the difficulty (imported again as 3).
- GIFT: the difficulty and images; tags are written as the category path.
"""

import base64
import io
import posixpath
import xml.etree.ElementTree as ET

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from config.xlsx import CONTROL_CHARACTERS
from exams.choices import QuestionType
from exams.importers.base import OPTION_LABELS, TRUE, ParsedQuestion, html_to_text, text_to_html
from exams.importers.excel import COLUMNS, TAG_SEPARATOR, TRUE_FALSE_NAMES, TYPE_NAMES

COLUMN_WIDTHS = {"题型": 8, "题干": 50, "答案": 8, "解析": 40, "难度": 6, "知识点": 20}
OPTION_COLUMN_WIDTH = 20
MOODLE_NAME_LENGTH = 50

TEMPLATE_QUESTIONS = [
    ParsedQuestion(
        type=QuestionType.SINGLE,
        stem="有限空间作业应当遵循什么原则？",
        options=[
            "先通风、再检测、后作业",
            "先检测、再通风、后作业",
            "先作业、再检测、后通风",
            "边作业、边检测",
        ],
        answer=(0,),
        explanation="有限空间作业应当严格遵守“先通风、再检测、后作业”的原则，检测不合格的，严禁作业。",
        difficulty=2,
        tags=["有限空间", "通风检测"],
    ),
    ParsedQuestion(
        type=QuestionType.MULTIPLE,
        stem="依据《安全生产法》，从业人员享有下列哪些权利？",
        options=[
            "了解作业场所和工作岗位存在的危险因素、防范措施及事故应急措施",
            "对本单位安全生产工作中存在的问题提出批评、检举、控告",
            "发现直接危及人身安全的紧急情况时，停止作业或者在采取可能的应急措施后撤离作业场所",
            "拒绝接受安全生产教育和培训",
        ],
        answer=(0, 1, 2),
        explanation="接受安全生产教育和培训是从业人员的义务，不能拒绝。",
        difficulty=3,
        tags=["安全生产法", "从业人员权利义务"],
    ),
    ParsedQuestion(
        type=QuestionType.TRUE_FALSE,
        stem="发现有人触电，应当立即用手将触电者拉离电源。",
        options=[],
        answer=(1,),
        explanation="应当先切断电源，或者用干燥的木棒等绝缘物挑开电线，不能直接用手接触触电者。",
        difficulty=1,
        tags=["触电急救"],
    ),
]


def export_excel(questions):
    """An .xlsx with one question per row, under the header the reader looks for."""
    # Write-only mode streams rows to the file: a whole bank fits in little memory.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("题库")
    _set_column_widths(sheet)
    sheet.freeze_panes = "A2"
    sheet.append(_header_cells(sheet))
    for question in questions:
        sheet.append([_text_cell(sheet, value) for value in _excel_row(question)])
    return _save(workbook)


def excel_template():
    """An empty import template: the header, one example of each type, and input lists."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "题库"
    _set_column_widths(sheet)
    sheet.freeze_panes = "A2"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for question in TEMPLATE_QUESTIONS:
        sheet.append(_excel_row(question))
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    types = DataValidation(type="list", formula1='"{}"'.format(",".join(TYPE_NAMES.values())))
    types.add("A2:A5000")
    difficulty = DataValidation(type="whole", operator="between", formula1="1", formula2="5")
    difficulty.error = "难度填写 1（易）到 5（难）的整数"
    difficulty.showErrorMessage = True
    difficulty_column = get_column_letter(COLUMNS.index("难度") + 1)
    difficulty.add(f"{difficulty_column}2:{difficulty_column}5000")
    sheet.add_data_validation(types)
    sheet.add_data_validation(difficulty)
    return _save(workbook)


def _excel_row(question):
    if question.type == QuestionType.TRUE_FALSE:
        answer = TRUE_FALSE_NAMES[tuple(question.answer)]
    else:
        answer = "".join(OPTION_LABELS[index] for index in question.answer)
    options = list(question.options) + [""] * (len(OPTION_LABELS) - len(question.options))
    return [
        TYPE_NAMES[question.type],
        html_to_text(question.stem),
        *options,
        answer,
        question.explanation,
        question.difficulty,
        TAG_SEPARATOR.join(question.tags),
    ]


def _set_column_widths(sheet):
    for index, name in enumerate(COLUMNS, start=1):
        width = COLUMN_WIDTHS.get(name, OPTION_COLUMN_WIDTH)
        sheet.column_dimensions[get_column_letter(index)].width = width


def _header_cells(sheet):
    cells = []
    for name in COLUMNS:
        cell = WriteOnlyCell(sheet, name)
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def _text_cell(sheet, value):
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, CONTROL_CHARACTERS.sub("", value))
    # A text beginning with "=" is text, not a formula Excel would run.
    cell.data_type = "s"
    return cell


def _save(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_moodle_xml(questions):
    """Moodle question XML; tags go in <tags> and images in <file>, as Moodle writes them."""
    quiz = ET.Element("quiz")
    for number, question in enumerate(questions, start=1):
        quiz.append(_moodle_question(question, number))
    ET.indent(quiz)
    return ET.tostring(quiz, encoding="utf-8", xml_declaration=True)


def _moodle_question(question, number):
    is_true_false = question.type == QuestionType.TRUE_FALSE
    element = ET.Element("question", type="truefalse" if is_true_false else "multichoice")
    name = html_to_text(question.stem).split("\n")[0][:MOODLE_NAME_LENGTH] or str(number)
    _moodle_text(ET.SubElement(element, "name"), name)
    questiontext = ET.SubElement(element, "questiontext", format="html")
    _moodle_text(questiontext, question.stem)
    for file_name, content in question.images:
        directory, base_name = posixpath.split(file_name)
        file = ET.SubElement(
            questiontext,
            "file",
            name=base_name,
            path=f"/{directory}/" if directory else "/",
            encoding="base64",
        )
        file.text = base64.b64encode(content).decode("ascii")
    feedback = ET.SubElement(element, "generalfeedback", format="html")
    _moodle_text(feedback, text_to_html(question.explanation))
    ET.SubElement(element, "defaultgrade").text = "1"

    if is_true_false:
        is_true = tuple(question.answer) == TRUE
        _moodle_answer(element, "true", "100" if is_true else "0", text_format="moodle_auto_format")
        _moodle_answer(
            element, "false", "0" if is_true else "100", text_format="moodle_auto_format"
        )
    else:
        single = question.type == QuestionType.SINGLE
        ET.SubElement(element, "single").text = "true" if single else "false"
        # Kept in order: options such as 以上都是 (all of the above) must stay last.
        ET.SubElement(element, "shuffleanswers").text = "false"
        ET.SubElement(element, "answernumbering").text = "ABCD"
        for option, grade in zip(question.options, _grades(question), strict=True):
            _moodle_answer(element, text_to_html(option), grade, text_format="html")
    if question.tags:
        tags = ET.SubElement(element, "tags")
        for tag in question.tags:
            _moodle_text(ET.SubElement(tags, "tag"), tag)
    return element


def _moodle_text(parent, value):
    ET.SubElement(parent, "text").text = CONTROL_CHARACTERS.sub("", value)


def _moodle_answer(question, text, grade, *, text_format):
    answer = ET.SubElement(question, "answer", fraction=grade, format=text_format)
    _moodle_text(answer, text)
    _moodle_text(ET.SubElement(answer, "feedback", format="html"), "")


def _grades(question):
    """
    Each option's grade in percent, as Moodle (and our readers) read them.

    Multiple choice: the right options share 100%, and a wrong one costs
    100%, so that ticking everything scores nothing. Moodle only accepts
    grades from its list (50, 33.33333, 25…); 100/n to 5 decimals is on it.
    """
    correct = set(question.answer)
    if question.type == QuestionType.SINGLE:
        return ["100" if index in correct else "0" for index in range(len(question.options))]
    share = f"{100 / len(correct):.5f}".rstrip("0").rstrip(".")
    return [share if index in correct else "-100" for index in range(len(question.options))]


def export_gift(questions):
    """GIFT text; questions with the same tags are grouped under one $CATEGORY line."""
    groups = {}
    for question in questions:
        groups.setdefault(tuple(question.tags), []).append(question)
    # Questions without tags go first: GIFT cannot take a category back off.
    parts = [_gift_question(question) for question in groups.pop((), [])]
    for tags, group in groups.items():
        category = "/".join(tag.replace("/", "//") for tag in tags)
        parts.append(f"$CATEGORY: {category}")
        parts.extend(_gift_question(question) for question in group)
    return "\n\n".join(parts) + "\n"


def _gift_question(question):
    # Plain text unless the stem has formatting that plain text would lose.
    is_html = text_to_html(html_to_text(question.stem)) != question.stem

    def text(value):
        """An option or the explanation (plain text), in the question's format."""
        return _gift_escape(text_to_html(value) if is_html else value)

    if is_html:
        stem = "[html]" + _gift_escape(question.stem)
    else:
        stem = _gift_escape(html_to_text(question.stem))
    lines = [stem + "{"]
    if question.type == QuestionType.TRUE_FALSE:
        lines.append("\t" + ("TRUE" if tuple(question.answer) == TRUE else "FALSE"))
    elif question.type == QuestionType.SINGLE:
        for option, grade in zip(question.options, _grades(question), strict=True):
            # A wrong option beginning with "%" gets an explicit weight, lest
            # "%50%…" in its text be read as one.
            marker = "=" if grade == "100" else "~%0%" if option.startswith("%") else "~"
            lines.append(f"\t{marker}{text(option)}")
    else:
        lines += [
            f"\t~%{grade}%{text(option)}"
            for option, grade in zip(question.options, _grades(question), strict=True)
        ]
    if question.explanation:
        lines.append("\t####" + text(question.explanation))
    lines.append("}")
    return "\n".join(lines)


def _gift_escape(value):
    value = CONTROL_CHARACTERS.sub("", value).replace("\r", "")
    value = value.replace("\\", "\\\\")
    for character in "~=#{}:":
        value = value.replace(character, "\\" + character)
    return value.replace("\n", "\\n")
