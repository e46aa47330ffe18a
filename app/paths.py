"""Where the project's non-Python files live.

Placecheck is deployed from its checkout (``pip install -e .``), so templates, migrations and
static files are found beside the packages rather than copied into site-packages.
"""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PROJECT_ROOT / "templates"
ALEMBIC_DIR = PROJECT_ROOT / "alembic"
STATIC_DIR = PROJECT_ROOT / "app" / "static"
