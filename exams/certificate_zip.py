"""
A session's certificates as one ZIP, for the centre to hand out or archive:
built by the worker (a room of 300 PDFs is tens of megabytes), followed by a
progress page, kept for a day in private storage and then deleted.

The job lives in the cache under a random token, like the printing of a
session's admission tickets (exams/ticket_pdf.py): who asked, for which
session, how far the worker is, and the file when it is done.
"""

import re
import secrets
import tempfile
import zipfile

from django.core.files import File
from django.core.files.storage import storages

from exams.certificate_selectors import session_certificates
from exams.certificates import with_stored_pdf
from exams.models import ExamSession
from exams.session_files import SessionFileJob, purge_old_files

FOLDER = "certificates/sessions"
# {"session", "user", "status", "done", "total", "file"}, followed by the ZIP page.
zip_jobs = SessionFileJob("certificate-zip", seconds=24 * 60 * 60)
# How often the worker says how far it is: often enough for a smooth bar,
# rarely enough not to write the cache for every file.
PROGRESS_EVERY = 10


def zip_job_start(*, session, user):
    """Queue the ZIP of a session's certificates; return the job's token."""
    purge_old_zips()
    total = session_certificates(session).count()
    token = zip_jobs.start(session=session, user=user, done=0, total=total)
    from exams import tasks

    tasks.zip_session_certificates.delay_on_commit(session.pk, token)
    return token


def entry_name(certificate):
    holder = certificate.holder
    # A name is typed by people: no folder separators inside the archive.
    name = re.sub(r"[\\/:]", "_", holder.real_name or holder.username)
    return f"{certificate.number}-{name}.pdf"


def store_session_zip(*, session_id, token):
    """Put a session's stored certificate PDFs into one private ZIP and say so in the job."""
    job = zip_jobs.get(token)
    if job is None:  # expired: nobody is waiting for it
        return None
    session = ExamSession.objects.get(pk=session_id)
    certificates = list(session_certificates(session))
    job = {**job, "status": "running", "done": 0, "total": len(certificates)}
    zip_jobs.save(token, job)
    try:
        name = _write_zip(token, job, certificates)
    except Exception:
        # The page stops waiting and says so; a retry of the task starts again.
        zip_jobs.save(token, {**job, "status": "failed"})
        raise
    job = {**job, "status": "done", "done": len(certificates), "file": name}
    zip_jobs.save(token, job)
    return job


def _write_zip(token, job, certificates):
    # On disk, not in memory: PDFs are already compressed, so the ZIP is as big as they are.
    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as archive:
            for done, certificate in enumerate(certificates, start=1):
                # One made in bulk, or whose worker has not got to it yet, is rendered now.
                certificate = with_stored_pdf(certificate)
                with certificate.pdf.open("rb") as pdf:
                    archive.writestr(entry_name(certificate), pdf.read())
                if done % PROGRESS_EVERY == 0:
                    zip_jobs.save(token, {**job, "done": done})
        spool.seek(0)
        return storages["private"].save(f"{FOLDER}/{secrets.token_hex(16)}.zip", File(spool))


def purge_old_zips(now=None):
    """ZIPs of certificates (personal data) are deleted after a day."""
    return purge_old_files(FOLDER, now)
