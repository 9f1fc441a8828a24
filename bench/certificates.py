"""
Certificates (issue 9): how fast a worker issues them, next to bare WeasyPrint
rendering the same HTML with the same font in the same run; then 1,000
certificates through 2 Celery workers end to end, with each worker's memory
along the way and its peak at the end (it must stay flat: a font
configuration built anew for every render grows a worker to about 900 MB).

    .venv/bin/python bench/certificates.py [--single 40] [--batch 1000]

In-process part: the test settings against PostgreSQL (BENCH_DATABASE_URL,
default postgres://postgres@127.0.0.1:5432/ankang_bench_certificates), which
it creates and migrates. Then two `celery worker -P solo` processes (one
process each, so that a process's peak RSS is the worker's) on a Redis
broker (BENCH_BROKER_URL, default redis://127.0.0.1:6379/3) run
`issue_certificate` for 1,000 graded passes queued at once; the script
follows them in the database and /proc until every certificate has its PDF,
and checks that there is exactly one certificate per attempt.
"""

import argparse
import datetime
import os
import re
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import celery_worker  # noqa: E402

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ankang_bench_certificates"
)
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/3")
PRIVATE = ROOT / "var" / "bench" / "certificates-private"
# Certificates rendered before timing starts: one of each name in the roster.
WARM = 6


