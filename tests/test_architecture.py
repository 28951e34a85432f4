"""The package's shape, checked from its source: layer types named only in their own
modules, imports that point one way, one place that starts processes.

These read the code (with ``ast``) rather than run it, so they hold for every path through
it, not only the ones a render happens to take."""

from __future__ import annotations

import ast
import json
import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import engine.layers
from engine.layers import TYPES

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ROOT / "engine"
LAYERS = ENGINE / "layers"


def engine_modules() -> Iterator[tuple[str, Path, ast.Module]]:
    for path in sorted(ENGINE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def module_level_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """Imports run when the module is imported: top level, inside ``try``/``if`` blocks, but
    not in functions, classes or ``if TYPE_CHECKING:``."""
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop(0)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If):
            if not _type_checking(node):
                pending += node.body + node.orelse
        elif isinstance(node, ast.Try):
            pending += node.body + node.orelse + node.finalbody
            for handler in node.handlers:
                pending += handler.body


def imported_modules(node: ast.Import | ast.ImportFrom, known: set[str]) -> set[str]:
    """The engine modules an import statement loads (a name imported from a package that is
    itself a module counts as that module)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in known}
    if node.level or node.module is None:
        raise AssertionError("reelspec uses absolute imports")
    submodules = {f"{node.module}.{a.name}" for a in node.names} & known
    # ``from package import module`` loads the module; the package is already loading or
    # loaded (it is the module's parent), so it is no edge of its own unless names come
    # from it as well.
    if len(submodules) < len(node.names) and node.module in known:
        submodules.add(node.module)
    return submodules


# -- layer type names -------------------------------------------------------------------------


def _layer_names() -> tuple[set[str], set[str]]:
    names = {t.name for t in TYPES}
    classes: set[str] = set()
    for t in TYPES:
        classes |= {t.model.__name__, type(t).__name__}
        if t.overlay is not None:
            classes.add(t.overlay.__name__)
    return names, classes


def type_name_uses(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """Places where code outside the layer modules would depend on which types exist: a
    type name compared, matched, used as a ``type`` value or a ``Literal``, or a type's
    class used at all."""
    names, classes = _layer_names()

    def constants(node: ast.AST) -> Iterator[str]:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Constant) and sub.value in names:
                yield str(sub.value)

    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Compare):
            for operand in (node.left, *node.comparators):
                for name in constants(operand):
                    yield line, f"compares with {name!r}"
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "type" and value is not None:
                    for name in constants(value):
                        yield line, f'"type": {name!r}'
        elif isinstance(node, ast.keyword) and node.arg == "type":
            for name in constants(node.value):
                yield line, f"type={name!r}"
        elif isinstance(node, ast.Subscript) and (
            getattr(node.value, "id", None) == "Literal"
            or getattr(node.value, "attr", None) == "Literal"
        ):
            for name in constants(node.slice):
                yield line, f"Literal[{name!r}]"
        elif isinstance(node, ast.MatchValue):
            for name in constants(node.value):
                yield line, f"case {name!r}"
        elif isinstance(node, ast.Name) and node.id in classes:
            yield line, node.id
        elif isinstance(node, ast.Attribute) and node.attr in classes:
            yield line, node.attr
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in classes:
                    yield line, f"imports {node.module}.{alias.name}"


def test_layer_type_names_appear_only_in_their_modules_and_the_registry() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for _, path, tree in engine_modules()
        if LAYERS not in path.parents
        for line, what in type_name_uses(tree)
    ]
    assert found == []


def test_the_type_name_check_finds_what_it_looks_for() -> None:
    """The scan above must be able to fail: each form it looks for is caught."""
    source = "\n".join(
        [
            "from engine.layers.image import ImageLayer",
            "if layer.type == 'video': pass",
            "spec = {'type': 'text', 'text': 'hi'}",
            "Kind = Literal['gradient', 'x']",
            "match kind:\n    case 'generator': pass",
            "make(type='color')",
        ]
    )
    found = [what for _, what in type_name_uses(ast.parse(source))]
    assert sorted(found) == sorted(
        [
            "imports engine.layers.image.ImageLayer",
            "compares with 'video'",
            "\"type\": 'text'",
            "Literal['gradient']",
            "case 'generator'",
            "type='color'",
        ]
    )


def test_every_layer_type_has_its_own_module_and_one_registry_line() -> None:
    registry = (LAYERS / "__init__.py").read_text(encoding="utf-8")
    for layer_type in TYPES:
        module = sys.modules[type(layer_type).__module__]
        assert Path(module.__file__ or "").parent == LAYERS
        assert Path(module.__file__ or "").stem == layer_type.name
        assert registry.count(f"{layer_type.name}.TYPE,") == 1
    assert len({t.name for t in TYPES}) == len(TYPES)
    assert engine.layers.names() == tuple(t.name for t in TYPES)


# -- imports point downhill -------------------------------------------------------------------


def loaded_after(statement: str) -> set[str]:
    """The modules a fresh interpreter has loaded after running ``statement``."""
    code = f"{statement}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


def _compile_modules() -> list[str]:
    return [name for name, _, _ in engine_modules() if name.startswith("engine.compile")]


def test_the_compiler_loads_no_process_pictures_models_or_resolving() -> None:
    loaded = loaded_after("\n".join(f"import {name}" for name in _compile_modules()))
    forbidden = ("engine.proc", "engine.run", "engine.gan", "engine.resolve", "engine.farm")
    leaks = sorted(
        name
        for name in loaded
        if any(name == room or name.startswith(room + ".") for room in forbidden)
        or name.split(".")[0] in {"PIL", "numpy", "tensorflow", "keras", "dask", "subprocess"}
    )
    assert leaks == []


def test_a_farm_worker_loads_nothing_that_reads_or_resolves_specs() -> None:
    """Workers compile the resolved spec the client sent: they never load YAML, probe,
    draw or speak, so none of that code is even imported on them."""
    loaded = loaded_after("import engine.farm.worker")
    leaks = sorted(
        name
        for name in loaded
        if name == "engine.pipeline"
        or name.startswith(("engine.resolve.", "engine.spec.loader", "engine.spec.yaml"))
        or name.split(".")[0] in {"PIL", "yaml"}
    )
    assert leaks == []


def test_the_resolved_spec_module_imports_nothing_of_the_engine() -> None:
    loaded = loaded_after("import engine.resolved")
    assert sorted(n for n in loaded if n.startswith("engine")) == ["engine", "engine.resolved"]


def test_rooms_import_only_downhill() -> None:
    """Which room may import which at module level (functions may import lazily, for what
    only some commands need, but never uphill either: checked over all imports)."""
    below: dict[str, set[str]] = {
        # Plain data and facts: the resolved spec, exact time, codecs, feed descriptions.
        "resolved": set(),
        "timebase": set(),
        # Curves, and animations placed on frames: arithmetic over plain data.
        "easing": set(),
        "animation": {"easing"},
        "codecs": {"errors"},
        "feeds": set(),
        "env": {"errors"},
        # Processes (ffmpeg, probing, speech, frame decoding): the one place that starts them.
        "proc": {"errors", "resolved", "env", "paths"},
        "spec": {"layers", "errors", "codecs", "timebase", "paths", "env", "easing", "animation"},
        "gan": {"errors", "feeds", "spec", "cache", "proc", "publish", "env"},
        "resolve": {
            *("spec", "layers", "resolved", "proc", "cache", "timebase", "errors"),
            *("paths", "env", "gan", "animation", "easing", "codecs"),
        },
        "compile": {"spec", "layers", "resolved", "codecs", "feeds", "timebase", "errors"}
        | {"animation", "easing"},
        "run": {"compile", "proc", "errors", "codecs", "feeds", "timebase", "paths", "env"}
        | {"publish"},
    }
    known = {name for name, _, _ in engine_modules()}
    wrong: list[str] = []
    for name, path, tree in engine_modules():
        room = name.split(".")[1] if name.count(".") else ""
        if room not in below:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            for target in imported_modules(node, known):
                to = target.split(".")[1] if target.count(".") else ""
                if to and to != room and to not in below[room] and not _type_only(tree, node):
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}: {room} -> {to}")
    assert wrong == []


def _type_only(tree: ast.Module, target: ast.AST) -> bool:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.If)
            and _type_checking(node)
            and any(target is sub for stmt in node.body for sub in ast.walk(stmt))
        ):
            return True
    return False


def test_no_import_cycles_at_module_level() -> None:
    known = {name for name, _, _ in engine_modules()}
    graph = {
        name: {t for node in module_level_imports(tree) for t in imported_modules(node, known)}
        - {name}
        for name, _, tree in engine_modules()
    }
    cycles = _cycles(graph)
    assert cycles == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_check_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


# -- one place starts processes ---------------------------------------------------------------

_STARTERS = {
    "subprocess": {"Popen", "run", "call", "check_call", "check_output", "getoutput"},
    "os": {"system", "fork", "forkpty", "popen", "posix_spawn", "posix_spawnp"}
    | {f"exec{s}" for s in ("l", "le", "lp", "lpe", "v", "ve", "vp", "vpe")}
    | {f"spawn{s}" for s in ("l", "le", "lp", "lpe", "v", "ve", "vp", "vpe")},
}


def process_starts(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        call = node.func if isinstance(node, ast.Call) else None
        if isinstance(call, ast.Attribute) and isinstance(call.value, ast.Name):
            if call.attr in _STARTERS.get(call.value.id, ()):
                yield node.lineno, f"{call.value.id}.{call.attr}"
        elif isinstance(node, ast.ImportFrom) and node.module in _STARTERS:
            for alias in node.names:
                if alias.name in _STARTERS[node.module]:
                    yield node.lineno, f"from {node.module} import {alias.name}"
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                modules.append(node.module)
            if any(m.split(".")[0] == "multiprocessing" for m in modules):
                yield node.lineno, "multiprocessing"


def test_only_engine_proc_starts_processes() -> None:
    proc = ENGINE / "proc"
    found = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for _, path, tree in engine_modules()
        if proc not in path.parents
        for line, what in process_starts(tree)
    ]
    assert found == []
    assert list(process_starts(ast.parse("import subprocess\nsubprocess.Popen(['x'])")))


# -- the resolved spec travels ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["showcase", "clips", "text-to-video"])
def test_a_resolved_spec_survives_pickling(name: str) -> None:
    """Farm workers receive the client's resolved spec as it is."""
    from engine.pipeline import prepare

    spec = ROOT / "specs" / f"{name}.yaml"
    resolved = prepare(spec).resolved
    again = pickle.loads(pickle.dumps(resolved))
    assert again == resolved
    assert {type(layer) for s in again.scenes for layer in s.layers} == {
        type(layer) for s in resolved.scenes for layer in s.layers
    }


# -- small modules, short functions -----------------------------------------------------------

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def test_modules_are_small_and_long_functions_say_why() -> None:
    """A function over the limit is allowed when it says, in a ``# Long on purpose`` comment,
    what keeps it whole."""
    too_long: list[str] = []
    for _, path, tree in engine_modules():
        lines = path.read_text(encoding="utf-8").splitlines()
        where = path.relative_to(ROOT)
        if len(lines) > MAX_MODULE_LINES:
            too_long.append(f"{where}: {len(lines)} lines")
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            assert node.end_lineno is not None
            length = node.end_lineno - node.lineno + 1
            body = lines[node.lineno - 1 : node.end_lineno]
            if length > MAX_FUNCTION_LINES and not any("# Long on purpose" in b for b in body):
                too_long.append(f"{where}:{node.lineno}: {node.name}, {length} lines")
    assert too_long == []
