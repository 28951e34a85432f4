"""Everything that needs I/O before compiling: finding and probing media, drawing text and
gradients, speaking narration, placing it all on the timeline. The entry point is
:func:`engine.resolve.resolver.resolve`."""
