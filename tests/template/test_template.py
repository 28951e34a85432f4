"""The template engine: values stay data, the sandbox holds, errors name row and line."""

from __future__ import annotations

import re
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


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("a: {{ 7**123456789 }}\n", "an integer of about 74328394 digits"),
        ("a: {{ (10**1000) * (10**1000) * (10**1000) * (10**1000) }}\n", "over the limit of 4096"),
        ("a: {{ 'x' * 10**9 }}\n", "a repeated string or list would be 1000000000 characters"),
        ("a: {{ 'x'.center(10**9) }}\n", "str.center() would be"),
        ("a: {{ '%0999999999d' % 1 }}\n", "a %-formatted field"),
        ("a: {{ '%0999999999d'|format(1) }}\n", "a %-formatted field"),
        ("{% set s = 'x' * 100000 %}a: {{ s|replace('x', s) }}\n", "a replaced string"),
        ("{% set s = 'x' * 100000 %}a: {{ ([s] * 1000)|join }}\n", "a joined string"),
        ("{% set s = '\\n' * 100000 %}a: {{ s|indent(100000) }}\n", "an indented string"),
        (
            "{% set ns = namespace(s='xxxxxxxxxx') %}{% for i in range(60) %}"
            "{% set ns.s = ns.s ~ ns.s %}{% endfor %}a: 1\n",
            "a joined string",
        ),
        ("a: {{ (1).to_bytes(10**9, 'big') }}\n", "int.to_bytes()"),
        ("a: {{ range(100000)|batch(1)|sum(start=[]) }}\n", "sum adds up numbers only"),
        ("a: {{ lipsum(1000000) }}\n", "lipsum() makes at most 100 paragraphs"),
        (
            "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}a: {{ f(1) }}\n",
            "calls nested more than 100",
        ),
        ("{% for x in items recursive %}{{ loop(items) }}{% endfor %}\n", "calls nested more than"),
        ("{% include 't.yaml.j2' %}\n", "recurses too deeply"),
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n",
            "loops ran more than 1000000 times",
        ),
        ("a: {{ ('f' * 4000)|int(base=16) }}\n", "an integer of about 4817 digits"),
        ("{% if true %}" * 200 + "a: 1\n" + "{% endif %}" * 200, "nested too deeply to compile"),
    ],
)
def test_template_bombs_are_refused_before_they_cost(
    tmp_path: Path, body: str, expected: str
) -> None:
    with pytest.raises(TemplateError, match=re.escape(expected)):
        render(tmp_path, body, {"items": [1, 2]})


def test_output_size_counts_values_filled_in(tmp_path: Path) -> None:
    body = "a: {{ text }}\nb: {{ text }}\nc: {{ text }}\n"
    with pytest.raises(TemplateError, match="over 1000000 bytes with its values filled in"):
        render(tmp_path, body, {"text": "y" * 400_000})
    shared = ["z" * 100_000] * 20  # one string twenty times (a YAML data file's aliases)
    with pytest.raises(TemplateError, match="over 1000000 bytes"):
        render(tmp_path, "a: {{ items }}\n", {"items": shared})
    assert render(tmp_path, body, {"text": "y" * 1000}) == {"a": "y" * 1000} | {
        "b": "y" * 1000,
        "c": "y" * 1000,
    }


def test_deadline_holds_on_other_threads(tmp_path: Path) -> None:
    import threading

    body = "a: {% for i in range(1000) %}{% for j in range(1000) %}{{ i }}{% endfor %}{% endfor %}"
    errors: list[str] = []

    def work() -> None:
        try:
            render(tmp_path, body + "\n", {}, seconds=0.2, max_iterations=10**9)
        except TemplateError as exc:
            errors.append(str(exc))

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(30)
    assert errors and "took more than 0.2s (limit)" in errors[0]
