"""
Snapshot analyses per second in one process: the full analysis a worker runs
(`proctoring.analysis.measure`: decode, grey, downscale, equalise, frontal and
both profile cascades, brightness, sharpness, LBPH against a check-in model)
next to bare OpenCV on the same JPEG frames in the same run (decode, grey,
one frontal cascade pass at full size).

    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python -m bench.snapshots

The upload-to-flag latency at 500 candidates through gunicorn, PostgreSQL,
Redis and two Celery worker processes is `bench/snapshot_latency.py`, which
prints this script's figures next to its own (`rates()`).
"""

import os
import time

SECONDS = 5


def rate(work, payloads, seconds=SECONDS):
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for payload in payloads:
            work(payload)
            done += 1
    return done / (time.perf_counter() - started)


def rates(seconds=SECONDS):
    """{"bare": frames/s, "full": frames/s} in this process, on one core (Django set up)."""
    import cv2

    from proctoring import analysis
    from tests.proctoring import frames

    cv2.setNumThreads(1)  # one worker process, one core
    payloads = [frames.jpeg(make()) for make, _faces in frames.SCENES.values()]
    model = analysis.identity_model(
        analysis.reference_faces([analysis.decode(frames.jpeg(frames.astronaut()))])
    )
    frontal = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_alt2.xml")

    def bare(data):
        gray = cv2.cvtColor(analysis.decode(data), cv2.COLOR_BGR2GRAY)
        frontal.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5)

    def full(data):
        analysis.measure(analysis.decode(data), model=model)

    return {"bare": rate(bare, payloads, seconds), "full": rate(full, payloads, seconds)}


def main():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    measured = rates()
    print("frames: 4 JPEGs ≤640×480 (astronaut, two portraits, cat, coffee)")
    print(f"bare OpenCV decode + frontal detect : {measured['bare']:7.1f} frames/s")
    print(f"full snapshot analysis              : {measured['full']:7.1f} frames/s")


if __name__ == "__main__":
    main()
