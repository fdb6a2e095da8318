"""The house rules of `docs/architecture.md`, checked from the code's own imports (ast), so that a later change cannot
quietly break them: layers point down, no import circles, folders of a sensible size."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "desktop"
MAX_MODULES_PER_FOLDER = 22  # "about 20"

QT = ("PySide6", "shiboken6")
STORAGE = ("peewee", "sqlite3")
NETWORK = ("websockets", "httpx", "httpx2", "socket", "http", "urllib.request", "openai", "keyring")
AUDIO = ("pyaudio", "numpy", "wave", "faster_whisper", "ctranslate2", "onnxruntime", "webrtcvad")
SERVICES = ("desktop.voice", "desktop.partner", "desktop.speech", "desktop.grading", "desktop.sync", "desktop.store")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path, name: str) -> Iterator[str]:
    """Every module this file imports, at any depth (lazy imports in functions count too), relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            for alias in node.names:  # `from desktop.voice import protocol` imports the module protocol
                yield f"{base}.{alias.name}"


def imports_by_module() -> dict[str, set[str]]:
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        graph[name] = set(imports_of(path, name))
    return graph


def internal_graph() -> dict[str, set[str]]:
    known = modules()
    return {name: {i for i in imported if i in known and i != name} for name, imported in imports_by_module().items()}


def is_within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def test_the_rules_see_the_whole_package():
    graph = imports_by_module()
    assert "desktop.voice.call.engine" in graph
    assert "desktop.core.personas" in graph["desktop.store.catalog"]


def test_core_is_pure_python():
    offenders = {
        name: sorted(i for i in imported if is_within(i, QT + STORAGE + NETWORK + AUDIO))
        for name, imported in imports_by_module().items()
        if is_within(name, ("desktop.core",))
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_core_imports_only_core():
    offenders = {
        name: sorted(i for i in imported if i.startswith("desktop.") and not is_within(i, ("desktop.core",)))
        for name, imported in imports_by_module().items()
        if is_within(name, ("desktop.core",))
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_services_do_not_import_qt_or_the_ui():
    offenders = {
        name: sorted(i for i in imported if is_within(i, QT + ("desktop.ui", "desktop.app", "desktop.app_shell")))
        for name, imported in imports_by_module().items()
        if is_within(name, SERVICES)
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_widgets_hold_no_sql_sockets_audio_or_models():
    forbidden = STORAGE + ("websockets", "socket", "pyaudio", "openai", "faster_whisper", "desktop.store.models")
    offenders = {
        name: sorted(i for i in imported if is_within(i, forbidden))
        for name, imported in imports_by_module().items()
        if is_within(name, ("desktop.ui",))
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_nothing_below_the_commands_imports_them():
    offenders = {
        name: sorted(i for i in imported if is_within(i, ("desktop.cli",)))
        for name, imported in imports_by_module().items()
        if not is_within(name, ("desktop.cli", "desktop.__main__"))
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_services_do_not_reach_into_the_wiring():
    offenders = {
        name: sorted(i for i in imported if is_within(i, ("desktop.bootstrap",)))
        for name, imported in imports_by_module().items()
        if is_within(name, SERVICES + ("desktop.core", "desktop.ui"))
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """The first import circle found by a depth-first walk, as the list of modules around it."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(graph, WHITE)
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        colour[node] = GREY
        stack.append(node)
        for nxt in sorted(graph[node]):
            # A package's __init__ is imported on the way to any of its modules; it is not an edge back.
            if colour[nxt] == GREY and not node.startswith(nxt + "."):
                return stack[stack.index(nxt) :] + [nxt]
            if colour[nxt] == WHITE:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        colour[node] = BLACK
        return None

    for start in sorted(graph):
        if colour[start] == WHITE:
            found = visit(start)
            if found:
                return found
    return None


def test_no_import_circles():
    assert find_cycle(internal_graph()) is None


def test_the_cycle_finder_finds_a_circle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("folder", sorted({p.parent for p in PACKAGE.rglob("*.py")}), ids=lambda p: str(p.name))
def test_folders_hold_one_subject_of_a_readable_size(folder: Path):
    count = len([p for p in folder.glob("*.py") if p.name != "__init__.py"])
    assert count <= MAX_MODULES_PER_FOLDER, f"{folder.relative_to(ROOT)} holds {count} modules"


def classes_defined(node: ast.AST, in_class_body: bool = False) -> Iterator[str]:
    """The classes a module names: at module level or inside a function. A class inside a class body (peewee's
    `Meta`) is reached through its owner, so it names nothing on its own."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.ClassDef):
            if not in_class_body:
                yield child.name
            yield from classes_defined(child, True)
        else:
            function = isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            yield from classes_defined(child, in_class_body and not function)


def shared_class_names(sources: dict[str, str]) -> dict[str, list[str]]:
    """Module source by name -> each class name defined more than once, with the modules that define it."""
    where: dict[str, list[str]] = {}
    for name, source in sorted(sources.items()):
        for cls in classes_defined(ast.parse(source)):
            where.setdefault(cls, []).append(name)
    return {cls: names for cls, names in where.items() if len(names) > 1}


def test_no_two_classes_share_a_name():
    """One name for one thing: two classes called the same (a transcript's `Speaker` and the partner's voice) make a
    reader and every import ask which one is meant."""
    sources = {name: path.read_text(encoding="utf-8") for name, path in modules().items()}
    assert shared_class_names(sources) == {}


def test_the_class_name_check_finds_a_shared_name():
    found = shared_class_names(
        {
            "a": "class Speaker:\n    class Meta: ...\n",
            "b": "def make():\n    class Speaker: ...\n",
            "c": "class Other:\n    class Meta: ...\n    def method(self):\n        class Local: ...\n",
            "d": "class Local: ...\n",
        }
    )
    assert found == {"Speaker": ["a", "b"], "Local": ["c", "d"]}
