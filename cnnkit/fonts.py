"""Digits rendered from fonts, prepared the way MNIST prepared its handwritten digits.

MNIST's digits were scaled to fit a 20 x 20 box, keeping their proportions, and placed in a
28 x 28 image so that their centre of mass sits at the centre. `render_digits` does the same
with printed digits, giving a test set in a different style: a model that is 99% right on
MNIST can do much worse on it (a *distribution shift*). No download is needed: the fonts
come with matplotlib (`bundled_fonts`) or with the operating system (`system_fonts`).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.ft2font import FT2Font
from PIL import Image, ImageDraw, ImageFont

SYSTEM_FONT_DIRS = (
    Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path("/Library/Fonts"),
    Path("C:/Windows/Fonts"),
)
DIGIT_NAMES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_CANVAS = 160  # pixels: glyphs are drawn large, then scaled down like MNIST's digits


def bundled_fonts() -> list[Path]:
    """The TrueType fonts that ship with matplotlib (DejaVu, STIX, Computer Modern)."""
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return sorted(folder.glob("*.ttf"))


def system_fonts() -> list[Path]:
    """The TrueType fonts installed on this machine (may be empty)."""
    return sorted(path for folder in SYSTEM_FONT_DIRS if folder.is_dir()
                  for path in folder.rglob("*.ttf"))


def has_digits(path) -> bool:
    """True when the font maps the characters 0..9 to digit glyphs (symbol fonts do not)."""
    try:
        font = FT2Font(str(path))
    except (OSError, RuntimeError, ValueError):
        return False
    charmap = font.get_charmap()
    for digit, word in enumerate(DIGIT_NAMES):
        code = ord("0") + digit
        if code not in charmap:
            return False
        name = font.get_glyph_name(charmap[code])
        if name and not name.startswith(word) and name != f"uni{code:04X}":
            return False
    return True


def _draw(character: str, font: ImageFont.FreeTypeFont) -> np.ndarray:
    """`character` in white on black, large, as a float array `(_CANVAS, _CANVAS)`."""
    canvas = Image.new("L", (_CANVAS, _CANVAS), 0)
    ImageDraw.Draw(canvas).text((_CANVAS // 2, _CANVAS // 2), character, fill=255, font=font,
                                anchor="mm")
    return np.asarray(canvas, dtype=np.float64)


def mnist_style(glyph: np.ndarray, box: int = 20, size: int = 28) -> np.ndarray:
    """Crop a white-on-black image to its ink, fit it into `box` x `box` keeping its
    proportions, and centre its mass in a `size` x `size` uint8 image, as MNIST did."""
    glyph = np.asarray(glyph, dtype=np.float64)
    rows, cols = np.flatnonzero(glyph.max(axis=1) > 0), np.flatnonzero(glyph.max(axis=0) > 0)
    if glyph.ndim != 2 or len(rows) == 0:
        raise ValueError("the glyph image is empty: nothing to centre")
    cropped = glyph[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    scale = box / max(cropped.shape)
    height = max(1, round(cropped.shape[0] * scale))
    width = max(1, round(cropped.shape[1] * scale))
    small = Image.fromarray(cropped.astype(np.uint8)).resize((width, height), Image.LANCZOS)
    small = np.asarray(small, dtype=np.float64)
    total = small.sum()
    centre_y = (small.sum(axis=1) * np.arange(height)).sum() / total
    centre_x = (small.sum(axis=0) * np.arange(width)).sum() / total
    top = int(np.clip(round(size / 2 - 0.5 - centre_y), 0, size - height))
    left = int(np.clip(round(size / 2 - 0.5 - centre_x), 0, size - width))
    image = np.zeros((size, size))
    image[top : top + height, left : left + width] = small
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def render_digits(fonts=None, digits=range(10)) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Every digit in every usable font, MNIST-style.

    Args:
        fonts: paths of TrueType fonts; `bundled_fonts()` when `None`. Fonts that cannot
            draw all the digits distinctly (symbol fonts, fallback fonts) are skipped.
        digits: which digits (0..9) to draw.

    Returns:
        `(images, labels, names)`: uint8 images `(N, 28, 28)` like `load_dataset`'s, uint8
        labels `(N,)`, and the font name of every image.
    """
    paths = bundled_fonts() if fonts is None else [Path(font) for font in fonts]
    digits = [int(d) for d in digits]
    if not digits or any(not 0 <= d <= 9 for d in digits):
        raise ValueError(f"digits must be between 0 and 9, got {digits}")
    images, labels, names = [], [], []
    for path in paths:
        if not path.is_file():
            raise ValueError(f"no font file {path}")
        if not has_digits(path):
            continue
        font = ImageFont.truetype(str(path), size=96)
        glyphs = [_draw(str(d), font) for d in range(10)]
        shapes = {glyph.tobytes() for glyph in glyphs}
        if len(shapes) < 10 or any(glyph.max() == 0 for glyph in glyphs):
            continue  # not a font with ten distinct digits
        for d in digits:
            images.append(mnist_style(glyphs[d]))
            labels.append(d)
            names.append(path.stem)
    if not images:
        raise ValueError("none of the fonts can draw the digits")
    return np.stack(images), np.array(labels, dtype=np.uint8), names
