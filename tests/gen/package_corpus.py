"""The package corpus: real packages from the registry, copied from site-packages and marked.

Each package is copied whole (its tests left out) under its own name, so that its
absolute imports of itself resolve to the copy, for the generator, for mypy (the
copies' folder is a source root, searched before site-packages) and at run time (the
folder put first on ``sys.path``). Only some modules are marked: every class of them, as
a new user would, plus the back-references a user would declare ``skip`` (a node's
``parent``), which the packages' own annotations already name. The versions are pinned
in the ``dev`` extra, since the corpus is their source.
"""

from __future__ import annotations

import ast
import hashlib
import json
import shutil
import sysconfig
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from tests.gen.stdlib_corpus import MARKER_IMPORT, mark

SKIP_IMPORT = "from typing import Annotated\n\nfrom allocative import allocative, skip\n"
"""The marker import of a module whose back-references are declared ``skip``."""


@dataclass(frozen=True)
class Package:
    """A package of the corpus: its distribution, the modules whose classes are marked, the
    back-references declared ``skip`` (``module: [(declaration, replacement)]``) and the
    classes left unmarked because the generator refuses them (``module: [class]``)."""

    distribution: str
    marked: tuple[str, ...]
    skips: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    unmarked: dict[str, list[str]] = field(default_factory=dict)


PACKAGES = {
    "networkx": Package(
        "networkx",
        (
            "classes/coreviews.py",
            "classes/digraph.py",
            "classes/filters.py",
            "classes/graph.py",
            "classes/graphviews.py",
            "classes/multidigraph.py",
            "classes/multigraph.py",
            "classes/reportviews.py",
            "algorithms/planarity.py",
        ),
    ),
    "sqlglot": Package(
        "sqlglot",
        ("expressions/core.py", "dialects/databricks.py"),
        {
            "expressions/core.py": [
                ("    parent: Expr | None\n", "    parent: Annotated[Expr | None, skip]\n")
            ]
        },
    ),
    "docutils": Package(
        "docutils",
        ("nodes.py", "statemachine.py"),
        {
            "nodes.py": [
                (
                    "    parent: Element | None = None\n",
                    "    parent: Annotated[Element | None, skip] = None\n",
                ),
                (
                    "    _document: document | None = None\n",
                    "    _document: Annotated[document | None, skip] = None\n",
                ),
            ]
        },
    ),
    "markdown_it": Package(
        "markdown-it-py",
        ("main.py", "token.py", "tree.py", "ruler.py", "renderer.py", "rules_block/code.py"),
        {
            "tree.py": [
                ("self._parent: Any = None\n", "self._parent: Annotated[Any, skip] = None\n")
            ]
        },
        {"renderer.py": ["RendererProtocol"], "ruler.py": ["RuleOptionsType"]},
    ),
}
"""The packages, by import name. networkx's ``__init__`` imports its own subpackages;
sqlglot lists ``parent`` again in every subclass's ``__slots__`` and nests tokenizer
classes that dialects inherit; docutils gives ``parent`` a class-level default; markdown-it
has modules named like the standard library's (``token.py``, ``code.py``)."""


def site_packages() -> Path:
    """The folder the packages are installed in."""
    return Path(sysconfig.get_paths()["purelib"])


def versions() -> dict[str, str]:
    """The installed version of each package's distribution."""
    return {name: metadata.version(package.distribution) for name, package in PACKAGES.items()}


@dataclass
class PackageCorpus:
    """A marked copy of the packages: the folder, and each marked module's marked text by
    path relative to it."""

    folder: Path
    marked: dict[Path, str] = field(default_factory=dict)
    classes: int = 0


def copy_marked(folder: Path) -> PackageCorpus:
    """Copy every package into ``folder`` (tests left out), marking the chosen modules."""
    corpus = PackageCorpus(folder)
    site = site_packages()
    for name, package in PACKAGES.items():
        shutil.copytree(
            site / name,
            folder / name,
            ignore=shutil.ignore_patterns("tests", "__pycache__", "*.pyc"),
        )
        for module in package.marked:
            path = Path(name) / module
            text = (site / path).read_text(encoding="utf-8")
            edits = package.skips.get(module, [])
            for old, new in edits:
                assert text.count(old) == 1, (path, old)
                text = text.replace(old, new)
            refused = package.unmarked.get(module, [])
            marked = mark(text, _lines_of(text, refused))
            result = marked.text
            if edits:
                result = result.replace(MARKER_IMPORT, SKIP_IMPORT, 1)
            (folder / path).write_text(result, encoding="utf-8")
            corpus.marked[path] = result
            corpus.classes += len(marked.classes)
    return corpus


def _lines_of(text: str, classes: list[str]) -> frozenset[int]:
    """The lines of the class statements named ``classes`` (a Protocol, a TypedDict)."""
    tree = ast.parse(text)
    found = {node.name: node.lineno for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}
    return frozenset(found[name] for name in classes)


STAMP = "corpus.key"
GENERATION = "generation.json"


def corpus_key() -> str:
    """What a prepared corpus depends on: the packages' versions, how the corpus is marked,
    the generator (:func:`allocative_gen.cache.generator_key`), the plugin's source and
    mypy's version. A prepared corpus with another key is made anew."""
    import allocative_mypy
    from allocative_gen.cache import generator_key

    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(json.dumps(versions(), sort_keys=True).encode())
    here = Path(__file__).parent
    plugin = Path(allocative_mypy.__file__).parent
    for source in [
        here / "package_corpus.py",
        here / "stdlib_corpus.py",
        *sorted(plugin.glob("*.py")),
    ]:
        hasher.update(source.read_bytes())
    hasher.update(generator_key().encode())
    hasher.update(metadata.version("mypy").encode())
    return hasher.hexdigest()


@dataclass
class Generation:
    """The first (cold) ``allocative-gen`` run over a prepared corpus."""

    status: int
    messages: list[str]


def prepared(
    folder: Path, generate: Callable[[Path], Generation]
) -> tuple[PackageCorpus, Generation]:
    """The corpus in ``folder``, marked and generated by ``generate`` (a cold run), made anew
    only when :func:`corpus_key` changed: a run of the tests with the same packages,
    generator and plugin reuses the generated files, and mypy's cache beside them."""
    key = corpus_key()
    stamp = folder / STAMP
    if stamp.is_file() and stamp.read_text() == key:
        corpus = PackageCorpus(folder)
        for name, package in PACKAGES.items():
            for module in package.marked:
                path = Path(name) / module
                corpus.marked[path] = (folder / path).read_text(encoding="utf-8")
        data = json.loads((folder / GENERATION).read_text())
        corpus.classes = data["classes"]
        return corpus, Generation(data["status"], data["messages"])
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    corpus = copy_marked(folder)
    generation = generate(folder)
    record = {
        "classes": corpus.classes,
        "status": generation.status,
        "messages": generation.messages,
    }
    (folder / GENERATION).write_text(json.dumps(record))
    stamp.write_text(key)
    return corpus, generation
