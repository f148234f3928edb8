"""The plugin object: entry point, hook look-ups, error codes, cache data, light import."""

from __future__ import annotations

import subprocess
import sys

from mypy.errorcodes import error_codes
from mypy.options import Options
from mypy.plugin import ReportConfigContext

import allocative_mypy
from allocative_mypy import _codes, _plugin
from allocative_mypy._plugin import AllocativePlugin


def test_entry_point_returns_the_plugin_class() -> None:
    """``plugin(version)`` is the entry point mypy calls."""
    assert allocative_mypy.plugin("2.0.0") is AllocativePlugin


def test_hooks_are_found_by_full_name_only() -> None:
    """Both spellings of the decorators get a hook; anything else gets None."""
    plugin = AllocativePlugin(Options())
    hook = plugin.get_class_decorator_hook_2
    assert hook("allocative.allocative") is _plugin.check_marked_class
    assert hook("allocative._marker.allocative") is _plugin.check_marked_class
    assert hook("allocative._marker.opaque") is _plugin.record_opaque_class
    assert hook("dataclasses.dataclass") is None
    assert plugin.get_class_decorator_hook("allocative.allocative") is None


def test_error_codes_are_registered_with_mypy() -> None:
    """The codes exist for ``--enable-error-code``; any is off by default; generic is a sub-code."""
    assert error_codes["allocative-field"] is _codes.FIELD
    assert error_codes["allocative-stale"].default_enabled
    assert not error_codes["allocative-any"].default_enabled
    assert _codes.GENERIC.sub_code_of is _codes.FIELD


def test_report_config_data_carries_the_version() -> None:
    """A new plugin version invalidates mypy's cache."""
    plugin = AllocativePlugin(Options())
    data = plugin.report_config_data(ReportConfigContext("m", "m.py", is_check=False))
    assert data == {"allocative_mypy": allocative_mypy.__version__}


def test_importing_the_plugin_module_loads_nothing_of_mypy() -> None:
    """``import allocative_mypy`` is light: the checker loads when mypy asks for the plugin."""
    code = "import sys, allocative_mypy; print([m for m in sys.modules if m.startswith('mypy')])"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_loading_the_plugin_class_leaves_the_checker_unloaded() -> None:
    """What mypy loads at start-up (also in warm runs) stops short of the checker and rules."""
    code = (
        "import sys, allocative_mypy; allocative_mypy.plugin('2'); "
        "heavy = ('allocative_gen', 'allocative_mypy._checker'); "
        "print([m for m in sys.modules if m.startswith(heavy)])"
    )
    command = [sys.executable, "-c", code]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_plugin_needs_neither_libcst_nor_jinja2() -> None:
    """``allocative[mypy]`` suffices: the checker shares only the pure-Python rules module."""
    code = (
        "import sys, allocative_mypy._checker; "
        "print([m for m in sys.modules if m.startswith(('libcst', 'jinja2'))])"
    )
    command = [sys.executable, "-c", code]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_stored_declared_types_round_trip() -> None:
    """The compact metadata form of a declared type reads back as the same type."""
    from allocative_gen.rules import TypeRef
    from allocative_mypy._facts import ref_from_json, ref_json

    str_ = TypeRef("builtins.str")
    nested = TypeRef("builtins.dict", (str_, TypeRef("builtins.list", (TypeRef("shop.Line"),))))
    for ref in (None, str_, nested, TypeRef("builtins.tuple", (str_, TypeRef("...")))):
        assert ref_from_json(ref_json(ref)) == ref
    assert ref_json(nested) == ["builtins.dict", "builtins.str", ["builtins.list", "shop.Line"]]
