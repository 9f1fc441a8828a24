"""
Real photographs for the analysis tests (scikit-image's sample data), as the
exam page would send them: JPEG frames of at most 640×480.

- one face: the astronaut (Eileen Collins);
- two faces: two portraits side by side (the astronaut and her mirror image);
- no face: Chelsea the cat, and an empty scene (a cup of coffee on a table);
- each of them darkened to 30 % and 10 % light, blurred (Gaussian, sigma 2),
  and the astronaut cropped tight, with her face at the frame's edge, and
  cut in half.
"""

import io

import cv2
import numpy as np
from PIL import Image
from skimage import data


def jpeg(rgb, quality=85):
    image = Image.fromarray(np.ascontiguousarray(rgb))
    image.thumbnail((640, 480))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def astronaut():
    return data.astronaut()


def two_portraits():
    face = data.astronaut()
    return np.hstack([face, face[:, ::-1]])


def chelsea():
    return data.chelsea()


def empty_scene():
    return data.coffee()


def darkened(rgb, light):
    return (rgb.astype(np.float32) * light).astype(np.uint8)


def blurred(rgb, sigma=2):
    return cv2.GaussianBlur(rgb, (0, 0), sigma)


SCENES = {
    "astronaut": (astronaut, 1),
    "two portraits": (two_portraits, 2),
    "chelsea": (chelsea, 0),
    "empty scene": (empty_scene, 0),
}
