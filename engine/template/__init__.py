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

The modules, one job each:

- :mod:`~engine.template.spec_template` — :class:`SpecTemplate`: load a template, render it
  for one row, turn every failure into a TemplateError naming the row and line;
- :mod:`~engine.template.sandbox` — the Jinja2 environment and its hooks;
- :mod:`~engine.template.guards` — the size and time checks those hooks run;
- :mod:`~engine.template.limits` — :class:`TemplateLimits` and the budget of a render;
- :mod:`~engine.template.placeholders` — values written as placeholders and put back.
"""

from engine.template.limits import TemplateLimits
from engine.template.placeholders import RenderedTemplate
from engine.template.spec_template import SpecTemplate

__all__ = ["RenderedTemplate", "SpecTemplate", "TemplateLimits"]
