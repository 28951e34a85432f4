"""Pure translation of a resolved spec (and an optional window of frames) into a Plan: no
processes, no files, no clock. The entry points are in :mod:`engine.compile.compiler`."""
