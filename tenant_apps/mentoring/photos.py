"""Profile photos: checked before decoding, re-encoded small, without metadata.

An upload's declared dimensions are read from its header first (a small file can describe a
huge image: tenant_apps.programs.icons.image_size); only then is it decoded, turned upright
from its EXIF orientation, cropped square, resized to PHOTO_SIDE and saved as a fresh JPEG —
which carries no EXIF (GPS position, camera, date): Pillow writes none unless asked."""

import io
import warnings
from typing import IO

from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from saas.core.errors import ValidationFailed
from tenant_apps.programs.icons import image_size, is_size_allowed

PHOTO_SIDE = 320
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
FORMATS = ("JPEG", "PNG", "WEBP")


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={"photo": [message]})


def photo_prepare(file: IO[bytes], *, size: int | None = None) -> bytes:
    """The stored photo for an upload (JPEG, PHOTO_SIDE square, no metadata), or
    ValidationFailed with the reason."""
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise _refuse(_("The photo must be smaller than 5 MB."))
    declared = image_size(file)
    if declared is None:
        raise _refuse(_("This file is not an image we can read (JPEG, PNG or WebP)."))
    if not is_size_allowed(declared):
        raise _refuse(_("The photo must be 4,096 × 4,096 pixels at most."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                if image.format not in FORMATS:
                    raise ValueError(image.format)
                image.load()
                upright = ImageOps.exif_transpose(image)
                square = ImageOps.fit(upright.convert("RGB"), (PHOTO_SIDE, PHOTO_SIDE))
    except Exception:
        raise _refuse(_("This file is not an image we can read (JPEG, PNG or WebP).")) from None
    buffer = io.BytesIO()
    square.save(buffer, format="JPEG", quality=85, optimize=True)
    return buffer.getvalue()
