"""The programme's colour, made readable: WCAG 2.x relative luminance and contrast ratio, the
text colour (white or near-black) that reads on the colour, and the link colour that reads on
the page. Pure functions; no ORM."""

from dataclasses import dataclass

LIGHT_TEXT = "#ffffff"
DARK_TEXT = "#1a1a1a"  # the site's body text colour
PAGE_BACKGROUNDS = ("#ffffff", "#f3f5f8")  # page and surface (binome.css)
MINIMUM_CONTRAST = 4.5  # WCAG 2.1 AA, normal text (RGAA criterion 3.2)


def _channel(value: int) -> float:
    srgb = value / 255
    return srgb / 12.92 if srgb <= 0.04045 else ((srgb + 0.055) / 1.055) ** 2.4


def relative_luminance(color: str) -> float:
    """WCAG relative luminance of `#rrggbb`, from 0 (black) to 1 (white)."""
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two colours, from 1 to 21 (order does not matter)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@dataclass(frozen=True)
class BrandColors:
    background: str
    text: str  # on the colour: header, buttons
    text_contrast: float
    link: str  # the colour as text on the page (links)

    @property
    def is_usable(self) -> bool:
        return self.text_contrast >= MINIMUM_CONTRAST


def brand_colors(color: str) -> BrandColors:
    """White or near-black text on `color`, whichever reads better; links in the colour when it
    reads on every page background, in the body text colour otherwise."""
    color = color.lower()
    text = max((LIGHT_TEXT, DARK_TEXT), key=lambda candidate: contrast_ratio(color, candidate))
    readable_on_page = all(
        contrast_ratio(color, background) >= MINIMUM_CONTRAST for background in PAGE_BACKGROUNDS
    )
    return BrandColors(
        background=color,
        text=text,
        text_contrast=contrast_ratio(color, text),
        link=color if readable_on_page else DARK_TEXT,
    )
