"""
A year of simulated exam history for seed_demo, so that the bureau's
dashboard, item analysis, answer-similarity check and monthly report have
something to show: thousands of practitioners with valid ID numbers,
employers, industries and towns; closed sessions at the demo centres in each
of the last `months` calendar months (and the current month until
yesterday, and the fortnight before the first month, whose fails re-sit in
it); bookings, some not come (缺考); graded attempts with every answer;
re-sits (补考) of some fails; the learning hours (学时) before the first
sitting; a certificate for every pass, a few revoked;
proctoring incidents, reviewed or still open; and a few colluding pairs a
quarter. A small cohort of three years ago holds the certificates now due for
renewal review (复审).

Answers follow a simple item-response model, so that item analysis shows
real shapes: each candidate has an ability, each question a difficulty (from
its 1-5 rating) and a chance to guess right; a wrong answer picks the
question's distractors by their fixed pull. Three questions are broken on
purpose (see `BrokenQuestion`): one distractor nobody picks, one that the
strongest candidates get wrong (negative discrimination), one that almost
nobody gets right.

A colluding pair sits in adjacent seats of one row; the demo gives them the
same questions (in their own orders) and the copier takes the neighbour's
answer, right or wrong, nine times in ten, so the identical wrong answers the
similarity index counts are plenty.

Nothing goes through the one-at-a-time services (that would take minutes):
rows are written with bulk_create month by month (the answers with plain
multi-row INSERTs, see `_insert_many`), all in one transaction. Certificates
are numbered in the yearly series of `certificates.certificate_number`, many
numbers at a time; their PDFs are not rendered (thousands would take
minutes): the holder's download renders a missing PDF on demand.

Safe to run again: the history is there once its first candidate is (the
usernames start with `prefix`). The bench makes a larger one with its own
prefix and `attempts_target=100_000`.
"""

import calendar
import datetime
import enum
import math
import random
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from accounts import crypto, idcard
from accounts.choices import ROLE_GROUP_NAMES, Industry, Role, TargetRole
from accounts.models import User
from exams import services
from exams.certificates import add_years, certificate_number
from exams.choices import (
    AttemptStatus,
    BookingSource,
    BookingStatus,
    QuestionStatus,
    QuestionType,
    SessionStatus,
)
from exams.demo_questions import BLUEPRINT
from exams.models import (
    Attempt,
    AttemptQuestion,
    Booking,
    Certificate,
    CertificateAction,
    CertificateCounter,
    CertificateEvent,
    CertificateSettings,
    CertificateStatus,
    Exam,
    ExamSession,
    NumberFormat,
    Paper,
    Question,
    Room,
    TestCentre,
)

PREFIX = "hist"
BATCH = 5000

