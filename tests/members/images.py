"""Real, crafted files for the avatar checks, made with Pillow (and by hand where Pillow won't)."""

import io
import struct
import zlib

from PIL import Image


def png(width: int = 64, height: int = 48, color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="PNG")
    return out.getvalue()


def jpeg_with_gps(width: int = 120, height: int = 80, orientation: int = 6) -> bytes:
    """A photo carrying EXIF with GPS coordinates, a camera model and an orientation."""
    image = Image.new("RGB", (width, height), (20, 120, 200))
    exif = Image.Exif()
    exif[0x0110] = "Secret Camera 3000"  # Model
    exif[0x0112] = orientation  # Orientation: rotate 90° clockwise to display
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (51.0, 30.0, 12.0)
    gps[3] = "W"
    gps[4] = (0.0, 7.0, 39.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"taken at home")
    return out.getvalue()


def png_bomb(width: int = 30_000, height: int = 30_000, *, rgb: bool = False) -> bytes:
    """
    A valid PNG header announcing 900 megapixels (8-bit grey, or RGB), with a tiny compressed
    body: decoding it would take gigabytes of memory. Written by hand so the test does not need
    that memory.
    """

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    colour_type, channels = (2, 3) if rgb else (0, 1)
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    row = b"\x00" + b"\x00" * width * channels
    compressor = zlib.compressobj(9)
    body = compressor.compress(row * 200) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


def png_over_limit() -> bytes:
    """A real 50-megapixel PNG header (under Pillow's own bomb limit, over ours)."""
    return png_bomb(width=10_000, height=5_000)


def bmp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 0, 0)).save(out, format="BMP")
    return out.getvalue()


HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


def truncated_png() -> bytes:
    data = png(300, 300, (1, 2, 3))
    return data[: len(data) // 2]


def encoded(image: Image.Image, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, **options)
    return out.getvalue()


def jpeg(width: int, height: int, **options) -> bytes:
    return encoded(Image.new("RGB", (width, height), (20, 120, 200)), format="JPEG", **options)


def with_first_scan_components(data: bytes, components: int) -> bytes:
    """A JPEG whose first scan header (SOS) claims to carry only `components` components."""
    sos = data.index(b"\xff\xda")
    return data[: sos + 4] + bytes([components]) + data[sos + 5 :]


def with_app_segment(data: bytes, payload: bytes) -> bytes:
    """A JPEG with an APP15 segment holding `payload` right after SOI."""
    segment = b"\xff\xef" + struct.pack(">H", len(payload) + 2) + payload
    return data[:2] + segment + data[2:]
