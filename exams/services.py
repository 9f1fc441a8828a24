"""
Writes to the question bank, question imports, paper assembly and scoring.

Every write goes through here: the Wagtail admin, the API, seed_demo and the
import task call these functions.
"""

import hashlib
import io
import random
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from taggit.models import Tag
from wagtail.admin.rich_text.converters.editor_html import EditorHTMLConverter
from wagtail.images import get_image_model

from accounts.images import reencode_photo
from exams import importers
from exams.choices import (
    DuplicatePolicy,
    ImportFormat,
    ImportStatus,
    MultipleChoiceScoring,
    PaperKind,
    QuestionStatus,
    QuestionType,
)
from exams.importers.base import (
    FALSE,
    MAX_OPTIONS,
    TRUE,
    ImportFileError,
    ParsedQuestion,
    html_to_text,
)
from exams.models import ImportJob, Question, QuestionTag

STEM_FEATURES = ["bold", "italic", "superscript", "subscript"]
PROGRESS_EVERY = 200  # rows between progress updates of an import job


# ---------------------------------------------------------------------------
# Questions
# ---------------------------------------------------------------------------


def sanitise_stem(value):
    """Keep the few formats a stem needs (bold, italic, sub/superscript, line breaks)."""
    value = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", value or "", flags=re.S | re.I)
    return EditorHTMLConverter(features=STEM_FEATURES).to_database_format(value).strip()


def _normalise(text):
    text = unicodedata.normalize("NFKC", html_to_text(text)).lower()
    return re.sub(r"[\s\W_]+", "", text)


