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

Every row's render is bounded (:class:`TemplateLimits`, docs/security.md): the size of the
rendered spec *with the values filled in*, the size of any integer or string the template
computes (checked before ``**``, ``*``, ``+``, ``%``, string methods and filters compute
it, so ``7**123456789`` is refused instead of hanging inside C arithmetic that no signal can
interrupt), loop iterations, call depth (macros, recursive loops) and time. Time is enforced
twice: by SIGALRM where rendering runs on the main thread (it interrupts anything written in
Python), and everywhere by checks in the sandbox's hooks — every call, operator, filter and
loop iteration — which is what holds on other threads, where signals cannot reach.
"""

from __future__ import annotations

import contextvars
import functools
import math
import os
import re
import secrets
import signal
import stat
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup

from engine.errors import TemplateError

_REFUSED_ATTRIBUTES = {"format", "format_map", "mro", "gi_frame", "gi_code", "f_globals"}
#: String methods whose result can be far larger than their inputs in ways not worth
#: estimating; templates do not need them.
_REFUSED_METHODS = {"translate", "maketrans"}


def _env_int(name: str, default: int) -> int:
    # engine.spec.common.env_limit, imported late: the template module stays light.
    from engine.spec.common import env_limit

    return int(env_limit(name, default))


@dataclass(frozen=True)
class TemplateLimits:
    """Bounds on one row's render; each default can be raised through the environment."""

    #: Wall-clock seconds per row (``--template-timeout``).
    seconds: float = 10.0
    #: Bytes of the rendered spec, measured with the data values filled in; also the largest
    #: string (in characters) or list (in items) a template may compute.
    max_bytes: int = field(
        default_factory=lambda: _env_int("REELSPEC_TEMPLATE_MAX_BYTES", 1_000_000)
    )
    #: Bits of any integer a template computes (4096 bits: 1234 decimal digits).
    max_int_bits: int = field(
        default_factory=lambda: _env_int("REELSPEC_TEMPLATE_MAX_INT_BITS", 4096)
    )
    #: Loop iterations per row, all loops together.
    max_iterations: int = field(
        default_factory=lambda: _env_int("REELSPEC_TEMPLATE_MAX_ITERATIONS", 1_000_000)
    )
    #: Nested calls (macros calling macros, recursive loops).
    max_depth: int = field(default_factory=lambda: _env_int("REELSPEC_TEMPLATE_MAX_DEPTH", 100))

    def __post_init__(self) -> None:
        # A NaN or negative time would switch the deadline off rather than fail.
        if not (math.isfinite(self.seconds) and self.seconds > 0):
            raise TemplateError(
                f"the template time limit must be positive seconds, not {self.seconds}"
            )


class _LimitExceeded(Exception):
    """A template went over one of its limits (turned into a TemplateError with the row)."""


class _Timeout(Exception):
    pass


@dataclass
class _Budget:
    """What one render has used so far."""

    limits: TemplateLimits
    deadline: float
    iterations: int = 0
    depth: int = 0
    #: Characters of output so far, values counted as their filled-in size.
    output: int = 0

    def check_time(self) -> None:
        if self.limits.seconds > 0 and time.monotonic() > self.deadline:
            raise _Timeout

    def check_size(self, size: int, what: str) -> None:
        if size > self.limits.max_bytes:
            raise _LimitExceeded(
                f"{what} would be {size} characters, over the limit of "
                f"{self.limits.max_bytes} (REELSPEC_TEMPLATE_MAX_BYTES)"
            )

    def check_output(self) -> None:
        if self.output > self.limits.max_bytes:
            raise _LimitExceeded(_over_output(self.limits.max_bytes))

    def check_int(self, bits: float) -> None:
        if bits > self.limits.max_int_bits:
            raise _LimitExceeded(
                f"an integer of about {_digits(bits)} digits, over the limit of "
                f"{self.limits.max_int_bits} bits (REELSPEC_TEMPLATE_MAX_INT_BITS)"
            )


