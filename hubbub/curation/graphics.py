"""Drawing a graphics template with Pillow: the four kinds and their fields, the sizes each
network recommends, text that always fits, legible colours and the brand's logo.

Everything here is pure drawing (no database, no permission): hubbub.curation.graphics_actions
turns a saved template and the workspace's brand into a `Design` and calls `draw()`.

Text is wrapped to the width it has, then the whole block is shrunk step by step until it
fits the height; at the smallest size what still does not fit is cut with an ellipsis, so a
paragraph pasted in a one-line field can make a dense image but never one whose text runs
off its edge. Text colours are chosen by WCAG contrast against what they are drawn on.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import matplotlib
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from hubbub.curation.models import TemplateKind

# The font every server has: matplotlib ships DejaVu Sans (so does the PDF report), which
# covers Latin, Greek, Cyrillic, Arabic and Hebrew letters.
BUNDLED_FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
BUNDLED_REGULAR = BUNDLED_FONTS / "DejaVuSans.ttf"
BUNDLED_BOLD = BUNDLED_FONTS / "DejaVuSans-Bold.ttf"
BUNDLED_NAME = "DejaVu Sans"

WHITE = (255, 255, 255)
INK = (17, 17, 17)  # near-black: pure black on a saturated colour looks like a hole
LOGO_POSITIONS = ("top-left", "top-right", "bottom-left", "bottom-right")
MIN_FONT_PX = 14
MAX_FIELD_CHARS = 2000  # what one field may hold; the API and forms refuse more


# --- sizes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Size:
    key: str
    label: Promise | str
    width: int
    height: int
    source: str  # where the numbers come from (not translated: a reference)

    @property
    def ratio(self) -> float:
        return self.width / self.height


# Each network's recommended image size for a post. The aspect ratios the connectors enforce
# (hubbub/networks/*/limits.py) are respected: Instagram's feed takes 4:5 to 1.91:1, so its
# story size is for stories only (the composer's checks will refuse it on an Instagram post).
SIZES: tuple[Size, ...] = (
    Size(
        "instagram_square",
        gettext_lazy("Instagram square (1:1)"),
        1080,
        1080,
        "Instagram Help Center, 'image resolution': 1080 pixels wide, 1:1",
    ),
    Size(
        "instagram_portrait",
        gettext_lazy("Instagram portrait (4:5)"),
        1080,
        1350,
        "Instagram Help Center: 1080 x 1350, the tallest feed image (instagram/limits.py 4:5)",
    ),
    Size(
        "instagram_story",
        gettext_lazy("Instagram story (9:16, stories only)"),
        1080,
        1920,
        "Instagram Help Center, stories: 1080 x 1920; outside the feed's 4:5-1.91:1",
    ),
    Size(
        "x",
        gettext_lazy("X (16:9)"),
        1600,
        900,
        "X media best practices: 16:9 images show uncropped in the timeline",
    ),
    Size(
        "facebook",
        gettext_lazy("Facebook (1.91:1)"),
        1200,
        630,
        "Meta Business Help Center, feed image ads and link shares: 1200 x 630",
    ),
    Size(
        "linkedin",
        gettext_lazy("LinkedIn (1.91:1)"),
        1200,
        627,
        "LinkedIn Help, 'image specifications for shared posts': 1200 x 627",
    ),
    Size(
        "bluesky",
        gettext_lazy("Bluesky (16:9)"),
        1200,
        675,
        "Bluesky shows the aspect ratio we send (networks/bluesky/media.py); 1,000,000 bytes max",
    ),
    Size(
        "mastodon",
        gettext_lazy("Mastodon (16:9)"),
        1280,
        720,
        "Mastodon's web app crops previews to 16:9; 4.x servers take 16,777,216 pixels",
    ),
    Size(
        "threads",
        gettext_lazy("Threads (4:5)"),
        1080,
        1350,
        "Threads shows 4:5 portrait images whole in the feed, like Instagram",
    ),
    Size(
        "pinterest",
        gettext_lazy("Pinterest (2:3)"),
        1000,
        1500,
        "Pinterest Help, 'Pin image specs': 1000 x 1500, 2:3",
    ),
)
SIZE_BY_KEY: dict[str, Size] = {s.key: s for s in SIZES}
DEFAULT_SIZE = "instagram_square"
# The size the composer's panel starts with for a post's first chosen channel.
NETWORK_SIZES = {
    "instagram": "instagram_square",
    "x": "x",
    "facebook": "facebook",
    "linkedin": "linkedin",
    "bluesky": "bluesky",
    "mastodon": "mastodon",
    "threads": "threads",
    "pinterest": "pinterest",
}


def size_of(key: str) -> Size:
    """A size by its key; an unknown key is the default (a stale link still draws)."""
    return SIZE_BY_KEY.get(key, SIZE_BY_KEY[DEFAULT_SIZE])


# --- kinds and their fields -------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: Promise | str
    style: str  # "title", "body", "small", "big" (a key figure), "pill" (a label, a call)
    multiline: bool = False
    example: Promise | str = ""


FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    TemplateKind.QUOTE: (
        FieldSpec(
            "quote",
            gettext_lazy("Quote"),
            "title",
            True,
            gettext_lazy("Good design is as little design as possible."),
        ),
        FieldSpec("person", gettext_lazy("Person"), "body", example="Dieter Rams"),
        FieldSpec("role", gettext_lazy("Role"), "small", example=gettext_lazy("Designer")),
    ),
    TemplateKind.ANNOUNCEMENT: (
        FieldSpec("label", gettext_lazy("Label"), "pill", example=gettext_lazy("New")),
        FieldSpec(
            "headline",
            gettext_lazy("Headline"),
            "title",
            example=gettext_lazy("Our spring collection is here"),
        ),
        FieldSpec(
            "details",
            gettext_lazy("Details"),
            "body",
            True,
            gettext_lazy("In shops and online from Monday."),
        ),
    ),
    TemplateKind.KEY_FIGURE: (
        FieldSpec("figure", gettext_lazy("Figure"), "big", example="87 %"),
        FieldSpec(
            "caption",
            gettext_lazy("Caption"),
            "body",
            True,
            gettext_lazy("of our customers would recommend us"),
        ),
        FieldSpec(
            "source",
            gettext_lazy("Source"),
            "small",
            example=gettext_lazy("Customer survey, 2026"),
        ),
    ),
    TemplateKind.EVENT: (
        FieldSpec("title", gettext_lazy("Title"), "title", example=gettext_lazy("Open day")),
        FieldSpec(
            "when",
            gettext_lazy("Date and time"),
            "body",
            example=gettext_lazy("Saturday 14 March, 10:00-17:00"),
        ),
        FieldSpec(
            "place", gettext_lazy("Place"), "body", example=gettext_lazy("12 Harbour Street")
        ),
        FieldSpec("cta", gettext_lazy("Call to action"), "pill", example=gettext_lazy("Sign up")),
    ),
}

# Font sizes as a share of the image's shorter side, before shrinking to fit.
STYLE_SCALE = {"big": 0.22, "title": 0.105, "body": 0.055, "small": 0.036, "pill": 0.042}
BOLD_STYLES = {"big", "title", "pill"}


def field_keys(kind: str) -> list[str]:
    return [f.key for f in FIELDS.get(kind, ())]


def clean_text(value: str) -> str:
    """People's text as it can be drawn: control characters (a NUL crashes FreeType) become
    spaces, line breaks stay, and the length is bounded."""
    value = value[:MAX_FIELD_CHARS].replace("\r\n", "\n")
    return "".join(
        c if c == "\n" or unicodedata.category(c) not in ("Cc", "Cs") else " " for c in value
    ).strip()


def alt_text(kind: str, values: Mapping[str, str]) -> str:
    """What the image says, for people who cannot see it: all its text, in reading order."""
    v = {k: clean_text(values.get(k, "")) for k in field_keys(kind)}
    if kind == TemplateKind.QUOTE:
        who = ", ".join(p for p in (v["person"], v["role"]) if p)
        text = _("Quote: “%(quote)s”") % {"quote": v["quote"]}
        return f"{text} — {who}" if who else text
    if kind == TemplateKind.KEY_FIGURE:
        text = " ".join(p for p in (v["figure"], v["caption"]) if p)
        if v["source"]:
            text += " " + _("(source: %(source)s)") % {"source": v["source"]}
        return text.strip()
    parts = [v[k] for k in field_keys(kind) if v[k]]
    return ". ".join(p.rstrip(".") for p in parts) + ("." if parts else "")


# --- colours ----------------------------------------------------------------------------------

RGB = tuple[int, int, int]


def hex_to_rgb(value: str) -> RGB:
    value = value.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def luminance(colour: RGB) -> float:
    """WCAG 2.x relative luminance."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio, 1 to 21."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_colour(background: RGB) -> RGB:
    """White or ink, whichever reads better on the background (WCAG contrast)."""
    return WHITE if contrast(WHITE, background) >= contrast(INK, background) else INK