def environment():
    """What this process and the workers share: database, broker, files, no eager tasks."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": DATABASE_URL,
        "CELERY_BROKER_URL": BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PRIVATE_MEDIA_ROOT": str(PRIVATE),
    }


def setup():
    os.environ.update(environment())
    from bench.question_bank import setup_django

    PRIVATE.mkdir(parents=True, exist_ok=True)
    setup_django(DATABASE_URL)


def id_number(idcard, seat, stamp):
    """A checksum-valid number, distinct per seat (birth date) and per run (sequence)."""
    born = datetime.date(1960, 1, 1) + datetime.timedelta(days=seat)
    first17 = f"330106{born:%Y%m%d}{stamp % 1000:03d}"
    return first17 + idcard.check_character(first17)


def graded_passes(count, *, label):
    """`count` candidates, each with a graded pass in one big session, without certificates."""
    from django.utils import timezone

    from accounts import idcard
    from accounts import services as accounts
    from accounts.choices import Role
    from exams.choices import AttemptStatus, BookingStatus, PaperKind
    from exams.models import Attempt, Booking, Exam, ExamSession, Paper, Room, TestCentre

    paper, _ = Paper.objects.get_or_create(name="基准证书试卷", defaults={"kind": PaperKind.FIXED})
    exam, _ = Exam.objects.get_or_create(
        title="有限空间作业安全考试", defaults={"target_role": "safety_manager", "paper": paper}
    )
    centre, _ = TestCentre.objects.get_or_create(
        code="BCERT", defaults={"name": "基准证书考点", "address": "-"}
    )
    room, _ = Room.objects.get_or_create(
        centre=centre, name=f"考场{label}", defaults={"seat_count": count, "seats_per_row": 20}
    )
    now = timezone.now()
    session = ExamSession.objects.create(
        exam=exam,
        centre=centre,
        room=room,
        starts_at=now - datetime.timedelta(hours=3),
        capacity=count,
        booking_opens_at=now - datetime.timedelta(days=14),
        booking_closes_at=now - datetime.timedelta(days=1),
    )
    stamp = int(time.time())
    # Names with a rare character now and then, as real rosters have (CJK Extension B).
    surnames, given = "王李张刘陈杨赵黄周吴", ["建国", "秀英", "志强", "丽华", "𡃁明", "伟"]
    attempts = []
    for seat in range(1, count + 1):
        person = accounts.user_create(
            username=f"cert-{label}-{stamp}-{seat}",
            password=None,
            real_name=surnames[seat % 10] + given[seat % len(given)],
            id_number=id_number(idcard, seat, stamp),
            roles=(Role.CANDIDATE,),
        )
        booking = Booking.objects.create(
            session=session,
            candidate=person,
            seat=seat,
            ticket_number=f"B{session.pk:05d}{seat:05d}",
            status=BookingStatus.CHECKED_IN,
        )
        attempts.append(
            Attempt(
                booking=booking,
                candidate=person,
                exam=exam,
                paper=paper,
                status=AttemptStatus.GRADED,
                submitted_at=now,
                graded_at=now,
                score=Decimal("90"),
                max_score=Decimal("100"),
                passed=True,
            )
        )
    return [attempt.pk for attempt in Attempt.objects.bulk_create(attempts)]


def in_process(attempt_ids, warm=WARM):
    """
    Issue-and-render, and bare WeasyPrint on the certificate's HTML with the
    same font configuration, taken in turns certificate by certificate, so
    that whatever else the machine does weighs on both alike.
    """
    from weasyprint import HTML

    from exams import certificate_pdf, certificates

    # The first renders load the fonts, fallbacks included (a name with 𡃁):
    # not what a warm worker does for each certificate.
    for attempt_id in attempt_ids[:warm]:
        certificates.issue_and_render(attempt_id=attempt_id)
    issued_seconds = bare_seconds = 0.0
    measured = attempt_ids[warm:]
    for attempt_id in measured:
        started = time.perf_counter()
        certificate = certificates.issue_and_render(attempt_id=attempt_id)
        issued_seconds += time.perf_counter() - started
        html = certificate_pdf.certificate_html(certificate)
        started = time.perf_counter()
        HTML(string=html).write_pdf(font_config=certificate_pdf.font_config())
        bare_seconds += time.perf_counter() - started
    count = len(measured)
    return {
        "issued": count,
        "issued_per_s": count / issued_seconds,
        "issued_ms": issued_seconds / count * 1000,
        "bare": count,
        "bare_per_s": count / bare_seconds,
        "bare_ms": bare_seconds / count * 1000,
    }


def verification_timing(attempt_ids, rounds):
    """
    The public verification page answered for a number and name that exist
    and for ones that do not, taken in turns through the whole Django stack
    (test client, no rate limit): the two must not be told apart by time.
    """
    import statistics

    from django.test import Client, override_settings

    from exams import certificates
    from exams.models import Certificate

    found = [certificates.issue(attempt_id=pk) for pk in attempt_ids[: min(len(attempt_ids), 20)]]
    client = Client()
    timings = {"found": [], "not found": []}
    with override_settings(CERTIFICATE_VERIFY_RATE="1000000/second"):
        for n in range(rounds):
            certificate = found[n % len(found)]
            asks = {
                "found": {"number": certificate.number, "name": certificate.holder.real_name},
                "not found": {"number": f"AK-2099-{n:06d}", "name": certificate.holder.real_name},
            }
            for kind in ("found", "not found") if n % 2 else ("not found", "found"):
                started = time.perf_counter()
                response = client.post("/certificates/verify/", asks[kind])
                timings[kind].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
    assert Certificate.objects.filter(number__startswith="AK-2099").count() == 0

    def percentile(values, share):
        return sorted(values)[min(len(values) - 1, int(share * len(values)))]

    return {
        kind: {
            "p50": statistics.median(values),
            "p95": percentile(values, 0.95),
            "mean": statistics.fmean(values),
        }
        for kind, values in timings.items()
    }


def rss_kib(pid):
    """(current RSS, peak RSS) of a process in KiB, from /proc."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
    peak = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))
    return rss, peak


def start_workers(count):
    env = {**os.environ, **environment()}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log = ROOT / "var" / "bench" / "certificate-workers.log"
    return [
        celery_worker(env, name=f"bench-certificates-{n}", log=log) for n in range(1, count + 1)
    ]


