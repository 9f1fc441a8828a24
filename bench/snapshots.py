"""
Snapshot analyses per second in one process: the full analysis a worker runs
(`proctoring.analysis.measure`: decode, grey, downscale, equalise, frontal and
both profile cascades, brightness, sharpness, LBPH against a check-in model)
next to bare OpenCV on the same JPEG frames in the same run (decode, grey,
one frontal cascade pass at full size).

    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python -m bench.snapshots

Not measured here yet: upload-to-flag latency at 500 candidates through
gunicorn, Redis and a worker pool.
"""

import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
django.setup()

import cv2  # noqa: E402

from proctoring import analysis  # noqa: E402
from tests.proctoring import frames  # noqa: E402

SECONDS = 5


def rate(work, payloads):
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < SECONDS:
        for payload in payloads:
            work(payload)
            done += 1
    return done / (time.perf_counter() - started)


def main():
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

    print(f"frames: {len(payloads)} JPEGs ≤640×480 (astronaut, two portraits, cat, coffee)")
    print(f"bare OpenCV decode + frontal detect : {rate(bare, payloads):7.1f} frames/s")
    print(f"full snapshot analysis              : {rate(full, payloads):7.1f} frames/s")


if __name__ == "__main__":
    main()
