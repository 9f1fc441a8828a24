import io
from pathlib import Path

import pytest
from django.utils import translation
from openpyxl import Workbook

from exams.importers import (
    ImportFileError,
    ParsedQuestion,
    parse_excel,
    parse_gift,
    parse_moodle_xml,
)
from exams.importers.base import FALSE, TRUE, html_to_text
from exams.importers.moodle import category_tags
from tests.exams.files.builders import (
    moodle_category,
    moodle_export_from_a_safety_course,
    moodle_quiz,
    tiny_png,
    xlsx,
)

FILES = Path(__file__).parent / "files"

HEADER = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "难度", "知识点"]
CONFINED_SPACE = ["单选", "有限空间作业前应当先进行什么？", "通风", "检测", "直接进入", "佩戴耳塞"]


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, whatever translations the project adds."""
    with translation.override("en"):
        yield


def messages(result):
    return [(issue.location, issue.message) for issue in result.issues]


def one_row(*cells):
    """A file with the standard header and one question row (row 2)."""
    return xlsx([HEADER, list(cells)])


# Excel


def test_it_reads_a_bank_with_a_title_row_merged_headers_and_untidy_cells():
    rows = [
        ["2026年危化品安全题库（第一版）"],
        [
            " 题 型 ",
            "题干\n（必填）",
            "选项",
            None,
            None,
            None,
            "答案",
            "解析",
            "难度",
            "知识点/标签",
        ],
        [None, None, "Ａ", "B", "C", "D"],
        [
            "单选题",
            "  有限空间作业前应当先进行什么？  ",
            "通风",
            "检测",
            "直接进入",
            "佩戴耳塞",
            "Ａ",
            "遵循“先通风、再检测、后作业”的原则。",
            2,
            "有限空间，通风检测",
        ],
        [],
        [
            "多项选择题",
            "危险化学品专用仓库应当符合下列哪些要求？\n（至少选两项） ",
            "A．设置明显的标志",
            "B、与员工宿舍设在同一建筑物内",
            "由专人负责管理",
            "储存设备定期检测",
            "A、C、D",
            None,
            "较难",
            "危化品；储存 仓库",
        ],
        [
            "多选",
            "动火作业前应当做好哪些准备？",
            "办理动火安全作业票",
            "清除易燃物",
            "监护人离开",
            None,
            "ＡＢ",
        ],
        ["判断题", "易燃液体储罐区可以使用明火照明。", None, None, None, None, "×", "", None, ""],
    ]
    merged = ["A1:J1", "C2:F2", "A2:A3", "B2:B3", "G2:G3", "H2:H3", "I2:I3", "J2:J3"]

    result = parse_excel(xlsx(rows, merged=merged))

    assert result.issues == []
    single, multiple, two_answers, true_false = result.questions
    assert single == ParsedQuestion(
        type="single",
        stem="有限空间作业前应当先进行什么？",
        options=["通风", "检测", "直接进入", "佩戴耳塞"],
        answer=(0,),
        explanation="遵循“先通风、再检测、后作业”的原则。",
        difficulty=2,
        tags=["有限空间", "通风检测"],
        location="Row 4",
    )
    assert multiple.stem == "危险化学品专用仓库应当符合下列哪些要求？<br>（至少选两项）"
    assert multiple.options == [
        "设置明显的标志",
        "与员工宿舍设在同一建筑物内",
        "由专人负责管理",
        "储存设备定期检测",
    ]
    assert multiple.answer == (0, 2, 3)
    assert (multiple.difficulty, multiple.tags) == (4, ["危化品", "储存", "仓库"])
    assert multiple.location == "Row 6"
    assert (two_answers.type, two_answers.options, two_answers.answer) == (
        "multiple",
        ["办理动火安全作业票", "清除易燃物", "监护人离开"],
        (0, 1),
    )
    assert (true_false.type, true_false.options, true_false.answer) == ("true_false", [], FALSE)
    assert (true_false.difficulty, true_false.tags) == (3, [])


@pytest.mark.parametrize(
    "written", ["ABD", "A,B,D", "A，B，D", "A、B、D", "a b d", "ＡＢＤ", " A B\nD "]
)
def test_it_accepts_the_ways_people_write_a_choice_answer(written):
    file = one_row(
        "多选",
        "进入有限空间作业前，应当检测哪些气体？",
        "氧气",
        "氮气",
        "可燃气体",
        "有毒气体",
        written,
    )

    assert parse_excel(file).questions[0].answer == (0, 1, 3)


@pytest.mark.parametrize(
    ("written", "answer"),
    [
        ("对", TRUE),
        ("正确", TRUE),
        ("√", TRUE),
        ("T", TRUE),
        ("是", TRUE),
        ("A", TRUE),
        ("错", FALSE),
        ("错误", FALSE),
        ("×", FALSE),
        ("F", FALSE),
        ("否", FALSE),
        ("B", FALSE),
        ("Ｆ", FALSE),
    ],
)
def test_it_accepts_the_ways_people_write_true_or_false(written, answer):
    file = one_row("判断", "发现有人触电，应当立即用手将其拉离电源。", *[None] * 4, written)

    assert parse_excel(file).questions[0].answer == answer


@pytest.mark.parametrize(
    ("written", "difficulty"),
    [("易", 1), ("较易", 2), ("中", 3), ("较难", 4), ("难", 5), (None, 3), (5, 5), ("４", 4)],
)
def test_it_reads_the_difficulty_as_a_number_or_a_word(written, difficulty):
    file = one_row(*CONFINED_SPACE, "A", "", written)

    assert parse_excel(file).questions[0].difficulty == difficulty


def test_it_reports_each_bad_row_by_its_row_number_and_keeps_the_good_ones():
    rows = [
        HEADER,
        CONFINED_SPACE + ["A"],
        ["填空", "火警电话是____。", None, None, None, None, "119"],
        ["单选", "  ", "通风", "检测", None, None, "A"],
        ["单选", "发生火灾时应当拨打哪个电话？", "110", "119", "120", None, "D"],
        ["单选", "下列哪种灭火器适用于扑救电气火灾？", "二氧化碳", "干粉", "清水", "泡沫", "AB"],
        ["多选", "特种作业人员应当具备哪些条件？", "年满18周岁", "持证上岗", "无色盲", None, "B"],
        ["判断", "安全帽可以不系下颏带。", "正确", "错误", None, None, "B"],
        ["单选", "安全色中表示禁止的是哪种颜色？", "红色", None, None, None, "A"],
        [*CONFINED_SPACE, "A", "", "很难"],
        ["多选", "劳动防护用品包括哪些？", "安全帽", "安全带", "", "防护眼镜", "ABD"],
    ]

    result = parse_excel(xlsx(rows))

    assert [question.location for question in result.questions] == ["Row 2"]
    assert messages(result) == [
        ("Row 3", "Unknown question type “填空”: write 单选, 多选 or 判断."),
        ("Row 4", "The question text (题干) is empty."),
        ("Row 5", "The answer names option D, but only options A to C are filled in."),
        (
            "Row 6",
            "A single-choice question (单选) has one correct answer, but the answer is AB. "
            "Change the type to 多选 or correct the answer.",
        ),
        (
            "Row 7",
            "A multiple-choice question (多选) needs at least 2 correct answers, but the answer "
            "is only B. Change the type to 单选 or add the missing answers.",
        ),
        (
            "Row 8",
            "A true/false question (判断) has no options: leave 选项A to 选项H empty "
            "and write 正确 or 错误 as the answer.",
        ),
        ("Row 9", "A choice question needs at least 2 options; this one has 1."),
        ("Row 10", "The difficulty must be 1 to 5 (or 易, 较易, 中, 较难, 难), not “很难”."),
        (
            "Row 11",
            "Option C is empty but a later option is filled in. "
            "Fill the options in from 选项A without gaps.",
        ),
    ]


def test_it_reports_answers_that_are_not_option_letters():
    result = parse_excel(
        xlsx(
            [
                HEADER,
                [*CONFINED_SPACE, "通风"],
                ["判断", "严禁在仓库内吸烟。", None, None, None, None, "不一定"],
                ["单选", "安全色中表示禁止的是哪种颜色？", "红色", "黄色"],
            ]
        )
    )

    assert messages(result) == [
        ("Row 2", "Write the answer as option letters, such as A or ABD; “通风” is not."),
        (
            "Row 3",
            "Write the answer of a true/false question as 正确 or 错误 "
            "(对/错, √/×, T/F also work); “不一定” is not.",
        ),
        ("Row 4", "The answer (答案) is empty."),
    ]


def test_it_reads_every_sheet_with_questions_and_ignores_a_sheet_of_notes():
    workbook = Workbook()
    notes = workbook.active
    notes.title = "填写说明"
    notes.append(["题型填写单选、多选或判断；答案填写选项字母。"])
    single = workbook.create_sheet("单选题")
    single.append(HEADER)
    single.append([*CONFINED_SPACE, "A"])
    true_false = workbook.create_sheet("判断题")
    true_false.append(HEADER)
    true_false.append(["判断", "动火作业可以不设监护人。", None, None, None, None, "错"])
    true_false.append(["判断", "", None, None, None, None, "错"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)

    result = parse_excel(buffer)

    assert [question.location for question in result.questions] == [
        "Sheet “单选题”, row 2",
        "Sheet “判断题”, row 2",
    ]
    assert messages(result) == [("Sheet “判断题”, row 3", "The question text (题干) is empty.")]


def test_it_names_the_required_columns_a_file_lacks():
    file = xlsx([["序号", "题干", "选项A", "选项B", "正确选项"], [1, "安全帽的作用是什么？"]])

    with pytest.raises(ImportFileError) as error:
        parse_excel(file)

    assert str(error.value) == "The header row (row 1) lacks the required columns: 题型、答案."


def test_it_refuses_a_sheet_without_a_header():
    file = xlsx([["序号", "问题", "正确选项"], [1, "安全帽的作用是什么？", "A"]])

    with pytest.raises(ImportFileError, match="No header row found"):
        parse_excel(file)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (
            b"<!DOCTYPE html><html><body><table><tr><td>\xe9\xa2\x98\xe5\x9e\x8b</td></tr>",
            "The file is not an Excel workbook (.xlsx). "
            "Open it in Excel or WPS and save it as .xlsx.",
        ),
        (b"PK\x03\x04 not really a zip", "The file is not an Excel workbook (.xlsx)."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "Excel 97–2003 workbook (.xls)"),
    ],
)
def test_it_refuses_a_file_that_is_not_an_xlsx_workbook(content, message):
    with pytest.raises(ImportFileError) as error:
        parse_excel(io.BytesIO(content))

    assert message in str(error.value)


def test_it_refuses_an_empty_workbook_and_one_with_a_header_only():
    with pytest.raises(ImportFileError, match="The workbook is empty."):
        parse_excel(xlsx([]))
    with pytest.raises(ImportFileError, match="header row but no questions"):
        parse_excel(xlsx([HEADER, [], []]))


def test_it_refuses_more_questions_than_the_limit():
    file = xlsx([HEADER] + [[*CONFINED_SPACE, "A"]] * 4)

    assert len(parse_excel(file, max_rows=4).questions) == 4
    file.seek(0)
    with pytest.raises(ImportFileError) as error:
        parse_excel(file, max_rows=3)
    assert (
        str(error.value) == "The file has more than 3 questions. Split it into files of at most 3."
    )


def test_it_refuses_a_file_over_the_size_limit_before_opening_it():
    with pytest.raises(ImportFileError) as error:
        parse_excel(io.BytesIO(b"x" * 2048), max_bytes=1024)

    assert str(error.value) == (
        "The file is larger than 1.0\xa0KB, the most that can be imported. "
        "Split it into smaller files."
    )


# Moodle XML


def test_it_reads_a_moodle_export_with_categories_pictures_and_entities():
    result = parse_moodle_xml(moodle_export_from_a_safety_course())

    pictures, warehouse, hot_work = result.questions
    assert html_to_text(pictures.stem) == "下图所示标志的危险化学品，不得与哪类物品混存？"
    assert '<img src="@@PLUGINFILE@@/oxidizer.png" alt="氧化剂标志">' in pictures.stem
    assert pictures.images == [("oxidizer.png", tiny_png())]
    assert pictures.options == ["易燃物和还原剂", "惰性气体", "灭火器材 & 消防沙"]
    assert (pictures.type, pictures.answer) == ("single", (0,))
    assert pictures.explanation == "氧化剂与易燃物、还原剂混存，可能引起燃烧或 爆炸。"
    assert pictures.tags == ["危化品", "储存", "氧化剂"]
    assert pictures.difficulty == 3
    assert pictures.location == "Question 1 “储存禁忌”"

    assert (warehouse.type, warehouse.answer) == ("multiple", (0, 1, 2))
    assert warehouse.tags == ["危化品", "储存"]

    assert (hot_work.type, hot_work.answer, hot_work.options) == ("true_false", TRUE, [])
    assert hot_work.stem == "动火作业前，应当清除动火点周围的易燃物品。"
    assert hot_work.tags == ["动火作业"]


def test_it_reports_moodle_questions_of_other_types_as_skipped_by_name():
    result = parse_moodle_xml(moodle_export_from_a_safety_course())

    assert result.errors == []
    assert [(issue.location, issue.message, issue.skipped) for issue in result.issues] == [
        (
            "Question 4 “报警电话”",
            "Skipped: short answer questions cannot be imported; "
            "only single choice, multiple choice and true/false can.",
            True,
        ),
        (
            "Question 5 “应急预案”",
            "Skipped: essay questions cannot be imported; "
            "only single choice, multiple choice and true/false can.",
            True,
        ),
    ]


def moodle_multichoice(name, single, *grades):
    answers = "".join(
        f'<answer fraction="{grade}" format="html"><text>措施{index}</text></answer>'
        for index, grade in enumerate(grades, start=1)
    )
    return f"""
  <question type="multichoice">
    <name><text>{name}</text></name>
    <questiontext format="html"><text>高处作业应当采取哪些措施？</text></questiontext>
    <single>{single}</single>
    {answers}
  </question>"""


def test_it_reports_moodle_questions_whose_grades_do_not_make_a_right_answer():
    file = moodle_quiz(
        moodle_multichoice("两个满分", "true", 100, 100, 0),
        moodle_multichoice("没有满分", "true", 50, 50, 0),
        moodle_multichoice("一个正确", "false", 100, -100, -100),
        moodle_multichoice("只有一项", "true", 100),
    )

    assert messages(parse_moodle_xml(file)) == [
        (
            "Question 1 “两个满分”",
            "2 answers are graded 100%, but a single-choice question has exactly one "
            "correct answer.",
        ),
        (
            "Question 2 “没有满分”",
            "No answer is graded 100%, so the question has no correct answer.",
        ),
        (
            "Question 3 “一个正确”",
            "Only one answer has a positive grade, but a multiple-choice question needs at "
            "least 2 correct answers. If the question has one right answer, make it a "
            "single-answer question.",
        ),
        ("Question 4 “只有一项”", "A choice question needs at least 2 answers; this one has 1."),
    ]


@pytest.mark.parametrize(
    ("path", "tags"),
    [
        ("$course$/top/危化品/储存", ["危化品", "储存"]),
        ("$course$/top/默认 危化品培训/危化品", ["危化品"]),
        ("$course$/Default for 安全培训/有限空间", ["有限空间"]),
        ("$system$/top/默认", []),
        ("$module$/top/电气//机械/默认", ["电气/机械", "默认"]),
        ("特种作业/电工作业", ["特种作业", "电工作业"]),
    ],
)
def test_it_turns_each_meaningful_category_level_into_a_tag(path, tags):
    assert category_tags(path) == tags


def test_it_refuses_xml_with_entity_declarations():
    billion_laughs = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>
<quiz><question type="truefalse">
<questiontext><text>&lol2;</text></questiontext>
</question></quiz>"""

    with pytest.raises(ImportFileError, match="DOCTYPE or entity declarations"):
        parse_moodle_xml(io.BytesIO(billion_laughs))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (
            "题型,题干,答案\n单选,有限空间作业前应当先进行什么？,A".encode(),
            "The file is not well-formed XML (error at line 1, column 1).",
        ),
        (
            b"<html><body>Moodle</body></html>",
            "The file is not a Moodle question export: its root element is <html>, not <quiz>.",
        ),
        (b"<quiz>\n</quiz>", "The file contains no questions."),
    ],
)
def test_it_refuses_a_file_that_is_not_a_moodle_export(content, message):
    with pytest.raises(ImportFileError) as error:
        parse_moodle_xml(io.BytesIO(content))

    assert str(error.value) == message


