"""
The candidate's exam pages: the start screen, the exam page (the paper in
their order, their saved answers, never the key), the result, my results,
practice, and the way in from my bookings.
"""

import io
import re
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import Image

from accounts.images import reencode_photo
from exams import attempts, bookings, delivery, selectors
from exams.choices import AttemptAction, AttemptStatus, PaperKind, SessionStatus
from exams.models import Attempt, BlueprintRule, Certificate, Exam, ExamSession, Paper, Question
from tests.pages import add
from training import services as training
from training.models import CoursePage, TrainingIndexPage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Pages are asserted in English: reverse() gives /en/ addresses."""
    with translation.override("en"):
        yield


def jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (600, 800), (200, 180, 160)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def exam_with_paper(exam, bank, make_question):
    """Five questions a candidate: three single choice, one multiple, one true/false."""
    for n in range(5):
        make_question(type="single", difficulty=1 + n % 5)
    for _ in range(2):
        make_question(type="multiple")
        make_question(type="true_false")
    # Explanations nobody should see before the result page.
    for question in Question.objects.all():
        question.explanation = f"SECRET-EXPLANATION-{question.pk}"
        question.save(update_fields=["explanation"])
    paper = Paper.objects.create(name="危化品模拟考试", kind=PaperKind.BLUEPRINT)
    paper.banks.set([bank])
    paper.save()  # a ParentalManyToManyField is written on save
    for order, (kind, count) in enumerate([("single", 3), ("multiple", 1), ("true_false", 1)]):
        BlueprintRule.objects.create(
            paper=paper, sort_order=order, type=kind, count=count, points=20
        )
    exam.paper = paper
    exam.save()
    return exam


@pytest.fixture
def checked_in(exam_with_paper, session, alice):
    """alice's attempt, drawn, with alice checked in at the desk."""
    booking = bookings.book(session=session, candidate=alice)
    attempts.prepare_attempts(session_id=session.pk)
    type(session).objects.filter(pk=session.pk).update(status=SessionStatus.CHECK_IN)
    booking.status = "checked_in"
    booking.save()
    return booking.attempt


@pytest.fixture
def started(checked_in, alice):
    return delivery.start(attempt_id=checked_in.pk, candidate=alice)


def attempt_url(attempt):
    return reverse("exams:attempt", args=[attempt.pk])


def result_url(attempt):
    return reverse("exams:attempt-result", args=[attempt.pk])


def section(html, position):
    """The HTML of one question of the exam page."""
    found = re.search(
        rf'<section class="exam-question[^"]*" id="q-{position}".*?</section>', html, re.S
    )
    assert found, f"no question {position}"
    return found.group(0)


def save(attempt, candidate, position, selected, *, flagged=False):
    attempt.refresh_from_db()
    return delivery.save_answer(
        attempt_id=attempt.pk,
        candidate=candidate,
        page=attempt.page,
        client_id=uuid.uuid4(),
        sequence=attempt.sequence + 1,
        position=position,
        selected=selected,
        flagged=flagged,
    )


def answer_everything_right(attempt, candidate, *, wrong=()):
    for item in attempt.questions.select_related("question"):
        key = selectors.shown(item, item.question.answer)
        chosen = key if item.position not in wrong else [p for p in (0, 1) if p not in key][:1]
        save(attempt, candidate, item.position, chosen)


# ---------------------------------------------------------------------------
# The start screen and the exam page
# ---------------------------------------------------------------------------


def test_it_shows_the_start_screen_and_starts_the_exam_on_the_button(client, alice, checked_in):
    client.force_login(alice)
    start = client.get(attempt_url(checked_in)).content.decode()
    assert "王建国" in start and "危险化学品安全管理人员考试" in start
    assert "120 minutes" in start and "<dt>Questions</dt><dd>5</dd>" in start
    assert "Start the exam" in start
    assert 'id="exam"' not in start

    response = client.post(attempt_url(checked_in))
    assert response.status_code == 302 and response["Location"] == attempt_url(checked_in)
    checked_in.refresh_from_db()
    assert checked_in.status == AttemptStatus.STARTED and checked_in.deadline

    page = client.get(attempt_url(checked_in)).content.decode()
    assert '<main id="exam" class="site-main exam' in page
    assert f'data-attempt="{checked_in.pk}"' in page
    assert 'id="exam-timer"' in page and 'data-state="saved"' in page


