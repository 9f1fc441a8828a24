"""
Files the worker makes of a whole session for one staff member (the session's
tickets as one PDF, its certificates as one ZIP): the job is followed through
the shared cache by the page that asked for it, and the file, personal data,
is kept in private storage for a day.
"""

import secrets

from django.core.cache import cache
from django.core.files.storage import storages
from django.http import FileResponse, Http404
from django.utils import timezone

KEPT_FOR = timezone.timedelta(days=1)


class SessionFileJob:
    def __init__(self, name, *, seconds):
        self.name = name
        self.seconds = seconds

    def key(self, token):
        return f"exams:{self.name}:{token}"

    def get(self, token):
        """The job's record ({"session", "user", "status", "file", …}), or None once expired."""
        return cache.get(self.key(token))

    def save(self, token, job):
        cache.set(self.key(token), job, self.seconds)

    def start(self, *, session, user, **fields):
        """Record a queued job for `user` and return its token (the caller queues the task)."""
        token = secrets.token_urlsafe(16)
        self.save(
            token,
            {"session": session.pk, "user": user.pk, "status": "queued", "file": "", **fields},
        )
        return token

    def for_page(self, token, *, session, user):
        """The job, if it is this person's for this session; otherwise not found."""
        job = self.get(token)
        if job is None or job["session"] != session.pk or job["user"] != user.pk:
            raise Http404
        return job

    @staticmethod
    def download(job, *, filename, content_type):
        return FileResponse(
            storages["private"].open(job["file"], "rb"),
            as_attachment=True,
            filename=filename,
            content_type=content_type,
        )


def purge_old_files(folder, now=None):
    """Delete the files in `folder` of private storage older than a day; return how many."""
    now = now or timezone.now()
    storage = storages["private"]
    try:
        _folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return 0
    old = [
        f"{folder}/{name}"
        for name in files
        if now - storage.get_modified_time(f"{folder}/{name}") > KEPT_FOR
    ]
    for name in old:
        storage.delete(name)
    return len(old)
