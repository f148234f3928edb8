"""Bases found as Python imports them and as mypy finds them, by the generator and the plugin alike.

Each layout is one real packages use: a package whose ``__init__`` imports its own
subpackage (networkx), a function bound over its module's name, a nested class a
subclass inherits (sqlglot's dialects), modules named like standard-library ones inside a
package or at the project's root, a package beside a module of the same name. In each,
the generator finds every base without a warning, ``--check`` then passes, and mypy
with the plugin (without a cache, then twice with one, so that bases come from the
cache) finds every method current: ``--check`` never passes what the plugin calls stale.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from allocative_gen.cli import main
from tests.gen.test_bases import method_of, write
from tests.mypy.runner import run_mypy

MARK = "from allocative import allocative\n"


def generate_and_check(
    folder: Path, capsys: pytest.CaptureFixture[str], hidden: frozenset[str] = frozenset()
) -> str:
    """Generate the methods of every file under ``folder``; return the messages. Then
    ``--check`` passes, and mypy with the plugin finds nothing, with a cache or without,
    over every file but the ``hidden`` ones (which mypy finds itself, or not)."""
    files = sorted(str(path.relative_to(folder)) for path in folder.rglob("*.py"))
    files = [file for file in files if file not in hidden]
    assert main([str(folder)]) == 1
    messages = capsys.readouterr().err
    assert main(["--check", str(folder)]) == 0
    assert run_mypy(folder, *files) == []
    cache = folder / ".mypy_cache"
    assert run_mypy(folder, *files, cache=cache) == []
    assert run_mypy(folder, *files, cache=cache) == []
    return messages


@pytest.mark.parametrize(
    "init",
    [
        "from top import classes\nfrom top.classes import *\n",
        "from . import classes\nfrom .classes import *\n",
        "import top.classes\nfrom top.classes import *\n",
    ],
)
def test_a_package_that_imports_its_own_subpackage(
    tmp_path: Path, init: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """networkx's layout: ``top/__init__.py`` imports ``top.classes``; a module of it imports
    ``Graph`` from ``top.classes.graph``, another reaches ``DiGraph`` as ``nx.DiGraph``."""
    write(tmp_path / "top" / "__init__.py", init)
    write(
        tmp_path / "top" / "classes" / "__init__.py",
        "from .graph import Graph\nfrom .digraph import DiGraph\nfrom .multigraph import *\n",
    )
    write(
        tmp_path / "top" / "classes" / "graph.py",
        f"{MARK}\n\n@allocative\nclass Graph:\n    def __init__(self) -> None:\n"
        "        self.graph: dict[str, str] = {}\n        self._node: dict[int, str] = {}\n",
    )
    digraph = write(
        tmp_path / "top" / "classes" / "digraph.py",
        f"{MARK}from top.classes.graph import Graph\n\n\n@allocative\nclass DiGraph(Graph):\n"
        "    def __init__(self) -> None:\n        super().__init__()\n"
        "        self._pred: dict[int, str] = {}\n",
    )
    multigraph = write(
        tmp_path / "top" / "classes" / "multigraph.py",
        f"{MARK}import top.classes.graph as graph\n\n__all__ = ['MultiGraph']\n\n\n"
        "class Plain(graph.Graph):\n    def __init__(self) -> None:\n        super().__init__()\n"
        "        self.edge_key = 0\n\n\n@allocative\nclass MultiGraph(Plain):\n    pass\n",
    )
    planar = write(
        tmp_path / "top" / "algorithms" / "planar.py",
        f"{MARK}import top as nx\n\n\n@allocative\nclass Embedding(nx.DiGraph):\n    pass\n",
    )
    write(tmp_path / "top" / "algorithms" / "__init__.py", "")
    assert "warning" not in generate_and_check(tmp_path, capsys)
    assert method_of(digraph, "DiGraph") == [
        "Graph.__allocative__(self, visitor)",
        'visitor.visit_dict("_pred", self._pred, int, str)',
    ]
    assert method_of(multigraph, "MultiGraph") == [
        "Plain.__allocative__(self, visitor)",
        'visitor.visit_field("edge_key", self.edge_key)',
    ]
    assert method_of(planar, "Embedding") == ["nx.DiGraph.__allocative__(self, visitor)"]


def test_a_function_bound_over_its_modules_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``pkg/__init__.py`` binds ``tools`` to a function of ``pkg/tools.py``: ``from pkg.tools
    import Base`` still takes ``Base`` from the module, which Python imports by its name."""
    write(tmp_path / "pkg" / "__init__.py", "from .tools import tools\n")
    write(
        tmp_path / "pkg" / "tools.py",
        "def tools() -> None:\n    pass\n\n\nclass Base:\n    def __init__(self) -> None:\n"
        "        self.size = 1\n",
    )
    child = write(
        tmp_path / "pkg" / "child.py",
        f"{MARK}from pkg.tools import Base\n\n\n@allocative\nclass Child(Base):\n    pass\n",
    )
    assert "warning" not in generate_and_check(tmp_path, capsys)
    assert method_of(child, "Child") == ['visitor.visit_field("size", self.size)']


