"""The rules, one small class each, grouped by family; importing this package registers them
(in this order: the order of the report)."""

from . import results, placeholders, docs, metadata, repository, quality  # noqa: F401, I001
