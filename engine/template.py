"""Sandboxed Jinja2 rendering of spec templates, where values from data rows stay data.

Every ``{{ expression }}`` is first written into the YAML as an opaque placeholder; the YAML
is parsed; then placeholders are replaced inside the parsed strings by the expressions'
values. A value therefore never passes through the YAML parser: a cell holding
``{{ 7*7 }}``, a newline followed by ``output: {path: /etc/x}``, quotes or colons stays the
literal string it was. A scalar that is exactly one placeholder takes the value's own type
(a list from a JSON row stays a list). Template structure — loops, conditionals,
``{% include %}`` — is plain Jinja2; to paste YAML text produced by a macro, mark it
``|safe``.

Jinja2 runs in an ``ImmutableSandboxedEnvironment`` with ``StrictUndefined``; underscore
attributes, ``str.format`` and the ``attr`` filter are refused.
"""

from __future__ import annotations

import contextvars
import re
import secrets
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup

from engine.errors import TemplateError

_REFUSED_ATTRIBUTES = {"format", "format_map", "mro", "gi_frame", "gi_code", "f_globals"}


@dataclass(frozen=True)
class TemplateLimits:
    seconds: float = 10.0
    max_bytes: int = 1_000_000


#: The placeholder table of the render in progress (Jinja2 compiles ``finalize`` into the
#: template once, so it must find the current table at run time).
_CURRENT: contextvars.ContextVar[tuple[str, dict[str, Any]]] = contextvars.ContextVar("table")


def _finalize(value: Any) -> Any:
    if isinstance(value, jinja2.Undefined):
        str(value)  # StrictUndefined (and the sandbox's refusals) raise here, with the name
    if isinstance(value, Markup):
        return str(value)  # template-made YAML (|safe, macros marked safe), pasted as is
    nonce, values = _CURRENT.get()
    key = f"RSV{nonce}N{len(values)}X"
    values[key] = value
    return key


class _Sandbox(ImmutableSandboxedEnvironment):
    def wrap_str_format(self, value: Any) -> None:
        # Jinja2 would hand out a sandboxed str.format; we refuse formatting altogether.
        return None

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr.startswith("_") or attr in _REFUSED_ATTRIBUTES:
            return False
        return super().is_safe_attribute(obj, attr, value)


@dataclass(frozen=True)
class RenderedTemplate:
    """YAML text with placeholders, and what each placeholder stands for."""

    text: str
    values: dict[str, Any]
    pattern: re.Pattern[str]

    def substitute(self, data: Any) -> Any:
        """Replace placeholders inside parsed YAML data (keys and values)."""
        if isinstance(data, dict):
            return {self.substitute(k): self.substitute(v) for k, v in data.items()}
        if isinstance(data, list):
            return [self.substitute(item) for item in data]
        if isinstance(data, str):
            whole = self.pattern.fullmatch(data)
            if whole:
                return _typed(self.values[whole.group(0)])
            return self.pattern.sub(lambda m: _text(self.values[m.group(0)]), data)
        return data


def _typed(value: Any) -> Any:
    """A scalar that is one whole placeholder: lists, mappings and null keep their shape; other
    values become their text, and the spec's own types (pydantic) read numbers and booleans
    from it where the spec wants them."""
    if value is None or isinstance(value, (list, dict)):
        return value
    return _text(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class SpecTemplate:
    """One template file, rendered once per data row."""

    def __init__(self, path: Path, limits: TemplateLimits | None = None) -> None:
        self.path = path
        self.limits = limits or TemplateLimits()
        self.env = _Sandbox(
            loader=jinja2.FileSystemLoader(str(path.parent)),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            finalize=_finalize,
            # No compile-time folding of constant expressions: everything runs sandboxed.
            optimized=False,
        )
        self.env.filters.pop("attr", None)
        try:
            self.template = self.env.get_template(path.name)
        except jinja2.TemplateNotFound:
            raise TemplateError(f"template not found: {path}") from None
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(f"{exc.filename or path}:{exc.lineno}: {exc.message}") from None

    def render(self, context: Mapping[str, Any], where: str) -> RenderedTemplate:
        """Render with ``context``; ``where`` names the row in error messages."""
        nonce = secrets.token_hex(4)
        values: dict[str, Any] = {}
        token = _CURRENT.set((nonce, values))
        try:
            with _time_limit(self.limits.seconds):
                text = self.template.render(**context)
        except jinja2.UndefinedError as exc:
            raise TemplateError(f"{where}: {self._line(exc)}{exc.message}") from None
        except SecurityError as exc:
            raise TemplateError(
                f"{where}: {self._line(exc)}refused by the sandbox: {exc}"
            ) from None
        except jinja2.TemplateError as exc:
            raise TemplateError(f"{where}: {self._line(exc)}{exc}") from None
        except _Timeout:
            raise TemplateError(
                f"{where}: rendering took more than {self.limits.seconds:g}s (limit)"
            ) from None
        except (ArithmeticError, LookupError, TypeError, ValueError) as exc:
            # Template code failing on its data (a division by zero, a missing key...).
            raise TemplateError(f"{where}: {self._line(exc)}{type(exc).__name__}: {exc}") from None
        finally:
            _CURRENT.reset(token)
        if len(text.encode("utf-8")) > self.limits.max_bytes:
            raise TemplateError(
                f"{where}: rendered spec is over {self.limits.max_bytes} bytes (limit)"
            )
        return RenderedTemplate(text, values, re.compile(f"RSV{nonce}N\\d+X"))

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


class _Timeout(Exception):
    pass


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt a runaway template (only possible on the main thread of a Unix process)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or seconds <= 0:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise _Timeout

    previous: Callable[..., Any] | int | None = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
