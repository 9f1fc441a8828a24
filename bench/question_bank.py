"""
Question-bank figures: importing a 10,000-question Excel file (time and peak
memory of the process) and blueprint draws per second for a 100-point paper.

    .venv/bin/python bench/question_bank.py [--questions 10000] [--draws 200]

Runs in-process with the test settings against PostgreSQL (BENCH_DATABASE_URL,
default postgres://postgres@127.0.0.1:5432/ankang_bench_qb), which it creates
and migrates.
"""

import argparse
import os
import random
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(database_url):
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DATABASE_URL"] = database_url
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    from bench.harness import create_database

    create_database({"DATABASE_URL": database_url})
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def synthetic_questions(n):
    from exams.importers.base import ParsedQuestion

    rng = random.Random(2026)
    industries = ["有限空间", "危险化学品", "粉尘防爆", "涉氨制冷", "冶金煤气"]
    kinds = ["single", "multiple", "true_false"]
    for i in range(n):
        kind = kinds[i % 3]
        topic = industries[i % 5]
        options = [] if kind == "true_false" else [f"{topic}做法{i}-{j}" for j in range(4)]
        answer = {"single": (rng.randrange(4),), "multiple": (0, 2), "true_false": (i % 2,)}[kind]
        yield ParsedQuestion(
            type=kind,
            stem=f"第{i}题：关于{topic}作业安全，下列说法正确的是（ ）。",
            options=options,
            answer=answer,
            explanation=f"{topic}作业应遵守安全规程。",
            difficulty=1 + i % 5,
            tags=[topic],
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--draws", type=int, default=200)
    args = parser.parse_args()
    setup_django(
        os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ankang_bench_qb")
    )

    from django.core.files.uploadedfile import SimpleUploadedFile

    from bench.harness import record
    from exams import exporters, services
    from exams.choices import PaperKind
    from exams.models import BlueprintRule, ImportJob, Paper, Question, QuestionBank

    Question.objects.all().delete()
    Paper.objects.all().delete()
    bank, _ = QuestionBank.objects.get_or_create(name="基准测试题库", defaults={"owner": "bench"})

    started = time.perf_counter()
    workbook = exporters.export_excel(list(synthetic_questions(args.questions)))
    write_seconds = time.perf_counter() - started

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # The job is made directly (not through import_job_create) so that the
    # import runs here, timed, rather than in a task queued on commit.
    job = ImportJob(bank=bank, file_name="bench.xlsx", format="xlsx", dry_run=False)
    job.file.save("bench.xlsx", SimpleUploadedFile("bench.xlsx", workbook), save=True)
    started = time.perf_counter()
    services.import_job_run(job_id=job.pk)
    import_seconds = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    job = ImportJob.objects.get(pk=job.pk)

    paper = Paper.objects.create(name="基准试卷", kind=PaperKind.BLUEPRINT)
    paper.banks.set([bank])
    paper.save()  # a ParentalManyToManyField is written on save
    for order, (kind, count, points) in enumerate(
        [("single", 20, 2), ("multiple", 10, 3), ("true_false", 15, 2)]
    ):
        BlueprintRule.objects.create(
            paper=paper, sort_order=order, type=kind, count=count, points=Decimal(points)
        )
    rng = random.Random(1)
    services.draw_paper(paper=paper, rng=rng)  # warm up
    started = time.perf_counter()
    for _ in range(args.draws):
        services.draw_paper(paper=paper, rng=rng)
    draw_seconds = time.perf_counter() - started
    started = time.perf_counter()
    services.draw_papers(paper=paper, count=300, rng=rng)
    room_seconds = time.perf_counter() - started

    body = (
        f"{args.questions:,} questions ({len(workbook) / 1024 / 1024:.1f} MB .xlsx, written in "
        f"{write_seconds:.1f} s).\n\n"
        "| what | figure |\n| --- | ---: |\n"
        f"| import (parse, check, duplicates, save), all or nothing | {import_seconds:.1f} s |\n"
        f"| questions imported | {job.report['summary'].get('created', 0):,} |\n"
        f"| questions per second | {args.questions / import_seconds:,.0f} |\n"
        f"| peak memory of the process (max RSS) before → after | {rss_before / 1024:.0f} MB → "
        f"{rss_after / 1024:.0f} MB |\n"
        f"| blueprint draws per second (45 questions, 100 points, {args.draws} draws) | "
        f"{args.draws / draw_seconds:,.1f} |\n"
        f"| a room of 300 candidates drawn at once (draw_papers) | {room_seconds:.2f} s "
        f"({300 / room_seconds:,.0f} draws per second) |\n"
    )
    record(
        "Question bank (issue 5)",
        f"python bench/question_bank.py --questions {args.questions} --draws {args.draws}",
        body,
    )


if __name__ == "__main__":
    main()
