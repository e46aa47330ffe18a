"""Where the project's non-Python files live.

Placecheck is deployed from its checkout (``pip install -e .``), so templates, migrations and
static files are found beside the packages rather than copied into site-packages.
"""

from reports.templating import PROJECT_ROOT, TEMPLATES_DIR

ALEMBIC_DIR = PROJECT_ROOT / "alembic"
STATIC_DIR = PROJECT_ROOT / "app" / "static"

__all__ = ["ALEMBIC_DIR", "PROJECT_ROOT", "STATIC_DIR", "TEMPLATES_DIR"]
