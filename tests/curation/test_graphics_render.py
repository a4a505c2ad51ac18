"""Drawing templates: every network size, the brand's colour behind the text, the logo where
the template puts it, legible text, and text that never leaves the image."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from hubbub.curation import graphics
from hubbub.curation.graphics import Design, Size

BLUE = (30, 58, 138)
AMBER = (245, 158, 11)
GREEN = (0, 200, 0)
PARAGRAPH = "Words without end, " * 400 + "Supercalifragilisticexpialidocious" * 20


@pytest.fixture
def logo(tmp_path: Path) -> Path:
    path = tmp_path / "logo.png"
    Image.new("RGB", (300, 150), GREEN).save(path)
    return path


def design(kind: str = "quote", **changes: object) -> Design:
    values: dict[str, object] = {"kind": kind, "background": BLUE, "accent": AMBER}
    values.update(changes)
    return Design(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("size", graphics.SIZES, ids=lambda s: s.key)
def test_each_network_size_is_drawn_at_its_pixels(size: Size, logo: Path):
    drawn = graphics.draw(design(logo=logo), {"quote": "Hello", "person": "Ann"}, size)
    assert drawn.image.size == (size.width, size.height)
    # The background is the brand's colour (the corner opposite the logo, past the accent bar)
    assert drawn.image.getpixel((size.width - 3, 3)) == BLUE


def test_the_sizes_table_has_the_recommended_sizes():
    sizes = {s.key: (s.width, s.height) for s in graphics.SIZES}
    assert sizes["instagram_square"] == (1080, 1080)
    assert sizes["instagram_portrait"] == (1080, 1350)
    assert sizes["instagram_story"] == (1080, 1920)
    assert sizes["x"] == (1600, 900)
    assert sizes["facebook"] == (1200, 630)
    assert sizes["linkedin"] == (1200, 627)
    assert {"bluesky", "mastodon"} <= set(sizes)
    assert all(s.source for s in graphics.SIZES)


def test_instagram_feed_sizes_respect_its_aspect_ratio_limits():
    from hubbub.networks.instagram.limits import MAX_ASPECT, MIN_ASPECT

    for key in ("instagram_square", "instagram_portrait"):
        assert MIN_ASPECT <= graphics.SIZE_BY_KEY[key].ratio <= MAX_ASPECT


@pytest.mark.parametrize("position", graphics.LOGO_POSITIONS)
def test_the_logo_is_at_the_templates_position(position: str, logo: Path):
    size = graphics.size_of("instagram_square")
    drawn = graphics.draw(design(logo=logo, logo_position=position), {"quote": "Hi"}, size)
    # 1080 square: a 7 % margin (76 px); the 300x150 logo fits 302x140, so 280x140.
    margin, width, height = 76, 280, 140
    corners = {
        "top-left": (margin, margin),
        "top-right": (1080 - margin - width, margin),
        "bottom-left": (margin, 1080 - margin - height),
        "bottom-right": (1080 - margin - width, 1080 - margin - height),
    }
    for name, (left, top) in corners.items():
        inside = [(left + 5, top + 5), (left + width - 6, top + height - 6)]
        colours = {drawn.image.getpixel(p) for p in inside}
        assert colours == ({GREEN} if name == position else {BLUE}), name
    # ... and just outside the logo, the background again: it was not stretched
    left, top = corners[position]
    assert drawn.image.getpixel((left + width + 3, top + height // 2)) == BLUE
    assert drawn.logo_box == (left, top, left + width, top + height)


def test_a_missing_logo_file_draws_without_a_logo(tmp_path: Path):
    drawn = graphics.draw(design(logo=tmp_path / "gone.png"), {"quote": "Hi"}, graphics.SIZES[0])
    assert drawn.logo_box is None


def test_text_colour_follows_the_background_for_contrast():
    assert graphics.text_colour(BLUE) == graphics.WHITE
    assert graphics.text_colour((250, 250, 250)) == graphics.INK
    assert graphics.text_colour(AMBER) == graphics.INK  # white on amber is 2.1:1
    assert graphics.contrast(graphics.WHITE, (0, 0, 0)) == pytest.approx(21)


def test_the_text_is_drawn_in_the_legible_colour():
    size = graphics.size_of("x")
    light = graphics.draw(design(background=(250, 250, 250)), {"quote": "Hello"}, size)
    dark = graphics.draw(design(), {"quote": "Hello"}, size)
    assert graphics.INK in {c for _n, c in light.image.getcolors(1_000_000) or []}
    assert graphics.WHITE in {c for _n, c in dark.image.getcolors(1_000_000) or []}


@pytest.mark.parametrize("kind", list(graphics.FIELDS))
@pytest.mark.parametrize("key", ["instagram_story", "linkedin"])
def test_very_long_text_stays_inside_the_image(kind: str, key: str, logo: Path):
    size = graphics.size_of(key)
    values = dict.fromkeys(graphics.field_keys(kind), PARAGRAPH)
    drawn = graphics.draw(design(kind, logo=logo, logo_position="top-right"), values, size)
    assert drawn.text_box is not None
    left, top, right, bottom = drawn.text_box
    assert drawn.logo_box is not None and top > drawn.logo_box[3]  # below the logo
    assert 0 < left < right <= size.width and bottom <= size.height
    # No text pixel in the right and bottom margins: they are all background.
    margin = round(min(size.width, size.height) * 0.07)
    image = drawn.image
    for x in range(size.width - margin + 2, size.width, 3):
        for y in range(0, size.height, 7):
            assert image.getpixel((x, y)) == BLUE, (x, y)
    for y in range(size.height - margin + 2, size.height, 3):
        for x in range(40, size.width, 7):
            assert image.getpixel((x, y)) == BLUE, (x, y)


def test_the_text_shrinks_before_it_is_cut():
    size = graphics.size_of("instagram_square")
    short = graphics.draw(design(), {"quote": "Short"}, size)
    longer = graphics.draw(design(), {"quote": "A somewhat longer quote " * 12}, size)
    assert short.text_box and longer.text_box
    assert (longer.text_box[3] - longer.text_box[1]) <= (1080 - 2 * 76)


def test_right_to_left_emoji_and_control_characters_do_not_crash():
    values = {
        "title": "مرحبا بالعالم 🎉",
        "when": "שלום\x00\x07",
        "place": "😀" * 50,
        "cta": "\u202e",
    }
    drawn = graphics.draw(design("event"), values, graphics.size_of("x"))
    assert drawn.image.size == (1600, 900)
    assert "\x00" not in drawn.alt_text


def test_the_alt_text_says_what_the_image_says():
    assert graphics.alt_text(
        "quote", {"quote": "Less is more", "person": "Mies", "role": "Architect"}
    ) == ("Quote: “Less is more” — Mies, Architect")
    assert graphics.alt_text(
        "key_figure", {"figure": "87 %", "caption": "happy", "source": "Survey"}
    ) == ("87 % happy (source: Survey)")
    assert graphics.alt_text(
        "event", {"title": "Open day", "when": "Sat 10:00", "cta": "Come."}
    ) == ("Open day. Sat 10:00. Come.")
    assert graphics.alt_text("announcement", {}) == ""
