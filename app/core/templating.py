"""Page templates for FastAPI, from the environment the reports use too."""

from fastapi.templating import Jinja2Templates

from reports.templating import environment

templates = Jinja2Templates(env=environment)