def _over_output(limit: int) -> str:
    return (
        f"rendered spec is over {limit} bytes with its values filled in (limit); "
        "raise it with REELSPEC_TEMPLATE_MAX_BYTES"
    )


#: The placeholder table and budget of the render in progress (Jinja2 compiles ``finalize``
#: into the template once, so it must find the current render at run time).
_CURRENT: contextvars.ContextVar[tuple[str, dict[str, Any], _Budget]] = contextvars.ContextVar(
    "table"
)


def _budget() -> _Budget | None:
    current = _CURRENT.get(None)
    return current[2] if current else None


def _digits(bits: float) -> int:
    return int(bits * math.log10(2)) + 1


def _finalize(value: Any) -> Any:
    if isinstance(value, jinja2.Undefined):
        str(value)  # StrictUndefined (and the sandbox's refusals) raise here, with the name
    nonce, values, budget = _CURRENT.get()
    if isinstance(value, Markup):
        return str(value)  # template-made YAML (|safe, macros marked safe), pasted as is
    key = f"RSV{nonce}N{len(values)}X"
    # The value's filled-in size counts towards the output, not the placeholder's.
    budget.output += _size(value, budget.limits.max_bytes) - len(key)
    budget.check_output()
    values[key] = value
    return key


def _size(value: Any, budget: int) -> int:
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
            total += _digits(item.bit_length())
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


class _GuardedCode(jinja2.compiler.CodeGenerator):
    """Jinja's code generator, with string concatenation (``~``) size-checked before the
    pieces are turned into text (a value can be a structure that shares one big string many
    times over)."""

    def visit_Concat(self, node: nodes.Concat, frame: Any) -> None:
        if frame.eval_ctx.volatile:
            func_name = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            func_name = "markup_join"
        else:
            func_name = "str_join"
        self.write(f"environment.guard_concat({func_name}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


def _guarded_buffer(parts: Iterable[str]) -> str:
    """Jinja's ``concat`` for buffered output (macros, ``{% set %}`` and ``{% filter %}``
    blocks, ``caller()``): a loop can repeat a large literal many times over in one buffer."""
    budget = _budget()
    if budget is not None:
        parts = list(parts)
        budget.check_size(sum(len(part) for part in parts), "a block's output")
    return "".join(parts)


class _Sandbox(ImmutableSandboxedEnvironment):
    code_generator_class = _GuardedCode
    concat = staticmethod(_guarded_buffer)
    intercepted_binops = frozenset({"**", "*", "+", "%", "//", "/", "-"})

    def wrap_str_format(self, value: Any) -> None:
        # Jinja2 would hand out a sandboxed str.format; we refuse formatting altogether.
        return None

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr.startswith("_") or attr in _REFUSED_ATTRIBUTES:
            return False
        if isinstance(obj, str) and attr in _REFUSED_METHODS:
            return False
        return super().is_safe_attribute(obj, attr, value)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        # Every loop's items pass through the guard: iterations are counted and the clock is
        # read on each one.
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Filter(
                loop.iter, "reelspec_loop_guard", [], [], None, None, lineno=loop.lineno
            )
        return tree

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        budget = _budget()
        if budget is None:
            return super().call(__context, __obj, *args, **kwargs)
        budget.check_time()
        args = _check_method_call(budget, __obj, args, kwargs)
        budget.depth += 1
        try:
            if budget.depth > budget.limits.max_depth:
                raise _LimitExceeded(
                    f"calls nested more than {budget.limits.max_depth} deep (a macro or "
                    "recursive loop that does not stop?) (REELSPEC_TEMPLATE_MAX_DEPTH)"
                )
            result = super().call(__context, __obj, *args, **kwargs)
        finally:
            budget.depth -= 1
        return _check_result(budget, result)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        budget = _budget()
        if budget is not None:
            budget.check_time()
            _check_binop(budget, operator, left, right)
        result = self.binop_table[operator](left, right)
        if budget is not None:
            _check_result(budget, result)
        return result

    def guard_concat(self, join: Callable[[Iterable[Any]], str], parts: tuple[Any, ...]) -> str:
        budget = _budget()
        if budget is not None:
            budget.check_time()
            total = 0
            for part in parts:
                total += _size(part, budget.limits.max_bytes - total)
                budget.check_size(total, "a joined string")
        return join(parts)


def _bits(value: Any) -> int:
    return abs(value).bit_length() if isinstance(value, int) else 0


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_binop(budget: _Budget, operator: str, left: Any, right: Any) -> None:
    """Refuse an operation whose result would be over a limit, before computing it."""
    if operator == "**" and _is_int(left) and _is_int(right) and right > 0:
        if abs(left) > 1:
            budget.check_int(max(_bits(left) - 1, 1) * right)
    elif operator == "*":
        if _is_int(left) and _is_int(right):
            budget.check_int(_bits(left) + _bits(right))
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, (str, bytes, list, tuple)) and _is_int(times) and times > 0:
                budget.check_size(len(seq) * times, "a repeated string or list")
    elif operator == "+":
        if isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
            budget.check_size(len(left) + len(right), "a joined string or list")
    elif operator == "%" and isinstance(left, str):
        _check_percent_format(budget, left)
        budget.check_size(len(left) + _size(right, budget.limits.max_bytes), "a %-formatting")


