"""reelspec: a YAML spec compiled into one ffmpeg filter graph."""

__version__ = "0.1.0"
