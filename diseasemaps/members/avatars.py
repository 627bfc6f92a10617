"""
Avatar pictures: sized up from the header, decoded within a memory budget, then re-encoded from
pixels only.

The upload is opened with Pillow limited to JPEG, PNG and WebP (never "whatever Pillow can
read"). Before a single pixel is decoded, two limits are checked on what the header says:

- the picture's size, at most DISEASEMAPS_AVATAR_MAX_PIXELS (the same for every format);
- the memory decoding it would take, at most DISEASEMAPS_AVATAR_MAX_DECODE_BYTES. A file of a
  few kilobytes can announce a picture that takes hundreds of megabytes to decode, and what it
  takes depends on the format (see decoding_cost): JPEGs are decoded at 1/2 to 1/8 of their size
  straight from the compressed data (Image.draft), so an ordinary photo costs a few megabytes;
  a PNG is decoded whole, 1 to 4 bytes a pixel; WebP goes through libwebp's decoder, which
  keeps two canvases of its own besides Pillow's copy.

The decoded picture is then cut to its centre square and reduced to about twice the largest
avatar in strips, into a new image built from raw pixels (so the full-size picture is never
copied or converted whole, and no EXIF, GPS, XMP, ICC or comment survives), its orientation
applied, and saved as WebP. scripts/bench_avatars.py measures time and peak memory per kind of file.
"""

import io
import math
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, JpegImagePlugin, UnidentifiedImageError, WebPImagePlugin

FORMATS = ["JPEG", "PNG", "WEBP"]
LARGE = 400
SMALL = 96
# The decoded picture is reduced to at least this many pixels a side before the final resize.
WORKING = 2 * LARGE
# Rows of the full-size picture converted and reduced at a time.
STRIP_PIXELS = 500_000
# libwebp's animation decoder (the only one Pillow uses) keeps two RGBA canvases, hands Pillow
# a copy of the frame, and Pillow decodes that into an image of its own: 4 copies of 4 bytes.
WEBP_BYTES_PER_PIXEL = 16

NOT_A_PICTURE = "This file is not a JPEG, PNG or WebP picture. Please choose a photo or image."
TOO_LARGE = (
    "This picture is too large ({pixels} megapixels). Please choose one of at most {limit} "
    "megapixels."
)
TOO_COSTLY = (
    "This {kind} picture is too large for us to process: it has {pixels} megapixels, and a "
    "{kind} like this one can have at most {limit}. Please choose a smaller picture{hint}."
)
DAMAGED = "This picture could not be read; the file may be damaged. Please choose another."


def process(upload) -> tuple[bytes, bytes]:
    """The (large, small) WebP bytes of an uploaded avatar; ValidationError for the member."""
    upload.seek(0)
    head = upload.read(30)
    upload.seek(0)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        # libwebp allocates its canvases as soon as Pillow opens the file: size it up first.
        size = WebPImagePlugin._get_size(head)
        if size is None:
            raise ValidationError(DAMAGED, code="damaged")
        _check_limits("WebP", size, size[0] * size[1] * WEBP_BYTES_PER_PIXEL)
    with warnings.catch_warnings():
        # Pillow checks the header's size against its own, looser limit inside open(): its
        # warning is an error here too. Our limits are checked right after, still before decoding.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(upload, formats=FORMATS)
        except UnidentifiedImageError:
            raise ValidationError(NOT_A_PICTURE, code="not_a_picture") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            # Pillow read a size from the header far over even its own limit: still before
            # any decoding.
            raise ValidationError(
                TOO_LARGE.format(
                    pixels=f"over {Image.MAX_IMAGE_PIXELS // 1_000_000}",
                    limit=_megapixels(settings.DISEASEMAPS_AVATAR_MAX_PIXELS),
                ),
                code="too_large",
            ) from None
        except (OSError, SyntaxError, ValueError):
            raise ValidationError(DAMAGED, code="damaged") from None
        with image:
            full_size = image.size
            if isinstance(image, JpegImagePlugin.JpegImageFile):
                # Decode straight to 1/2, 1/4 or 1/8 of the size, at least WORKING a side.
                image.draft(None, (WORKING, WORKING))
            _check_limits(_kind(image), full_size, decoding_cost(image, upload, full_size))
            try:
                image.load()
                square = _reduced_square(image)
            except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning):
                raise ValidationError(DAMAGED, code="damaged") from None
            info = image.info
    # The full-size picture is closed: from here on only the reduced square is in memory. It
    # was built from raw pixels (a new image), so it carries no EXIF, ICC, XMP or comment; the
    # original's metadata is lent to it only to read the orientation, and taken back.
    square.info = info
    try:
        # The centre square of the turned picture is the turned centre square.
        square = ImageOps.exif_transpose(square)
    except (OSError, SyntaxError, ValueError):
        raise ValidationError(DAMAGED, code="damaged") from None
    square.info = {}
    return _encode(square, LARGE), _encode(square, SMALL)


