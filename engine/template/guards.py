"""Size and time checks around what a template computes: operators, method calls, filters and
loops. Each refuses a result over the render's limits *before* computing it where it can
(``7**123456789`` would otherwise hang inside C arithmetic that no signal can interrupt)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

import jinja2

from engine.template.limits import (
    Budget,
    LimitExceeded,
    current_budget,
    is_int,
    text_size,
)


def _bits(value: Any) -> int:
    return abs(value).bit_length() if isinstance(value, int) else 0


def check_binop(budget: Budget, operator: str, left: Any, right: Any) -> None:
    """Refuse an operation whose result would be over a limit, before computing it."""
    if operator == "**" and is_int(left) and is_int(right) and right > 0:
        if abs(left) > 1:
            budget.check_int(max(_bits(left) - 1, 1) * right)
    elif operator == "*":
        if is_int(left) and is_int(right):
            budget.check_int(_bits(left) + _bits(right))
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, (str, bytes, list, tuple)) and is_int(times) and times > 0:
                budget.check_size(len(seq) * times, "a repeated string or list")
    elif operator == "+":
        if isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
            budget.check_size(len(left) + len(right), "a joined string or list")
    elif operator == "%" and isinstance(left, str):
        check_percent_format(budget, left)
        budget.check_size(len(left) + text_size(right, budget.limits.max_bytes), "a %-formatting")


#: A printf conversion's width and precision (``%09.3f``, ``%*d``).
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def check_percent_format(budget: Budget, text: str) -> None:
    for match in _PERCENT.finditer(text):
        for part in match.groups():
            if part == "*":
                raise LimitExceeded("a '*' width in %-formatting is not allowed")
            if part and (len(part) > 7 or int(part) > budget.limits.max_bytes):
                budget.check_size(10**7 if len(part) > 7 else int(part), "a %-formatted field")


def check_method_call(
    budget: Budget, func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[Any, ...]:
    """Size checks for the string methods that can make much more than they are given."""
    owner = getattr(func, "__self__", None)
    name = getattr(func, "__name__", "")
    if is_int(owner) and name == "to_bytes" and args and is_int(args[0]):
        budget.check_size(args[0], "int.to_bytes()")
    if not isinstance(owner, str):
        return args
    if name in ("center", "ljust", "rjust", "zfill") and args and is_int(args[0]):
        budget.check_size(max(len(owner), args[0]), f"str.{name}()")
    elif name == "expandtabs":
        tab = args[0] if args else kwargs.get("tabsize", 8)
        if is_int(tab):
            budget.check_size(len(owner) + owner.count("\t") * max(tab, 0), "str.expandtabs()")
    elif name == "replace" and len(args) >= 2:
        _check_replace(budget, owner, args[0], args[1], args[2] if len(args) > 2 else -1)
    elif name == "join" and args:
        items = _guarded_list(budget, args[0])
        _check_join(budget, owner, items)
        return (items, *args[1:])
    return args


def _check_replace(budget: Budget, text: Any, old: Any, new: Any, count: Any) -> None:
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
        return
    hits = text.count(old) if old else len(text) + 1
    if is_int(count) and count >= 0:
        hits = min(hits, count)
    budget.check_size(len(text) + hits * max(0, len(new) - len(old)), "a replaced string")


def _guarded_list(budget: Budget, items: Any) -> Any:
    """A lazy iterable (a generator from ``map``, ``select``...) drawn into a list under the
    loop guard; anything with a length is returned as it is."""
    if hasattr(items, "__len__") or not hasattr(items, "__iter__"):
        return items
    out = []
    for item in loop_guard(items):
        out.append(item)
        budget.check_size(len(out), "a list")
    return out


def _check_join(budget: Budget, separator: str, items: Any) -> None:
    if not isinstance(items, (list, tuple)):
        return
    total = max(len(items) - 1, 0) * len(separator)
    for item in items:
        total += len(item) if isinstance(item, str) else text_size(item, budget.limits.max_bytes)
        if total > budget.limits.max_bytes:
            break
    budget.check_size(total, "a joined string")


def check_result(budget: Budget, value: Any) -> Any:
    if isinstance(value, (str, bytes, list, tuple, dict)):
        budget.check_size(len(value), "a string or list")
    elif is_int(value):
        budget.check_int(_bits(value))
    return value


def loop_guard(items: Any) -> Iterator[Any]:
    """Loop items, counting every iteration of the render and reading the clock."""
    budget = current_budget()
    if budget is None:
        yield from items
        return
    limit = budget.limits.max_iterations
    for item in items:
        budget.iterations += 1
        if budget.iterations > limit:
            raise LimitExceeded(
                f"loops ran more than {limit} times in all (REELSPEC_TEMPLATE_MAX_ITERATIONS)"
            )
        budget.check_time()
        yield item


_MAX_WRAPPED = 100_000
#: Filters that write their whole value out as text.
_SERIALIZING = {"string", "tojson", "pprint", "urlencode", "xmlattr", "e", "escape"}


def guard_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """A built-in filter with the render's clock and size checks around it."""
    passed = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0

    @functools.wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        budget = current_budget()
        if budget is None:
            return func(*args, **kwargs)
        budget.check_time()
        args = _check_filter(budget, name, args, passed, kwargs)
        return check_result(budget, func(*args, **kwargs))

    return guarded