def through_workers(attempt_ids, worker_count=2):
    from config.celery_app import app
    from exams import tasks
    from exams.models import Certificate

    app.control.purge()
    workers = start_workers(worker_count)
    try:
        time.sleep(8)  # the workers import Django and connect
        idle = [rss_kib(worker.pid)[0] for worker in workers]
        queued = time.perf_counter()
        for attempt_id in attempt_ids:
            tasks.issue_certificate.delay(attempt_id)
        marks = {}  # fraction done → each worker's RSS then
        checkpoints = [0.1, 0.5, 0.9]
        total = len(attempt_ids)
        deadline = time.monotonic() + 3600
        while True:
            done = Certificate.objects.filter(attempt_id__in=attempt_ids).exclude(pdf="").count()
            while checkpoints and done >= checkpoints[0] * total:
                marks[checkpoints.pop(0)] = [rss_kib(worker.pid)[0] for worker in workers]
            if done >= total:
                break
            for worker in workers:
                if worker.poll() is not None:
                    raise RuntimeError("a worker exited; see var/bench/certificate-workers.log")
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {done} of {total} certificates after an hour")
            time.sleep(0.25)
        elapsed = time.perf_counter() - queued
        final = [rss_kib(worker.pid) for worker in workers]
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)
    certificates = Certificate.objects.filter(attempt_id__in=attempt_ids)
    numbers = set(certificates.values_list("number", flat=True))
    return {
        "total": total,
        "certificates": certificates.count(),
        "with_pdf": certificates.exclude(pdf="").count(),
        "unique_numbers": len(numbers),
        "elapsed": elapsed,
        "idle": idle,
        "marks": marks,
        "final": final,
        "workers": worker_count,
    }


def mib(kib):
    return f"{kib / 1024:.0f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--single", type=int, default=40, help="certificates issued in-process")
    parser.add_argument("--batch", type=int, default=1000, help="certificates through the workers")
    parser.add_argument(
        "--verify", type=int, default=500, help="verification pairs (found, not found)"
    )
    args = parser.parse_args()
    setup()
    from bench.harness import record

    if args.verify:
        timing = verification_timing(graded_passes(20, label="verify"), args.verify)
        rows = "\n".join(
            f"| {kind} | {t['p50']:.2f} | {t['p95']:.2f} | {t['mean']:.2f} |"
            for kind, t in timing.items()
        )
        record(
            "Certificates: verification time, found and not found",
            f"python bench/certificates.py --verify {args.verify}",
            f"{args.verify} checks of each by number and name on `/certificates/verify/`, "
            "taken in turns through the Django stack (test client, rate limit lifted), ms:\n\n"
            "| answer | p50 | p95 | mean |\n| --- | ---: | ---: | ---: |\n" + rows,
        )
    if not (args.single or args.batch):
        return

    single = in_process(graded_passes(args.single + WARM, label="single"))
    batch = through_workers(graded_passes(args.batch, label="batch"))

    rows = [
        "| worker | idle MiB | at 10 % | at 50 % | at 90 % | at the end | peak MiB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n in range(batch["workers"]):
        marks = [mib(batch["marks"][mark][n]) for mark in (0.1, 0.5, 0.9)]
        rss, peak = batch["final"][n]
        cells = [str(n + 1), mib(batch["idle"][n]), *marks, mib(rss), mib(peak)]
        rows.append(f"| {' | '.join(cells)} |")
    per_second = batch["total"] / batch["elapsed"]
    body = (
        f"One process, warm, one certificate after another ({single['issued']} certificates, "
        "issuing and the bare render taken in turns):\n\n"
        "| what | per second | ms each |\n| --- | ---: | ---: |\n"
        f"| issue + render + store (`issue_and_render`) | {single['issued_per_s']:.1f} "
        f"| {single['issued_ms']:.0f} |\n"
        f"| bare WeasyPrint, same HTML and font | {single['bare_per_s']:.1f} "
        f"| {single['bare_ms']:.0f} |\n\n"
        f"{batch['total']} certificates queued at once through {batch['workers']} workers "
        f"(`celery worker -P solo`): all issued with their PDF in {batch['elapsed']:.0f} s, "
        f"{per_second:.1f} a second ({per_second / batch['workers']:.1f} per worker); "
        f"{batch['certificates']} certificates, {batch['with_pdf']} with a PDF, "
        f"{batch['unique_numbers']} distinct numbers.\n\n"
        "Each worker's resident memory (MiB) as the batch went:\n\n" + "\n".join(rows)
    )
    record(
        "Certificates: issuing and rendering",
        "python bench/certificates.py" + (" " + " ".join(sys.argv[1:]) if sys.argv[1:] else ""),
        body,
    )
    if batch["certificates"] != batch["total"] or batch["with_pdf"] != batch["total"]:
        sys.exit("not one certificate with a PDF per attempt")


if __name__ == "__main__":
    main()
