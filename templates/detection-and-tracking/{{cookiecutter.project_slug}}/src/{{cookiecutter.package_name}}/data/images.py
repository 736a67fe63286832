"""Reading frames from disk and fitting them into the model's frame (letterboxing)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core.errors import DataError

PAD_VALUE = 114  # grey borders, as most detectors pad


def load_image(path: str | Path) -> np.ndarray:
    """An image file as uint8 RGB [H, W, 3]."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return np.asarray(image.convert("RGB"), dtype=np.uint8)
    except FileNotFoundError:
        raise DataError.at(path, None, "image file not found") from None
    except (UnidentifiedImageError, OSError) as error:
        raise DataError.at(path, None, f"not a readable image ({error})") from None


def letterbox(image: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, float, float, float]:
    """Resize keeping the aspect ratio and pad to size (width, height).

    Returns (image [H, W, 3], scale, pad_x, pad_y): original pixel x maps to x * scale + pad_x."""
    from PIL import Image

    width, height = size
    h, w = image.shape[:2]
    scale = min(width / w, height / h)
    new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
    resized = np.asarray(Image.fromarray(image).resize((new_w, new_h), Image.BILINEAR))
    out = np.full((height, width, 3), PAD_VALUE, dtype=np.uint8)
    pad_x, pad_y = (width - new_w) // 2, (height - new_h) // 2
    out[pad_y : pad_y + new_h, pad_x : pad_x + new_w] = resized
    return out, scale, float(pad_x), float(pad_y)
