"""An architecture lab: blocks composed by variant files, trained by the shared engine,
compared by ablations that put cost beside accuracy."""

__version__ = "0.1.0"
