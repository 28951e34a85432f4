"""The Jinja2 environment templates run in: an ``ImmutableSandboxedEnvironment`` with
``StrictUndefined``, underscore attributes, ``str.format`` and the ``attr`` filter refused, and
the guards of :mod:`engine.template.guards` hooked into every call, operator, concatenation,
filter and loop."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from engine.errors import TemplateError
from engine.template.guards import (
    bounded_lipsum,
    check_binop,
    check_method_call,
    check_result,
    guard_filter,
    loop_guard,
)
from engine.template.limits import LimitExceeded, current_budget, env_int, text_size
from engine.template.placeholders import finalize

_REFUSED_ATTRIBUTES = {"format", "format_map", "mro", "gi_frame", "gi_code", "f_globals"}
#: String methods whose result can be far larger than their inputs in ways not worth
#: estimating; templates do not need them.
_REFUSED_METHODS = {"translate", "maketrans"}


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
    budget = current_budget()
    if budget is not None:
        parts = list(parts)
        budget.check_size(sum(len(part) for part in parts), "a block's output")
    return "".join(parts)


class Sandbox(ImmutableSandboxedEnvironment):
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
        budget = current_budget()
        if budget is None:
            return super().call(__context, __obj, *args, **kwargs)
        budget.check_time()
        args = check_method_call(budget, __obj, args, kwargs)
        budget.depth += 1
        try:
            if budget.depth > budget.limits.max_depth:
                raise LimitExceeded(
                    f"calls nested more than {budget.limits.max_depth} deep (a macro or "
                    "recursive loop that does not stop?) (REELSPEC_TEMPLATE_MAX_DEPTH)"
                )
            result = super().call(__context, __obj, *args, **kwargs)
        finally:
            budget.depth -= 1
        return check_result(budget, result)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        budget = current_budget()
        if budget is not None:
            budget.check_time()
            check_binop(budget, operator, left, right)
        result = self.binop_table[operator](left, right)
        if budget is not None:
            check_result(budget, result)
        return result

    def guard_concat(self, join: Callable[[Iterable[Any]], str], parts: tuple[Any, ...]) -> str:
        budget = current_budget()
        if budget is not None:
            budget.check_time()
            total = 0
            for part in parts:
                total += text_size(part, budget.limits.max_bytes - total)
                budget.check_size(total, "a joined string")
        return join(parts)


def make_sandbox(folder: Path) -> Sandbox:
    """The environment for the templates in ``folder``, every guard in place."""
    env = Sandbox(
        loader=_BoundedFileLoader(str(folder)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        finalize=finalize,
        # No compile-time folding of constant expressions: everything runs sandboxed.
        optimized=False,
    )
    env.filters.pop("attr", None)
    env.globals["lipsum"] = bounded_lipsum
    for name, func in list(env.filters.items()):
        env.filters[name] = guard_filter(name, func)
    env.filters["reelspec_loop_guard"] = loop_guard
    return env


class _BoundedFileLoader(jinja2.FileSystemLoader):
    """Templates (and what they include) are regular files of bounded size: opening a FIFO
    would block, and /dev/zero would never end."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        # Imported late: engine.spec loads the spec models, which rendering does not need.
        from engine.spec.files import decode_utf8, read_limited

        pieces = jinja2.loaders.split_template_path(template)
        for folder in self.searchpath:
            path = Path(folder, *pieces)
            try:
                os.stat(path)
            except (OSError, ValueError):
                continue
            data = read_limited(
                path,
                env_int("REELSPEC_TEMPLATE_MAX_BYTES", 1_000_000),
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
