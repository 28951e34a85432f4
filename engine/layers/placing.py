"""What the types of placed pictures share while resolving (not a layer type): the box worked
out (engine/compile/framed.py) and the decoration drawn (engine/resolve/decor.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.compile.framed import frame_box

if TYPE_CHECKING:
    from engine.layers.base import PathKey
    from engine.resolve.context import ResolveContext
    from engine.resolved import Framed


def placed_frame(
    ctx: ResolveContext,
    path: PathKey,
    spec: Any,
    size: tuple[int, int],
    alpha: bool,
    fit: str | None = None,
) -> Framed | None:
    """Where the picture of ``spec`` (its placement, box and decoration keys) lies, its
    source being ``size`` pixels (with transparent parts when ``alpha``), fitted by ``fit``
    (the layer's, else the spec's default); None with the problem recorded at ``path``."""
    from engine.resolve.decor import decorated

    chosen = fit or getattr(spec, "fit", None) or ctx.loaded.spec.defaults.fit
    background = getattr(spec, "background", None)
    box = frame_box(spec, size, ctx.frame, chosen, background)
    border = (spec.border.color, spec.border.width) if spec.border else None
    shadow = (spec.shadow.offset, spec.shadow.color, spec.shadow.blur) if spec.shadow else None
    return ctx.attempt(path, lambda: decorated(box, spec.radius, border, shadow, alpha, ctx.frame))
