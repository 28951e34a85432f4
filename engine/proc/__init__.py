"""The low-level place that starts processes: ffmpeg (probing media, reading frames, and the
render itself, started for the runner), and the speech engine in a child process.

Everything above it — resolving a spec, rendering a plan, training a model — asks these
functions; nothing else in the engine calls ``subprocess``.
"""
