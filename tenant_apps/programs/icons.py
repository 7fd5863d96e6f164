"""The programme's images, drawn once when its branding is saved and stored through the default
storage (whose paths carry the programme's schema): the app icons, from its logo or, without
one, from its initials on its colour; and the logo shown in pages and emails, re-encoded and
bounded. Requests serve the stored files and decode nothing.

A logo's dimensions are read from its header before any pixel is decoded: a small file can
describe a huge image (a 12 KB PNG of 96 megapixels costs a second and 0.4 GB to decode)."""

import io
import warnings
from typing import IO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFont

from tenant_apps.programs.branding import LIGHT_TEXT, brand_colors
from tenant_apps.programs.models import ProgramSettings

MAX_LOGO_SIDE = 4096
ICON_SIZES = {"180": 180, "192": 192, "512": 512}
ICON_NAMES = ("180", "192", "512", "512-maskable")
# Not the uploaded logo's own name: uploads go to "branding/<their name>", which this must never
# overwrite (an upload named logo.png would lose its original).
LOGO_PATH = "branding/logo-bounded.png"
LOGO_BOX = (480, 160)  # twice the header's size, for sharp screens


def icon_path(name: str) -> str:
    return f"branding/icons/{name}.png"


def image_size(file: IO[bytes]) -> tuple[int, int] | None:
    """The dimensions an image file declares, read from its header (nothing decoded); None when
    it is not an image Pillow knows. Rewinds the file."""
    position = file.tell()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                return image.size
    except Image.DecompressionBombError:
        return (MAX_LOGO_SIDE * 4, MAX_LOGO_SIDE * 4)  # over twice Pillow's own limit
    except Exception:
        return None
    finally:
        file.seek(position)


def is_size_allowed(size: tuple[int, int] | None) -> bool:
    return size is not None and max(size) <= MAX_LOGO_SIDE


def initials(name: str) -> str:
    words = [w for w in name.replace("-", " ").split() if w[:1].isalnum()]
    letters = "".join(w[0] for w in words if not w.isdigit())[:2] or (name[:1] or "B")
    return letters.upper()


def _logo_image(settings: ProgramSettings) -> Image.Image | None:
    """The stored logo, decoded only when its declared dimensions are within the limit (a logo
    stored before the limit existed is ignored)."""
    if not settings.logo:
        return None
    try:
        with settings.logo.open("rb") as handle:
            data = io.BytesIO(handle.read())
    except OSError:
        return None
    if not is_size_allowed(image_size(data)):
        return None
    try:
        return Image.open(data).convert("RGBA")
    except Exception:
        return None


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def icon_png(
    *,
    name: str,
    settings: ProgramSettings,
    size: int,
    maskable: bool = False,
    logo: Image.Image | None = None,
) -> bytes:
    image = Image.new("RGB", (size, size), settings.primary_color)
    # Maskable icons keep their content inside the central 80 % safe zone.
    inner = int(size * (0.6 if maskable else 0.8))
    if logo is not None:
        logo = logo.copy()
        logo.thumbnail((inner, inner))
        image = Image.new("RGB", (size, size), "#ffffff")
        image.paste(logo, ((size - logo.width) // 2, (size - logo.height) // 2), logo)
    else:
        draw = ImageDraw.Draw(image)
        font = ImageFont.load_default(size=int(inner * 0.55))
        text = initials(name)
        box = draw.textbbox((0, 0), text, font=font)
        position = (
            (size - (box[2] - box[0])) / 2 - box[0],
            (size - (box[3] - box[1])) / 2 - box[1],
        )
        fill = brand_colors(settings.primary_color).text if settings.primary_color else LIGHT_TEXT
        draw.text(position, text, fill=fill, font=font)
    return _png(image)


def _store(path: str, content: bytes) -> None:
    if default_storage.exists(path):
        default_storage.delete(path)
    default_storage.save(path, ContentFile(content))


def icons_generate(*, name: str, settings: ProgramSettings) -> None:
    """Draw and store the app icons and the bounded logo (call it in the programme's schema)."""
    logo = _logo_image(settings)
    for icon in ICON_NAMES:
        size, _sep, variant = icon.partition("-")
        png = icon_png(
            name=name,
            settings=settings,
            size=ICON_SIZES[size],
            maskable=variant == "maskable",
            logo=logo,
        )
        _store(icon_path(icon), png)
    if logo is not None:
        logo.thumbnail(LOGO_BOX)
        _store(LOGO_PATH, _png(logo))
    elif default_storage.exists(LOGO_PATH):
        default_storage.delete(LOGO_PATH)
