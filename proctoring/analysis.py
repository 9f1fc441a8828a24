"""
What OpenCV sees on a webcam frame: how many faces, how bright, how sharp,
whether the face is too small or cut off, and whether it is still the face
checked in at the desk.

Everything runs offline with what opencv-contrib ships: the Haar cascades in
`cv2.data.haarcascades` (frontal, and profile in both directions by flipping
the frame) and LBPH from `cv2.face`. The thresholds are settings; the
measurements that chose them are in docs/proctoring.md.
"""

from dataclasses import asdict, dataclass, field

import cv2
import numpy as np
from django.conf import settings

from proctoring.choices import IncidentKind

# Detection runs on a frame this wide: faster, and the cascades were trained
# on faces of 20-24 px, which a seated candidate still is at this size.
DETECT_WIDTH = 320
MIN_FACE = (20, 20)
FACE_CROP = (96, 96)
HEAD_BEYOND_BOX = 0.25

_cascades = {}


def _cascade(name):
    if name not in _cascades:
        _cascades[name] = cv2.CascadeClassifier(cv2.data.haarcascades + name)
    return _cascades[name]


@dataclass
class Flag:
    kind: str
    reason: str
    confidence: float


@dataclass
class Measurement:
    width: int
    height: int
    brightness: float
    sharpness: float
    faces: list = field(default_factory=list)  # [x, y, w, h] in the frame's own pixels
    identity_distance: float | None = None
    flags: list = field(default_factory=list)

    @property
    def face_count(self):
        return len(self.faces)

    def as_json(self):
        data = asdict(self)
        data.pop("flags")
        return data


def decode(data):
    """A BGR array from JPEG bytes, or None."""
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)


def _downscaled_gray(frame):
    height, width = frame.shape[:2]
    scale = min(1.0, DETECT_WIDTH / width)
    small = cv2.resize(
        frame, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA
    )
    return cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), scale


def _overlap(a, b):
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0, min(ay + ah, by + bh) - max(ay, by))
    return ix * iy / min(aw * ah, bw * bh)


def detect_faces(gray):
    """
    Faces on an equalised grey frame: frontal, then profiles looking either
    way; a profile overlapping a face already found is the same face.
    """
    equalised = cv2.equalizeHist(gray)
    options = {"scaleFactor": 1.1, "minNeighbors": 5, "minSize": MIN_FACE}
    # alt2 rather than default: on the test frames default also fires on the
    # astronaut's suit and on half a face (docs/proctoring.md).
    frontal = _cascade("haarcascade_frontalface_alt2.xml")
    faces = [tuple(map(int, f)) for f in frontal.detectMultiScale(equalised, **options)]
    profile = _cascade("haarcascade_profileface.xml")
    width = equalised.shape[1]
    mirrored = profile.detectMultiScale(cv2.flip(equalised, 1), **options)
    found = [tuple(map(int, f)) for f in profile.detectMultiScale(equalised, **options)]
    found += [(width - int(x) - int(w), int(y), int(w), int(h)) for x, y, w, h in mirrored]
    for candidate in found:
        if all(_overlap(candidate, face) < 0.3 for face in faces):
            faces.append(candidate)
    return sorted(faces)


def face_crop(gray, box):
    x, y, w, h = box
    return cv2.equalizeHist(cv2.resize(gray[y : y + h, x : x + w], FACE_CROP))


def reference_faces(frames):
    """The face crops (grey, 96×96) of the frames known to show the candidate: one per frame."""
    crops = []
    for frame in frames:
        if frame is None:
            continue
        gray, scale = _downscaled_gray(frame)
        faces = detect_faces(gray)
        if faces:
            largest = max(faces, key=lambda f: f[2] * f[3])
            crops.append(face_crop(gray, largest))
    return crops


def identity_model(crops):
    """An LBPH model of the candidate's face, trained on the check-in crops (None without any)."""
    if not crops:
        return None
    model = cv2.face.LBPHFaceRecognizer_create(radius=1, neighbors=8, grid_x=8, grid_y=8)
    model.train(crops, np.zeros(len(crops), dtype=np.int32))
    return model


def measure(frame, *, model=None):
    """Measure one BGR frame and decide its flags by the thresholds in settings."""
    height, width = frame.shape[:2]
    gray, scale = _downscaled_gray(frame)
    measurement = Measurement(
        width=width,
        height=height,
        brightness=round(float(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY).mean()), 1),
        # On the equalised frame, so that a dim but sharp picture is not "blurred".
        sharpness=round(float(cv2.Laplacian(cv2.equalizeHist(gray), cv2.CV_64F).var()), 1),
    )
    faces = detect_faces(gray)
    measurement.faces = [[round(v / scale) for v in face] for face in faces]
    if model is not None and len(faces) == 1:
        _label, distance = model.predict(face_crop(gray, faces[0]))
        measurement.identity_distance = round(float(distance), 1)
    measurement.flags = _flags(measurement, gray.shape)
    return measurement


def _flags(m, small_shape):
    flags = []
    dark = settings.PROCTORING_DARK_BELOW
    if m.brightness < dark:
        confidence = min(1.0, 0.5 + (dark - m.brightness) / dark / 2)
        flags.append(Flag(IncidentKind.DARK, f"brightness {m.brightness:.0f} < {dark}", confidence))
    blurred = settings.PROCTORING_BLURRED_BELOW
    if m.sharpness < blurred:
        confidence = min(1.0, 0.5 + (blurred - m.sharpness) / blurred / 2)
        flags.append(
            Flag(IncidentKind.BLURRED, f"sharpness {m.sharpness:.0f} < {blurred}", confidence)
        )
    if m.face_count == 0:
        # In the dark nothing is found: that is the dark flag's business too.
        flags.append(Flag(IncidentKind.NO_FACE, "0 faces", 0.6 if flags else 0.8))
    elif m.face_count > 1:
        flags.append(Flag(IncidentKind.SEVERAL_FACES, f"{m.face_count} faces", 0.8))
    else:
        x, y, w, h = m.faces[0]
        share = w / m.width
        if share < settings.PROCTORING_FACE_MIN_SHARE:
            flags.append(Flag(IncidentKind.FACE_SMALL, f"face {share:.0%} of the width", 0.7))
        # The cascade's box holds eyes to mouth; the head reaches a quarter
        # of its width beyond it on every side.
        margin = settings.PROCTORING_EDGE_MARGIN * m.width + HEAD_BEYOND_BOX * w
        if x < margin or y < margin or x + w > m.width - margin or y + h > m.height - margin:
            flags.append(Flag(IncidentKind.FACE_CUT_OFF, "face at the edge of the frame", 0.6))
        limit = settings.PROCTORING_IDENTITY_MAX_DISTANCE
        if m.identity_distance is not None and m.identity_distance > limit:
            confidence = min(1.0, 0.5 + (m.identity_distance - limit) / limit)
            flags.append(
                Flag(
                    IncidentKind.NOT_SAME_PERSON,
                    f"LBPH distance {m.identity_distance:.0f} > {limit}",
                    round(confidence, 2),
                )
            )
    return flags