def test_the_exam_page_shows_every_question_in_the_candidates_order(client, alice, started):
    client.force_login(alice)
    page = client.get(attempt_url(started)).content.decode()
    items = list(started.questions.select_related("question"))
    assert len(items) == 5
    # Questions in the candidate's order…
    stems = [page.index(item.question.stem) for item in items]
    assert stems == sorted(stems)
    for item in items:
        html = section(page, item.position)
        assert item.question.stem in html
        if item.question.type == "true_false":
            assert re.search(
                r'name="q-\d+" value="0">.*True.*name="q-\d+" value="1">.*False', html, re.S
            )
            continue
        # …and each question's options in the order this candidate was given.
        shown = selectors.options_shown(item)
        assert [html.index(text) for text in shown] == sorted(html.index(text) for text in shown)
        kind = "checkbox" if item.question.type == "multiple" else "radio"
        for position in range(len(shown)):
            assert f'type="{kind}" name="q-{item.position}" value="{position}"' in html


def test_the_exam_page_never_shows_the_key_or_the_explanations(client, alice, started):
    client.force_login(alice)

    def render():
        html = client.get(attempt_url(started)).content.decode()
        # What changes from one rendering to the next whatever the key.
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
        html = re.sub(r'data-remaining="\d+"', "", html)
        html = re.sub(r'role="timer"[^>]*>[^<]*<', "", html)
        return re.sub(r'data-page="[^"]*"', "", html)

    before = render()
    assert "SECRET-EXPLANATION" not in before
    assert "Explanation" not in before and "Correct answer" not in before
    # The same page, whatever the key is.
    for question in Question.objects.all():
        question.answer = [len(question.options) - 1] if question.options else [1]
        question.save(update_fields=["answer"])
    assert render() == before


def test_the_page_handed_over_by_the_start_button_is_taken_once(client, alice, checked_in):
    client.force_login(alice)
    client.post(attempt_url(checked_in))
    checked_in.refresh_from_db()
    first = client.get(attempt_url(checked_in)).content.decode()
    assert f'data-page="{checked_in.page}"' in first
    # Reloading asks the API for a page of its own.
    assert 'data-page=""' in client.get(attempt_url(checked_in)).content.decode()
    assert not checked_in.events.filter(action=AttemptAction.TAKEOVER).exists()


def test_saved_answers_and_flags_are_checked_after_a_reload(client, alice, started):
    single = started.questions.filter(question__type="single").first()
    multiple = started.questions.get(question__type="multiple")
    save(started, alice, single.position, [3], flagged=True)
    save(started, alice, multiple.position, [0, 2])
    client.force_login(alice)
    page = client.get(attempt_url(started)).content.decode()

    html = section(page, single.position)
    assert f'name="q-{single.position}" value="3" checked>' in html
    assert f'name="q-{single.position}" value="1" checked>' not in html
    assert 'class="flag-toggle" aria-pressed="true"' in html
    html = section(page, multiple.position)
    assert f'name="q-{multiple.position}" value="0" checked>' in html
    assert f'name="q-{multiple.position}" value="2" checked>' in html
    assert 'class="flag-toggle" aria-pressed="false"' in html

    navigator = re.search(r'<nav id="exam-navigator".*?</nav>', page, re.S).group(0)
    assert re.search(
        rf'data-position="{single.position}"\s+class="is-answered is-flagged"', navigator
    )
    assert re.search(rf'data-position="{multiple.position}"\s+class="is-answered"', navigator)
    unanswered = ({1, 2, 3, 4, 5} - {single.position, multiple.position}).pop()
    assert re.search(rf'data-position="{unanswered}"\s+class=""', navigator)


