"""
Demo courses for `seed_demo`: hazardous-chemicals safety for safety managers
and confined-space work, with lessons, and a demo learner half-way through.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.choices import Industry, TargetRole
from accounts.models import User
from cms.demo import child, paragraph, stream
from cms.demo_media import drill_video, leaflet_pdf, regulation_pdf
from cms.models import HomePage
from exams.demo_questions import BLUEPRINT
from exams.models import Exam, Paper
from training import services
from training.choices import EnrolmentSource
from training.models import CoursePage, Enrolment, LessonPage, LessonProgress, TrainingIndexPage


def check(stem, options, explanation, kind="single"):
    return (
        "check_question",
        {
            "question_type": kind,
            "stem": stem,
            "options": [{"text": text, "correct": correct} for text, correct in options],
            "true_false_answer": False,
            "explanation": explanation,
        },
    )


def true_false(stem, answer, explanation):
    return (
        "check_question",
        {
            "question_type": "true_false",
            "stem": stem,
            "options": [],
            "true_false_answer": answer,
            "explanation": explanation,
        },
    )


def video(document, caption, *, no_skipping=True):
    return (
        "lesson_video",
        {"video": document.pk, "caption": caption, "transcript": "", "no_skipping": no_skipping},
    )


def courseware(document, title):
    return ("courseware", {"document": document.pk, "title": title})


CHEMICALS_LESSONS = [
    (
        "laws",
        "第一课　危险化学品安全法规与主体责任",
        "《安全生产法》《危险化学品安全管理条例》对企业和安全管理人员的要求。",
        lambda media: stream(
            paragraph(
                "生产经营单位的主要负责人是本单位安全生产第一责任人，对本单位的安全生产工作全面负责。",
                "安全生产管理人员负责组织或者参与拟订安全生产规章制度、操作规程和生产安全事故应急救援预案，"
                "组织或者参与本单位安全生产教育和培训，如实记录培训情况。",
            ),
            courseware(media["regulation"], "安全生产法（摘录）"),
            check(
                "本单位安全生产第一责任人是谁？",
                [("主要负责人", True), ("安全生产管理人员", False), ("班组长", False)],
                "《安全生产法》规定，生产经营单位的主要负责人是本单位安全生产第一责任人。",
            ),
        ),
    ),
    (
        "storage",
        "第二课　储存与使用的安全要求",
        "专用仓库、分类分项存放、双人收发双人保管。",
        lambda media: stream(
            paragraph(
                "危险化学品应当储存在专用仓库、专用场地或者专用储存室内，并由专人负责管理；"
                "剧毒化学品以及储存数量构成重大危险源的其他危险化学品，应当在专用仓库内单独存放，"
                "并实行双人收发、双人保管制度。",
                "储存场所应设置明显的安全警示标志，通风、防爆、防静电等设施应定期检查维护。",
            ),
            video(media["video"], "应急疏散示意：发现泄漏后沿疏散通道撤离"),
            check(
                "剧毒化学品的收发和保管应实行哪些制度？（多选）",
                [("双人收发", True), ("双人保管", True), ("单人值守即可", False)],
                "剧毒化学品实行双人收发、双人保管制度。",
                kind="multiple",
            ),
        ),
    ),
    (
        "emergency",
        "第三课　泄漏与火灾的应急处置",
        "报警、疏散、隔离、个体防护和初期处置。",
        lambda media: stream(
            paragraph(
                "发生危险化学品泄漏时，应立即报警，按照应急预案疏散无关人员，设置警戒区，"
                "处置人员必须佩戴相应的个体防护装备，严禁盲目施救。",
            ),
            true_false(
                "发生有毒气体泄漏时，可以不佩戴防护装备先进入现场救人。",
                False,
                "盲目施救往往造成伤亡扩大，必须先做好个体防护。",
            ),
        ),
    ),
]

CONFINED_LESSONS = [
    (
        "hazards",
        "第一课　认识有限空间",
        "什么是有限空间，有哪些危险。",
        lambda media: stream(
            paragraph(
                "有限空间是指封闭或者部分封闭，进出口受限但人员可以进入，未被设计为固定工作场所，"
                "通风不良，易造成有毒有害、易燃易爆物质积聚或者氧含量不足的空间。",
            ),
            courseware(media["leaflet"], "有限空间作业安全须知"),
            check(
                "以下哪一项属于有限空间？",
                [("污水井", True), ("办公室", False), ("露天操场", False)],
                "污水井进出口受限、通风不良，是典型的有限空间。",
            ),
        ),
    ),
    (
        "procedure",
        "第二课　先通风、再检测、后作业",
        "作业审批、通风、检测、监护。",
        lambda media: stream(
            paragraph(
                "有限空间作业应当严格遵守“先通风、再检测、后作业”的原则，"
                "检测指标包括氧浓度、易燃易爆物质浓度和有毒有害气体浓度。作业时必须安排专人监护。",
            ),
            video(media["video"], "作业现场撤离路线示意"),
            true_false(
                "有限空间作业时，监护人员可以离开岗位去取工具。",
                False,
                "监护人员在作业全过程中不得离开作业现场。",
            ),
        ),
    ),
]


def _lessons(course, lessons, media):
    for slug, title, summary, body in lessons:
        child(course, LessonPage, slug, title=title, summary=summary, body=body(media))


@transaction.atomic
def seed_courses():
    home = HomePage.objects.filter(locale__language_code="zh-hans").first()
    media = {"video": drill_video(), "leaflet": leaflet_pdf(), "regulation": regulation_pdf()}
    index = child(
        home,
        TrainingIndexPage,
        "courses",
        title="培训课程",
        show_in_menus=True,
        summary="安全生产管理人员、特种作业人员和从业人员的在线学习课程。",
        intro="在线学习，累计学时。学完规定课程和学时后，即可报名参加考试。",
    )
    services.training_section_open_to_trainers(index)
    chemicals = child(
        index,
        CoursePage,
        "hazardous-chemicals-safety-managers",
        title="危险化学品企业安全生产管理人员培训",
        summary="面向危险化学品生产、经营、储存企业的安全生产管理人员：法规、储存、应急处置。",
        target_roles=["safety_manager", "principal"],
        industries=["hazardous_chemicals"],
        required_hours="2.0",
        body=stream(paragraph("本课程共三课，学完全部课程并累计 2 学时后可报名相应考试。")),
    )
    _lessons(chemicals, CHEMICALS_LESSONS, media)
    confined = child(
        index,
        CoursePage,
        "confined-space-work",
        title="有限空间作业安全培训",
        summary="面向有限空间作业人员和监护人员：识别危险，坚持“先通风、再检测、后作业”。",
        target_roles=["special_operations", "practitioner"],
        industries=["confined_spaces"],
        required_hours="1.0",
        must_finish_in_order=True,
        body=stream(paragraph("本课程须按顺序学习。")),
    )
    _lessons(confined, CONFINED_LESSONS, media)
    _demo_learner_half_way(chemicals)
    _exam_requiring(chemicals)
    return index


def _exam_requiring(course):
    """An exam that needs the chemicals course, so that eligibility can be seen."""
    exam, created = Exam.objects.get_or_create(
        title="危险化学品企业安全生产管理人员考试",
        defaults={
            "target_role": TargetRole.SAFETY_MANAGER,
            "industry": Industry.HAZARDOUS_CHEMICALS,
            "paper": Paper.objects.filter(name=BLUEPRINT["name"]).first(),
        },
    )
    if created:
        exam.required_courses.add(course)


def _demo_learner_half_way(course):
    """王建国 (the demo candidate) has finished lesson one and started lesson two."""
    learner = User.objects.filter(username="candidate").first()
    if learner is None or Enrolment.objects.filter(learner=learner, course=course).exists():
        return
    now = timezone.now()
    lessons = list(course.lessons())
    enrolment = Enrolment.objects.create(
        learner=learner,
        course=course,
        course_title=course.title,
        source=EnrolmentSource.SELF,
        enrolled_by=learner,
        seconds_credited=course.required_seconds / 2,
        last_studied_at=now - datetime.timedelta(days=1),
    )
    first, second = lessons[0], lessons[1]
    LessonProgress.objects.create(
        enrolment=enrolment,
        lesson=first,
        lesson_title=first.title,
        seconds_credited=course.required_seconds / 3,
        answers={
            block_id: {"choice": [0], "correct": True} for block_id in first.check_questions()
        },
        content_seen_at=now - datetime.timedelta(days=2),
        completed_at=now - datetime.timedelta(days=2),
    )
    LessonProgress.objects.create(
        enrolment=enrolment,
        lesson=second,
        lesson_title=second.title,
        seconds_credited=course.required_seconds / 6,
    )