def test_it_refuses_a_moodle_file_over_the_size_limit():
    with pytest.raises(ImportFileError, match="larger than 1.0\xa0KB"):
        parse_moodle_xml(moodle_export_from_a_safety_course(), max_bytes=1024)


def test_it_keeps_questions_of_a_category_question_without_a_path_untagged():
    file = moodle_quiz(moodle_category("$course$/top"), moodle_multichoice("高处", "true", 100, 0))

    assert parse_moodle_xml(file).questions[0].tags == []


# GIFT


def test_it_reads_a_gift_file_with_comments_categories_and_escapes():
    result = parse_gift((FILES / "safety.gift.txt").open("rb"))

    confined, oxygen, warehouse, tank, hot_work = result.questions
    assert confined == ParsedQuestion(
        type="single",
        stem="有限空间作业前应当先进行什么？",
        options=["通风", "检测", "直接进入作业", "佩戴耳塞"],
        answer=(0,),
        explanation="遵循“先通风、再检测、后作业”的原则。",
        tags=["有限空间", "通风检测"],
        location="Question 1, line 6",
    )
    assert oxygen.stem == "依据 GB 8958，氧含量低于 19.5% 即为缺氧: 此时应当佩戴哪种呼吸防护用品？"
    assert oxygen.options == [
        "过滤式防毒面具 {带滤毒罐}",
        "隔绝式呼吸器 ~ 正压式空气呼吸器或长管呼吸器",
        "普通口罩 = 医用口罩",
        "防尘口罩 #KN95",
    ]
    assert oxygen.answer == (1,)
    assert oxygen.explanation == (
        "缺氧环境中过滤式防护无效（滤毒罐 \\ 滤棉均不能供氧）。\n作业前还应当持续通风。"
    )
    assert (warehouse.type, warehouse.answer, warehouse.tags) == (
        "multiple",
        (0, 1),
        ["危化品", "储存"],
    )
    assert warehouse.location == "Question 3, line 24"
    assert (tank.type, tank.answer, tank.explanation) == ("true_false", FALSE, "应当使用防爆灯具。")
    assert hot_work.stem == "<p>动火作业前应当<b>清除</b>动火点周围的易燃物品。</p>"
    assert hot_work.answer == TRUE


