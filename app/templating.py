"""The one Jinja environment for pages and reports: our templates, plus the GOV.UK Frontend
component macros under the ``govuk_frontend_jinja/`` prefix."""

from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader

from app.paths import TEMPLATES_DIR

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
templates = Jinja2Templates(env=environment)
