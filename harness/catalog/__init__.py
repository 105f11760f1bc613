"""The template catalog: what can be sent, in which locales, to whom, checked by which rules."""

from .requirements import REQUIREMENTS, check_requirements
from .templates import (
    Catalog,
    CatalogSettings,
    ScreenshotSettings,
    Template,
    TemplateMeta,
    load_catalog,
)

__all__ = [
    "REQUIREMENTS",
    "Catalog",
    "CatalogSettings",
    "ScreenshotSettings",
    "Template",
    "TemplateMeta",
    "check_requirements",
    "load_catalog",
]
