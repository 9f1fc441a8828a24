import io

import defusedxml.ElementTree
import openpyxl
import pytest
from django.utils import translation

from exams.exporters import excel_template, export_excel, export_gift, export_moodle_xml
from exams.importers import ParsedQuestion, parse_excel, parse_gift, parse_moodle_xml
from exams.importers.base import FALSE, TRUE, html_to_text
from tests.exams.files.builders import tiny_png

QUESTIONS = [
    ParsedQuestion(
        type="single",
        stem="有限空间作业前应当先进行什么？",
        options=["通风", "检测", "直接进入作业", "佩戴耳塞"],
        answer=(0,),
        explanation="遵循“先通风、再检测、后作业”的原则。",
        difficulty=2,
        tags=["有限空间", "通风检测"],
    ),
    ParsedQuestion(
        type="multiple",
        stem="危险化学品专用仓库应当符合哪些要求？<br>（至少选两项）",
        options=[
            "设置明显的标志",
            "与员工宿舍设在同一建筑物内",
            "由专人负责管理",
            "储存设备和安全设施定期检测",
        ],
        answer=(0, 2, 3),
        explanation="危险化学品仓库不得与员工宿舍设在同一建筑物内。\n仓库应当专人管理。",
        difficulty=4,
        tags=["危化品", "储存"],
    ),
    ParsedQuestion(
        type="true_false",
        stem="易燃液体储罐区可以使用明火照明。",
        options=[],
        answer=FALSE,
        explanation="储罐区严禁明火，应当使用防爆灯具。",
        difficulty=1,
        tags=["危化品", "储存"],
    ),
    ParsedQuestion(
        type="true_false",
        stem="动火作业前，应当清除动火点周围的易燃物品。",
        options=[],
        answer=TRUE,
        difficulty=3,
    ),
    # Every character GIFT, XML or Excel treats specially.
    ParsedQuestion(
        type="single",
        stem="氧含量 &lt; 19.5% 即为缺氧: 应当佩戴 {哪种} 呼吸器？ a=b ~ #1 \\ 备注",
        options=["=过滤式防毒面具", "隔绝式呼吸器 ~ 长管 {正压}", "口罩 #N95 & <普通>", "%50%无"],
        answer=(1,),
        explanation="依据 GB 8958: 缺氧\\富氧均需注意。",
        difficulty=5,
        tags=["个体防护", "呼吸防护"],
    ),
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def comparable(questions, *, difficulty=True):
    """What a user sees of each question; stems compared as text."""
    return [
        (
            question.type,
            html_to_text(question.stem),
            question.options,
            tuple(question.answer),
            question.explanation,
            question.difficulty if difficulty else 3,
            question.tags,
        )
        for question in questions
    ]


def test_it_reads_back_what_it_exports_to_excel():
    result = parse_excel(io.BytesIO(export_excel(QUESTIONS)))

    assert result.issues == []
    assert comparable(result.questions) == comparable(QUESTIONS)


def test_it_reads_back_what_it_exports_to_moodle_xml_without_the_difficulty():
    with_picture = ParsedQuestion(
        type="single",
        stem='<p>下图标志表示什么？</p><p><img src="@@PLUGINFILE@@/warning.png"></p>',
        options=["当心触电", "禁止烟火"],
        answer=(0,),
        images=[("warning.png", tiny_png())],
    )

    result = parse_moodle_xml(io.BytesIO(export_moodle_xml([*QUESTIONS, with_picture])))

    assert result.issues == []
    assert comparable(result.questions) == comparable([*QUESTIONS, with_picture], difficulty=False)
    assert result.questions[-1].stem == with_picture.stem
    assert result.questions[-1].images == [("warning.png", tiny_png())]


def test_it_reads_back_what_it_exports_to_gift_without_the_difficulty():
    result = parse_gift(export_gift(QUESTIONS))

    assert result.issues == []
    by_stem = {html_to_text(question.stem): question for question in result.questions}
    assert comparable(by_stem[html_to_text(question.stem)] for question in QUESTIONS) == (
        comparable(QUESTIONS, difficulty=False)
    )


def test_it_keeps_formatting_of_a_stem_in_gift():
    formatted = ParsedQuestion(
        type="true_false",
        stem="<p>动火作业前应当<b>清除</b>动火点周围的易燃物品。</p>",
        options=[],
        answer=TRUE,
    )

    [question] = parse_gift(export_gift([formatted])).questions

    assert question.stem == formatted.stem


def test_it_escapes_what_gift_would_otherwise_take_for_syntax():
    gift = export_gift(QUESTIONS[4:])

    assert (
        "氧含量 < 19.5% 即为缺氧\\: 应当佩戴 \\{哪种\\} 呼吸器？ a\\=b \\~ \\#1 \\\\ 备注{" in gift
    )
    assert "\t=隔绝式呼吸器 \\~ 长管 \\{正压\\}\n" in gift
    assert "\t~\\=过滤式防毒面具\n" in gift


def test_it_writes_gift_tags_as_the_category_of_the_questions_that_share_them():
    gift = export_gift(QUESTIONS)

    assert gift.count("$CATEGORY: 危化品/储存") == 1
    assert gift.index("动火作业前") < gift.index("$CATEGORY:")


def test_it_writes_excel_in_the_layout_of_the_import_template():
    sheet = openpyxl.load_workbook(io.BytesIO(export_excel(QUESTIONS))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]

    assert rows[0] == [
        "题型",
        "题干",
        *(f"选项{letter}" for letter in "ABCDEFGH"),
        "答案",
        "解析",
        "难度",
        "知识点",
    ]
    assert rows[2][:2] == ["多选", "危险化学品专用仓库应当符合哪些要求？\n（至少选两项）"]
    assert rows[2][10:] == [
        "ACD",
        "危险化学品仓库不得与员工宿舍设在同一建筑物内。\n仓库应当专人管理。",
        4,
        "危化品，储存",
    ]
    assert [row[10] for row in rows[3:5]] == ["错误", "正确"]
    # An option that begins with "=" stays text, not a formula Excel would run.
    assert (sheet["C6"].value, sheet["C6"].data_type) == ("=过滤式防毒面具", "s")


def test_it_grades_moodle_multiple_choice_so_ticking_every_option_scores_nothing():
    quiz = defusedxml.ElementTree.fromstring(export_moodle_xml(QUESTIONS[1:2]))

    grades = [answer.get("fraction") for answer in quiz.iter("answer")]

    assert grades == ["33.33333", "-100", "33.33333", "33.33333"]
    assert quiz.findtext("question/single") == "false"


def test_it_offers_a_template_with_one_example_of_each_type():
    template = excel_template()

    result = parse_excel(io.BytesIO(template))
    sheet = openpyxl.load_workbook(io.BytesIO(template)).active

    assert result.issues == []
    assert [question.type for question in result.questions] == [
        "single",
        "multiple",
        "true_false",
    ]
    assert [question.location for question in result.questions] == ["Row 2", "Row 3", "Row 4"]
    assert sheet.column_dimensions["B"].width == 50
    assert sheet.freeze_panes == "A2"
