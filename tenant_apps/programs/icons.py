"""The programme's app icons, drawn from its logo or, without one, from its initials on its
colour. Pure Pillow; no file written."""

import io

from PIL import Image, ImageDraw, ImageFont

from tenant_apps.programs.models import ProgramSettings


def initials(name: str) -> str:
    words = [w for w in name.replace("-", " ").split() if w[:1].isalnum()]
    letters = "".join(w[0] for w in words if not w.isdigit())[:2] or (name[:1] or "B")
    return letters.upper()


def icon_png(*, name: str, settings: ProgramSettings, size: int, maskable: bool = False) -> bytes:
    colour = settings.primary_color
    image = Image.new("RGB", (size, size), colour)
    # Maskable icons keep their content inside the central 80 % safe zone.
    inner = int(size * (0.6 if maskable else 0.8))
    if settings.logo:
        with settings.logo.open("rb") as handle:
            logo = Image.open(handle).convert("RGBA")
        logo.thumbnail((inner, inner))
        background = Image.new("RGB", (size, size), "#ffffff")
        background.paste(logo, ((size - logo.width) // 2, (size - logo.height) // 2), logo)
        image = background
    else:
        draw = ImageDraw.Draw(image)
        font = ImageFont.load_default(size=int(inner * 0.55))
        text = initials(name)
        box = draw.textbbox((0, 0), text, font=font)
        position = (
            (size - (box[2] - box[0])) / 2 - box[0],
            (size - (box[3] - box[1])) / 2 - box[1],
        )
        draw.text(position, text, fill="#ffffff", font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
