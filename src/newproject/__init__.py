"""newproject: turn a skill gap into a personal ML project that already runs."""

__version__ = "0.1.0"
