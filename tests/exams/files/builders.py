"""Question files made in code, the way real ones come to us."""

import base64
import io

from openpyxl import Workbook
from PIL import Image


def xlsx(rows, *, merged=(), sheet_title="题库"):
    """An .xlsx with these rows (lists of cell values) and merged ranges ("A1:N1")."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    for row in rows:
        sheet.append(row)
    for cell_range in merged:
        sheet.merge_cells(cell_range)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def tiny_png():
    """A real 2×2 PNG: a warning sign needs at least that much yellow."""
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), (255, 204, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


def moodle_quiz(*questions):
    """A Moodle XML export holding these <question> elements (as text)."""
    return io.BytesIO(
        (
            '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n'
            + "\n".join(questions)
            + "\n</quiz>\n"
        ).encode()
    )


def moodle_category(path):
    return f"""
  <question type="category">
    <category><text>{path}</text></category>
    <info format="moodle_auto_format"><text></text></info>
  </question>"""


def moodle_export_from_a_safety_course():
    """
    A Moodle 4 export as a training centre's site writes it: categories,
    CDATA, entities, an embedded picture, and types we do not import.
    """
    picture = base64.b64encode(tiny_png()).decode()
    return moodle_quiz(
        moodle_category("$course$/top/默认 危化品培训/危化品/储存"),
        f"""
  <question type="multichoice">
    <name><text>储存禁忌</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>下图所示标志的危险化学品，<strong>不得</strong>与哪类物品混存？</p>
<p><img src="@@PLUGINFILE@@/oxidizer.png" alt="氧化剂标志"></p>]]></text>
      <file name="oxidizer.png" path="/" encoding="base64">{picture}</file>
    </questiontext>
    <generalfeedback format="html">
      <text><![CDATA[<p>氧化剂与易燃物、还原剂混存，可能引起燃烧或&nbsp;爆炸。</p>]]></text>
    </generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <idnumber></idnumber>
    <single>true</single>
    <shuffleanswers>true</shuffleanswers>
    <answernumbering>ABCD</answernumbering>
    <answer fraction="100" format="html">
      <text><![CDATA[<p>易燃物和还原剂</p>]]></text>
      <feedback format="html"><text></text></feedback>
    </answer>
    <answer fraction="0" format="html">
      <text>&lt;p&gt;惰性气体&lt;/p&gt;</text>
      <feedback format="html"><text></text></feedback>
    </answer>
    <answer fraction="0" format="html">
      <text>灭火器材 &amp; 消防沙</text>
      <feedback format="html"><text>不对</text></feedback>
    </answer>
    <tags>
      <tag><text>氧化剂</text></tag>
    </tags>
  </question>""",
        """
  <question type="multichoice">
    <name><text>仓库要求</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>危险化学品专用仓库应当符合哪些要求？</p>]]></text>
    </questiontext>
    <generalfeedback format="html"><text></text></generalfeedback>
    <single>false</single>
    <answer fraction="33.33333" format="html"><text>设置明显的标志</text></answer>
    <answer fraction="33.33333" format="html"><text>由专人负责管理</text></answer>
    <answer fraction="33.33333" format="html"><text>储存设备和安全设施定期检测</text></answer>
    <answer fraction="-100" format="html"><text>与员工宿舍设在同一建筑物内</text></answer>
  </question>""",
        moodle_category("$course$/top/默认 危化品培训/动火作业"),
        """
  <question type="truefalse">
    <name><text>动火前清理</text></name>
    <questiontext format="moodle_auto_format">
      <text>动火作业前，应当清除动火点周围的易燃物品。</text>
    </questiontext>
    <generalfeedback format="moodle_auto_format"><text></text></generalfeedback>
    <answer fraction="100" format="moodle_auto_format">
      <text>true</text>
      <feedback format="html"><text></text></feedback>
    </answer>
    <answer fraction="0" format="moodle_auto_format">
      <text>false</text>
      <feedback format="html"><text></text></feedback>
    </answer>
  </question>""",
        """
  <question type="shortanswer">
    <name><text>报警电话</text></name>
    <questiontext format="html"><text>火警电话是多少？</text></questiontext>
    <answer fraction="100"><text>119</text></answer>
  </question>""",
        """
  <question type="essay">
    <name><text>应急预案</text></name>
    <questiontext format="html"><text>简述危化品泄漏的应急处置步骤。</text></questiontext>
  </question>""",
    )