# --- fonts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fonts:
    regular: Path
    bold: Path
    name: str


BUNDLED = Fonts(BUNDLED_REGULAR, BUNDLED_BOLD, BUNDLED_NAME)


@cache
def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


def font_for(fonts: Fonts, style: str, size: int) -> ImageFont.FreeTypeFont:
    return _font(fonts.bold if style in BOLD_STYLES else fonts.regular, size)


# --- drawing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Design:
    """Everything a drawing needs, already resolved from the template and the brand."""

    kind: str
    background: RGB
    accent: RGB
    fonts: Fonts = BUNDLED
    logo: Path | None = None
    logo_position: str = "bottom-right"


@dataclass
class Drawn:
    image: Image.Image
    alt_text: str
    notes: list[str] = field(default_factory=list)  # what the person should know (a font…)
    logo_box: tuple[int, int, int, int] | None = None  # left, top, right, bottom
    text_box: tuple[int, int, int, int] | None = None  # what the text covers


@dataclass
class _Block:
    text: str
    style: str
    lines: list[str] = field(default_factory=list)
    font: ImageFont.FreeTypeFont | None = None
    line_height: int = 0

    @property
    def height(self) -> int:
        pad = 2 * round(self.line_height * 0.35) if self.style == "pill" else 0
        return self.line_height * len(self.lines) + pad


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap by measured width; a word wider than the line is cut by letters."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            trial = f"{line} {word}" if line else word
            if font.getlength(trial) <= width:
                line = trial
                continue
            if line:
                lines.append(line)
            line = ""
            while font.getlength(word) > width and len(word) > 1:
                cut = _longest_prefix(word, font, width)
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


