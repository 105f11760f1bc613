"""The template catalog: what can be sent, in which locales, to whom, checked by which rules."""

from .templates import (
    LOCALE,
    Catalog,
    CatalogSettings,
    LayoutSettings,
    ScreenshotSettings,
    Template,
    TemplateMeta,
    load_catalog,
)

__all__ = [
    "LOCALE",
    "Catalog",
    "CatalogSettings",
    "LayoutSettings",
    "ScreenshotSettings",
    "Template",
    "TemplateMeta",
    "load_catalog",
]
