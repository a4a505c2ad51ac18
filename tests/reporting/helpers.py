"""Reading a PDF back as a person would: its text page by page, its pages as images."""

from __future__ import annotations

import io

import pypdfium2 as pdfium  # type: ignore[import-untyped]
from PIL import Image

SCALE = 2.0  # pixels per PDF point: 1 mm is SCALE * 72 / 25.4 pixels


def pages_text(data: bytes) -> list[str]:
    document = pdfium.PdfDocument(data)
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def pages_images(data: bytes) -> list[Image.Image]:
    document = pdfium.PdfDocument(data)
    try:
        return [page.render(scale=SCALE).to_pil().convert("RGB") for page in document]
    finally:
        document.close()


def metadata(data: bytes) -> dict[str, str]:
    document = pdfium.PdfDocument(data)
    try:
        return dict(document.get_metadata_dict())
    finally:
        document.close()


def at_mm(image: Image.Image, x_mm: float, y_mm: float) -> tuple[int, int, int]:
    px = SCALE * 72 / 25.4
    return image.getpixel((round(x_mm * px), round(y_mm * px)))  # type: ignore[return-value]


def close(colour: tuple[int, ...], hex_colour: str, tolerance: int = 6) -> bool:
    want = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return all(abs(a - b) <= tolerance for a, b in zip(colour, want, strict=True))


def png(colour: str, size: tuple[int, int] = (200, 100)) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    out.seek(0)
    return out
