"""Digital Observatory: see, steer and report on a city region's digital strategy."""

__version__ = "0.1.0"
