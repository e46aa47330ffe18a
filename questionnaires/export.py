"""The resolved form of a definition that other tools and the reports consume."""

from typing import Any

from questionnaires.schema import Definition
from questionnaires.sectors import Sector


def resolved_definition(definition: Definition) -> dict[str, Any]:
    """The definition as written, plus its hash and every item each variant asks, resolved."""
    return {
        "id": definition.id,
        "version": definition.version,
        "content_hash": definition.content_hash,
        "definition": definition.model_dump(mode="json"),
        "items": [item.model_dump(mode="json") for item in definition.items],
        "items_by_sector": {
            sector.value: [item.id for item in definition.items_for(sector)] for sector in Sector
        },
        "variant_by_sector": {sector.value: definition.variant_for(sector).id for sector in Sector},
    }
