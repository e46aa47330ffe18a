"""The one Jinja environment for pages and reports."""

from fastapi.templating import Jinja2Templates

from app.paths import TEMPLATES_DIR

templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.globals["service_name"] = "Placecheck"
