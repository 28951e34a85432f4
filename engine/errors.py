"""The one exception tree of reelspec.

::

    ReelspecError                 base of everything the engine raises on purpose
    ├── UserError                 the user can fix it; the CLI prints it without a traceback
    │   ├── SpecError             the spec is invalid; carries every problem found, each with
    │   │                         file:line:column and a dotted path (``scenes[1].layers[0].fit``)
    │   ├── MediaError            a referenced file is missing, unreadable or not media
    │   │   └── ModelError        a model file is missing, corrupt, unsafe to load, or of the
    │   │                         wrong shape for its use (generator, frame model)
    │   ├── TemplateError         a Jinja2 template or its data is wrong (row and line named)
    │   └── ConfigError           the environment is wrong (no ffmpeg at REELSPEC_FFMPEG, ...)
    ├── RenderError               ffmpeg ran and failed; carries the command and its stderr tail
    │   ├── Stalled               ffmpeg made no progress for too long and was stopped
    │   └── FeedError             a model feeding frames into ffmpeg failed mid-stream
    └── RenderInterrupted         the user pressed Ctrl-C; nothing was left at the output path

Anything else escaping the engine is a bug: the CLI reports it as an internal error and shows
the traceback. Third-party errors (yaml, pydantic, subprocess) are translated into this tree at
the module that calls the third party, never further up.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


class ReelspecError(Exception):
    """Base class of all deliberate reelspec errors."""

    exit_code = 1


class UserError(ReelspecError):
    """A mistake the user can fix: bad spec, missing file, wrong configuration."""

    exit_code = 2


@dataclass(frozen=True)
class SpecIssue:
    """One problem in a spec, located as precisely as the source allows."""

    message: str
    path: str = ""
    file: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        path = f"{self.path}: " if self.path else ""
        return f"{where}{path}{self.message}"


class SpecError(UserError):
    """The spec is invalid. ``issues`` holds every problem found, not just the first."""

    def __init__(self, issues: Sequence[SpecIssue]) -> None:
        self.issues = tuple(issues)
        count = len(self.issues)
        head = f"{count} problem{'s' if count != 1 else ''} in spec"
        super().__init__(head + ":\n" + "\n".join(f"  {issue}" for issue in self.issues))

    def __reduce__(self) -> tuple[type[SpecError], tuple[tuple[SpecIssue, ...]]]:
        # Pickling an exception calls its class with ``args`` (the joined text), which would
        # read the text as a sequence of issues, one letter each; a farm worker's error must
        # reach the user as it was raised.
        return (type(self), (self.issues,))


#: Problems listed in one error: a spec with a million bad values must not print a million
#: lines.
MAX_ISSUES = 100


def capped(issues: Sequence[SpecIssue]) -> list[SpecIssue]:
    """The first MAX_ISSUES problems, and one line saying how many more there are."""
    if len(issues) <= MAX_ISSUES:
        return list(issues)
    rest = len(issues) - MAX_ISSUES
    more = SpecIssue(f"... and {rest} more problem{'s' if rest != 1 else ''}")
    return [*issues[:MAX_ISSUES], more]


class MediaError(UserError):
    """A media file is missing, unreadable, or not something ffmpeg can decode."""


class ModelError(MediaError):
    """A model file cannot be used: missing, corrupt, unsafe without ``trust_model``, or its
    input and output shapes do not fit the layer that uses it."""


class TemplateError(UserError):
    """A template could not be rendered for a data row, or the data file is unreadable."""


class ConfigError(UserError):
    """The environment is misconfigured (for example REELSPEC_FFMPEG points nowhere)."""


class RenderError(ReelspecError):
    """ffmpeg failed. ``command`` is the argv that ran, ``stderr_tail`` its last lines."""

    exit_code = 3

    def __init__(self, message: str, command: Sequence[str] = (), stderr_tail: str = "") -> None:
        self.message = message
        self.command = tuple(command)
        self.stderr_tail = stderr_tail
        text = message
        if stderr_tail:
            text += "\nffmpeg said:\n" + "\n".join(f"  {ln}" for ln in stderr_tail.splitlines())
        super().__init__(text)

    def __reduce__(self) -> tuple[type[RenderError], tuple[str, tuple[str, ...], str]]:
        # Keep the command and ffmpeg's words apart through pickling (errors come back from
        # farm workers that way).
        return (type(self), (self.message, self.command, self.stderr_tail))


class Stalled(RenderError):
    """ffmpeg stopped producing output and was stopped (the runner retries it before raising;
    a RenderError, so callers need not know the difference)."""


class RenderInterrupted(ReelspecError):
    """The render was interrupted (Ctrl-C); temporaries were removed."""

    exit_code = 130


class FeedError(RenderError):
    """A model that streams frames into ffmpeg failed while the render ran; ffmpeg was
    stopped and nothing was written."""


#: Characters of an offending value quoted in an error message.
EXCERPT_CHARS = 60


def excerpt(value: Any, limit: int = EXCERPT_CHARS) -> str:
    """A short, safe rendering of ``value`` for an error message: long text is cut with an
    ellipsis and its length, containers are described rather than printed, and huge integers
    (whose decimal text Python refuses to make past 4300 digits) are described by size."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        bits = value.bit_length()
        if bits > 200:
            return f"an integer of about {int(bits * math.log10(2)) + 1} digits"
        return repr(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (str, bytes)):
        if len(value) <= limit:
            return repr(value)
        unit = "characters" if isinstance(value, str) else "bytes"
        head = repr(value[:limit])
        return f"{head[:-1]}…{head[-1]} ({len(value)} {unit})"
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        return f"a mapping of {len(value)} key{'s' if len(value) != 1 else ''}"
    return f"a {type(value).__name__}"
