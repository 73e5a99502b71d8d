"""Schemas, loading and validation of milbal's tables."""

from validation.catalog import Catalog, datasets_dir, load_catalog, validate_paths
from validation.tables import DataValidationError, Issue

__all__ = [
    "Catalog",
    "DataValidationError",
    "Issue",
    "datasets_dir",
    "load_catalog",
    "validate_paths",
]
