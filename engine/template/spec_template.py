"""One template file, rendered once per data row into YAML text with placeholders; every error
on the way (syntax, the sandbox's refusals, a limit, the template's own failures) becomes a
TemplateError naming the row and the template line."""

from __future__ import annotations

import re
import secrets
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError

from engine.errors import TemplateError
from engine.template.limits import (
    CURRENT_RENDER,
    Budget,
    LimitExceeded,
    RenderTimeout,
    TemplateLimits,
    over_output,
    text_size,
)
from engine.template.placeholders import RenderedTemplate, placeholder_pattern
from engine.template.sandbox import make_sandbox


class SpecTemplate:
    """One template file, rendered once per data row."""

    def __init__(self, path: Path, limits: TemplateLimits | None = None) -> None:
        self.path = path
        self.limits = limits or TemplateLimits()
        self.env = make_sandbox(path.parent)
        try:
            self.template = self.env.get_template(path.name)
        except jinja2.TemplateNotFound:
            raise TemplateError(f"template not found: {path}") from None
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(
                f"{exc.filename or path}:{exc.lineno}: {_short(exc.message or '')}"
            ) from None
        except (RecursionError, SyntaxError, MemoryError):
            # Python's own compiler refuses the code Jinja makes of very deep nesting.
            raise TemplateError(f"{path}: the template is nested too deeply to compile") from None

    def render(self, context: Mapping[str, Any], where: str) -> RenderedTemplate:
        """Render with ``context``; ``where`` names the row in error messages."""
        nonce = secrets.token_hex(4)
        values: dict[str, Any] = {}
        budget = Budget(self.limits, time.monotonic() + self.limits.seconds)
        token = CURRENT_RENDER.set((nonce, values, budget))
        try:
            with _time_limit(self.limits.seconds):
                text = self._generate(context, budget)
        except jinja2.UndefinedError as exc:
            raise TemplateError(f"{where}: {self._line(exc)}{_short(exc.message or '')}") from None
        except SecurityError as exc:
            raise TemplateError(
                f"{where}: {self._line(exc)}refused by the sandbox: {_short(exc)}"
            ) from None
        except jinja2.TemplateError as exc:
            raise TemplateError(f"{where}: {self._line(exc)}{_short(exc)}") from None
        except RenderTimeout:
            raise TemplateError(
                f"{where}: rendering took more than {self.limits.seconds:g}s (limit); "
                "raise it with --template-timeout"
            ) from None
        except LimitExceeded as exc:
            raise TemplateError(f"{where}: {self._line(exc)}{exc}") from None
        except TemplateError as exc:  # ours: an included file that is no regular file...
            raise TemplateError(f"{where}: {exc}") from None
        except RecursionError as exc:
            raise TemplateError(
                f"{where}: {self._line(exc)}the template recurses too deeply "
                "(a macro, include or recursive loop that does not stop?)"
            ) from None
        except MemoryError:
            raise TemplateError(f"{where}: the template ran out of memory") from None
        except SyntaxError:  # an included template nested too deeply for Python's compiler
            raise TemplateError(f"{where}: a template is nested too deeply to compile") from None
        except ValueError as exc:
            text = str(exc)
            if "integer string conversion" in text:
                text = "an integer too long to write as text (over 4300 digits)"
            raise TemplateError(f"{where}: {self._line(exc)}ValueError: {_short(text)}") from None
        except (ArithmeticError, LookupError, TypeError) as exc:
            # Template code failing on its data (a division by zero, a missing key...).
            raise TemplateError(
                f"{where}: {self._line(exc)}{type(exc).__name__}: {_short(exc)}"
            ) from None
        finally:
            CURRENT_RENDER.reset(token)
        pattern = placeholder_pattern(nonce)
        if self._filled_size(text, values, pattern) > self.limits.max_bytes:
            raise TemplateError(f"{where}: {over_output(self.limits.max_bytes)}")
        return RenderedTemplate(text, values, pattern)

    def _filled_size(self, text: str, values: dict[str, Any], pattern: re.Pattern[str]) -> int:
        """Bytes of ``text`` once every placeholder is replaced by its value (a value used
        twice counts twice), counted until past the limit."""
        limit = self.limits.max_bytes
        total = len(text.encode("utf-8", "surrogatepass"))
        for match in pattern.finditer(text):
            value = values.get(match.group(0))
            total += text_size(value, limit - total + len(match.group(0))) - len(match.group(0))
            if total > limit:
                break
        return total

    def _generate(self, context: Mapping[str, Any], budget: Budget) -> str:
        """The rendered text, stopped as soon as it grows past the limit."""
        chunks: list[str] = []
        for chunk in self.template.generate(**context):
            chunks.append(chunk)
            budget.output += len(chunk)
            budget.check_output()
        return "".join(chunks)

    def _line(self, exc: BaseException) -> str:
        """``template:line: `` of the deepest template frame in the traceback."""
        line = getattr(exc, "lineno", None)
        name = getattr(exc, "filename", None)
        tb = exc.__traceback__
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if filename.endswith((".j2", ".jinja", ".jinja2", ".yaml", ".yml")):
                line, name = tb.tb_lineno, filename
            tb = tb.tb_next
        if line is None:
            return ""
        return f"{Path(name).name if name else self.path.name}:{line}: "


def _short(text: object, limit: int = 300) -> str:
    """An error text cut to ``limit`` characters (messages can quote whole values)."""
    value = str(text)
    return value if len(value) <= limit else value[:limit] + f"… ({len(value)} characters)"


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt a runaway template (only possible on the main thread of a Unix process; on
    other threads the sandbox's own checks hold the deadline)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or seconds <= 0:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise RenderTimeout

    previous: Callable[..., Any] | int | None = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