def fingerprint(stem, options):
    """Same normalised stem and options (in any order) → same fingerprint: a duplicate."""
    parts = [_normalise(stem), *sorted(_normalise(option) for option in options)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def validate_question(*, type, stem, options, answer, difficulty):
    """Raise ValidationError (by field) when a question could not be asked fairly."""
    errors = {}
    if not html_to_text(stem):
        errors["stem"] = _("The question has no text.")
    if type == QuestionType.TRUE_FALSE:
        if options:
            errors["options"] = _("A true/false question has no options.")
        if list(answer) not in (list(TRUE), list(FALSE)):
            errors["answer"] = _("A true/false answer is true or false.")
    else:
        if len(options) < 2:
            errors["options"] = _("A choice question needs at least two options.")
        elif len(options) > MAX_OPTIONS:
            errors["options"] = _("A question has at most 8 options (A to H).")
        elif any(not option.strip() for option in options):
            errors["options"] = _("An option is empty.")
        if any(i >= len(options) or i < 0 for i in answer):
            errors["answer"] = _("The answer names an option the question does not have.")
        elif type == QuestionType.SINGLE and len(answer) != 1:
            errors["answer"] = _("A single-choice question has exactly one correct option.")
        elif type == QuestionType.MULTIPLE and len(answer) < 2:
            errors["answer"] = _("A multiple-choice question has at least two correct options.")
    if not 1 <= int(difficulty) <= 5:
        errors["difficulty"] = _("Difficulty is from 1 (easy) to 5 (hard).")
    if errors:
        raise ValidationError(errors)


QUESTION_FIELDS = (
    "type",
    "stem",
    "options",
    "answer",
    "explanation",
    "difficulty",
    "industry",
    "source",
    "status",
    "image",
)


@transaction.atomic
def question_create(
    *,
    bank,
    type,
    stem,
    options,
    answer,
    explanation="",
    difficulty=3,
    industry="",
    tags=(),
    source="",
    status=QuestionStatus.DRAFT,
    image=None,
    created_by=None,
):
    stem = sanitise_stem(stem)
    answer = sorted(set(answer))
    validate_question(type=type, stem=stem, options=options, answer=answer, difficulty=difficulty)
    question = Question.objects.create(
        bank=bank,
        type=type,
        stem=stem,
        options=list(options),
        answer=answer,
        explanation=explanation,
        difficulty=difficulty,
        industry=industry,
        source=source,
        status=status,
        image=image,
        created_by=created_by,
        fingerprint=fingerprint(stem, options),
    )
    question.tags.set(list(tags))
    return question


@transaction.atomic
def question_revise(*, question, user=None, tags=None, **changes):
    """
    Change a question. A draft is changed in place; an active or retired
    question gets a new version, so papers and attempts that used the old one
    keep it unchanged.
    """
    current = Question.objects.select_for_update().get(pk=question.pk)
    if not current.is_current:
        raise ValidationError(_("This is an old version; edit the current one."))
    values = {field: getattr(current, field) for field in QUESTION_FIELDS}
    values.update(changes)
    values["stem"] = sanitise_stem(values["stem"])
    values["answer"] = sorted(set(values["answer"]))
    validate_question(
        type=values["type"],
        stem=values["stem"],
        options=values["options"],
        answer=values["answer"],
        difficulty=values["difficulty"],
    )
    tags = list(current.tags.names()) if tags is None else list(tags)
    values["fingerprint"] = fingerprint(values["stem"], values["options"])

    if current.status == QuestionStatus.DRAFT:
        for field, value in values.items():
            setattr(current, field, value)
        current.save()
        current.tags.set(tags)
        return current

    Question.objects.filter(pk=current.pk).update(is_current=False)
    revised = Question.objects.create(
        bank=current.bank,
        lineage=current.lineage,
        version=current.version + 1,
        created_by=user,
        **values,
    )
    revised.tags.set(tags)
    return revised


def questions_retire(*, questions):
    """Retire the given current questions; return how many changed."""
    return (
        questions.filter(is_current=True)
        .exclude(status=QuestionStatus.RETIRED)
        .update(status=QuestionStatus.RETIRED)
    )


def as_parsed(question):
    """A Question as the import/export formats see it."""
    return ParsedQuestion(
        type=question.type,
        stem=question.stem,
        options=list(question.options),
        answer=tuple(question.answer),
        explanation=question.explanation,
        difficulty=question.difficulty,
        tags=sorted(tag.name for tag in question.tags.all()),  # uses prefetched tags
        source=question.source,
    )


# ---------------------------------------------------------------------------
# Imports
# ---------------------------------------------------------------------------

READERS = {
    ImportFormat.EXCEL: importers.parse_excel,
    ImportFormat.MOODLE: importers.parse_moodle_xml,
    ImportFormat.GIFT: importers.parse_gift,
}


def format_for(file_name):
    name = file_name.lower()
    if name.endswith(".xlsx"):
        return ImportFormat.EXCEL
    if name.endswith(".xml"):
        return ImportFormat.MOODLE
    if name.endswith((".gift", ".txt")):
        return ImportFormat.GIFT
    raise ValidationError(
        _("Upload an Excel (.xlsx), Moodle XML (.xml) or GIFT (.gift, .txt) file.")
    )


@transaction.atomic
def import_job_create(
    *,
    bank,
    uploaded_file,
    user,
    dry_run=True,
    on_duplicate=DuplicatePolicy.SKIP,
    import_valid_rows=False,
):
    """Store the upload and queue the import task; the task reports progress on the job."""
    from exams.tasks import run_import_job

    job = ImportJob(
        bank=bank,
        file_name=uploaded_file.name[:255],
        format=format_for(uploaded_file.name),
        dry_run=dry_run,
        on_duplicate=on_duplicate,
        import_valid_rows=import_valid_rows,
        created_by=user,
    )
    job.file.save(f"{timezone.now():%Y%m%d%H%M%S}-{job.format}", uploaded_file, save=False)
    job.save()
    run_import_job.delay_on_commit(job.pk)
    return job


@transaction.atomic
def import_job_repeat(*, job, user):
    """
    Import for real the file that a finished dry run checked. Confirming twice
    (a double click) returns the import already started.
    """
    from exams.tasks import run_import_job

    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    started = ImportJob.objects.filter(file=job.file.name, dry_run=False).first()
    if started:
        return started
    if not (job.dry_run and job.status == ImportStatus.DONE):
        raise ValidationError(_("Only a finished check can be imported."))
    again = ImportJob.objects.create(
        bank=job.bank,
        file=job.file.name,
        file_name=job.file_name,
        format=job.format,
        dry_run=False,
        on_duplicate=job.on_duplicate,
        import_valid_rows=job.import_valid_rows,
        created_by=user,
    )
    run_import_job.delay_on_commit(again.pk)
    return again


def import_job_run(*, job_id):
    """
    Run one import job, all or nothing unless the job says to import the valid
    questions. Safe to call twice: only a waiting job is claimed.
    """
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.PENDING).update(
        status=ImportStatus.RUNNING
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("bank").get(pk=job_id)
    try:
        _run(job)
    except ImportFileError as exc:
        _finish(job, ImportStatus.FAILED, {"error": str(exc.message), "rows": [], "summary": {}})
    except Exception:
        # Nothing was written (the save is one transaction); say so rather than
        # leave the job "running" for ever, and let the error reach the logs.
        _finish(
            job,
            ImportStatus.FAILED,
            {
                "error": _(
                    "The import stopped on an unexpected error; nothing was imported. "
                    "Try again, or contact the administrator."
                ),
                "rows": [],
                "summary": {},
            },
        )
        raise


def _run(job):
    with job.file.open("rb") as handle:
        result = READERS[job.format](handle)

    rows, to_save = _check(job, result)
    errors = [row for row in rows if row["status"] == "error"]
    write = not job.dry_run and (not errors or job.import_valid_rows)
    created = 0
    if write:
        created = _save(job, to_save)
    summary = {
        "questions": len(result.questions),
        "valid": len(to_save),
        "errors": len(errors),
        "duplicates": sum(row["status"] == "duplicate" for row in rows),
        "skipped": sum(row["status"] == "skipped" for row in rows),
        "created": created,
        "imported": write,
    }
    _finish(job, ImportStatus.DONE, {"summary": summary, "rows": rows})


def _check(job, result):
    """Validate every parsed question and find duplicates; nothing is written."""
    rows, to_save = [], []
    job.total = len(result.questions) + len(result.issues)
    existing = set(
        Question.objects.filter(bank=job.bank, is_current=True).values_list(
            "fingerprint", flat=True
        )
    )
    seen = {}
    for issue in result.issues:
        rows.append(
            {
                "location": issue.location,
                "stem": "",
                "status": "skipped" if issue.skipped else "error",
                "message": str(issue.message),
            }
        )
    for number, parsed in enumerate(result.questions, start=1):
        row = {"location": parsed.location, "stem": html_to_text(parsed.stem)[:80]}
        parsed.stem = sanitise_stem(parsed.stem)  # once, here; saving reuses it
        try:
            validate_question(
                type=parsed.type,
                stem=parsed.stem,
                options=parsed.options,
                answer=list(parsed.answer),
                difficulty=parsed.difficulty,
            )
        except ValidationError as exc:
            rows.append({**row, "status": "error", "message": " ".join(exc.messages)})
            continue
        key = fingerprint(parsed.stem, parsed.options)
        if key in seen:
            rows.append(
                {
                    **row,
                    "status": "error",
                    "message": _("Same question as %(location)s in this file.")
                    % {"location": seen[key]},
                }
            )
            continue
        seen[key] = parsed.location
        if key in existing and job.on_duplicate == DuplicatePolicy.SKIP:
            rows.append(
                {**row, "status": "duplicate", "message": _("Already in the bank; skipped.")}
            )
        else:
            is_new_version = key in existing
            rows.append(
                {
                    **row,
                    "status": "new_version" if is_new_version else "ok",
                    "message": _("Will be added as a new version.") if is_new_version else "",
                }
            )
            to_save.append((parsed, key, is_new_version))
        if number % PROGRESS_EVERY == 0:
            ImportJob.objects.filter(pk=job.pk).update(processed=number // 2, total=job.total)
    ImportJob.objects.filter(pk=job.pk).update(processed=job.total // 2, total=job.total)
    return rows, to_save


@transaction.atomic
def _save(job, to_save):
    """
    Write the checked questions. New questions go in with bulk inserts (a bank
    of ten thousand questions imports in seconds, not minutes); a new version
    of an existing question goes through question_revise.
    """
    revisions = [(parsed, key) for parsed, key, is_new_version in to_save if is_new_version]
    fresh = [parsed for parsed, key, is_new_version in to_save if not is_new_version]
    current_by_key = {
        q.fingerprint: q
        for q in Question.objects.filter(
            bank=job.bank, is_current=True, fingerprint__in=[key for _parsed, key in revisions]
        )
    }
    for parsed, key in revisions:
        question_revise(
            question=current_by_key[key],
            user=job.created_by,
            tags=parsed.tags,
            **_fields(job, parsed),
        )

    saved = 0
    for start in range(0, len(fresh), BULK_SIZE):
        batch = fresh[start : start + BULK_SIZE]
        questions = Question.objects.bulk_create(
            [
                Question(
                    bank=job.bank,
                    status=QuestionStatus.ACTIVE,
                    created_by=job.created_by,
                    fingerprint=fingerprint(parsed.stem, parsed.options),
                    **_fields(job, parsed),
                )
                for parsed in batch
            ]
        )
        _tag_in_bulk(questions, [parsed.tags for parsed in batch])
        saved += len(questions)
        ImportJob.objects.filter(pk=job.pk).update(
            processed=job.total // 2 + saved * job.total // (2 * max(len(fresh), 1))
        )
    return saved + len(revisions)


BULK_SIZE = 500


def _fields(job, parsed):
    return {
        "type": parsed.type,
        "stem": parsed.stem,
        "options": list(parsed.options),
        "answer": sorted(set(parsed.answer)),
        "explanation": parsed.explanation,
        "difficulty": parsed.difficulty,
        "source": parsed.source or job.file_name,
        "image": _save_first_image(parsed),
    }


def _tag_in_bulk(questions, tag_lists):
    names = {name for tags in tag_lists for name in tags}
    tags = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    for name in names - tags.keys():
        tags[name] = Tag.objects.create(name=name)  # one at a time: taggit makes the slug
    QuestionTag.objects.bulk_create(
        [
            QuestionTag(content_object=question, tag=tags[name])
            for question, names_of_question in zip(questions, tag_lists, strict=True)
            for name in dict.fromkeys(names_of_question)
        ]
    )


def _save_first_image(parsed):
    """An image embedded in the file becomes the question's image, re-encoded."""
    for name, data in parsed.images:
        upload = io.BytesIO(data)
        upload.size = len(data)
        try:
            clean = reencode_photo(upload)
        except ValidationError:
            continue
        image = get_image_model()(title=name[:255])
        image.file = ImageFile(io.BytesIO(clean.read()), name=clean.name)
        image.save()
        return image
    return None


def _finish(job, status, report):
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, report=report, processed=F("total"), finished_at=timezone.now()
    )


# ---------------------------------------------------------------------------
# Papers: blueprints and draws
# ---------------------------------------------------------------------------


def rule_queryset(*, banks, type, tags=(), industry="", difficulty_min=1, difficulty_max=5):
    """The current, active questions a blueprint rule may draw from."""
    questions = Question.objects.filter(
        bank__in=banks,
        is_current=True,
        status=QuestionStatus.ACTIVE,
        type=type,
        difficulty__gte=difficulty_min,
        difficulty__lte=difficulty_max,
    )
    if industry:
        questions = questions.filter(industry=industry)
    if tags:
        questions = questions.filter(tags__name__in=list(tags)).distinct()
    return questions


def _pools(banks, rules):
    """The ids each rule may draw from."""
    return [
        set(
            rule_queryset(
                banks=banks,
                type=rule["type"],
                tags=rule.get("tags") or (),
                industry=rule.get("industry", ""),
                difficulty_min=rule.get("difficulty_min", 1),
                difficulty_max=rule.get("difficulty_max", 5),
            ).values_list("pk", flat=True)
        )
        for rule in rules
    ]


def _narrowest_first(pools):
    """Rules in the order a draw fills them: the one with the fewest candidates first."""
    return sorted(range(len(pools)), key=lambda index: len(pools[index]))


def blueprint_shortfalls(*, banks, rules, pools=None):
    """
    For each rule (a dict of BlueprintRule fields) that the banks cannot be
    sure to satisfy, a message saying which rule and by how much.

    Rules are filled narrowest first. A rule counts as satisfiable only if
    enough questions remain even when every earlier rule whose candidates
    overlap with it took its questions from the overlap, so a saved
    blueprint never fails at draw time, whatever the random choice.
    """
    pools = pools if pools is not None else _pools(banks, rules)
    order = _narrowest_first(pools)
    messages = []
    for position, index in enumerate(order):
        rule = rules[index]
        claimed_earlier = sum(
            rules[earlier]["count"] for earlier in order[:position] if pools[earlier] & pools[index]
        )
        available = max(len(pools[index]) - claimed_earlier, 0)
        if available < rule["count"]:
            messages.append(
                _(
                    "Rule %(number)d asks for %(count)d %(type)s questions but the banks hold "
                    "only %(available)d that match."
                )
                % {
                    "number": index + 1,
                    "count": rule["count"],
                    "type": QuestionType(rule["type"]).label,
                    "available": available,
                }
            )
    return sorted(messages)


def rules_of(paper):
    return [
        {
            "type": r.type,
            "tags": r.tag_list,
            "industry": r.industry,
            "difficulty_min": r.difficulty_min,
            "difficulty_max": r.difficulty_max,
            "count": r.count,
            "points": r.points,
        }
        for r in paper.rules.all()
    ]


@dataclass(frozen=True)
class DrawnQuestion:
    question: Question
    points: Decimal
    option_order: tuple[int, ...]  # shown position → original option index


def draw_paper(*, paper, rng=None):
    """
    The questions one candidate gets: the fixed list, or a random draw that
    meets every blueprint rule and never repeats a question, with options
    shuffled when the paper says so.
    """
    return draw_papers(paper=paper, count=1, rng=rng)[0]


def draw_papers(*, paper, count, rng=None):
    """
    `count` independent draws of one paper, e.g. for every seat of a room.
    The rules' candidate questions are read once, not once per candidate.
    """
    rng = rng or random.SystemRandom()
    if paper.kind == PaperKind.FIXED:
        fixed = [
            (pq.question, pq.points) for pq in paper.fixed_questions.select_related("question")
        ]
        return [_arrange(paper, list(fixed), rng) for _seat in range(count)]

    banks = list(paper.banks.all())
    rules = rules_of(paper)
    pools = _pools(banks, rules)
    shortfalls = blueprint_shortfalls(banks=banks, rules=rules, pools=pools)
    if shortfalls:
        raise ValidationError(shortfalls)
    order = _narrowest_first(pools)
    draws = []
    for _seat in range(count):
        chosen_by_rule, taken = {}, set()
        for index in order:
            chosen = rng.sample(sorted(pools[index] - taken), rules[index]["count"])
            taken.update(chosen)
            chosen_by_rule[index] = chosen
        # Back in the paper's own rule order.
        draws.append(
            [
                (pk, rules[index]["points"])
                for index in range(len(rules))
                for pk in chosen_by_rule[index]
            ]
        )
    questions = Question.objects.in_bulk({pk for picks in draws for pk, _points in picks})
    return [
        _arrange(paper, [(questions[pk], points) for pk, points in picks], rng) for picks in draws
    ]


def _arrange(paper, picks, rng):
    """Question and option order for one candidate, as the paper asks."""
    if paper.shuffle_questions:
        rng.shuffle(picks)
    drawn = []
    for question, points in picks:
        order = list(range(len(question.options)))
        if paper.shuffle_options and question.type != QuestionType.TRUE_FALSE:
            rng.shuffle(order)
        drawn.append(DrawnQuestion(question=question, points=points, option_order=tuple(order)))
    return drawn


def score_answer(*, question, selected, points, policy=MultipleChoiceScoring.ALL_OR_NOTHING):
    """
    Points earned for the options a candidate selected (original indexes).
    Multiple choice under the partial rule: a correct subset earns points in
    proportion to the correct options chosen; any wrong option earns nothing.
    """
    selected, key = set(selected), set(question.answer)
    if selected == key:
        return Decimal(points)
    if (
        question.type == QuestionType.MULTIPLE
        and policy == MultipleChoiceScoring.PARTIAL
        and selected
        and selected < key
    ):
        return (Decimal(points) * len(selected) / len(key)).quantize(Decimal("0.1"))
    return Decimal("0")
