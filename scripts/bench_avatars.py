"""
What one avatar upload costs: time and peak memory of avatars.process for each kind of file,
crafted refusals and pictures at the limits, and a 50 MB upload through the size-limited upload
handler.

    SECRET_KEY=x DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python scripts/bench_avatars.py

Each file is processed in a fresh Python process, so that one case's memory cannot hide
another's. Peak memory is the process's peak resident size during avatars.process above what it
held just before (Linux: VmHWM is reset through /proc/self/clear_refs first); it counts what
Pillow, libjpeg and libwebp allocate in C, which tracemalloc does not see. The figures for the
README come from this script (README, "Accounts and members' data").
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diseasemaps.settings")


def cases() -> dict[str, bytes]:
    from PIL import Image

    from tests.members import images

    encoded = images.encoded
    red = (200, 30, 30)
    return {
        "PNG bomb (900 MP header)": images.png_bomb(),
        "50 MP PNG header": images.png_over_limit(),
        "HTML named .jpg": images.HTML,
        "BMP named .png": images.bmp(),
        "truncated PNG": images.truncated_png(),
        "39.7 MP RGB PNG (the issue's file)": encoded(
            Image.new("RGB", (6300, 6300), red), format="PNG", optimize=True
        ),
        "16 MP RGB PNG": encoded(Image.new("RGB", (4000, 4000), red), format="PNG"),
        "16 MP RGBA PNG": encoded(Image.new("RGBA", (4000, 4000), (*red, 99)), format="PNG"),
        "39.7 MP greyscale PNG": encoded(Image.new("L", (6300, 6300), 90), format="PNG"),
        "4 MP WebP": encoded(Image.new("RGB", (2000, 2000), red), format="WEBP", lossless=True),
        "39.7 MP WebP": encoded(Image.new("RGB", (6300, 6300), red), format="WEBP", lossless=True),
        "39.7 MP JPEG": encoded(Image.new("RGB", (6300, 6300), red), format="JPEG"),
        "19.4 MP progressive JPEG": encoded(
            Image.new("RGB", (4400, 4400), red), format="JPEG", progressive=True
        ),
        "39.7 MP progressive JPEG": encoded(
            Image.new("RGB", (6300, 6300), red), format="JPEG", progressive=True
        ),
        "12 MP photo with GPS EXIF": images.jpeg_with_gps(4032, 3024),
    }


def _status_kb(key: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def measure_one(path: str) -> None:
    """In the child process: process one file and print outcome, milliseconds and peak MB."""
    import resource

    import django

    django.setup()
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from diseasemaps.members import avatars

    upload = SimpleUploadedFile("avatar", Path(path).read_bytes())
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")  # resets the peak resident size to the current one
        before = _status_kb("VmRSS:")
    except OSError:
        before = None
    if before is None:  # no /proc: the peak so far stands in for the baseline
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        avatars.process(upload)
        outcome = "accepted"
    except ValidationError as error:
        outcome = error.code
    elapsed = (time.perf_counter() - started) * 1000
    peak = _status_kb("VmHWM:") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{outcome}\t{elapsed:.0f}\t{max(0, peak - before) / 1024:.0f}")


def main() -> None:
    import django

    django.setup()
    from django.conf import settings

    print(
        f"Limits: {settings.DISEASEMAPS_AVATAR_MAX_PIXELS / 1e6:g} megapixels, "
        f"{settings.DISEASEMAPS_AVATAR_MAX_DECODE_BYTES / 1e6:g} MB to decode "
        f"(uploads over {settings.DISEASEMAPS_AVATAR_MAX_BYTES // 1024 // 1024} MB cut off)"
    )
    print(f"| {'file':<36} | {'size':>8} | {'outcome':<13} | {'time':>7} | {'peak memory':>11} |")
    print(f"|{'-' * 38}|{'-' * 10}:|{'-' * 15}|{'-' * 8}:|{'-' * 12}:|")
    with tempfile.TemporaryDirectory() as folder:
        for name, data in cases().items():
            path = Path(folder) / "upload"
            path.write_bytes(data)
            result = subprocess.run(  # noqa: S603 (this script, a file it wrote)
                [sys.executable, __file__, "--one", str(path)],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            outcome, elapsed, peak = result.stdout.strip().splitlines()[-1].split("\t")
            size = f"{len(data)} B" if len(data) < 1024 else f"{len(data) / 1024:.0f} KB"
            print(f"| {name:<36} | {size:>8} | {outcome:<13} | {elapsed:>4} ms | {peak:>8} MB |")

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
        f"\n50 MB upload: cut off after {received // 1024} KB in "
        f"{(time.perf_counter() - started) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        measure_one(sys.argv[2])
    else:
        main()