def test_one_question_per_screen_shows_the_first_and_hides_the_others(client, alice, started):
    def hidden(page):
        return [
            n
            for n in range(1, 6)
            if "hidden" in re.match(r"<section[^>]*>", section(page, n)).group(0)
        ]

    client.force_login(alice)
    assert hidden(client.get(attempt_url(started)).content.decode()) == [2, 3, 4, 5]
    started.exam.one_question_per_screen = False
    started.exam.save()
    assert hidden(client.get(attempt_url(started)).content.decode()) == []


def test_a_candidate_not_yet_checked_in_is_told_so_on_the_start_screen(client, alice, checked_in):
    checked_in.booking.status = "booked"
    checked_in.booking.save()
    client.force_login(alice)
    response = client.post(attempt_url(checked_in), follow=True)
    page = response.content.decode()
    assert "Check in at the desk first" in page and "Start the exam" in page
    checked_in.refresh_from_db()
    assert checked_in.status == AttemptStatus.PREPARED


def test_a_finished_attempt_leads_to_its_result(client, alice, started):
    delivery.submit(attempt_id=started.pk, candidate=alice)
    client.force_login(alice)
    response = client.get(attempt_url(started))
    assert response.status_code == 302 and response["Location"] == result_url(started)


def test_the_attempt_is_the_candidates_alone(client, alice, bob, proctor, started):
    photo = reencode_photo(SimpleUploadedFile("alice.jpg", jpeg()))
    alice.photo.save(photo.name, photo)
    urls = [
        attempt_url(started),
        result_url(started),
        reverse("exams:attempt-photo", args=[started.pk]),
    ]
    for url in urls:
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    for someone_else in (bob, proctor):
        client.force_login(someone_else)
        for url in urls:
            assert client.get(url).status_code == 404
        assert client.post(attempt_url(started)).status_code == 404


def test_the_candidate_sees_their_own_registered_photo_never_cached(client, alice, started):
    photo = reencode_photo(SimpleUploadedFile("alice.jpg", jpeg()))
    alice.photo.save(photo.name, photo)
    client.force_login(alice)
    url = reverse("exams:attempt-photo", args=[started.pk])
    assert f'src="{url}"' in client.get(attempt_url(started)).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


def session_ends(attempt):
    ExamSession.objects.filter(pk=attempt.booking.session_id).update(status=SessionStatus.CLOSED)


def test_the_result_shows_the_score_and_a_pass(client, alice, started):
    answer_everything_right(started, alice)
    delivery.submit(attempt_id=started.pk, candidate=alice)
    session_ends(started)
    client.force_login(alice)
    page = client.get(result_url(started)).content.decode()
    assert "Passed" in page and "Not passed" not in page
    assert "Score: <strong>100</strong> out of 100" in page
    assert "Pass mark" in page and ">80<" in page
    assert "You answered every question correctly." in page


def test_a_pass_says_where_its_certificate_is(
    client, alice, started, django_capture_on_commit_callbacks
):
    answer_everything_right(started, alice)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        delivery.submit(attempt_id=started.pk, candidate=alice)
    assert "Your certificate is being prepared" in client.get(result_url(started)).content.decode()

    for task in queued:  # the worker issues it
        task()
    page = client.get(result_url(started)).content.decode()

    certificate = Certificate.objects.get(attempt=started)
    assert f"Your certificate {certificate.number} is issued" in page
    assert reverse("certificates:mine") in page


def test_the_result_shows_a_fail(client, alice, started):
    delivery.submit(attempt_id=started.pk, candidate=alice)
    client.force_login(alice)
    page = client.get(result_url(started)).content.decode()
    assert "Not passed" in page and "Score: <strong>0</strong> out of 100" in page


