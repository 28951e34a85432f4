"""What one row's render may use (:class:`TemplateLimits`) and what it has used so far
(:class:`Budget`), with the render in progress that the sandbox's hooks find it through."""

from __future__ import annotations

import contextvars
import math
import time
from dataclasses import dataclass, field
from typing import Any

from engine.env import env_limit
from engine.errors import TemplateError


def env_int(name: str, default: int) -> int:
    return int(env_limit(name, default))


@dataclass(frozen=True)
class TemplateLimits:
    """Bounds on one row's render; each default can be raised through the environment."""

    #: Wall-clock seconds per row (``--template-timeout``).
    seconds: float = 10.0
    #: Bytes of the rendered spec, measured with the data values filled in; also the largest
    #: string (in characters) or list (in items) a template may compute.
    max_bytes: int = field(
        default_factory=lambda: env_int("REELSPEC_TEMPLATE_MAX_BYTES", 1_000_000)
    )
    #: Bits of any integer a template computes (4096 bits: 1234 decimal digits).
    max_int_bits: int = field(
        default_factory=lambda: env_int("REELSPEC_TEMPLATE_MAX_INT_BITS", 4096)
    )
    #: Loop iterations per row, all loops together.
    max_iterations: int = field(
        default_factory=lambda: env_int("REELSPEC_TEMPLATE_MAX_ITERATIONS", 1_000_000)
    )
    #: Nested calls (macros calling macros, recursive loops).
    max_depth: int = field(default_factory=lambda: env_int("REELSPEC_TEMPLATE_MAX_DEPTH", 100))

    def __post_init__(self) -> None:
        # A NaN or negative time would switch the deadline off rather than fail.
        if not (math.isfinite(self.seconds) and self.seconds > 0):
            raise TemplateError(
                f"the template time limit must be positive seconds, not {self.seconds}"
            )


class LimitExceeded(Exception):
    """A template went over one of its limits (turned into a TemplateError with the row)."""


class RenderTimeout(Exception):
    """A render ran past its deadline (raised by SIGALRM or by the sandbox's clock checks)."""


@dataclass
class Budget:
    """What one render has used so far."""

    limits: TemplateLimits
    deadline: float
    iterations: int = 0
    depth: int = 0
    #: Characters of output so far, values counted as their filled-in size.
    output: int = 0

    def check_time(self) -> None:
        if self.limits.seconds > 0 and time.monotonic() > self.deadline:
            raise RenderTimeout

    def check_size(self, size: int, what: str) -> None:
        if size > self.limits.max_bytes:
            raise LimitExceeded(
                f"{what} would be {size} characters, over the limit of "
                f"{self.limits.max_bytes} (REELSPEC_TEMPLATE_MAX_BYTES)"
            )

    def check_output(self) -> None:
        if self.output > self.limits.max_bytes:
            raise LimitExceeded(over_output(self.limits.max_bytes))

    def check_int(self, bits: float) -> None:
        if bits > self.limits.max_int_bits:
            raise LimitExceeded(
                f"an integer of about {digits(bits)} digits, over the limit of "
                f"{self.limits.max_int_bits} bits (REELSPEC_TEMPLATE_MAX_INT_BITS)"
            )


def over_output(limit: int) -> str:
    return (
        f"rendered spec is over {limit} bytes with its values filled in (limit); "
        "raise it with REELSPEC_TEMPLATE_MAX_BYTES"
    )


def digits(bits: float) -> int:
    return int(bits * math.log10(2)) + 1


def text_size(value: Any, budget: int) -> int:
    """Characters ``value`` takes as text in the spec, counted until past ``budget`` (a value
    may share one big string many times over: a YAML data file's aliases)."""
    total = 0
    stack = [value]
    while stack and total <= budget:
        item = stack.pop()
        if isinstance(item, (str, bytes)):
            total += len(item)
        elif isinstance(item, bool) or item is None:
            total += 5
        elif isinstance(item, int):
            total += digits(item.bit_length())
        elif isinstance(item, float):
            total += 24
        elif isinstance(item, (list, tuple)):
            total += 2 + 2 * len(item)
            stack.extend(item)
        elif isinstance(item, dict):
            total += 2 + 4 * len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        else:
            total += 32
    return total


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


#: The render in progress: its placeholder nonce, placeholder table and budget (Jinja2
#: compiles ``finalize`` into the template once, and the sandbox's hooks are methods of an
#: environment shared by every row, so they must find the current render at run time).
CURRENT_RENDER: contextvars.ContextVar[tuple[str, dict[str, Any], Budget]] = contextvars.ContextVar(
    "table"
)


def current_budget() -> Budget | None:
    current = CURRENT_RENDER.get(None)
    return current[2] if current else None