def decoding_cost(image: Image.Image, upload, full_size: tuple[int, int]) -> int:
    """
    The bytes decoding `image` takes, worked out from its header (after any draft): the
    decoded picture, plus what the decoder itself keeps.
    """
    width, height = image.size
    decoded = width * height * _bytes_per_pixel(image.mode)
    if image.format == "WEBP":
        return width * height * WEBP_BYTES_PER_PIXEL
    if isinstance(image, JpegImagePlugin.JpegImageFile) and _jpeg_needs_whole_coefficients(
        image, upload
    ):
        return decoded + _jpeg_coefficient_bytes(image, full_size)
    return decoded


def _check_limits(kind: str, size: tuple[int, int], cost: int) -> None:
    pixels = size[0] * size[1]
    limit = settings.DISEASEMAPS_AVATAR_MAX_PIXELS
    if pixels > limit:
        raise ValidationError(
            TOO_LARGE.format(pixels=_megapixels(pixels, up=True), limit=_megapixels(limit)),
            code="too_large",
        )
    budget = settings.DISEASEMAPS_AVATAR_MAX_DECODE_BYTES
    if cost > budget:
        raise ValidationError(
            TOO_COSTLY.format(
                kind=kind,
                pixels=_megapixels(pixels, up=True),
                limit=_megapixels(pixels * budget // cost),
                hint="" if kind == "JPEG" else " or save it as a JPEG",
            ),
            code="too_large",
        )


def _megapixels(pixels: int, *, up: bool = False) -> str:
    """
    12_345_678 -> "12.3", 16_000_000 -> "16". A limit is rounded down and a picture's size up,
    so that a picture just over a limit never reads as equal to it.
    """
    tenths = -(-pixels // 100_000) if up else pixels // 100_000
    return str(tenths // 10) if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10}"


def _kind(image: Image.Image) -> str:
    return "WebP" if image.format == "WEBP" else "JPEG" if image.format == "MPO" else image.format


def _bytes_per_pixel(mode: str) -> int:
    # Pillow keeps one byte a pixel for 1, L and P, two for 16-bit greys and four for the rest
    # (RGB is stored padded to four).
    if mode in ("1", "L", "P"):
        return 1
    return 2 if mode.startswith("I;16") else 4


def _jpeg_needs_whole_coefficients(image: JpegImagePlugin.JpegImageFile, upload) -> bool:
    """
    Whether libjpeg keeps the coefficients of the whole picture while decoding: it does for a
    progressive JPEG, and for one whose first scan does not carry every colour component
    (jdinput.c: has_multiple_scans). Either way that is full size, whatever the draft scale.
    """
    if image.info.get("progressive"):
        return True
    components = _jpeg_first_scan_components(upload)
    return components is None or components < image.layers


def _jpeg_first_scan_components(upload) -> int | None:
    """
    How many components the first scan (SOS) of a JPEG carries, from walking the marker
    segments before it; None when there is no readable scan. Pillow reads these segments but
    does not keep the scan header, which is what decides libjpeg's memory.
    """
    upload.seek(2)  # past SOI
    try:
        while True:
            byte = upload.read(1)
            if not byte:
                return None
            if byte != b"\xff":
                continue  # stray bytes before a marker: libjpeg skips them too
            marker = upload.read(1)
            while marker == b"\xff":  # fill bytes
                marker = upload.read(1)
            if not marker:
                return None
            if marker[0] == 0x01 or 0xD0 <= marker[0] <= 0xD7:
                continue  # markers without a length
            length = int.from_bytes(upload.read(2), "big")
            if marker[0] == 0xDA:
                components = upload.read(1)
                return components[0] if components else None
            if length < 2:
                return None
            upload.seek(length - 2, io.SEEK_CUR)
    finally:
        upload.seek(0)


def _jpeg_coefficient_bytes(image: JpegImagePlugin.JpegImageFile, size: tuple[int, int]) -> int:
    """libjpeg's whole-picture coefficient buffer: 64 two-byte coefficients per 8x8 block."""
    sampling = [(layer[1], layer[2]) for layer in image.layer] or [(1, 1)] * image.layers
    h_max = max(h for h, _ in sampling)
    v_max = max(v for _, v in sampling)
    mcus = math.ceil(size[0] / (8 * h_max)) * math.ceil(size[1] / (8 * v_max))
    return mcus * sum(h * v for h, v in sampling) * 64 * 2


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _reduced_square(image: Image.Image) -> Image.Image:
    """
    The centre square of the decoded picture in RGB or RGBA, reduced (box filter) by a whole
    factor to between WORKING and 2 * WORKING a side. It is done a strip of rows at a time:
    Pillow's convert() and reduce() would otherwise each make a full-size copy (reduce makes a
    premultiplied one of an RGBA picture).
    """
    width, height = image.size
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    factor = max(1, side // WORKING)
    mode = "RGBA" if _has_alpha(image) else "RGB"
    reduced = Image.new(mode, (math.ceil(side / factor),) * 2)
    rows = max(1, STRIP_PIXELS // (side * factor)) * factor
    for y in range(top, top + side, rows):
        strip = image.crop((left, y, left + side, min(y + rows, top + side))).convert(mode)
        reduced.paste(strip.reduce(factor), (0, (y - top) // factor))
    return reduced


def _encode(image: Image.Image, size: int) -> bytes:
    square = ImageOps.fit(image, (size, size), method=Image.Resampling.LANCZOS)
    square.info = {}
    out = io.BytesIO()
    square.save(out, format="WEBP", quality=85, method=4)
    return out.getvalue()
