"""
How long a member waits for the avatar checks to refuse a bad file (the issue asks for under a
second): each crafted file through avatars.process, and a 50 MB upload through the whole view.

    SECRET_KEY=x DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python scripts/bench_avatars.py
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diseasemaps.settings")

import django  # noqa: E402

django.setup()

from django.core.exceptions import ValidationError  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402

from diseasemaps.members import avatars  # noqa: E402
from tests.members import images  # noqa: E402

CASES = {
    "PNG bomb (900 MP header)": images.png_bomb(),
    "50 MP PNG": images.png_over_limit(),
    "HTML named .jpg": images.HTML,
    "BMP named .png": images.bmp(),
    "truncated PNG": images.truncated_png(),
    "photo with GPS EXIF (accepted)": images.jpeg_with_gps(4000, 3000),
}


def main() -> None:
    for name, data in CASES.items():
        started = time.perf_counter()
        try:
            avatars.process(SimpleUploadedFile("f", data))
            outcome = "accepted"
        except ValidationError as error:
            outcome = error.code
        print(f"{name:<34} {outcome:<14} {(time.perf_counter() - started) * 1000:8.1f} ms")

    from django.core.files.uploadhandler import SkipFile
    from django.test import RequestFactory

    from diseasemaps.members.uploads import SizeLimitUploadHandler

    handler = SizeLimitUploadHandler(RequestFactory().post("/"))
    handler.new_file("avatar", "huge.jpg", "image/jpeg", None)
    chunk = b"\0" * 65536
    started = time.perf_counter()
    received = 0
    try:
        while received < 50 * 1024 * 1024:
            received += len(handler.receive_data_chunk(chunk, received))
    except SkipFile:
        pass
    print(
        f"{'50 MB upload, cut off at':<34} {received // 1024:>9} KB "
        f"{(time.perf_counter() - started) * 1000:8.1f} ms"
    )


if __name__ == "__main__":
    main()
