"""``reelspec``, the command line.

``app`` builds the parser and turns errors into messages and exit codes; each command group
has its own module (``render``: validate, plan, render, still; ``batch``; ``farm``;
``text2video``; ``gan``; ``schema``), holding its subcommands' flags and what they run;
``args`` holds the argument types and flags they share; ``progress`` draws every progress
report. Only the parser is built at start: what a command needs (the engine's stages, Dask,
TensorFlow, rich) is imported when it runs, so ``reelspec validate`` and ``--help`` start fast.
"""

from engine.cli.app import build_parser, main

__all__ = ["build_parser", "main"]
