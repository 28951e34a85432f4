"""The layer types, one module each, and the one list of them.

Everything that depends on what types there are is built from :data:`TYPES`: the spec's
discriminated unions of layers and overlays (and so the JSON Schema), and every dispatch —
resolving, compiling, covering the frame, adding sound, shipping files to farm workers.
Adding a type is one module (a model, a resolved form, a :class:`LayerType`) and one line
here; docs/layers.md walks through it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Union

from pydantic import Field

from engine.layers import color, generator, gradient, image, image_sequence, shape, text, video
from engine.layers.base import LayerType

#: Every layer type, in the order the spec's documentation lists them.
TYPES: tuple[LayerType, ...] = (
    color.TYPE,
    gradient.TYPE,
    image.TYPE,
    video.TYPE,
    image_sequence.TYPE,
    text.TYPE,
    generator.TYPE,
    shape.TYPE,
)

#: The type that draws burned-in captions (text overlays made of subtitle cues).
CAPTIONS = text.TYPE

_BY_MODEL: dict[type, LayerType] = {t.model: t for t in TYPES} | {
    t.overlay: t for t in TYPES if t.overlay is not None
}

if TYPE_CHECKING:
    Layer = Any
    Overlay = Any
else:
    #: A scene layer in a spec: one of the types' models, told apart by ``type``.
    Layer = Annotated[Union[tuple(t.model for t in TYPES)], Field(discriminator="type")]  # noqa: UP007
    #: An overlay in a spec: the models of the types that can be overlays.
    Overlay = Annotated[
        Union[tuple(t.overlay for t in TYPES if t.overlay is not None)],  # noqa: UP007
        Field(discriminator="type"),
    ]


def type_of(spec: object) -> LayerType:
    """The type of a layer or overlay from the spec (or of a resolved layer's ``spec``)."""
    try:
        return _BY_MODEL[type(spec)]
    except KeyError:
        raise TypeError(f"{type(spec).__name__} is not a registered layer type") from None


def names() -> tuple[str, ...]:
    return tuple(t.name for t in TYPES)
