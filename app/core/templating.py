"""The web pages' Jinja environment: our templates plus the GOV.UK Frontend component macros
(under the ``govuk_frontend_jinja/`` prefix), with every global the pages use set here once."""

from fastapi.templating import Jinja2Templates
from jinja2 import PackageLoader, PrefixLoader

from app.core.clock import clock_time
from reports.templating import template_environment
from reports.wording import long_date

SERVICE_NAME = "Placecheck"


def field_id(item_id: str) -> str:
    """The id of a question's first input, which error summaries link to."""
    return "answer-" + item_id.replace(".", "-")


environment = template_environment(
    PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})
)
environment.globals.update(service_name=SERVICE_NAME, field_id=field_id)
# Dates read as the reports write them ("1 October 2026"), never as ISO or a browser's locale.
environment.filters["long_date"] = long_date
environment.filters["clock_time"] = clock_time
templates = Jinja2Templates(env=environment)