#: A printf conversion's width and precision (``%09.3f``, ``%*d``).
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _check_percent_format(budget: _Budget, text: str) -> None:
    for match in _PERCENT.finditer(text):
        for part in match.groups():
            if part == "*":
                raise _LimitExceeded("a '*' width in %-formatting is not allowed")
            if part and (len(part) > 7 or int(part) > budget.limits.max_bytes):
                budget.check_size(10**7 if len(part) > 7 else int(part), "a %-formatted field")


def _check_method_call(
    budget: _Budget, func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[Any, ...]:
    """Size checks for the string methods that can make much more than they are given."""
    owner = getattr(func, "__self__", None)
    name = getattr(func, "__name__", "")
    if _is_int(owner) and name == "to_bytes" and args and _is_int(args[0]):
        budget.check_size(args[0], "int.to_bytes()")
    if not isinstance(owner, str):
        return args
    if name in ("center", "ljust", "rjust", "zfill") and args and _is_int(args[0]):
        budget.check_size(max(len(owner), args[0]), f"str.{name}()")
    elif name == "expandtabs":
        tab = args[0] if args else kwargs.get("tabsize", 8)
        if _is_int(tab):
            budget.check_size(len(owner) + owner.count("\t") * max(tab, 0), "str.expandtabs()")
    elif name == "replace" and len(args) >= 2:
        _check_replace(budget, owner, args[0], args[1], args[2] if len(args) > 2 else -1)
    elif name == "join" and args:
        items = _guarded_list(budget, args[0])
        _check_join(budget, owner, items)
        return (items, *args[1:])
    return args


def _check_replace(budget: _Budget, text: Any, old: Any, new: Any, count: Any) -> None:
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
        return
    hits = text.count(old) if old else len(text) + 1
    if _is_int(count) and count >= 0:
        hits = min(hits, count)
    budget.check_size(len(text) + hits * max(0, len(new) - len(old)), "a replaced string")


def _guarded_list(budget: _Budget, items: Any) -> Any:
    """A lazy iterable (a generator from ``map``, ``select``...) drawn into a list under the
    loop guard; anything with a length is returned as it is."""
    if hasattr(items, "__len__") or not hasattr(items, "__iter__"):
        return items
    out = []
    for item in _loop_guard(items):
        out.append(item)
        budget.check_size(len(out), "a list")
    return out


def _check_join(budget: _Budget, separator: str, items: Any) -> None:
    if not isinstance(items, (list, tuple)):
        return
    total = max(len(items) - 1, 0) * len(separator)
    for item in items:
        total += len(item) if isinstance(item, str) else _size(item, budget.limits.max_bytes)
        if total > budget.limits.max_bytes:
            break
    budget.check_size(total, "a joined string")


def _check_result(budget: _Budget, value: Any) -> Any:
    if isinstance(value, (str, bytes, list, tuple, dict)):
        budget.check_size(len(value), "a string or list")
    elif _is_int(value):
        budget.check_int(_bits(value))
    return value


def _loop_guard(items: Any) -> Iterator[Any]:
    """Loop items, counting every iteration of the render and reading the clock."""
    budget = _budget()
    if budget is None:
        yield from items
        return
    limit = budget.limits.max_iterations
    for item in items:
        budget.iterations += 1
        if budget.iterations > limit:
            raise _LimitExceeded(
                f"loops ran more than {limit} times in all (REELSPEC_TEMPLATE_MAX_ITERATIONS)"
            )
        budget.check_time()
        yield item


_MAX_WRAPPED = 100_000
#: Filters that write their whole value out as text.
_SERIALIZING = {"string", "tojson", "pprint", "urlencode", "xmlattr", "e", "escape"}


def _guard_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """A built-in filter with the render's clock and size checks around it."""
    passed = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0

    @functools.wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        budget = _budget()
        if budget is None:
            return func(*args, **kwargs)
        budget.check_time()
        value, rest = (args[passed], args[passed + 1 :]) if len(args) > passed else (None, ())
        for arg in (*rest, *kwargs.values()):
            if _is_int(arg) and abs(arg) > budget.limits.max_bytes:
                raise _LimitExceeded(f"the {name} filter's argument {arg} is too large")
        if name == "replace" and len(rest) >= 2:
            _check_replace(budget, str(value), rest[0], rest[1], rest[2] if len(rest) > 2 else -1)
        elif name == "join":
            items = _guarded_list(budget, value)
            separator = rest[0] if rest else kwargs.get("d", "")
            _check_join(budget, str(separator), items)
            args = (*args[:passed], items, *rest)
        elif name == "indent" and isinstance(value, str):
            width = rest[0] if rest else kwargs.get("width", 4)
            size = len(width) if isinstance(width, str) else width if _is_int(width) else 4
            budget.check_size(len(value) + (value.count("\n") + 1) * size, "an indented string")
        elif name == "wordwrap" and isinstance(value, str):
            if len(value) > _MAX_WRAPPED:  # textwrap's work grows faster than its text
                raise _LimitExceeded(f"wordwrap takes at most {_MAX_WRAPPED} characters")
            width = rest[0] if rest else kwargs.get("width", 79)
            wrap = rest[2] if len(rest) > 2 else kwargs.get("wrapstring") or "\n"
            if _is_int(width) and width > 0 and isinstance(wrap, str):
                budget.check_size(len(value) + (len(value) // width + 1) * len(wrap), "a wrap")
        elif name == "format" and isinstance(value, str):
            _check_percent_format(budget, value)
            budget.check_size(len(value) + _size((rest, kwargs), budget.limits.max_bytes), name)
        elif name == "sum":
            start = rest[1] if len(rest) > 1 else kwargs.get("start", 0)
            if not isinstance(start, (int, float)):
                # Adding up lists copies the growing total once per item (quadratic, in C).
                raise _LimitExceeded("sum adds up numbers only (start must be a number)")
        elif name in _SERIALIZING:
            budget.check_size(_size(value, budget.limits.max_bytes), f"the {name} filter's text")
        elif name in ("list", "sort", "unique", "reverse", "batch", "slice"):
            args = (*args[:passed], _guarded_list(budget, value), *rest)
        return _check_result(budget, func(*args, **kwargs))

    return guarded


def _bounded_lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    """Jinja's filler text, with at most 100 paragraphs of at most 1000 words."""
    if not (_is_int(n) and _is_int(min) and _is_int(max)) or n > 100 or max > 1000 or min > max:
        raise _LimitExceeded("lipsum() makes at most 100 paragraphs of at most 1000 words")
    return str(jinja2.utils.generate_lorem_ipsum(n, html, min, max))


class _BoundedFileLoader(jinja2.FileSystemLoader):
    """Templates (and what they include) are regular files of bounded size: opening a FIFO
    would block, and /dev/zero would never end."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        from engine.spec.loader import decode_utf8, read_limited

        pieces = jinja2.loaders.split_template_path(template)
        for folder in self.searchpath:
            path = Path(folder, *pieces)
            try:
                os.stat(path)
            except (OSError, ValueError):
                continue
            data = read_limited(
                path,
                _env_int("REELSPEC_TEMPLATE_MAX_BYTES", 1_000_000),
                "template",
                "REELSPEC_TEMPLATE_MAX_BYTES",
                _template_error,
            )
            text = decode_utf8(data, str(path), _template_error)
            mtime = os.stat(path).st_mtime

            def uptodate(path: Path = path, mtime: float = mtime) -> bool:
                try:
                    info = os.stat(path)
                except OSError:
                    return False
                return stat.S_ISREG(info.st_mode) and info.st_mtime == mtime

            return text, os.path.normpath(path), uptodate
        raise jinja2.TemplateNotFound(template)


def _template_error(
    message: str, *, file: str | None = None, line: int | None = None, column: int | None = None
) -> TemplateError:
    where = "".join(f"{part}:" for part in (file, line, column) if part is not None)
    return TemplateError(f"{where} {message}" if where else message)


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
    if _is_int(value) and value.bit_length() > 14_000:
        # Python refuses to write integers of over 4300 digits as decimal text.
        raise TemplateError(
            f"a value is an integer of about {_digits(value.bit_length())} digits, "
            "too long to write as text"
        )
    return str(value)


class SpecTemplate:
    """One template file, rendered once per data row."""

    def __init__(self, path: Path, limits: TemplateLimits | None = None) -> None:
        self.path = path
        self.limits = limits or TemplateLimits()
        self.env = _Sandbox(
            loader=_BoundedFileLoader(str(path.parent)),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            finalize=_finalize,
            # No compile-time folding of constant expressions: everything runs sandboxed.
            optimized=False,
        )
        self.env.filters.pop("attr", None)
        self.env.globals["lipsum"] = _bounded_lipsum
        for name, func in list(self.env.filters.items()):
            self.env.filters[name] = _guard_filter(name, func)
        self.env.filters["reelspec_loop_guard"] = _loop_guard
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
        budget = _Budget(self.limits, time.monotonic() + self.limits.seconds)
        token = _CURRENT.set((nonce, values, budget))
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
        except _Timeout:
            raise TemplateError(
                f"{where}: rendering took more than {self.limits.seconds:g}s (limit); "
                "raise it with --template-timeout"
            ) from None
        except _LimitExceeded as exc:
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
            _CURRENT.reset(token)
        pattern = re.compile(f"RSV{nonce}N\\d+X")
        if self._filled_size(text, values, pattern) > self.limits.max_bytes:
            raise TemplateError(f"{where}: {_over_output(self.limits.max_bytes)}")
        return RenderedTemplate(text, values, pattern)

    def _filled_size(self, text: str, values: dict[str, Any], pattern: re.Pattern[str]) -> int:
        """Bytes of ``text`` once every placeholder is replaced by its value (a value used
        twice counts twice), counted until past the limit."""
        limit = self.limits.max_bytes
        total = len(text.encode("utf-8", "surrogatepass"))
        for match in pattern.finditer(text):
            value = values.get(match.group(0))
            total += _size(value, limit - total + len(match.group(0))) - len(match.group(0))
            if total > limit:
                break
        return total

    def _generate(self, context: Mapping[str, Any], budget: _Budget) -> str:
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
        raise _Timeout

    previous: Callable[..., Any] | int | None = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
