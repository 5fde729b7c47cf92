"""Sync engine: field-level writes, union merge, central stores. Imports nothing from fsfield or textual."""