# The exams sat in the history, one per key industry; the confined-space
# exam is demo_centres' own. All use the demo blueprint paper. Weights: how
# many of the candidates each industry sends.
EXAMS = [
    ("有限空间作业安全考试", Industry.CONFINED_SPACES, 24),
    ("危险化学品从业人员安全考试", Industry.HAZARDOUS_CHEMICALS, 30),
    ("粉尘涉爆企业从业人员安全考试", Industry.COMBUSTIBLE_DUST, 16),
    ("涉氨制冷企业从业人员安全考试", Industry.AMMONIA_REFRIGERATION, 14),
    ("冶金有色企业从业人员安全考试", Industry.METALLURGY, 16),
]
ABILITY_MEAN = 0.15
# How well each industry's practitioners are prepared, on the ability scale.
INDUSTRY_ABILITY = {
    Industry.CONFINED_SPACES: 0.0,
    Industry.HAZARDOUS_CHEMICALS: 0.25,
    Industry.COMBUSTIBLE_DUST: -0.35,
    Industry.AMMONIA_REFRIGERATION: 0.1,
    Industry.METALLURGY: -0.15,
}
EMPLOYERS = {
    Industry.CONFINED_SPACES: [
        "杭州城西排水有限公司",
        "西湖区市政设施养护中心",
        "杭州绿源污水处理有限公司",
        "杭州通达管网工程有限公司",
        "西溪湿地物业管理有限公司",
    ],
    Industry.HAZARDOUS_CHEMICALS: [
        "杭州恒泰化工有限公司",
        "浙江华昌危险品储运有限公司",
        "杭州蓝天涂料有限公司",
        "杭州新安精细化工有限公司",
        "杭州石化加油站管理有限公司",
        "浙江瑞丰气体有限公司",
    ],
    Industry.COMBUSTIBLE_DUST: [
        "杭州木艺家具制造有限公司",
        "杭州金铝抛光有限公司",
        "杭州丰谷面粉有限公司",
        "杭州森达板材有限公司",
    ],
    Industry.AMMONIA_REFRIGERATION: [
        "西溪冷链物流有限公司",
        "杭州鲜达冷冻食品有限公司",
        "杭州北港冷库有限公司",
    ],
    Industry.METALLURGY: [
        "杭州钢联铸造有限公司",
        "浙江鑫源有色金属有限公司",
        "杭州精工锻造有限公司",
        "杭州华东铝业有限公司",
    ],
}
TOWNS = [
    ("蒋村街道", 14),
    ("留下街道", 12),
    ("北山街道", 6),
    ("文新街道", 10),
    ("翠苑街道", 9),
    ("古荡街道", 8),
    ("灵隐街道", 5),
    ("西溪街道", 7),
    ("转塘街道", 11),
    ("三墩镇", 13),
    ("双浦镇", 9),
]
# The first six digits of the ID numbers: districts of Hangzhou and nearby.
REGIONS = ["330106", "330110", "330105", "330102", "330108", "330122", "330183", "330782"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文"  # noqa: E501
GIVEN_MEN = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳建国志文"
GIVEN_WOMEN = "芳娜敏静丽艳娟霞燕玲桂秀英华慧巧美娅倩婷雪琳晶颖洁琴云莉萍红梅兰凤"

# A third test centre, so that the by-centre figures compare three.
HISTORY_CENTRE = (
    "GS01",
    "拱墅区安全生产考点",
    "杭州市拱墅区湖墅南路 188 号 5 楼",
    "0571-88120003",
    [("第一考场", 36, 6)],
)
SESSION_TIMES = (datetime.time(9, 0), datetime.time(14, 0))
WEEKDAYS_A_MONTH = 21
NO_SHOW_SHARE = 0.06
RESIT_SHARE = 0.65  # of the fails, who come back for the re-sit
RESIT_AFTER_DAYS = 7
SKIP_SHARE = 0.01  # answers left blank
COLLUDING_PAIRS_PER_QUARTER = 2
COPY_SHARE = 0.9
REVOKED_SHARE = 0.006  # of the certificates, besides those of confirmed cheats
RENEWAL_COHORT = 40  # passes of three years ago, now due for renewal review
# Guessing floors of the three question types.
GUESS = {QuestionType.SINGLE: 0.2, QuestionType.MULTIPLE: 0.05, QuestionType.TRUE_FALSE: 0.4}

INCIDENT_SHARE = 0.09  # of the attempts, with at least one incident
INCIDENT_KINDS = [
    # kind, weight, share confirmed, reason
    ("tab_hidden", 30, 0.3, "考试页面被切换到后台"),
    ("window_blur", 22, 0.1, "切换到其他窗口"),
    ("fullscreen_exit", 16, 0.15, "退出全屏"),
    ("no_face", 14, 0.2, "画面中没有人脸"),
    ("several_faces", 6, 0.45, "画面中出现多张人脸"),
    ("copy_paste", 4, 0.5, "尝试复制或粘贴"),
    ("not_same_person", 2, 0.5, "与签到照片不是同一人"),
    ("irregularity", 6, 0.6, "监考员记录：交头接耳"),
]


class BrokenQuestion(enum.Enum):
    """What is wrong with each of the deliberately broken questions."""

    UNCHOSEN_DISTRACTOR = "unchosen_distractor"
    NEGATIVE_DISCRIMINATION = "negative_discrimination"
    TOO_HARD = "too_hard"


@dataclass
class Candidate:
    user_id: int
    industry: str
    ability: float
    sat: int = 0


@dataclass
class ItemModel:
    """How candidates answer one question."""

    question: Question
    key: list
    difficulty: float
    discrimination: float
    guess: float
    distractor_pull: list  # weights of the wrong options (single choice)
    broken: BrokenQuestion | None = None


@dataclass
class History:
    """What one run made, for seed_demo's message and the bench."""

    candidates: int = 0
    sessions: int = 0
    bookings: int = 0
    attempts: int = 0
    certificates: int = 0
    incidents: int = 0
    colluding_pairs: list = field(default_factory=list)  # (session pk, seat, seat to its right)
    broken_questions: dict = field(default_factory=dict)  # BrokenQuestion → question pk


def seed_history(*, months=12, attempts_target=None, seed=2026, prefix=PREFIX, today=None):
    """
    Make the history if there is none with `prefix` yet; return a `History`,
    or None when there was one (or the demo paper is missing). About
    `attempts_target` attempts (settings.DEMO_HISTORY_ATTEMPTS by default;
    0 makes none) are spread evenly over the months.
    """
    if attempts_target is None:
        attempts_target = settings.DEMO_HISTORY_ATTEMPTS
    if attempts_target <= 0 or User.objects.filter(username__startswith=prefix).exists():
        return None
    paper = Paper.objects.filter(name=BLUEPRINT["name"]).first()
    if paper is None or not paper.rules.exists():
        return None
    maker = _HistoryMaker(
        paper=paper,
        months=months,
        attempts_target=attempts_target,
        rng=random.Random(seed),  # noqa: S311 - demo data, reproducible
        prefix=prefix,
        today=today or timezone.localdate(),
    )
    return maker.run()


def month_starts(today, months):
    """The first days of the `months` calendar months before `today`'s, oldest first."""
    first = today.replace(day=1)
    starts = []
    for _ in range(months):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
        starts.append(first)
    return starts[::-1]


class _HistoryMaker:
    def __init__(self, *, paper, months, attempts_target, rng, prefix, today):
        self.paper = paper
        self.months = months
        self.attempts_target = attempts_target
        self.rng = rng
        self.prefix = prefix
        self.today = today
        self.result = History()
        self.user_numbers = iter(range(1, 10**7))
        # Numbers are drawn at random: never one that a person has already.
        self.id_digests = set(
            User.objects.exclude(id_number_digest=None).values_list("id_number_digest", flat=True)
        )
        self.resit_queue = defaultdict(list)  # exam pk → [(may_resit_from, Candidate)]
        self.config = CertificateSettings.load()

    # -- setting the stage --------------------------------------------------

    @transaction.atomic
    def run(self):
        # One transaction: a run stopped half-way leaves nothing, so the next one starts afresh.
        self.exams = self._exams()
        self.proctor = User.objects.filter(username="proctor").first()
        self.bureau = User.objects.filter(username="bureau_admin").first()
        self.candidate_group = Group.objects.get(name=ROLE_GROUP_NAMES[Role.CANDIDATE]).pk
        self.items = self._item_models()
        self.courses = self._courses()
        months = month_starts(self.today, self.months)
        spans = [(start, _month_end(start)) for start in months]
        # The current month until yesterday too, so that "this month" is not empty.
        if self.today.day > 1:
            spans.append((self.today.replace(day=1), self.today - datetime.timedelta(days=1)))
        days = sum((end - start).days + 1 for start, end in spans)
        # Seats booked a day: the no-shows' seats too, so that about the target sit.
        per_day = self.attempts_target / (1 - NO_SHOW_SHARE) / max(days, 1)
        self.rooms = self._rooms(per_day)
        self._renewal_cohort()
        # The last fortnight before the first month: its fails are the first month's re-sits.
        self._month(
            months[0] - datetime.timedelta(days=14),
            months[0] - datetime.timedelta(days=1),
            round(per_day * 14),
            0,
        )
        quarters_with_pairs = set()
        for start, end in spans:
            quarter = (start.year, (start.month - 1) // 3)
            pairs = 0
            if quarter not in quarters_with_pairs:
                quarters_with_pairs.add(quarter)
                pairs = COLLUDING_PAIRS_PER_QUARTER
            self._month(start, end, round(per_day * ((end - start).days + 1)), pairs)
        return self.result

    def _exams(self):
        paper = self.paper
        exams = []
        for title, industry, weight in EXAMS:
            exam, _ = Exam.objects.get_or_create(
                title=title,
                defaults={
                    "target_role": TargetRole.PRACTITIONER,
                    "industry": industry,
                    "paper": paper,
                },
            )
            if exam.paper_id is None:
                continue
            exams.append((exam, industry, weight))
        return exams

    def _rooms(self, per_day):
        """
        The demo centres' rooms, and the history centre's: more of them when
        the history is large (the bench's 100,000 attempts need a dozen rooms
        sitting twice a weekday).
        """
        code, name, address, phone, rooms = HISTORY_CENTRE
        centre, _ = TestCentre.objects.get_or_create(
            code=code, defaults={"name": name, "address": address, "phone": phone}
        )
        _, seats, per_row = rooms[0]
        existing = Room.objects.all()
        # Sittings a room can hold in a month, at about three quarters full, with room to spare.
        per_room = WEEKDAYS_A_MONTH * len(SESSION_TIMES) * seats * 0.75 / 1.5
        wanted = max(
            len(rooms),
            math.ceil(per_day * 30.5 / per_room) - existing.exclude(centre=centre).count(),
        )
        for number in range(1, wanted + 1):
            Room.objects.get_or_create(
                centre=centre,
                name=rooms[number - 1][0] if number <= len(rooms) else f"第{number}考场",
                defaults={"seat_count": seats, "seats_per_row": per_row},
            )
        return list(Room.objects.select_related("centre").order_by("centre__code", "name"))

    def _item_models(self):
        """Each question's parameters, and which three are broken on purpose."""
        rng = self.rng
        questions = list(
            Question.objects.filter(
                bank__in=self.paper.banks.all(), is_current=True, status=QuestionStatus.ACTIVE
            ).order_by("pk")
        )
        items = {}
        for question in questions:
            choices = 2 if question.type == QuestionType.TRUE_FALSE else len(question.options)
            items[question.pk] = ItemModel(
                question=question,
                key=sorted(question.answer),
                # Rated 1 (easy) to 5 (hard); the whole scale sits below the
                # candidates' abilities, as a pass mark of 80 wants.
                difficulty=(question.difficulty - 3) * 0.55 - 1.1 + rng.gauss(0, 0.35),
                discrimination=rng.uniform(0.7, 1.8),
                guess=GUESS[question.type],
                distractor_pull=[
                    0 if index in question.answer else rng.uniform(0.15, 1.0)
                    for index in range(choices)
                ],
            )
        singles = [item for item in items.values() if item.question.type == QuestionType.SINGLE]
        four_options = [item for item in singles if len(item.question.options) >= 4]
        if len(four_options) >= 3:
            unchosen, negative, too_hard = (
                four_options[1],
                four_options[4 % len(four_options)],
                four_options[-1],
            )
            # A distractor so implausible that nobody picks it.
            unchosen.broken = BrokenQuestion.UNCHOSEN_DISTRACTOR
            wrong = [i for i, pull in enumerate(unchosen.distractor_pull) if pull]
            unchosen.distractor_pull[wrong[-1]] = 0
            # A key that is arguably wrong: the candidates who know most pick
            # the one distractor that experts would call right.
            negative.broken = BrokenQuestion.NEGATIVE_DISCRIMINATION
            too_hard.broken = BrokenQuestion.TOO_HARD
        self.result.broken_questions = {
            item.broken: item.question.pk for item in items.values() if item.broken
        }
        return items

    # -- people --------------------------------------------------------------

    def _new_candidates(self, industry, count):
        """`count` new practitioners of `industry`, saved."""
        rng = self.rng
        towns, town_weights = zip(*TOWNS, strict=True)
        people = []
        for _ in range(count):
            number = next(self.user_numbers)
            man = rng.random() < 0.72  # the key industries' workforce is mostly men
            given = GIVEN_MEN if man else GIVEN_WOMEN
            real_name = rng.choice(SURNAMES) + "".join(
                rng.choice(given) for _ in range(rng.choice((1, 2, 2)))
            )
            id_number, digest = self._id_number(man)
            people.append(
                User(
                    username=f"{self.prefix}{number:06d}",
                    real_name=real_name,
                    phone=f"1{rng.choice('35789')}{rng.randrange(10**9):09d}",
                    id_number=id_number,
                    id_number_digest=digest,
                    employer=rng.choice(EMPLOYERS[industry]),
                    industry=industry,
                    town=rng.choices(towns, town_weights)[0],
                    # No usable password: the simulated people are there to
                    # be counted, not to sign in as.
                    password="!" + secrets.token_urlsafe(30),
                )
            )
        users = User.objects.bulk_create(people, batch_size=BATCH)
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=user.pk, group_id=self.candidate_group) for user in users],
            batch_size=BATCH,
        )
        self.result.candidates += len(users)
        return [
            Candidate(
                user_id=user.pk,
                industry=industry,
                ability=rng.gauss(ABILITY_MEAN + INDUSTRY_ABILITY[industry], 0.85),
            )
            for user in users
        ]

    def _learning_records(self, candidates, *, before):
        """
        Each newcomer studied a course of their industry (or a general one)
        in the weeks before their sitting, and earned its hours and a bit more.
        """
        from training.choices import EnrolmentSource
        from training.models import Enrolment

        if not self.courses or not candidates:
            return
        rng = self.rng
        minutes_per_hour = settings.TRAINING_MINUTES_PER_HOUR
        enrolments = []
        for candidate in candidates:
            course = self.courses.get(candidate.industry) or self.courses[""]
            studied = before - datetime.timedelta(days=rng.randint(2, 20), hours=rng.randint(1, 9))
            enrolments.append(
                Enrolment(
                    learner_id=candidate.user_id,
                    course=course,
                    course_title=course.title,
                    source=EnrolmentSource.SELF,
                    seconds_credited=float(course.required_hours)
                    * minutes_per_hour
                    * 60
                    * rng.uniform(1.0, 1.3),
                    last_studied_at=studied,
                    completed_at=studied,
                )
            )
        made = Enrolment.objects.bulk_create(enrolments, batch_size=BATCH)
        Enrolment.objects.filter(pk__in=[e.pk for e in made]).update(
            enrolled_at=F("last_studied_at") - datetime.timedelta(days=30)
        )

    def _courses(self):
        """The live courses by the industry they are for ("" for a general one, or any)."""
        from training.models import CoursePage

        courses = {}
        for course in CoursePage.objects.live().order_by("pk"):
            for industry in course.industries or [""]:
                courses.setdefault(industry, course)
        if courses and "" not in courses:
            courses[""] = next(iter(courses.values()))
        return courses

    def _id_number(self, man):
        """A valid, unused ID number: region, a birth date 20 to 58 years ago, sequence, check."""
        rng = self.rng
        while True:
            born = self.today - datetime.timedelta(days=rng.randint(20 * 365, 58 * 365))
            # Sequences from 500 up never meet the demo people's (which are below 100);
            # the last digit is odd for a man, even for a woman.
            sequence = rng.randrange(250, 500) * 2 + (1 if man else 0)
            first17 = f"{rng.choice(REGIONS)}{born:%Y%m%d}{sequence:03d}"
            number = idcard.validate_id_number(first17 + idcard.check_character(first17))
            digest = crypto.digest(number)
            if digest not in self.id_digests:
                self.id_digests.add(digest)
                return number, digest

    # -- one month -----------------------------------------------------------

    def _month(self, start, end, attempts_wanted, colluding_pairs):
        rng = self.rng
        days = [
            start + datetime.timedelta(days=n)
            for n in range((end - start).days + 1)
            if (start + datetime.timedelta(days=n)).weekday() < 5
        ]
        if not days:
            return
        # Every free room at every sitting time of the month's weekdays, in random order.
        slots = [(room, day, time) for room in self.rooms for day in days for time in SESSION_TIMES]
        rng.shuffle(slots)
        sessions, seats_left = [], attempts_wanted
        for room, day, time in slots:
            if seats_left <= 0:
                break
            exam, _, _ = rng.choices(self.exams, [weight for _, _, weight in self.exams])[0]
            starts_at = timezone.make_aware(datetime.datetime.combine(day, time))
            # Rooms fill to 60-95 %, the centre's usual.
            booked = max(4, round(room.seat_count * rng.uniform(0.6, 0.95)))
            sessions.append((exam, room, starts_at, booked))
            seats_left -= booked
        sessions.sort(key=lambda planned: planned[2])
        self._sessions(sessions, colluding_pairs)

    def _sessions(self, planned, colluding_pairs, resits=True):
        rng = self.rng
        session_rows = ExamSession.objects.bulk_create(
            [
                ExamSession(
                    exam=exam,
                    centre=room.centre,
                    room=room,
                    starts_at=starts_at,
                    capacity=room.seat_count,
                    booking_opens_at=starts_at - datetime.timedelta(days=21),
                    booking_closes_at=starts_at - datetime.timedelta(days=1),
                    status=SessionStatus.CLOSED,
                    proctor=self.proctor,
                )
                for exam, room, starts_at, _ in planned
            ]
        )
        self.result.sessions += len(session_rows)
        # Who sits where: re-sitters whose wait is over first, then newcomers.
        seating = []
        newcomers_wanted = []
        for session, (exam, _room, starts_at, booked) in zip(session_rows, planned, strict=True):
            waiting = self.resit_queue[exam.pk]
            due = [entry for entry in waiting if entry[0] <= starts_at][: booked // 3]
            for entry in due:
                waiting.remove(entry)
            seated = [candidate for _, candidate in due]
            newcomers_wanted.append(booked - len(seated))
            seating.append((session, exam, seated))
        industry_of = {exam.pk: industry for exam, industry, _ in self.exams}
        for (session, exam, seated), wanted in zip(seating, newcomers_wanted, strict=True):
            newcomers = self._new_candidates(industry_of[exam.pk], wanted)
            self._learning_records(newcomers, before=session.starts_at)
            seated.extend(newcomers)
        bookings = []
        for session, _exam, seated in seating:
            for seat, candidate in enumerate(seated, start=1):
                came = rng.random() >= NO_SHOW_SHARE
                bookings.append(
                    Booking(
                        session=session,
                        candidate_id=candidate.user_id,
                        seat=seat,
                        ticket_number=str(rng.randrange(10**9, 10**10)),
                        status=BookingStatus.CHECKED_IN if came else BookingStatus.NO_SHOW,
                        source=rng.choice((BookingSource.CENTRE, BookingSource.CANDIDATE)),
                        checked_in_at=(
                            session.starts_at - datetime.timedelta(minutes=rng.randint(5, 40))
                            if came
                            else None
                        ),
                    )
                )
        bookings = self._bulk_unique_tickets(bookings)
        self.result.bookings += len(bookings)
        candidate_of = {
            (session.pk, candidate.user_id): candidate
            for session, _exam, seated in seating
            for candidate in seated
        }
        sitting = [b for b in bookings if b.status == BookingStatus.CHECKED_IN]
        self._attempts(sitting, candidate_of, colluding_pairs, resits=resits)
        Booking.objects.filter(pk__in=[b.pk for b in bookings]).update(
            created_at=Subquery(
                ExamSession.objects.filter(pk=OuterRef("session_id")).values("booking_opens_at")[:1]
            )
        )

    def _bulk_unique_tickets(self, bookings):
        """Ten-digit ticket numbers are random: draw again the rare one already taken."""
        numbers = [booking.ticket_number for booking in bookings]
        taken = set(
            Booking.objects.filter(ticket_number__in=numbers).values_list(
                "ticket_number", flat=True
            )
        )
        seen = set()
        for booking in bookings:
            while booking.ticket_number in taken or booking.ticket_number in seen:
                booking.ticket_number = str(self.rng.randrange(10**9, 10**10))
            seen.add(booking.ticket_number)
        return Booking.objects.bulk_create(bookings, batch_size=BATCH)

    # -- attempts and answers ------------------------------------------------

    def _attempts(self, sitting, candidate_of, colluding_pairs, resits):
        rng = self.rng
        if not sitting:
            return
        draws = services.draw_papers(paper=self.paper, count=len(sitting), rng=rng)
        copier_of = self._colluders(sitting, colluding_pairs, draws, candidate_of)
        attempts, answers_of, answers_by_booking = [], [], {}
        for booking, draw in zip(sitting, draws, strict=True):
            candidate = candidate_of[(booking.session_id, booking.candidate_id)]
            # A copier sits to the right of their source, so the source has answered already.
            source = copier_of.get(booking.pk)
            answers = self._answer(candidate, draw, copying=answers_by_booking.get(source))
            answers_of.append(answers)
            answers_by_booking[booking.pk] = answers
            score = sum((earned for _, _, earned in answers), Decimal("0"))
            max_score = sum((drawn.points for drawn, _, _ in answers), Decimal("0"))
            started = booking.session.starts_at + datetime.timedelta(minutes=rng.randint(1, 6))
            submitted = started + datetime.timedelta(minutes=rng.randint(35, 115))
            attempts.append(
                Attempt(
                    booking=booking,
                    candidate_id=booking.candidate_id,
                    exam=booking.session.exam,
                    paper=self.paper,
                    status=AttemptStatus.GRADED,
                    started_at=started,
                    deadline=started + datetime.timedelta(minutes=self.paper.duration_minutes),
                    sequence=len(answers),
                    submitted_at=submitted,
                    graded_at=submitted + datetime.timedelta(seconds=rng.randint(1, 5)),
                    score=score,
                    max_score=max_score,
                    passed=score >= self.paper.pass_mark,
                )
            )
            candidate.sat += 1
        attempts = Attempt.objects.bulk_create(attempts, batch_size=BATCH)
        self.result.attempts += len(attempts)
        _insert_many(
            AttemptQuestion,
            [
                "attempt",
                "position",
                "question",
                "points",
                "option_order",
                "selected",
                "flagged",
                "saved_sequence",
                "saved_at",
                "earned",
                "graded_with",
            ],
            (
                (
                    attempt.pk,
                    position,
                    drawn.question.pk,
                    drawn.points,
                    list(drawn.option_order),
                    selected,
                    False,
                    position if selected else 0,
                    attempt.started_at + datetime.timedelta(seconds=50 * position)
                    if selected
                    else None,
                    earned,
                    drawn.question.pk,
                )
                for attempt, answers in zip(attempts, answers_of, strict=True)
                for position, (drawn, selected, earned) in enumerate(answers, start=1)
            ),
        )
        Attempt.objects.filter(pk__in=[a.pk for a in attempts]).update(
            prepared_at=Subquery(
                Booking.objects.filter(pk=OuterRef("booking_id")).values("checked_in_at")[:1]
            )
        )
        for attempt in attempts:
            if resits and attempt.passed is False:
                candidate = candidate_of[(attempt.booking.session_id, attempt.candidate_id)]
                if candidate.sat < 2 and rng.random() < RESIT_SHARE:
                    candidate.ability += 0.45  # they studied again
                    self.resit_queue[attempt.exam_id].append(
                        (attempt.graded_at + datetime.timedelta(days=RESIT_AFTER_DAYS), candidate)
                    )
        serious_confirmed = self._incidents(attempts)
        self._certificates(attempts, serious_confirmed)

    def _colluders(self, sitting, pairs, draws, candidate_of):
        """
        Plant `pairs` colluding pairs in adjacent seats of one row: the copier
        (the right-hand seat) gets the same questions as the neighbour, in
        their own order. The neighbour copied from is a weak candidate: only
        identical wrong answers are evidence, and a strong one makes too few
        to tell copying from chance (exams/similarity.py). Returns copier
        booking pk → source booking pk.
        """
        rng = self.rng
        index_of = {(b.session_id, b.seat): n for n, b in enumerate(sitting)}
        candidates = [
            (n, index_of[(b.session_id, b.seat + 1)])
            for n, b in enumerate(sitting)
            if (b.session_id, b.seat + 1) in index_of
            and b.seat % b.session.room.seats_per_row != 0  # not the row's last seat
        ]
        candidates.sort(
            key=lambda pair: (
                candidate_of[(sitting[pair[0]].session_id, sitting[pair[0]].candidate_id)].ability
            )
        )
        copier_of, used_sessions = {}, set()
        for source, copier in candidates:
            if len(copier_of) >= pairs:
                break
            if sitting[source].session_id in used_sessions:
                continue
            used_sessions.add(sitting[source].session_id)
            shuffled = list(draws[source])
            rng.shuffle(shuffled)
            draws[copier] = [
                services.DrawnQuestion(
                    question=drawn.question,
                    points=drawn.points,
                    option_order=tuple(
                        rng.sample(drawn.option_order, len(drawn.option_order))
                        if drawn.question.type != QuestionType.TRUE_FALSE
                        else drawn.option_order
                    ),
                )
                for drawn in shuffled
            ]
            copier_of[sitting[copier].pk] = sitting[source].pk
            self.result.colluding_pairs.append(
                (sitting[source].session_id, sitting[source].seat, sitting[copier].seat)
            )
        return copier_of

    def _answer(self, candidate, draw, *, copying=None):
        """[(drawn, selected, earned)] for one candidate's paper; `copying`: the neighbour's."""
        rng = self.rng
        copied = {}
        if copying is not None:
            copied = {drawn.question.pk: selected for drawn, selected, _ in copying}
        answers = []
        for drawn in draw:
            item = self.items.get(drawn.question.pk)
            if drawn.question.pk in copied and rng.random() < COPY_SHARE:
                selected = copied[drawn.question.pk]
            elif item is None or rng.random() < SKIP_SHARE:
                selected = []
            elif rng.random() < self._p_correct(item, candidate.ability):
                selected = list(item.key)
            else:
                selected = self._wrong(item, candidate.ability)
            earned = services.score_answer(
                question=drawn.question,
                selected=selected,
                points=drawn.points,
                policy=self.paper.multiple_choice_scoring,
            )
            answers.append((drawn, selected, earned))
        return answers

    def _p_correct(self, item, ability):
        if item.broken is BrokenQuestion.TOO_HARD:
            return 0.08 + 0.06 * _logistic(ability - 1)
        if item.broken is BrokenQuestion.NEGATIVE_DISCRIMINATION:
            return 0.85 - 0.55 * _logistic(2.0 * (ability - 1.0))
        return item.guess + (1 - item.guess) * _logistic(
            1.7 * item.discrimination * (ability - item.difficulty)
        )

    def _wrong(self, item, ability):
        rng = self.rng
        question = item.question
        if question.type == QuestionType.TRUE_FALSE:
            return [1 - item.key[0]]
        wrong = [index for index, pull in enumerate(item.distractor_pull) if pull]
        if question.type == QuestionType.SINGLE:
            if item.broken is BrokenQuestion.NEGATIVE_DISCRIMINATION:
                return [wrong[0]]  # the "expert" answer
            return [rng.choices(wrong, [item.distractor_pull[i] for i in wrong])[0]]
        # Multiple choice: one key option missed, or one distractor added.
        if len(item.key) > 1 and (not wrong or rng.random() < 0.6):
            missed = rng.choice(item.key)
            return [index for index in item.key if index != missed]
        if wrong:
            return sorted(
                [*item.key, rng.choices(wrong, [item.distractor_pull[i] for i in wrong])[0]]
            )
        return []

    # -- proctoring and certificates -----------------------------------------

    def _incidents(self, attempts):
        """Incidents on some attempts; returns the attempts with a confirmed serious one."""
        # Proctoring builds on exams; only the demo reaches across the other way.
        from proctoring.choices import SEVERITY, Decision, Severity
        from proctoring.models import Incident

        rng = self.rng
        kinds = [kind for kind, _, _, _ in INCIDENT_KINDS]
        weights = [weight for _, weight, _, _ in INCIDENT_KINDS]
        details = {kind: (confirmed, reason) for kind, _, confirmed, reason in INCIDENT_KINDS}
        incidents, serious_confirmed = [], set()
        for attempt in attempts:
            if rng.random() >= INCIDENT_SHARE:
                continue
            for kind in sorted(set(rng.choices(kinds, weights, k=rng.choice((1, 1, 1, 2, 3))))):
                severity = SEVERITY[kind]
                confirmed_share, reason = details[kind]
                roll = rng.random()
                if roll < confirmed_share:
                    decision = Decision.CONFIRMED
                elif roll < 0.92 or severity >= Severity.SERIOUS:
                    # A serious flag still open would hold back the certificate: all decided.
                    decision = Decision.DISMISSED
                else:
                    decision = Decision.OPEN
                first = attempt.started_at + datetime.timedelta(minutes=rng.randint(2, 30))
                incidents.append(
                    Incident(
                        attempt=attempt,
                        kind=kind,
                        category="behaviour" if kind == "irregularity" else "",
                        severity=severity,
                        reason=reason,
                        confidence=None if kind == "irregularity" else rng.uniform(0.55, 0.99),
                        count=rng.randint(1, 6),
                        first_at=first,
                        last_at=first + datetime.timedelta(minutes=rng.randint(0, 20)),
                        recorded_by=self.proctor if kind == "irregularity" else None,
                        decision=decision,
                        decided_by=self.proctor if decision != Decision.OPEN else None,
                        decided_at=(
                            attempt.graded_at + datetime.timedelta(hours=rng.randint(1, 48))
                            if decision != Decision.OPEN
                            else None
                        ),
                    )
                )
                if decision == Decision.CONFIRMED and severity >= Severity.SERIOUS:
                    serious_confirmed.add(attempt.pk)
        Incident.objects.bulk_create(incidents, batch_size=BATCH)
        self.result.incidents += len(incidents)
        return serious_confirmed

    def _certificates(self, attempts, revoked_attempts):
        """
        A certificate for every pass, numbered like any other; the passes of
        confirmed serious cheats, and a few others, are revoked.
        """
        rng = self.rng
        passes = [attempt for attempt in attempts if attempt.passed]
        issued = [timezone.localdate(attempt.graded_at) for attempt in passes]
        numbers = self._certificate_numbers(passes, issued)
        certificates = []
        for attempt, issued_on, number in zip(passes, issued, numbers, strict=True):
            revoked = attempt.pk in revoked_attempts or rng.random() < REVOKED_SHARE
            certificates.append(
                Certificate(
                    attempt=attempt,
                    holder_id=attempt.candidate_id,
                    exam_id=attempt.exam_id,
                    number=number,
                    score=attempt.score,
                    issued_on=issued_on,
                    expires_on=add_years(issued_on, self.config.validity_years),
                    status=CertificateStatus.REVOKED if revoked else CertificateStatus.VALID,
                    revoked_at=(
                        attempt.graded_at + datetime.timedelta(days=rng.randint(3, 30))
                        if revoked
                        else None
                    ),
                    revocation_reason="考试违纪，经复核撤销" if revoked else "",
                )
            )
        certificates = Certificate.objects.bulk_create(certificates, batch_size=BATCH)
        self.result.certificates += len(certificates)
        # Their history, as `certificates.issue` and `revoke` record it, dated when it happened.
        events = []
        for certificate in certificates:
            events.append(
                CertificateEvent(
                    certificate=certificate,
                    action=CertificateAction.ISSUED,
                    details={
                        "number": certificate.number,
                        "expires_on": certificate.expires_on.isoformat(),
                    },
                )
            )
            if certificate.status == CertificateStatus.REVOKED:
                events.append(
                    CertificateEvent(
                        certificate=certificate,
                        action=CertificateAction.REVOKED,
                        by=self.bureau,
                        reason=certificate.revocation_reason,
                    )
                )
        events = CertificateEvent.objects.bulk_create(events, batch_size=BATCH)
        graded_at = Attempt.objects.filter(pk=OuterRef("attempt_id")).values("graded_at")[:1]
        Certificate.objects.filter(pk__in=[c.pk for c in certificates]).update(
            created_at=Subquery(graded_at)
        )
        issued = [e.pk for e in events if e.action == CertificateAction.ISSUED]
        CertificateEvent.objects.filter(pk__in=issued).update(
            at=Subquery(
                Certificate.objects.filter(pk=OuterRef("certificate_id")).values("created_at")[:1]
            )
        )
        revoked = [e.pk for e in events if e.action == CertificateAction.REVOKED]
        CertificateEvent.objects.filter(pk__in=revoked).update(
            at=Subquery(
                Certificate.objects.filter(pk=OuterRef("certificate_id")).values("revoked_at")[:1]
            )
        )

    def _certificate_numbers(self, passes, issued):
        """
        The passes' numbers, as `certificates.certificate_number` gives them.
        Yearly numbers are taken many at a time (one locked counter update a
        year instead of one per certificate), in the same `AK-<year>-<6
        digits>` form.
        """
        if self.config.number_format != NumberFormat.YEARLY:
            holders = User.objects.in_bulk([attempt.candidate_id for attempt in passes])
            return [
                certificate_number(
                    holder=holders[attempt.candidate_id],
                    year=issued_on.year,
                    number_format=self.config.number_format,
                )
                for attempt, issued_on in zip(passes, issued, strict=True)
            ]
        wanted = Counter(day.year for day in issued)
        next_of = {}
        for year, count in wanted.items():
            CertificateCounter.objects.bulk_create(
                [CertificateCounter(year=year)], ignore_conflicts=True
            )
            counter = CertificateCounter.objects.select_for_update().get(year=year)
            next_of[year] = counter.last + 1
            counter.last += count
            counter.save(update_fields=["last"])
        numbers = []
        for day in issued:
            numbers.append(f"AK-{day.year}-{next_of[day.year]:06d}")
            next_of[day.year] += 1
        return numbers

    def _renewal_cohort(self):
        """
        Passes of three years ago, whose certificates expire in the coming
        90 days: one session a month, three months running.
        """
        starts = [
            add_years(self.today, -self.config.validity_years) + datetime.timedelta(days=days)
            for days in (12, 42, 72)
        ]
        room = self.rooms[0]
        exam = self.exams[0][0]
        per_session = max(RENEWAL_COHORT // len(starts), 1)
        planned = [
            (
                exam,
                room,
                timezone.make_aware(datetime.datetime.combine(day, SESSION_TIMES[0])),
                min(per_session, room.seat_count),
            )
            for day in starts
        ]
        # Their fails of three years ago are long settled: no re-sits now.
        self._sessions(planned, colluding_pairs=0, resits=False)


def _insert_many(model, field_names, rows):
    """
    INSERT `rows` (tuples of Python values in `field_names` order) without
    making a model instance of each: for the 45 answers of every attempt,
    bulk_create spends most of its time building and preparing instances
    (and psycopg parsing its long statements). PostgreSQL takes the rows by
    COPY, SQLite by executemany. Each distinct value is prepared for the
    database once: answers repeat a handful of option lists, points and
    scores.
    """
    fields = [model._meta.get_field(name) for name in field_names]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    prepared = [{} for _ in fields]

    def prepare(row):
        values = []
        for index, value in enumerate(row):
            key = repr(value)
            cache = prepared[index]
            if key not in cache:
                cache[key] = fields[index].get_db_prep_save(value, connection)
            values.append(cache[key])
        return values

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(prepare(row))
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608 - names from the model, values as parameters
        batch = []
        for row in rows:
            batch.append(prepare(row))
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def _month_end(start):
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


def _logistic(x):
    return 1 / (1 + math.exp(-x))
