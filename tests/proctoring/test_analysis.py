"""
What OpenCV finds on real photographs (tests/proctoring/frames.py), and the
flags it raises. The counts must be right on every frame; the flags raised on
the clean frames are the false-flag rate, printed with `-s`.
"""

import numpy as np
import pytest

from proctoring import analysis
from proctoring.choices import IncidentKind
from tests.proctoring import frames


def measure(rgb, model=None):
    return analysis.measure(analysis.decode(frames.jpeg(rgb)), model=model)


def kinds(measurement):
    return {flag.kind for flag in measurement.flags}


VARIANTS = {
    "clean": lambda rgb: rgb,
    "darkened to 30 %": lambda rgb: frames.darkened(rgb, 0.3),
    "blurred": lambda rgb: frames.blurred(rgb, 2),
}


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("scene", frames.SCENES)
def test_it_counts_the_faces_on_every_frame(scene, variant):
    make, faces = frames.SCENES[scene]
    assert measure(VARIANTS[variant](make())).face_count == faces


@pytest.mark.parametrize("scene", ["astronaut", "chelsea", "empty scene"])
def test_it_still_counts_right_at_10_percent_light(scene):
    make, faces = frames.SCENES[scene]
    assert measure(frames.darkened(make(), 0.1)).face_count == faces


def test_it_flags_nothing_on_a_clean_frame_of_one_candidate():
    assert measure(frames.astronaut()).flags == []


def test_the_false_flag_rate_on_clean_frames(capsys):
    """Clean frames: what should be flagged is only what the scene is (no face, two faces)."""
    expected = {
        "astronaut": set(),
        "two portraits": {IncidentKind.SEVERAL_FACES},
        "chelsea": {IncidentKind.NO_FACE},
        "empty scene": {IncidentKind.NO_FACE},
    }
    false_flags = 0
    for scene, (make, _faces) in frames.SCENES.items():
        false_flags += len(kinds(measure(make())) - expected[scene])
    with capsys.disabled():
        print(f"\nfalse flags on {len(expected)} clean frames: {false_flags}")
    assert false_flags == 0


@pytest.mark.parametrize("scene", frames.SCENES)
def test_it_flags_a_dark_frame_as_dark(scene):
    make, _faces = frames.SCENES[scene]
    measurement = measure(frames.darkened(make(), 0.3))
    assert IncidentKind.DARK in kinds(measurement)
    assert IncidentKind.BLURRED not in kinds(measurement)  # dim, but sharp


def test_a_covered_camera_is_dark_and_faceless():
    measurement = measure(np.full((480, 640, 3), 4, np.uint8))
    assert kinds(measurement) >= {IncidentKind.DARK, IncidentKind.NO_FACE}


@pytest.mark.parametrize("scene", ["astronaut", "chelsea", "empty scene"])
def test_it_flags_a_blurred_frame_as_blurred(scene):
    make, _faces = frames.SCENES[scene]
    measurement = measure(frames.blurred(make(), 2))
    assert IncidentKind.BLURRED in kinds(measurement)
    assert IncidentKind.DARK not in kinds(measurement)


def test_it_finds_no_whole_face_in_half_a_face():
    half = frames.astronaut()[0:300, 200:500]
    assert measure(half).face_count == 0


def test_it_flags_a_face_at_the_edge_as_cut_off():
    at_the_edge = frames.astronaut()[0:300, 150:450]
    measurement = measure(at_the_edge)
    assert measurement.face_count == 1
    assert IncidentKind.FACE_CUT_OFF in kinds(measurement)


def test_a_tight_crop_of_the_face_is_one_face_unflagged():
    tight = frames.astronaut()[0:300, 60:360]
    measurement = measure(tight)
    assert measurement.face_count == 1
    assert measurement.flags == []


def test_it_flags_a_face_far_from_the_camera():
    far = np.pad(frames.astronaut(), ((300, 300), (300, 300), (0, 0)), mode="edge")
    measurement = measure(far)
    assert measurement.face_count == 1
    assert IncidentKind.FACE_SMALL in kinds(measurement)


def _model():
    reference = analysis.reference_faces([analysis.decode(frames.jpeg(frames.astronaut()))])
    return analysis.identity_model(reference)


@pytest.mark.parametrize(
    "frame",
    [
        lambda: frames.darkened(frames.astronaut(), 0.3),
        lambda: frames.blurred(frames.astronaut(), 2),
        lambda: frames.astronaut()[0:300, 60:360],
    ],
    ids=["darkened", "blurred", "cropped"],
)
def test_the_same_person_in_other_light_is_still_the_person_checked_in(frame):
    measurement = measure(frame(), model=_model())
    assert measurement.identity_distance is not None
    assert IncidentKind.NOT_SAME_PERSON not in kinds(measurement)


def test_someone_else_is_not_the_person_checked_in():
    import cv2
    from skimage import data

    other = cv2.resize((data.lfw_subset()[0] * 255).astype(np.uint8), (160, 160))
    # An LFW face, framed as a webcam would: the face in the middle of a grey room.
    frame = np.full((480, 640), 120, np.uint8)
    frame[120:280, 240:400] = other
    rgb = np.dstack([frame] * 3)
    measurement = measure(rgb, model=_model())
    assert measurement.face_count == 1  # the cascade sees the stranger's face
    assert IncidentKind.NOT_SAME_PERSON in kinds(measurement)