def test_the_result_lists_the_mistakes_with_the_key_and_explanation(client, alice, started):
    wrong = started.questions.select_related("question").filter(question__type="single").first()
    answer_everything_right(started, alice, wrong={wrong.position})
    delivery.submit(attempt_id=started.pk, candidate=alice)
    client.force_login(alice)
    # Not while the session runs: others are still writing the same paper.
    page = client.get(result_url(started)).content.decode()
    assert "Score: <strong>80</strong> out of 100" in page and "Passed" in page
    assert "Questions answered wrongly" not in page and "SECRET-EXPLANATION" not in page
    assert "shown here once the session has ended" in page
    session_ends(started)
    page = client.get(result_url(started)).content.decode()
    assert "Questions answered wrongly" in page
    assert f"SECRET-EXPLANATION-{wrong.question.pk}" in page
    right = started.questions.exclude(pk=wrong.pk).select_related("question")
    assert not any(f"SECRET-EXPLANATION-{item.question.pk}<" in page for item in right)
    assert "Your answer" in page and "Correct answer" in page
    # The options in the order the candidate saw them.
    shown = selectors.options_shown(wrong)
    assert [page.index(text) for text in shown] == sorted(page.index(text) for text in shown)


def test_the_result_keeps_the_mistakes_to_itself_when_the_exam_says_so(client, alice, started):
    started.exam.show_mistakes = False
    started.exam.save()
    delivery.submit(attempt_id=started.pk, candidate=alice)
    client.force_login(alice)
    page = client.get(result_url(started)).content.decode()
    assert "Not passed" in page
    assert "Questions answered wrongly" not in page and "SECRET-EXPLANATION" not in page


def test_a_terminated_attempt_is_under_review(client, alice, proctor, started):
    delivery.terminate(attempt_id=started.pk, by=proctor, reason="看手机")
    client.force_login(alice)
    page = client.get(result_url(started)).content.decode()
    assert "Terminated by the proctor: under review" in page
    assert "Score:" not in page and "SECRET-EXPLANATION" not in page


# ---------------------------------------------------------------------------
# My results
# ---------------------------------------------------------------------------


def graded(candidate, exam, count=1, **fields):
    return Attempt.objects.bulk_create(
        Attempt(
            candidate=candidate,
            exam=exam,
            paper=exam.paper,
            practice=True,
            status=fields.get("status", AttemptStatus.GRADED),
            score=Decimal("90"),
            max_score=Decimal("100"),
            passed=True,
        )
        for _ in range(count)
    )


def test_my_results_lists_my_finished_attempts_only_twenty_a_page(
    client, alice, bob, exam_with_paper, started
):
    mine = graded(alice, exam_with_paper, count=21)
    others = graded(bob, exam_with_paper)
    client.force_login(alice)
    url = reverse("exams:my-results")
    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    links = re.findall(r'href="/en/exams/attempts/(\d+)/result/"', first + second)
    assert sorted(map(int, links)) == sorted(attempt.pk for attempt in mine)
    assert len(re.findall(r"/result/", first)) == 20
    assert str(others[0].pk) not in links and str(started.pk) not in links
    assert "Passed" in first and "90 out of 100" in first
    assert "does not count toward certification" in first


def test_my_results_says_when_there_are_none(client, bob):
    client.force_login(bob)
    assert "You have no results yet." in client.get(reverse("exams:my-results")).content.decode()


# ---------------------------------------------------------------------------
# Practice
# ---------------------------------------------------------------------------


@pytest.fixture
def courses(home):
    index = add(home, TrainingIndexPage(title="培训课程", slug="courses"))
    return [
        add(
            index,
            CoursePage(
                title=title,
                slug=slug,
                required_hours=Decimal("1"),
                target_roles=["safety_manager"],
            ),
        )
        for title, slug in [("危化品安全", "chemicals"), ("有限空间作业", "confined")]
    ]


@pytest.fixture
def practice_exams(exam_with_paper, courses):
    """One exam open for practice to alice's course, one closed, one for another course."""
    exam_with_paper.required_courses.set([courses[0]])
    closed = Exam.objects.create(
        title="闭卷考试：不开放练习",
        target_role="safety_manager",
        paper=exam_with_paper.paper,
        practice_open=False,
    )
    closed.required_courses.set([courses[0]])
    elsewhere = Exam.objects.create(
        title="有限空间作业人员考试", target_role="safety_manager", paper=exam_with_paper.paper
    )
    elsewhere.required_courses.set([courses[1]])
    return exam_with_paper, closed, elsewhere


