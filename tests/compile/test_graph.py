from __future__ import annotations

from fractions import Fraction

from engine.compile.graph import GraphBuilder, f, num


def test_numbers_are_short_and_exact() -> None:
    assert num(3) == "3" and num(3.0) == "3" and num(0.5) == "0.5"
    assert num(Fraction(1, 3)) == "0.333333" and num(Fraction(30, 1)) == "30"


def test_values_are_escaped_for_both_parser_levels() -> None:
    flt = f("overlay", enable="between(t,1,2)")
    assert str(flt) == r"overlay=enable=between(t\,1\,2)"
    assert str(f("x", text="a:b")) == r"x=text=a\\:b"
    assert str(f("x", text="it's [1];")) == r"x=text=it\\\'s \[1\]\;"


def test_options_keep_order_and_drop_none() -> None:
    assert str(f("scale", 320, 180, flags="lanczos", eval=None)) == "scale=320:180:flags=lanczos"


def test_builder_labels_are_sequential_and_inputs_never_shared() -> None:
    g = GraphBuilder()
    a = g.add_input("a.png", "-framerate", "30")
    b = g.add_input("b.png")
    assert (a, b, g.add_input("a.png", "-framerate", "30")) == (0, 1, 2)
    first = g.one([f"{a}:v"], [f("format", "rgba")])
    second = g.one([first], [f("null")])
    assert (first, second) == ("v0", "v1")
    assert g.chains == ["[0:v]format=rgba[v0]", "[v0]null[v1]"]