def _longest_prefix(word: str, font: ImageFont.FreeTypeFont, width: int) -> int:
    low, high = 1, len(word)
    while low < high:
        middle = (low + high + 1) // 2
        if font.getlength(word[:middle]) <= width:
            low = middle
        else:
            high = middle - 1
    return low


def _ellipsize(line: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    while line and font.getlength(line + "…") > width:
        line = line[:-1]
    return line.rstrip() + "…"


def _layout(
    blocks: list[_Block], fonts: Fonts, width: int, height: int, unit: int
) -> tuple[list[_Block], int]:
    """Font sizes for the blocks so that they fit width x height: shrink by 10 % steps, then
    at the smallest size drop the lines that still overflow (the last one kept ends in …)."""
    gap_share = 0.5
    scale = 1.0
    while True:
        total = 0
        for block in blocks:
            size = max(MIN_FONT_PX, round(unit * STYLE_SCALE[block.style] * scale))
            block.font = font_for(fonts, block.style, size)
            block.line_height = round(size * 1.25)
            inner = width - (2 * size if block.style == "pill" else 0)
            block.lines = _wrap(block.text, block.font, inner)
        gap = round(unit * 0.035 * scale * gap_share * 2)
        total = sum(b.height for b in blocks) + gap * (len(blocks) - 1)
        smallest = all(round(unit * STYLE_SCALE[b.style] * scale) <= MIN_FONT_PX for b in blocks)
        if total <= height or smallest:
            break
        scale *= 0.9
    if total > height:
        _cut(blocks, width, height, gap)
    return blocks, gap


def _cut(blocks: list[_Block], width: int, height: int, gap: int) -> None:
    used = 0
    for block in blocks:
        room = height - used
        keep = max(0, min(len(block.lines), room // max(1, block.line_height)))
        if keep < len(block.lines):
            assert block.font is not None
            block.lines = block.lines[:keep]
            if block.lines:
                block.lines[-1] = _ellipsize(block.lines[-1], block.font, width)
        used += block.height + gap
    blocks[:] = [b for b in blocks if b.lines]


def _blocks(kind: str, values: Mapping[str, str]) -> list[_Block]:
    blocks = []
    for spec in FIELDS.get(kind, ()):
        text = clean_text(values.get(spec.key, ""))
        if not text:
            continue
        if spec.key == "quote":
            text = f"“{text}”"
        elif spec.key == "person":
            text = f"— {text}"
        blocks.append(_Block(text, spec.style))
    return blocks


def _load_logo(path: Path | None, box: tuple[int, int]) -> Image.Image | None:
    if path is None or not path.is_file():
        return None
    try:
        with Image.open(path) as opened:
            logo = opened.convert("RGBA")
    except (UnidentifiedImageError, OSError):
        return None  # the brand page re-encodes logos; a broken file only loses the logo
    logo.thumbnail(box)
    return logo


def _logo_origin(
    position: str, size: tuple[int, int], logo: Image.Image, margin: int
) -> tuple[int, int]:
    width, height = size
    left = margin if position.endswith("left") else width - margin - logo.width
    top = margin if position.startswith("top") else height - margin - logo.height
    return left, top


def draw(design: Design, values: Mapping[str, str], size: Size) -> Drawn:
    """The template drawn at `size` with `values` in its fields (missing ones left out)."""
    width, height = size.width, size.height
    unit = min(width, height)
    margin = round(unit * 0.07)
    image = Image.new("RGB", (width, height), design.background)
    canvas = ImageDraw.Draw(image)
    ink = text_colour(design.background)
    # An accent bar along the edge the text starts from: the brand's second colour.
    bar = max(6, round(unit * 0.018))
    canvas.rectangle((0, 0, bar - 1, height), fill=design.accent)

    position = design.logo_position if design.logo_position in LOGO_POSITIONS else "bottom-right"
    logo = _load_logo(design.logo, (round(width * 0.28), round(unit * 0.13)))
    top, bottom = margin, height - margin
    logo_box = None
    if logo is not None:
        left_at, top_at = _logo_origin(position, (width, height), logo, margin)
        image.paste(logo, (left_at, top_at), logo)
        logo_box = (left_at, top_at, left_at + logo.width, top_at + logo.height)
        # The text keeps clear of the logo's band (the whole width: simpler to read).
        if position.startswith("top"):
            top = top_at + logo.height + margin // 2
        else:
            bottom = top_at - margin // 2

    left, right = margin + bar, width - margin
    blocks, gap = _layout(
        _blocks(design.kind, values), design.fonts, right - left, bottom - top, unit
    )
    total = sum(b.height for b in blocks) + gap * max(0, len(blocks) - 1)
    y = top + max(0, (bottom - top - total) // 2)  # centred in the room left
    text_top = y
    for block in blocks:
        assert block.font is not None
        if block.style == "pill":
            y = _draw_pill(canvas, block, design.accent, left, y)
        else:
            colour = ink if block.style != "small" else _muted(ink, design.background)
            for line in block.lines:
                canvas.text((left, y), line, font=block.font, fill=colour)
                y += block.line_height
        y += gap
    text_box = (left, text_top, right, y - gap) if blocks else None
    return Drawn(image, alt_text(design.kind, values), [], logo_box, text_box)


def _muted(ink: RGB, background: RGB) -> RGB:
    """Ink mixed a little toward the background: still above 4.5:1 on any brand colour
    where the ink itself was chosen for contrast (checked, else the ink)."""
    mixed = tuple(round(i * 0.8 + b * 0.2) for i, b in zip(ink, background, strict=True))
    candidate: RGB = (mixed[0], mixed[1], mixed[2])
    return candidate if contrast(candidate, background) >= 4.5 else ink


def _draw_pill(canvas: ImageDraw.ImageDraw, block: _Block, accent: RGB, left: int, y: int) -> int:
    assert block.font is not None
    pad = round(block.line_height * 0.35)
    inner = max(int(block.font.getlength(line)) for line in block.lines)
    box = (left, y, left + inner + 2 * pad, y + block.height)
    canvas.rounded_rectangle(box, radius=pad, fill=accent)
    ink = text_colour(accent)
    line_y = y + pad
    for line in block.lines:
        canvas.text((left + pad, line_y), line, font=block.font, fill=ink)
        line_y += block.line_height
    return y + block.height