def test_it_reports_gift_questions_of_other_types_as_skipped():
    result = parse_gift((FILES / "safety.gift.txt").read_bytes())

    assert result.errors == []
    assert [issue.message.split(" questions")[0] for issue in result.issues] == [
        "Skipped: short answer",
        "Skipped: essay",
        "Skipped: numerical",
        "Skipped: matching",
        "Skipped: description",
    ]


def test_it_puts_a_blank_where_a_gift_question_had_its_answers_in_the_middle():
    result = parse_gift("进入受限空间前，氧含量应当在{=19.5%\\~23.5% ~15%\\~18%}之间。")

    assert result.issues == []
    assert result.questions[0].stem == "进入受限空间前，氧含量应当在（  ）之间。"


def test_it_reads_gift_with_a_byte_order_mark_and_windows_line_ends():
    text = "\ufeff$CATEGORY: 消防\r\n\r\n灭火器压力表指针在绿区表示压力正常。{TRUE}\r\n"

    result = parse_gift(io.BytesIO(text.encode()))

    assert [(question.answer, question.tags) for question in result.questions] == [(TRUE, ["消防"])]


def test_it_reports_gift_mistakes_with_their_line():
    text = "\n".join(
        [
            "// 多选题的正确答案要写成正分值",
            "高处作业应当系好什么？{~%100%安全带 ~安全绳 ~登山绳}",
            "",
            "安全帽应当佩戴端正，并系好{下颏带",
        ]
    )

    assert messages(parse_gift(text)) == [
        (
            "Question 1, line 2",
            "Only one answer has a positive grade, but a multiple-choice question needs at "
            "least 2 correct answers. If the question has one right answer, make it a "
            "single-answer question.",
        ),
        (
            "Question 2, line 4",
            "The answers must be between “{” and “}”; "
            "write a brace that is part of the text as \\{ or \\}.",
        ),
    ]


def test_it_refuses_gift_saved_in_gbk():
    gbk = "有限空间作业前应当先进行什么？{=通风 ~检测}".encode("gbk")

    with pytest.raises(ImportFileError, match="not UTF-8 text"):
        parse_gift(io.BytesIO(gbk))


def test_it_refuses_a_gift_file_with_only_comments():
    with pytest.raises(ImportFileError, match="The file contains no questions."):
        parse_gift("// 题库待补充\n// 请勿删除本行\n")
