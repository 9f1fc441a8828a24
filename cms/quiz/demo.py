"""
The demo's 5·12 quiz (run by `seed_demo` after the question bank): a pool
from the demo bank, placed on the 5·12 campaign page, and a few hundred
simulated plays over the past days so the leaderboard and the results
charts show real shapes. It is open now, whatever the campaign's dates, so
that the demo can be played. Safe to run again.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from cms.models import CampaignPage
from cms.quiz.choices import PlayerDetails, PlayFlag, PlayStatus
from cms.quiz.models import Play, PlayAnswer, Quiz, QuizTheme, QuizTown
from cms.quiz.services import person_key_for_phone
from exams.models import QuestionBank
from exams.quiz_draw import draw_quiz_questions, quiz_pool

SLUG = "5-12"
TOWNS = ["城关街道", "河西街道", "新华街道", "龙泉镇", "柳河镇", "石桥镇", "青山乡"]
# How keen each town is: the share of the simulated players who live there.
TOWN_WEIGHTS = [26, 18, 15, 14, 11, 9, 7]
EMPLOYERS = [
    "区化工园区管委会",
    "宏达化工有限公司",
    "城关第一中学",
    "恒通冷链物流有限公司",
    "鑫源冶金有限公司",
    "区人民医院",
    "",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛"]
SIMULATED_PLAYS = 320
RULES = (
    "每次随机抽取 10 道题，每题限时 20 秒，答题后即可看到正确答案和解析。\n"
    "每人每天可答 2 次，排行榜按最好成绩计：先比分数，再比用时。\n"
    "得分 80 分及以上获“安全之星”称号，活动结束后在“安全之星”中公开抽奖。"
)


def seed_quiz():
    bank = QuestionBank.objects.filter(name="区安全生产培训考试题库").first()
    if bank is None or Quiz.objects.filter(slug=SLUG).exists():
        return Quiz.objects.filter(slug=SLUG).first()
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        quiz = Quiz.objects.create(
            title="“5·12”防灾减灾知识竞赛",
            slug=SLUG,
            rules=RULES,
            opens_at=now - datetime.timedelta(days=6),
            closes_at=now + datetime.timedelta(days=8),
            questions_per_play=10,
            seconds_per_question=20,
            plays_per_day=2,
            details=PlayerDetails.FULL,
            star_score=80,
        )
        quiz.banks.set([bank])
        quiz.save()  # a cluster's many-to-many is written on save
        for order, name in enumerate(TOWNS):
            QuizTown.objects.create(quiz=quiz, name=name, sort_order=order)
        QuizTheme.objects.create(
            quiz=quiz, date=today, theme="有限空间作业安全", tags="有限空间", sort_order=0
        )
        _simulate_plays(quiz, bank)
    _place_on_campaign_page(quiz)
    return quiz


def _simulate_plays(quiz, bank, rng=None):
    rng = rng or random.Random(512)  # noqa: S311 (demo data, reproducible)
    pool = quiz_pool(banks=[bank])
    now = timezone.now()
    people = [
        {
            "phone": f"139{rng.randrange(10**8):08d}",
            "real_name": rng.choice(SURNAMES) + rng.choice(GIVEN),
            "town": rng.choices(TOWNS, TOWN_WEIGHTS)[0],
            "employer": rng.choice(EMPLOYERS),
            "skill": rng.betavariate(5, 2),  # most people know most of it
        }
        for _ in range(SIMULATED_PLAYS * 2 // 3)
    ]
    for number in range(SIMULATED_PLAYS):
        person = people[number % len(people)]
        # More people each day as the campaign week goes on; none in the night.
        day = min(int(rng.triangular(0, 6.99, 6)), 6)
        started = (now - datetime.timedelta(days=6 - day)).replace(
            hour=rng.randint(8, 21), minute=rng.randrange(60)
        )
        if started >= now:
            started = now - datetime.timedelta(minutes=rng.randint(5, 300))
        questions = draw_quiz_questions(pool=pool, count=quiz.questions_per_play, rng=rng)
        bot = number % 97 == 13
        clock, answers, correct = started, [], 0
        for position, question in enumerate(questions):
            thinking = rng.uniform(0.4, 0.9) if bot else rng.uniform(3, 16)
            served = clock
            clock += datetime.timedelta(seconds=thinking)
            right = rng.random() < person["skill"] + 0.15 - question.difficulty * 0.05
            correct += right
            answers.append(
                PlayAnswer(
                    position=position,
                    question=question,
                    option_order=list(range(len(question.options))),
                    served_at=served,
                    answered_at=clock,
                    selected=question.answer if right else [],
                    is_correct=right,
                )
            )
            clock += datetime.timedelta(seconds=rng.uniform(1, 4))  # reading the explanation
        play = Play.objects.create(
            quiz=quiz,
            person_key=person_key_for_phone(person["phone"]),
            real_name=person["real_name"],
            phone=person["phone"],
            town=person["town"],
            employer=person["employer"],
            started_at=started,
            deadline=started + datetime.timedelta(seconds=20 * len(questions)),
            finished_at=clock,
            status=PlayStatus.FINISHED,
            correct=correct,
            score=round(100 * correct / len(questions)),
            duration_ms=int((answers[-1].answered_at - started).total_seconds() * 1000),
            flags=[{"flag": PlayFlag.FAST_ANSWER, "position": 0, "seconds": 0.5}] if bot else [],
        )
        for answer in answers:
            answer.play = play
        PlayAnswer.objects.bulk_create(answers)


def _place_on_campaign_page(quiz):
    """The 5·12 campaign page's quiz block now names this quiz."""
    page = CampaignPage.objects.filter(kind="5-12", locale__language_code="zh-hans").first()
    if page is None:
        return
    blocks = [(block.block_type, block.value) for block in page.body]
    value = {
        "quiz": quiz,
        "description": "每题限时作答，答完即可看到解析。每人每天可答 2 次。",
        "show_leaderboard": True,
    }
    kinds = [kind for kind, _value in blocks]
    if "campaign_quiz" in kinds:
        blocks[kinds.index("campaign_quiz")] = ("campaign_quiz", value)
    else:
        blocks.append(("campaign_quiz", value))
    page.body = blocks
    page.save_revision().publish()