def test_a_nested_class_its_subclass_inherits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """sqlglot's dialects: ``Spark.Tokenizer`` is the class ``Dialect`` nests, reached
    through ``Spark``'s base as Python reads the attribute."""
    write(tmp_path / "dialects" / "__init__.py", "")
    write(
        tmp_path / "dialects" / "dialect.py",
        "class Dialect:\n    class Tokenizer:\n        def __init__(self) -> None:\n"
        "            self.keywords: dict[str, int] = {}\n",
    )
    write(
        tmp_path / "dialects" / "spark.py",
        "from dialects.dialect import Dialect\n\n\nclass Spark(Dialect):\n    pass\n",
    )
    databricks = write(
        tmp_path / "dialects" / "databricks.py",
        f"{MARK}from dialects.spark import Spark\n\n\n@allocative\n"
        "class Tokenizer(Spark.Tokenizer):\n    pass\n",
    )
    assert "warning" not in generate_and_check(tmp_path, capsys)
    assert method_of(databricks, "Tokenizer") == [
        'visitor.visit_dict("keywords", self.keywords, str, int)'
    ]


BASE = "class {name}:\n    def __init__(self) -> None:\n        self.{field}: list[int] = []\n"


def test_modules_named_like_the_standard_librarys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``queue.py``, ``token.py`` and ``code.py`` inside a package, and ``string.py`` at the
    project's root, are the project's modules, for the generator as for mypy: their
    classes' fields (assigned in a method, so only their source tells them) are visited."""
    write(tmp_path / "pkg" / "__init__.py", "")
    write(tmp_path / "pkg" / "queue.py", BASE.format(name="Queue", field="items"))
    write(tmp_path / "pkg" / "token.py", BASE.format(name="Token", field="children"))
    write(tmp_path / "pkg" / "code.py", BASE.format(name="Code", field="lines"))
    write(tmp_path / "string.py", BASE.format(name="Template", field="parts"))
    users = write(
        tmp_path / "pkg" / "users.py",
        f"{MARK}import string\n\nfrom pkg.queue import Queue\nfrom . import token\n"
        "from .code import Code\n\n\n@allocative\nclass Jobs(Queue):\n    pass\n\n\n"
        "@allocative\nclass Leaf(token.Token):\n    pass\n\n\n@allocative\n"
        "class Block(Code):\n    pass\n\n\n@allocative\nclass Page(string.Template):\n    pass\n",
    )
    assert "warning" not in generate_and_check(tmp_path, capsys)
    assert method_of(users, "Jobs") == ['visitor.visit_list("items", self.items, int)']
    assert method_of(users, "Leaf") == ['visitor.visit_list("children", self.children, int)']
    assert method_of(users, "Block") == ['visitor.visit_list("lines", self.lines, int)']
    assert method_of(users, "Page") == ['visitor.visit_list("parts", self.parts, int)']


def test_a_package_comes_before_a_module_of_the_same_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``pkg/models/__init__.py`` and ``pkg/models.py``: Python and mypy import the package."""
    write(tmp_path / "pkg" / "__init__.py", "")
    write(tmp_path / "pkg" / "models.py", BASE.format(name="Base", field="shadowed"))
    write(tmp_path / "pkg" / "models" / "__init__.py", BASE.format(name="Base", field="real"))
    child = write(
        tmp_path / "pkg" / "child.py",
        f"{MARK}from pkg.models import Base\n\n\n@allocative\nclass Child(Base):\n    pass\n",
    )
    generate_and_check(tmp_path, capsys, hidden=frozenset({"pkg/models.py"}))
    assert method_of(child, "Child") == ['visitor.visit_list("real", self.real, int)']
