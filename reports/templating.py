"""The one Jinja environment for pages and reports: our templates, plus the GOV.UK Frontend
component macros under the ``govuk_frontend_jinja/`` prefix.

It lives here rather than in ``app`` because reports render without the web layer (the command
line, the worker processes), and the web pages must render from exactly the same templates.
"""

from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PROJECT_ROOT / "templates"

environment = Environment(
    loader=ChoiceLoader(
        [
            FileSystemLoader(TEMPLATES_DIR),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    ),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.globals["service_name"] = "Placecheck"
