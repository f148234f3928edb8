"""Real packages nobody here wrote: networkx, sqlglot, docutils and markdown-it-py, copied,
marked, generated, type-checked with the plugin and measured.

The generator finds every base (networkx's package imports its own subpackages, sqlglot's
dialects inherit nested tokenizers), ``--check`` then passes, mypy with the plugin finds
every generated method current, and each package's objects are measured: a subtree
(a WHERE clause, a document section, a syntax tree node) measures the same inside its
tree and alone, since the ``parent`` its package links it to is declared ``skip``.

The corpus lives in ``.cache/package-corpus`` and is made anew only when the packages,
the marking, the generator or the plugin change (:func:`package_corpus.corpus_key`).
"""

from __future__ import annotations

import ast
import functools
import importlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from mypy import api

import allocative
from allocative_mypy import _written
from tests.gen.package_corpus import PACKAGES, Generation, PackageCorpus, prepared
from tests.gen.stdlib_corpus import MYPY_CONFIG
from tests.runtime.conftest import traced

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / ".cache" / "package-corpus"
COMMAND = str(Path(sys.executable).parent / "allocative-gen")
ADDED = re.compile(r"[^:]+:\d+: '[\w.]+\.__allocative__' was missing; added it")


def _generate(folder: Path) -> Generation:
    result = _run(folder, "-j", "2", ".")
    return Generation(result.returncode, result.stderr.splitlines())


def _run(folder: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [COMMAND, *arguments],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
        env=_environment(folder),
    )


def _environment(folder: Path) -> dict[str, str]:
    return {**os.environ, "ALLOCATIVE_CACHE_DIR": str(folder / ".allocative_cache")}


@pytest.fixture(scope="module")
def corpus() -> tuple[PackageCorpus, Generation]:
    """The packages marked and generated (once per change of what they depend on)."""
    return prepared(FOLDER, _generate)


def test_the_corpus_is_the_real_packages(corpus: tuple[PackageCorpus, Generation]) -> None:
    """Four packages, hundreds of marked classes."""
    marked, _ = corpus
    assert {path.parts[0] for path in marked.marked} == set(PACKAGES)
    assert marked.classes > 250


def test_every_base_is_found_and_every_method_written(
    corpus: tuple[PackageCorpus, Generation],
) -> None:
    """The cold run wrote every marked class's method, with no error and no warning: no
    base was left not found."""
    _, generation = corpus
    assert generation.status == 1
    assert [message for message in generation.messages if not ADDED.fullmatch(message)] == []


def test_check_then_passes(corpus: tuple[PackageCorpus, Generation]) -> None:
    """``--check`` over the whole corpus passes (from the cache where it holds)."""
    result = _run(FOLDER, "-j", "2", "--check", ".")
    assert (result.returncode, result.stderr) == (0, "")


def test_the_plugin_finds_every_generated_method_current(
    corpus: tuple[PackageCorpus, Generation],
) -> None:
    """mypy with the plugin over the marked modules: no ``allocative-stale``, no error in a
    generated method, no crash (the packages' own type errors are theirs)."""
    marked, _ = corpus
    (FOLDER / "mypy.ini").write_text(MYPY_CONFIG, encoding="utf-8")
    arguments = ["--config-file", str(FOLDER / "mypy.ini"), "--no-error-summary"]
    arguments += ["--cache-dir", str(FOLDER / ".mypy_cache")]
    modules = [str(FOLDER / path) for path in sorted(marked.marked)]
    try:
        stdout, stderr, status = api.run([*arguments, *modules])
    finally:
        _written.release()
    assert status in (0, 1), stderr
    lines = [_relative(line) for line in stdout.splitlines()]
    assert [line for line in lines if "[allocative-stale]" in line] == []
    assert [line for line in lines if "[allocative-mark]" in line] == []
    assert [line for line in lines if _in_generated_method(line)] == []


def _relative(message: str) -> str:
    """A mypy message with its path relative to the corpus (mypy shows it from the current
    folder)."""
    path, colon, rest = message.partition(":")
    if not colon or not Path(path).exists():
        return message
    return f"{Path(path).resolve().relative_to(FOLDER)}:{rest}"


def _in_generated_method(message: str) -> bool:
    match = re.match(r"(?P<path>[^:]+):(?P<line>\d+): error:", message)
    if match is None:
        return False
    return int(match["line"]) in _method_lines(FOLDER / match["path"])


@functools.cache
def _method_lines(path: Path) -> frozenset[int]:
    tree = ast.parse(path.read_bytes())
    return frozenset(
        line
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name == "__allocative__"
        for line in range(node.lineno, (node.end_lineno or node.lineno) + 1)
    )


