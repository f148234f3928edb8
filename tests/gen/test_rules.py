"""The shared field rules: which visit each declared type gets (also read by the mypy plugin)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from allocative_gen.rules import (
    ELLIPSIS,
    FIELD_VISITS,
    FIELDLESS_BASES,
    Option,
    TypeRef,
    Visit,
    canonical,
    holds_arguments,
    is_fieldless_base,
    is_measured_builtin,
    is_measured_class,
    is_plain,
    visit_for,
    visit_for_option,
)

STR, INT, FLOAT = TypeRef("builtins.str"), TypeRef("builtins.int"), TypeRef("builtins.float")
USER = TypeRef("<module>.Order")


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        (None, Visit("visit_field")),
        (STR, Visit("visit_str")),
        (INT, Visit("visit_int")),
        (FLOAT, Visit("visit_float")),
        (TypeRef("builtins.bytes"), Visit("visit_bytes")),
        (TypeRef("builtins.bool"), Visit("visit_field")),
        (TypeRef("builtins.None"), Visit("visit_field")),
        (TypeRef("builtins.list", (STR,)), Visit("visit_list", ("str",))),
        (TypeRef("builtins.list", (USER,)), Visit("visit_list", ("None",))),
        (TypeRef("builtins.list"), Visit("visit_list", ("None",))),
        (TypeRef("typing.List", (FLOAT,)), Visit("visit_list", ("float",))),
        (TypeRef("builtins.tuple", (FLOAT, TypeRef(ELLIPSIS))), Visit("visit_tuple", ("float",))),
        (TypeRef("builtins.tuple", (INT, INT)), Visit("visit_tuple", ("int",))),
        (TypeRef("builtins.tuple", (INT, STR)), Visit("visit_tuple", ("None",))),
        (TypeRef("builtins.frozenset", (STR,)), Visit("visit_set", ("str",))),
        (TypeRef("builtins.dict", (STR, INT)), Visit("visit_dict", ("str", "int"))),
        (TypeRef("builtins.dict", (STR, USER)), Visit("visit_dict", ("str", "None"))),
        (TypeRef("builtins.dict"), Visit("visit_dict", ("None", "None"))),
        (
            TypeRef("builtins.list", (TypeRef("builtins.list", (INT,)),)),
            Visit("visit_list", ("None",)),
        ),
        (TypeRef("typing.Optional", (STR,)), Visit("visit_field")),
        (TypeRef("types.UnionType", (STR, TypeRef("builtins.None"))), Visit("visit_field")),
        (TypeRef("collections.deque", (INT,)), Visit("visit_field")),
        (TypeRef("collections.abc.Sequence", (INT,)), Visit("visit_field")),
        (TypeRef("typing.Any"), Visit("visit_field")),
        (USER, Visit("visit_field")),
    ],
)
def test_visit_for_each_declared_type(declared: TypeRef | None, expected: Visit) -> None:
    """Each declared type maps to exactly this visitor call and type arguments."""
    assert visit_for(declared) == expected
    assert expected.method in FIELD_VISITS


def test_field_options() -> None:
    """skip is declared with visitor.skip; opaque and visit_with have their own calls."""
    assert visit_for_option(Option.SKIP, STR) == Visit("skip")
    assert visit_for_option(Option.OPAQUE, STR) == Visit("visit_opaque")
    assert visit_for_option(Option.VISIT_WITH, STR) == Visit("visit_field_with")
    assert visit_for_option(None, STR) == Visit("visit_str")


def test_measured_builtins() -> None:
    """Built-in and runtime-known types are measured without a method; user classes are not."""
    assert is_measured_builtin(TypeRef("collections.deque"))
    assert is_measured_builtin(TypeRef("builtins.list", (USER,)))
    assert not is_measured_builtin(USER)


def test_measured_classes_as_the_plugin_sees_them() -> None:
    """Abstract collections and ``datetime.timezone`` are measured; ``object`` says nothing."""
    assert is_measured_class("typing.Sequence")
    assert is_measured_class("datetime.timezone")
    assert is_measured_class("types.NoneType")
    assert not is_measured_class("builtins.object")
    assert holds_arguments("builtins.list")
    assert holds_arguments("typing.Mapping")
    assert holds_arguments(USER.name)
    assert not holds_arguments("numpy.ndarray")


def test_one_spelling_per_name() -> None:
    """``typing_extensions`` and the runtime's private module fold into the public names."""
    assert canonical("typing_extensions.Annotated") == "typing.Annotated"
    assert canonical("allocative._marker.skip") == "allocative.skip"
    assert canonical("typing.List") == "typing.List"


def test_fieldless_bases_in_both_spellings() -> None:
    """pydantic's model is fieldless whether named as exported or where defined (mypy's name)."""
    assert {"pydantic.BaseModel", "pydantic.main.BaseModel"} <= FIELDLESS_BASES
    assert is_fieldless_base("builtins.object")
    assert is_fieldless_base("typing.Generic")
    assert not is_fieldless_base(USER.name)


def test_rules_import_neither_libcst_nor_jinja2() -> None:
    """The mypy plugin can import the rules without the generator's dependencies."""
    code = (
        "import sys, allocative_gen.rules; print(sorted({'libcst', 'jinja2'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_plain_types_need_no_look_at_their_classes() -> None:
    """Scalars, containers of scalars and unions of scalars and None; not bare containers."""
    str_, int_ = TypeRef("builtins.str"), TypeRef("builtins.int")
    assert is_plain(str_)
    assert is_plain(TypeRef("builtins.dict", (str_, int_)))
    assert is_plain(TypeRef("builtins.tuple", (int_, TypeRef(ELLIPSIS))))
    assert is_plain(TypeRef("types.UnionType", (str_, TypeRef("builtins.None"))))
    assert not is_plain(None)
    assert not is_plain(TypeRef("builtins.list"))  # list[Any]
    assert not is_plain(TypeRef("builtins.list", (TypeRef("shop.Line"),)))
    assert not is_plain(TypeRef("builtins.list", (TypeRef(ELLIPSIS),)))
    assert not is_plain(TypeRef("builtins.object"))