def _check_filter(
    budget: Budget, name: str, args: tuple[Any, ...], passed: int, kwargs: dict[str, Any]
) -> tuple[Any, ...]:
    """Refuse a filter call whose result would be over a limit; the arguments to call it with
    (a lazy value the filter would draw out is drawn into a list under the loop guard).
    ``passed`` counts the arguments Jinja passes before the value (a context...)."""
    value, rest = (args[passed], args[passed + 1 :]) if len(args) > passed else (None, ())
    for arg in (*rest, *kwargs.values()):
        if is_int(arg) and abs(arg) > budget.limits.max_bytes:
            raise LimitExceeded(f"the {name} filter's argument {arg} is too large")
    if name == "replace" and len(rest) >= 2:
        _check_replace(budget, str(value), rest[0], rest[1], rest[2] if len(rest) > 2 else -1)
    elif name == "join":
        items = _guarded_list(budget, value)
        separator = rest[0] if rest else kwargs.get("d", "")
        _check_join(budget, str(separator), items)
        return (*args[:passed], items, *rest)
    elif name == "indent" and isinstance(value, str):
        width = rest[0] if rest else kwargs.get("width", 4)
        size = len(width) if isinstance(width, str) else width if is_int(width) else 4
        budget.check_size(len(value) + (value.count("\n") + 1) * size, "an indented string")
    elif name == "wordwrap" and isinstance(value, str):
        if len(value) > _MAX_WRAPPED:  # textwrap's work grows faster than its text
            raise LimitExceeded(f"wordwrap takes at most {_MAX_WRAPPED} characters")
        width = rest[0] if rest else kwargs.get("width", 79)
        wrap = rest[2] if len(rest) > 2 else kwargs.get("wrapstring") or "\n"
        if is_int(width) and width > 0 and isinstance(wrap, str):
            budget.check_size(len(value) + (len(value) // width + 1) * len(wrap), "a wrap")
    elif name == "format" and isinstance(value, str):
        check_percent_format(budget, value)
        budget.check_size(len(value) + text_size((rest, kwargs), budget.limits.max_bytes), name)
    elif name == "sum":
        start = rest[1] if len(rest) > 1 else kwargs.get("start", 0)
        if not isinstance(start, (int, float)):
            # Adding up lists copies the growing total once per item (quadratic, in C).
            raise LimitExceeded("sum adds up numbers only (start must be a number)")
    elif name in _SERIALIZING:
        budget.check_size(text_size(value, budget.limits.max_bytes), f"the {name} filter's text")
    elif name in ("list", "sort", "unique", "reverse", "batch", "slice"):
        return (*args[:passed], _guarded_list(budget, value), *rest)
    return args


def bounded_lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    """Jinja's filler text, with at most 100 paragraphs of at most 1000 words."""
    if not (is_int(n) and is_int(min) and is_int(max)) or n > 100 or max > 1000 or min > max:
        raise LimitExceeded("lipsum() makes at most 100 paragraphs of at most 1000 words")
    return str(jinja2.utils.generate_lorem_ipsum(n, html, min, max))
