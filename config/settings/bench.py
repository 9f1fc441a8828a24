"""
The production settings plus one bench-only URL (`bench/urls_bare.py`): a bare
Django view doing one INSERT, the baseline `bench/exam_saves.py` measures the
answer saves against in the same gunicorn. Used only by the benchmarks, with
their own database (`ankang_bench`); never deployed.
"""

from .production import *  # noqa: F403

ROOT_URLCONF = "bench.urls_bare"
