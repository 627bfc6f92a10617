"""
Avatar pictures: checked before anything is decoded, then re-encoded from pixels only.

The upload is opened with Pillow limited to JPEG, PNG and WebP (never "whatever Pillow can
read"), its size read from the header is refused above DISEASEMAPS_AVATAR_MAX_PIXELS before a
single pixel is decoded, its orientation applied, and the result rebuilt from raw pixels and
saved as WebP, so no EXIF, GPS, XMP, ICC or comment survives.
"""

import io
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

FORMATS = ["JPEG", "PNG", "WEBP"]
LARGE = 400
SMALL = 96

NOT_A_PICTURE = "This file is not a JPEG, PNG or WebP picture. Please choose a photo or image."
TOO_LARGE = "This picture is too large ({pixels} megapixels). Please choose one under {limit}."
DAMAGED = "This picture could not be read; the file may be damaged. Please choose another."


def process(upload) -> tuple[bytes, bytes]:
    """The (large, small) WebP bytes of an uploaded avatar; ValidationError for the member."""
    upload.seek(0)
    limit = settings.DISEASEMAPS_AVATAR_MAX_PIXELS
    with warnings.catch_warnings():
        # Pillow checks the header's size against its own, looser limit inside open(): its
        # warning is an error here too. Our limit is checked right after, still before decoding.
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
                    pixels=f"over {Image.MAX_IMAGE_PIXELS // 1_000_000}", limit=limit // 1_000_000
                ),
                code="too_large",
            ) from None
        except (OSError, SyntaxError, ValueError):
            raise ValidationError(DAMAGED, code="damaged") from None
        with image:
            width, height = image.size
            if width * height > limit:
                raise ValidationError(
                    TOO_LARGE.format(
                        pixels=round(width * height / 1_000_000), limit=limit // 1_000_000
                    ),
                    code="too_large",
                )
            try:
                image.load()
                image = ImageOps.exif_transpose(image)
                image = image.convert("RGBA" if _has_alpha(image) else "RGB")
            except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning):
                raise ValidationError(DAMAGED, code="damaged") from None
    # Rebuilt from raw pixels: the new image carries no `info` (EXIF, ICC, XMP, comments).
    pixels = Image.frombytes(image.mode, image.size, image.tobytes())
    return _encode(pixels, LARGE), _encode(pixels, SMALL)


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _encode(image: Image.Image, size: int) -> bytes:
    square = ImageOps.fit(image, (size, size), method=Image.Resampling.LANCZOS)
    square.info = {}
    out = io.BytesIO()
    square.save(out, format="WEBP", quality=85, method=4)
    return out.getvalue()
