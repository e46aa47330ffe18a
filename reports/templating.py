"""The reports' Jinja environment, and how any environment over our templates is made.

Reports render without the web layer (the command line, the PDF worker processes), so they own
an environment of their own; the web pages build theirs with ``template_environment`` too, adding
the GOV.UK Frontend macros, so both read the same templates with the same escaping rules.
"""

from pathlib import Path

from jinja2 import BaseLoader, ChoiceLoader, Environment, FileSystemLoader

from questionnaires.sectors import in_sentence

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PROJECT_ROOT / "templates"


def keep_last_words_together(text: str) -> str:
    """A title whose last word cannot be left alone on a line ('autumn / 2026')."""
    head, space, last = text.rpartition(" ")
    return f"{head}\u00a0{last}" if space else text


def template_environment(*extra_loaders: BaseLoader) -> Environment:
    """An environment over ``templates/`` (then any extra loaders) that escapes everything."""
    environment = Environment(
        loader=ChoiceLoader([FileSystemLoader(TEMPLATES_DIR), *extra_loaders]),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["in_sentence"] = in_sentence
    environment.filters["keep_last_words_together"] = keep_last_words_together
    return environment


environment = template_environment()
