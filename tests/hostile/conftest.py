"""Fixtures of the hostile cases (tests/hostile/support.py)."""

from tests.hostile.support import work

__all__ = ["work"]
