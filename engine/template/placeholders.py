"""Values stand in the rendered YAML as opaque placeholders and are put back into the parsed
data, so a value never passes through the YAML parser."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import Markup

from engine.errors import TemplateError
from engine.template.limits import CURRENT_RENDER, digits, is_int, text_size


def finalize(value: Any) -> Any:
    """Jinja's ``finalize``: what each ``{{ expression }}`` writes, a placeholder recorded in
    the render's table (template-made YAML, marked safe, is written as it is)."""
    if isinstance(value, jinja2.Undefined):
        str(value)  # StrictUndefined (and the sandbox's refusals) raise here, with the name
    nonce, values, budget = CURRENT_RENDER.get()
    if isinstance(value, Markup):
        return str(value)  # template-made YAML (|safe, macros marked safe), pasted as is
    key = f"RSV{nonce}N{len(values)}X"
    # The value's filled-in size counts towards the output, not the placeholder's.
    budget.output += text_size(value, budget.limits.max_bytes) - len(key)
    budget.check_output()
    values[key] = value
    return key


def placeholder_pattern(nonce: str) -> re.Pattern[str]:
    """What the placeholders of the render with ``nonce`` look like."""
    return re.compile(f"RSV{nonce}N\\d+X")


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
    if is_int(value) and value.bit_length() > 14_000:
        # Python refuses to write integers of over 4300 digits as decimal text.
        raise TemplateError(
            f"a value is an integer of about {digits(value.bit_length())} digits, "
            "too long to write as text"
        )
    return str(value)
