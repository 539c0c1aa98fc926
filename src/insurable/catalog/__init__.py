"""Catalogues: versioned YAML data validated by frozen Pydantic models."""

from insurable.catalog.loader import Catalog, collect_catalog, default_directory, load_catalog

__all__ = ["Catalog", "collect_catalog", "default_directory", "load_catalog"]