def test_the_practice_page_lists_the_exams_open_to_my_courses(
    client, alice, bob, courses, practice_exams
):
    training.enrol(learner=alice, course=courses[0])
    open_one, closed, elsewhere = practice_exams
    client.force_login(alice)
    page = client.get(reverse("exams:practice")).content.decode()
    assert open_one.title in page
    assert closed.title not in page and elsewhere.title not in page
    assert reverse("exams:practice-start", args=[open_one.pk]) in page
    client.force_login(bob)
    page = client.get(reverse("exams:practice")).content.decode()
    assert open_one.title not in page and "No exam is open for practice to you." in page


def test_practising_starts_an_attempt_and_a_second_click_resumes_it(
    client, alice, courses, practice_exams
):
    training.enrol(learner=alice, course=courses[0])
    open_one = practice_exams[0]
    client.force_login(alice)
    url = reverse("exams:practice-start", args=[open_one.pk])
    first = client.post(url)
    attempt = Attempt.objects.get(candidate=alice, practice=True)
    assert first.status_code == 302 and first["Location"] == attempt_url(attempt)
    assert attempt.status == AttemptStatus.STARTED
    page = client.get(attempt_url(attempt)).content.decode()
    assert 'id="exam"' in page and 'class="exam-bar__practice"' in page

    again = client.post(url)
    assert again["Location"] == attempt_url(attempt)
    assert Attempt.objects.filter(candidate=alice, practice=True).count() == 1
    listing = client.get(reverse("exams:practice")).content.decode()
    assert f'href="{attempt_url(attempt)}"' in listing and "Continue" in listing


def test_a_practice_result_does_not_count(client, alice, courses, practice_exams):
    training.enrol(learner=alice, course=courses[0])
    attempt = delivery.start_practice(exam=practice_exams[0], candidate=alice)
    delivery.submit(attempt_id=attempt.pk, candidate=alice)
    client.force_login(alice)
    page = client.get(result_url(attempt)).content.decode()
    assert "Practice: does not count toward certification." in page


def test_a_learner_not_enrolled_is_told_practice_is_not_open(client, bob, practice_exams):
    client.force_login(bob)
    response = client.post(
        reverse("exams:practice-start", args=[practice_exams[0].pk]), follow=True
    )
    assert "open to learners enrolled in its course" in response.content.decode()
    assert not Attempt.objects.filter(candidate=bob).exists()


# ---------------------------------------------------------------------------
# The way in: my bookings
# ---------------------------------------------------------------------------


def test_my_bookings_lets_a_checked_in_candidate_enter_the_exam(client, alice, checked_in):
    client.force_login(alice)
    page = client.get(reverse("exams:my-bookings")).content.decode()
    assert "Enter the exam" in page and f'href="{attempt_url(checked_in)}"' in page


def test_my_bookings_has_no_way_in_before_check_in(client, alice, checked_in):
    checked_in.booking.status = "booked"
    checked_in.booking.save()
    client.force_login(alice)
    page = client.get(reverse("exams:my-bookings")).content.decode()
    assert "Enter the exam" not in page


def test_my_bookings_links_a_finished_exam_to_its_result(client, alice, started):
    delivery.submit(attempt_id=started.pk, candidate=alice)
    client.force_login(alice)
    page = client.get(reverse("exams:my-bookings")).content.decode()
    assert "Enter the exam" not in page and f'href="{result_url(started)}"' in page


def test_the_start_and_practice_buttons_need_the_csrf_token(alice, checked_in, practice_exams):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    exam = practice_exams[0]
    assert client.post(reverse("exams:attempt", args=[checked_in.pk])).status_code == 403
    assert client.post(reverse("exams:practice-start", args=[exam.pk])).status_code == 403
    checked_in.refresh_from_db()
    assert checked_in.status == AttemptStatus.PREPARED
    assert not Attempt.objects.filter(practice=True).exists()