@pytest.fixture(scope="module")
def packages(corpus: tuple[PackageCorpus, Generation]) -> Iterator[dict[str, ModuleType]]:
    """The marked copies imported in place of the installed packages."""
    names = tuple(PACKAGES)
    saved = {name: module for name, module in sys.modules.items() if _ours(name, names)}
    for name in saved:
        del sys.modules[name]
    sys.path.insert(0, str(FOLDER))
    try:
        imported = {
            "networkx": importlib.import_module("networkx"),
            "sqlglot": importlib.import_module("sqlglot"),
            "docutils.core": importlib.import_module("docutils.core"),
            "docutils.nodes": importlib.import_module("docutils.nodes"),
            "markdown_it": importlib.import_module("markdown_it"),
            "markdown_it.tree": importlib.import_module("markdown_it.tree"),
        }
        for module in imported.values():
            assert str(module.__file__).startswith(str(FOLDER)), module
        yield imported
    finally:
        sys.path.remove(str(FOLDER))
        for name in [name for name in sys.modules if _ours(name, names)]:
            del sys.modules[name]
        sys.modules.update(saved)


def _ours(name: str, packages: tuple[str, ...]) -> bool:
    return name.split(".")[0] in packages


def _detached_is_the_same(node: Any, detach: Any) -> tuple[int, int]:
    """``node``'s size inside its tree, and after ``detach()`` cut it from its parent."""
    inside = allocative.size_of(node)
    detach()
    return inside, allocative.size_of(node)


def test_networkx_graphs_are_measured_exactly(packages: dict[str, ModuleType]) -> None:
    """A multi-digraph: its node, adjacency and predecessor dicts, each once, and the views
    its cached properties keep once read (``graph.nodes``, ``graph.adj``), by name and
    without a warning."""
    nx = packages["networkx"]

    def build() -> Any:
        graph = nx.MultiDiGraph(name="ring")
        for i in range(300):
            graph.add_edge(f"n{i}", f"n{(i * 7) % 300}", weight=i * 0.5)
        assert len(graph.nodes) == len(graph.adj) == 300
        return graph

    graph, built = traced(build)
    assert "nodes" in vars(graph)
    assert allocative.size_of(graph) == built
    builder = allocative.FlameGraphBuilder()
    builder.visit_root(graph)
    output = builder.finish()
    stacks = {line.rsplit(" ", 1)[0] for line in output.folded().splitlines()}
    assert "MultiDiGraph;nodes;NodeView" in stacks
    assert [warning for warning in output.warnings if "nodes" in warning or "adj" in warning] == []


def test_a_sqlglot_where_clause_is_measured_without_its_statement(
    packages: dict[str, ModuleType],
) -> None:
    """``parent`` is declared skip on ``Expr`` and listed again in each subclass's
    ``__slots__``: the WHERE clause measures the same inside its SELECT and alone."""
    sqlglot = packages["sqlglot"]
    select = sqlglot.parse_one(
        "SELECT a, b, SUM(c) FROM t JOIN u ON t.id = u.id "
        "WHERE x > 1 AND y IN (1, 2, 3) AND z LIKE 'a%' GROUP BY a, b"
    )
    where = select.args["where"]
    assert where.parent is select
    whole = allocative.size_of(select)

    def detach() -> None:
        where.parent = None

    inside, alone = _detached_is_the_same(where, detach)
    assert inside == alone
    assert 2 * inside < whole


def test_a_docutils_section_is_measured_without_its_document(
    packages: dict[str, ModuleType],
) -> None:
    """``Node.parent = None`` is a class-level default no method assigns on ``self``;
    declared skip, a section measures the same inside its document and alone."""
    core, nodes = packages["docutils.core"], packages["docutils.nodes"]
    text = "\n\n".join(
        f"Section {i}\n{'=' * (8 + len(str(i)))}\n\nParagraph {i} with *emphasis* and ``code``.\n"
        for i in range(40)
    )
    document = core.publish_doctree(text, settings_overrides={"report_level": 5})
    section = next(iter(document.findall(nodes.section)))
    assert section.parent is document
    whole = allocative.size_of(document)

    def detach() -> None:
        section.parent = None
        section._document = None

    inside, alone = _detached_is_the_same(section, detach)
    assert inside == alone
    assert 10 * inside < whole


def test_a_markdown_syntax_tree_node_is_measured_without_its_root(
    packages: dict[str, ModuleType],
) -> None:
    """markdown-it's syntax tree links each node to its parent: declared skip, a node
    measures the same inside the tree and alone."""
    markdown_it, tree = packages["markdown_it"], packages["markdown_it.tree"]
    text = "\n\n".join(f"# Title {i}\n\nSome *text* and a [link](http://x/{i})." for i in range(30))
    root = tree.SyntaxTreeNode(markdown_it.MarkdownIt().parse(text))
    node = root.children[3]
    assert node.parent is root
    whole = allocative.size_of(root)

    def detach() -> None:
        node.parent = None

    inside, alone = _detached_is_the_same(node, detach)
    assert inside == alone
    assert 10 * inside < whole
