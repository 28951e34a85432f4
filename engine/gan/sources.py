"""The frame sources the runner is handed: generator layers and frame models, each made by
its model here (TensorFlow is imported only when a plan has such frames). ``engine.run``
writes the frames into ffmpeg and knows nothing of what makes them; the pipeline, batch and
farm workers hand it :data:`MODEL_FRAMES`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.feeds import Feed, FrameModelFeed

if TYPE_CHECKING:
    from engine.run.feeds import FrameSource


class ModelFrames:
    """The frames of generator layers and frame models, made by the models in engine/gan
    (TensorFlow is imported only when a plan has such frames). The runner is handed this: it
    writes frames into ffmpeg, and knows nothing of what makes them."""

    def source(self, feed: Feed) -> FrameSource:
        from engine.gan.producer import FrameModelFrames, GeneratorFrames

        if isinstance(feed, FrameModelFeed):
            return FrameModelFrames(feed)
        return GeneratorFrames(feed)

    def versions(self) -> dict[str, object]:
        from engine.gan.tf import require

        tf, keras = require()
        return {"tensorflow": tf.__version__, "keras": keras.__version__}


#: What every render of the engine's own plans is given to make model frames with.
MODEL_FRAMES = ModelFrames()
