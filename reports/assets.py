"""The files a report may use: its stylesheet folder and the embedded Lato font."""

from pathlib import Path

import font_lato

REPORTS_STATIC_DIR = Path(__file__).resolve().parent / "static"
FONTS_DIR = Path(font_lato.font_directory).resolve()


def font_url(style: str) -> str:
    """``file:`` URL of an embedded Lato face, e.g. ``Regular`` or ``Bold``."""
    return (FONTS_DIR / f"Lato-{style}.ttf").as_uri()
