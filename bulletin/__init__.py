"""bulletin: a static report-site generator for county and city bulletins (简报)."""

__version__ = "0.1.0"
