"""The template engine: values stay data, the sandbox holds, errors name row and line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from engine.errors import TemplateError
from engine.template import SpecTemplate, TemplateLimits


def render(tmp_path: Path, body: str, context: dict, **limits: float) -> object:
    path = tmp_path / "t.yaml.j2"
    path.write_text(body, encoding="utf-8")
    rendered = SpecTemplate(path, TemplateLimits(**limits)).render(context, "row 4 (id x)")
    return rendered.substitute(yaml.safe_load(rendered.text))


INJECTIONS = [
    "{{ 7*7 }}",
    "A\noutput: {path: /etc/x}",
    '", evil: true, x: "',
    "- [a, b]\n- {c: d}",
    "{% for x in range(3) %}loop{% endfor %}",
    "key: value # comment",
    "'single' \"double\" \\backslash",
]


@pytest.mark.parametrize("cell", INJECTIONS)
def test_row_values_stay_literal_strings(tmp_path: Path, cell: str) -> None:
    data = render(
        tmp_path,
        'output: {path: "out/{{ sku }}.mp4"}\ntitle: "{{ cell }}"\nplain: {{ cell }}\n',
        {"sku": "A1", "cell": cell},
    )
    assert data == {"output": {"path": "out/A1.mp4"}, "title": cell, "plain": cell}


def test_structure_comes_from_the_template_and_values_keep_shape(tmp_path: Path) -> None:
    body = """items:
{% for item in items %}
  - {name: {{ item.name }}, n: {{ loop.index }}}
{% endfor %}
empty: {{ nothing }}
listed: {{ items | map(attribute="name") | list }}
"""
    data = render(tmp_path, body, {"items": [{"name": "a"}, {"name": "b:c"}], "nothing": None})
    assert data == {
        "items": [{"name": "a", "n": "1"}, {"name": "b:c", "n": "2"}],
        "empty": None,
        "listed": ["a", "b:c"],
    }


def test_missing_variable_names_it_the_row_and_the_line(tmp_path: Path) -> None:
    with pytest.raises(TemplateError) as caught:
        render(tmp_path, "a: 1\nb: 2\nc: {{ colour }}\n", {"color": "red"})
    assert str(caught.value) == "row 4 (id x): t.yaml.j2:3: 'colour' is undefined"


@pytest.mark.parametrize(
    "expression",
    [
        "{{ ''.__class__ }}",
        "{{ x.__class__.__mro__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ 'a{0}'.format(x) }}",
        "{{ s.format(x) }}",
        "{{ s.format_map({}) }}",
        "{{ x | attr('__class__') }}",
        "{{ lipsum.__globals__ }}",
    ],
)
def test_sandbox_escapes_are_refused(tmp_path: Path, expression: str) -> None:
    with pytest.raises(TemplateError, match=r"refused by the sandbox|No filter named 'attr'"):
        render(tmp_path, f"a: {expression}\n", {"x": 1, "s": "{0.__class__}"})


def test_runaway_templates_hit_the_limits(tmp_path: Path) -> None:
    slow = "a: {% for i in range(90000) %}{% for j in range(90000) %}{% endfor %}{% endfor %}\n"
    with pytest.raises(TemplateError, match=r"took more than 0.2s \(limit\)"):
        render(tmp_path, slow, {}, seconds=0.2)
    big = "a: {% for i in range(50000) %}xxxxxxxxxx{% endfor %}\n"
    with pytest.raises(TemplateError, match="over 1000 bytes"):
        render(tmp_path, big, {}, max_bytes=1000)


def test_syntax_error_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match=r"t.yaml.j2:2: "):
        render(tmp_path, "a: 1\nb: {% if %}\n", {})
