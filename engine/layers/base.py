"""What a layer type is: one class per type, holding everything reelspec does with it.

A type module (engine/layers/<type>.py) defines its spec model (and, for pictures that can be
overlays, its overlay model), its resolved form (a :class:`~engine.resolved.ResolvedLayer`
with what resolving found), and one :class:`LayerType` that resolves, compiles, says whether
it covers the frame and what it adds to the sound. The registry (engine/layers/__init__.py)
lists the types; every other part of the engine asks the registry, never a type by name.

Resolving touches files (probing, drawing, models): those imports stay inside ``resolve``, so
the compiler, which imports every type, pulls in nothing of them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, get_args

if TYPE_CHECKING:
    from engine.compile.pictures import LayerStream, SceneContext
    from engine.compile.sounds import Sounds
    from engine.resolve.context import ResolveContext
    from engine.resolved import PictureSequence, ResolvedLayer, ResolvedScene
    from engine.spec.common import Model

#: Where a value sits in the spec: keys and list indices (``("scenes", 0, "layers", 1)``).
PathKey = tuple[str | int, ...]


class LayerType(ABC):
    #: The spec model of a scene layer of this type (its ``type`` literal is the type's name).
    model: ClassVar[type[Model]]
    #: The spec model of an overlay of this type, for types that can be one.
    overlay: ClassVar[type[Model] | None] = None
    #: Its overlays move (a clip): they are resolved by ``resolve`` and compiled by
    #: ``compile`` like a placed layer, instead of drawn once by ``draw_overlay``.
    moving_overlay: ClassVar[bool] = False

    @property
    def name(self) -> str:
        (literal,) = get_args(self.model.model_fields["type"].annotation)
        return str(literal)

    @abstractmethod
    def resolve(self, ctx: ResolveContext, path: PathKey, spec: Any) -> ResolvedLayer | None:
        """The layer with its files found and measured; None when a problem was recorded in
        ``ctx`` (located at ``path``)."""

    @abstractmethod
    def compile(self, ctx: SceneContext, layer: Any) -> LayerStream:
        """The layer's stream in its scene (full-frame, or a sprite to place)."""

    def covers_frame(self, layer: Any, default_fit: str) -> bool:
        """Whether it paints every pixel of the frame, hiding what is below (when it also
        shows for the whole scene at full opacity)."""
        return False

    def has_sound(self, layer: Any) -> bool:
        """Whether it adds sound to the mix (a clip that keeps its own): a file of sound alone
        needs some."""
        return False

    def sounds(self, sounds: Sounds, scene: ResolvedScene, layer: Any) -> list[str]:
        """Labels of the sound streams it adds to the mix (a clip's own sound)."""
        return []

    def draw_overlay(
        self, ctx: ResolveContext, path: PathKey, spec: Any
    ) -> tuple[Path, tuple[int, int]] | None:
        """An overlay of this type as a picture file and its size (types with ``overlay``)."""
        raise TypeError(f"{self.name} cannot be an overlay")

    def overlay_frames(
        self, ctx: ResolveContext, path: PathKey, spec: Any
    ) -> PictureSequence | None:
        """An animated overlay's pictures, one a frame from its start (the last held), or
        None: the picture of ``draw_overlay`` is held (also when a problem was recorded)."""
        return None
