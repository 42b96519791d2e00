"""The package's layout, read from the source: imports never go round in a circle, the core
never imports its tools, rules never import the Tensor module, nn uses autograd's public
names only, and `autograd/__init__.py` is one import block and one `__all__`.

The graph has a node per module and an edge per import statement, module-level or inside a
function (imports under `if TYPE_CHECKING:` are for type checkers only and left out). To see
it yourself: `python -m pytest tests/test_layout.py -q -s` prints the edges.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("autograd", "nn")
CORE = {"autograd", "autograd._malloc", "autograd.engine", "autograd.rules",
        "autograd.tensor_rules", "autograd.ops", "autograd.value", "autograd.tensor",
        "autograd.functions", "autograd.function", "autograd.creation", "autograd.gradients",
        "autograd.functional"}
TOOLS = ("autograd.checking", "autograd.diagrams", "autograd.cli", "autograd.testing")
# The one upward edge: a Value's Jupyter display asks the diagrams for its picture, lazily.
ALLOWED_UPWARD = {("autograd.value", "autograd.diagrams")}


def modules() -> dict[str, Path]:
    found = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST):
    """Import statements, skipping `if TYPE_CHECKING:` blocks."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _resolve(name: str, importer: str, node: ast.ImportFrom | None, level: int) -> str:
    if level == 0:
        return name
    is_package = MODULES[importer].name == "__init__.py"
    base = importer.split(".")
    base = base if is_package else base[:-1]
    base = base[:len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def _target(name: str) -> str | None:
    """The project module an imported name lives in (a module, or the package above it)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def edges() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for mod, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _imports(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                base = _resolve(node.module or "", mod, node, node.level)
                # `from pkg import sub` may import a submodule: the edge goes to it then
                names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                         for a in node.names]
            for name in names:
                target = _target(name)
                # a module's own packages are already being imported when it runs
                if target is None or target == mod or mod.startswith(target + "."):
                    continue
                graph[mod].add(target)
    return graph


GRAPH = edges()


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        found.append(sorted(comp))
    return found


def test_the_graph_is_read():
    assert "autograd.engine" in GRAPH["autograd.rules"]
    assert "autograd.tensor" in GRAPH["autograd.functions"]
    assert "autograd.diagrams" in GRAPH["autograd.value"]          # the lazy display import
    print("\n".join(f"{m} -> {', '.join(sorted(t))}" for m, t in sorted(GRAPH.items()) if t))


def test_no_import_cycles():
    # The allowed upward edge is an import inside a method, run only when a notebook shows a
    # Value: it cannot take part in an import-time circle, so it is left out here.
    graph = {m: {t for t in ts if (m, t) not in ALLOWED_UPWARD} for m, ts in GRAPH.items()}
    assert _cycles(graph) == []


def test_the_allowed_upward_import_is_lazy():
    for mod, target in ALLOWED_UPWARD:
        tree = ast.parse(MODULES[mod].read_text(encoding="utf-8"))
        top = {_target(_resolve(n.module or "", mod, n, n.level)) for n in tree.body
               if isinstance(n, ast.ImportFrom)}
        assert target not in top, f"{mod} imports {target} at module level"


def test_the_cycle_finder_finds_cycles():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_core_never_imports_the_tools():
    for mod in CORE - {"autograd"}:
        for target in GRAPH[mod]:
            upward = any(target == t or target.startswith(t + ".") for t in TOOLS)
            assert not upward or (mod, target) in ALLOWED_UPWARD, f"{mod} imports {target}"


@pytest.mark.parametrize("mod", ["autograd.rules", "autograd.tensor_rules"])
def test_rules_never_import_the_node_classes(mod):
    assert GRAPH[mod] <= {"autograd.engine", "autograd.rules"}, GRAPH[mod]


def test_tools_import_the_core_not_each_other_upward():
    assert not any(t.startswith("autograd.cli") for t in GRAPH["autograd.diagrams.drawing"])
    assert not any(t.startswith("autograd.diagrams") for t in GRAPH["autograd.checking.gradcheck"])


def test_nn_uses_public_names_only():
    for mod, path in MODULES.items():
        if not mod.startswith("nn"):
            continue
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and \
                    node.module.startswith("autograd"):
                assert not any(p.startswith("_") for p in node.module.split(".")), \
                    f"{mod} imports the private module {node.module}"
                for alias in node.names:
                    assert not alias.name.startswith("_"), \
                        f"{mod} imports the private name {alias.name} from {node.module}"


def test_init_is_one_import_block_and_one_all():
    tree = ast.parse((ROOT / "autograd" / "__init__.py").read_text(encoding="utf-8"))
    body = [n for n in tree.body if not (isinstance(n, ast.Expr) and
                                         isinstance(n.value, ast.Constant))]
    kinds = ["import" if isinstance(n, (ast.Import, ast.ImportFrom)) else type(n).__name__
             for n in body]
    first, last = kinds.index("import"), len(kinds) - kinds[::-1].index("import")
    assert set(kinds[first:last]) == {"import"}, "imports interleaved with other statements"
    assigns = [n for n in body if isinstance(n, ast.Assign) and
               any(isinstance(t, ast.Name) and t.id == "__all__" for t in n.targets)]
    assert len(assigns) == 1
    # `__all__ += functions.__all__` is how type checkers learn of the re-exported functions
    extends = [n for n in body if isinstance(n, ast.AugAssign) and n.target.id == "__all__"]
    assert len(extends) <= 1
