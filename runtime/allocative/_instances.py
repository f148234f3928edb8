"""How an instance of a class is measured: the engine owns the truth, the method adds names.

For every instance the runtime counts its own storage (the kind's size and
attribute storage), then:

1. runs the class's method (``__allocative__`` or a registered function), which
   visits the fields it declares under their names;
2. measures the built-in part of a subclass of a built-in (tuple items, list,
   set and dict contents, ``default_factory``, an exception's ``args``), skipping
   what the method already counted, so nothing counts twice;
3. measures every attribute the instance holds that the method did not visit,
   under its own name, with one warning per class and attribute.

Which names a method visits is recorded while it runs. A method that visits
the same fields on every instance (``_straight``: every generated method) is
recorded once per class, and only the attributes outside that set are looked
at per instance; any other method is recorded on every instance. An instance
with no method is measured the same way with nothing visited: every attribute
under its name. An ``opaque`` class counts its storage only.

Objects are matched by identity, so an attribute that a method visited under
another name is not counted again; the refcount shortcut of typed visits
(``_visitor``) relies on methods visiting each reference of ``self`` once.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from sys import getrefcount
from typing import TYPE_CHECKING, Any, Final, cast

from allocative import _layout, _typeinfo
from allocative._attributes import Attributes, Leftovers, aliases
from allocative._gate import RAW_READS
from allocative._impls.classes import (
    builtin_base,
    builtin_part,
    has_fixed_size,
    instance_blocks,
    instance_size,
)
from allocative._marker import _visit_nothing
from allocative._names import callable_name, frame_name_of, raised_text
from allocative._project import class_outside_project
from allocative._refcounts import EXCLUSIVE_REFS, temporary_warning
from allocative._rule import TypeRule
from allocative._straight import visits_fixed_fields

if TYPE_CHECKING:
    from allocative._protocols import EngineSide, VisitFunction
    from allocative._rule import Expand

DICT_STORAGE: Final = "__dict__"
_EMPTY: Final[frozenset[int]] = frozenset()


def instance_rule(tp: type, name: str, registered: VisitFunction | None) -> TypeRule:
    """The rule of instances of ``tp``: a class, a subclass of a built-in, or a type with a
    registered visit function (``registered``, which takes the place of its method)."""
    found = builtin_base(tp)
    base = found[1] if found is not None else None
    method = registered if registered is not None else getattr(tp, "__allocative__", None)
    instances = Instances(tp, name, method, builtin_part(tp, base), declared_names(tp))
    storage = instances.attributes.storage
    size = instance_size(tp, base)
    values_bytes = storage.values_bytes if storage is not None else None
    if values_bytes is None and not RAW_READS and estimates_values(tp):
        values_bytes = estimated_values_bytes
    rule = TypeRule(
        name,
        size,
        unused=base.unused if base is not None else None,
        values_bytes=values_bytes,
        expand=instances.expand,
        blocks=instance_blocks(tp, size, storage),
        reflective=method is None and _asks_for_a_method(tp, base),
    )
    rule.fixed_size = has_fixed_size(tp, size)
    rule.instances = instances
    return rule


def _asks_for_a_method(tp: type, base: object) -> bool:
    """Whether measuring an instance of ``tp`` without a method warns: a class of the
    project (mark it), or a C type that is not a built-in's subclass (memory it keeps
    outside Python objects is not seen). A C subclass of a built-in (OSError, say) is
    exact by its built-in part; a Python class of the standard library or an installed
    package is exact by its attributes, and cannot be marked."""
    if class_outside_project(tp):
        return False
    return base is None or _typeinfo.is_heap_type(tp)


def estimates_values(tp: type) -> bool:
    """Whether ``tp``'s instances keep attribute values apart from what ``getsizeof`` says
    (CPython 3.11+'s managed storage), which without raw reads can only be estimated."""
    return sys.implementation.name == "cpython" and _layout.has_managed_dict(tp)


def estimated_values_bytes(obj: object) -> int:
    """An instance's attribute values storage, estimated from what it refers to.

    One slot per referent (its attributes and its class) and a word-rounded
    header, which is exact for settled classes on CPython 3.11 to 3.13.
    """
    capacity = len(_referents(obj))
    return _layout.round_up(capacity + 2, _layout.WORD) + capacity * _layout.WORD


def declared_names(tp: type) -> tuple[str, ...]:
    """Fields an instance without a method is visited by first, in declaration order.

    A NamedTuple's fields name its items; without raw reads the fields a class
    declares (dataclass, attrs, pydantic) name the attributes that cannot be
    listed. Each is visited only when its value is one the instance refers to.
    """
    names: dict[str, None] = {}
    if issubclass(tp, tuple):
        fields = getattr(tp, "_fields", ())
        if isinstance(fields, tuple):
            names.update(dict.fromkeys(f for f in fields if isinstance(f, str)))
    if not RAW_READS:
        for source in ("__dataclass_fields__", "model_fields"):
            fields = getattr(tp, source, None)
            if isinstance(fields, dict):
                names.update(dict.fromkeys(f for f in fields if isinstance(f, str)))
        for attribute in getattr(tp, "__attrs_attrs__", ()):
            names[attribute.name] = None
    return tuple(names)


class Instances:
    """How one class's instances are expanded (``TypeRule.expand`` is :meth:`expand`),
    resolved once per measurement."""

    __slots__ = (
        "_attributes",
        "_builtin",
        "_by_visits",
        "_complete",
        "_declared",
        "_fixed",
        "_leftovers",
        "_method",
        "_method_name",
        "_opaque",
        "_own_dict",
        "name",
    )

    def __init__(
        self,
        tp: type,
        name: str,
        method: VisitFunction | None,
        builtin: Expand | None,
        declared: tuple[str, ...],
    ) -> None:
        self.name = name
        self._attributes = Attributes(tp)
        self._method = method
        self._method_name = _method_name(tp, method)
        self._opaque = method is _visit_nothing
        self._builtin = builtin
        self._declared = declared
        # Whether the method visits the same fields on every instance; then its
        # leftovers are known once it ran to the end, else recorded per instance.
        self._fixed = method is not None and visits_fixed_fields(method, tp)
        self._by_visits: dict[frozenset[str], Leftovers] = {}
        self._own_dict = self._attributes.own_dict
        # Known to visit everything an instance without a __dict__ object can hold.
        self._complete = False
        self._leftovers: Leftovers | None = None
        if method is None:
            self._leftovers = self._attributes.leftovers(frozenset())

    @property
    def attributes(self) -> Attributes:
        """Where the class's instances keep their attributes."""
        return self._attributes

    @property
    def method(self) -> VisitFunction | None:
        """The method (or registered function) that visits the declared fields."""
        return self._method

    @property
    def complete(self) -> bool:
        """Whether the method is known to visit everything an instance can hold
        without a ``__dict__`` object (then instances need no other look)."""
        return self._complete

    @property
    def attributes_only(self) -> bool:
        """Whether an instance is measured by its attributes alone: no method, no
        built-in part, no declared fields to read first."""
        return self._method is None and self._builtin is None and not self._declared and RAW_READS

    def expand(self, visitor: EngineSide, value: Any) -> None:
        """Measure what ``value`` refers to; its own bytes are already counted."""
        own_dict = self._own_dict(value)
        if own_dict is None and self._complete:
            # The common case, kept short: a method known to visit everything there is.
            owner, field = visitor._owner, visitor._field
            visitor._owner = self.name
            depth = visitor._open_depth()
            try:
                self._method(value, visitor)  # type: ignore[misc]
            except Exception as error:
                self._raised(visitor, value, depth, error)
            visitor._owner, visitor._field = owner, field
            return
        if own_dict is not None:
            visitor.visit_opaque(DICT_STORAGE, own_dict)
        if self._opaque:
            return
        mark = visitor._mark()
        saved = visitor._owner, visitor._field
        visitor._owner, visitor._field = self.name, ""
        try:
            leftovers = self._run_method(visitor, value)
            if (
                leftovers is not None
                and leftovers.empty
                and own_dict is None
                and self._builtin is None
                and self._method is not None
                and RAW_READS
            ):
                self._complete = self._fixed
                return  # the method visited everything there is
            self._visit_rest(visitor, value, mark, own_dict, leftovers)
        finally:
            visitor._owner, visitor._field = saved

    def stored(self, value: Any, name: str) -> object:
        """What ``value`` keeps under attribute ``name`` in its ``__dict__`` object, or None.

        Read from the dict the instance already has, without creating one and without
        running a descriptor (a ``cached_property`` not yet computed stays so).
        """
        own_dict = self._own_dict(value)
        return None if own_dict is None else dict.get(own_dict, name)

    def _raised(self, visitor: EngineSide, value: Any, depth: int, error: Exception) -> None:
        """The method of a complete class raised: warn, then measure every attribute by name.

        What the method counted before it raised stays counted: the journal joins
        the seen set, as where this expansion's part of it starts is not known here.
        """
        visitor._promote()
        visitor._close_to(depth, None)
        self._note_raised(visitor, error)
        self._visit_rest(visitor, value, visitor._mark(), None, None)

    def _run_method(self, visitor: EngineSide, value: Any) -> Leftovers | None:
        """Run the method; the leftovers reader, or None when the method raised."""
        method = self._method
        if method is None:
            return self._leftovers
        depth = visitor._open_depth()
        leftovers = self._leftovers
        try:
            if leftovers is None:
                recorder = _Recorder.of(visitor)
                method(value, cast("EngineSide", recorder))
                leftovers = self._leftovers_after(frozenset(recorder.names))
                if self._fixed:
                    self._leftovers = leftovers
            else:
                method(value, visitor)
        except Exception as error:
            visitor._close_to(depth, None)
            self._note_raised(visitor, error)
            return None
        return leftovers

    def _note_raised(self, visitor: EngineSide, error: Exception) -> None:
        visitor._note(
            f"{self._method_name} raised {raised_text(error)}; "
            f"{self.name}'s attributes are measured by name"
        )

    def _leftovers_after(self, names: frozenset[str]) -> Leftovers:
        """The reader of the attributes a method that visited ``names`` left."""
        leftovers = self._by_visits.get(names)
        if leftovers is None:
            visited = aliases(names, self._attributes.cls)
            leftovers = self._by_visits[names] = self._attributes.leftovers(visited)
        return leftovers

    def _visit_rest(
        self,
        visitor: EngineSide,
        value: Any,
        mark: int,
        own_dict: dict[str, object] | None,
        leftovers: Leftovers | None,
    ) -> None:
        """Everything the method did not count, each object once: declared fields (no
        method), the built-in part, the attributes nothing visited, then (no method, or
        no raw reads) the referents that no name reached."""
        warn = leftovers is not None and self._method is not None
        if leftovers is None:  # the method raised: every attribute is looked at
            leftovers = self._attributes.leftovers(frozenset())
        here = visitor._claimed_since(mark)
        named: set[int] = set()  # what an attribute visited here: others may hold it too
        referents = _referents(value) if self._method is None or not RAW_READS else None
        handled: frozenset[str] = frozenset()
        if referents is not None and self._declared:
            handled = self._visit_declared(visitor, value, here, named, referents)
        if self._builtin is not None:
            self._visit_builtin(visitor, value, here)
            here.update(visitor._claimed_since(mark))
        for name, field in leftovers.held(value, own_dict, referents):
            if name in handled or not self._met_new(visitor, field, here, named):
                continue
            if warn:
                visitor._note(
                    f"{self.name}.{name} is not visited by {self._method_name}; measured by "
                    "its run-time type; rerun allocative-gen or mark it skip"
                )
            visitor.visit_field(name, field)
            here.add(id(field))
            named.add(id(field))
        if referents is not None:
            self._visit_unnamed(visitor, value, here, referents)

    @staticmethod
    def _met_new(visitor: EngineSide, field: object, here: set[int], named: set[int]) -> bool:
        """Whether an attribute's ``field`` is to be visited; when it is not, a reference
        met all the same (claimed through another name or elsewhere in the tree) is
        counted, unless this object's own visits claimed it through this very reference."""
        if visitor._is_new(field, here):
            return True
        key = id(field)
        if key not in here or key in named:
            visitor._meet_again(field)
        return False

    def _visit_declared(
        self,
        visitor: EngineSide,
        value: Any,
        here: set[int],
        named: set[int],
        referents: list[object],
    ) -> frozenset[str]:
        """Visit the fields the class declares by name, where they hold a referent; the
        names it looked at."""
        held = {id(r) for r in referents}
        handled = set()
        for name in self._declared:
            try:
                field = getattr(value, name)
            except Exception:
                continue
            if id(field) not in held:
                continue
            handled.add(name)
            if self._met_new(visitor, field, here, named):
                visitor.visit_field(name, field)
                here.add(id(field))
                named.add(id(field))
        return frozenset(handled)

    def _visit_builtin(self, visitor: EngineSide, value: Any, here: set[int]) -> None:
        """The built-in part; a copy of it when another thread changes it meanwhile."""
        assert self._builtin is not None
        try:
            target = cast("EngineSide", _Unclaimed(visitor, here)) if here else visitor
            self._builtin(target, value)
        except RuntimeError as error:
            visitor._refill("", value, error)

    def _visit_unnamed(
        self, visitor: EngineSide, value: Any, here: set[int], referents: list[object]
    ) -> None:
        """Referents no name reached (a C type's internal references), by type."""
        tp = type(value)
        found = False
        for referent in referents:
            if referent is not tp and visitor._is_new(referent, here):
                visitor.visit_item(referent)
                here.add(id(referent))
                found = True
        if found and self._method is not None:
            visitor._note(
                f"{self.name}: attributes not visited by {self._method_name} were measured "
                "without their names (public APIs only)"
            )


def _referents(value: object) -> list[object]:
    try:
        return gc.get_referents(value)
    except Exception:
        return []


def _method_name(tp: type, method: Callable[..., object] | None) -> str:
    return "" if method is None else callable_name(method)


class _Unclaimed:
    """A visitor for a built-in part that skips objects the method already counted."""

    __slots__ = ("_here", "_visitor")

    def __init__(self, visitor: EngineSide, here: set[int]) -> None:
        self._visitor = visitor
        self._here = here

    def visit_item(self, value: object) -> None:
        if id(value) not in self._here:
            self._visitor.visit_item(value)

    def _visit_named(self, name: str, value: object) -> None:
        if id(value) not in self._here:
            self._visitor._visit_named(name, value)


_RECORDED: Final = (
    "visit_field",
    "visit_stored",
    "visit_opaque",
    "visit_field_with",
    "visit_str",
    "visit_int",
    "visit_float",
    "visit_bytes",
    "visit_list",
    "visit_tuple",
    "visit_set",
    "visit_dict",
    "skip",
)
"""Visitor methods whose first argument names a field of the object being measured."""


class _Recorder:
    """Passes a method's visits on to the visitor and notes the field names they carry.

    Everything else a method asks of it is the visitor's, ``__init__`` included (made
    with :meth:`of`, a recorder's own constructor is never what a method calls).
    """

    __slots__ = ("_visitor", "names")

    _visitor: EngineSide
    names: set[str]

    @classmethod
    def of(cls, visitor: EngineSide) -> _Recorder:
        """A recorder passing visits on to ``visitor``."""
        recorder = object.__new__(cls)
        recorder._visitor = visitor
        recorder.names = set()
        return recorder

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._visitor.__init__(*args, **kwargs)  # type: ignore[misc]

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._visitor, attribute)


def _recording(method_name: str) -> Callable[..., None]:
    """A recording method that takes the arguments the visitor's method takes, keywords
    too, and passes them on: a wrong call fails there, as it would without recording."""
    takes_value = method_name not in ("skip", "visit_stored")

    def record(self: _Recorder, *args: Any, **kwargs: Any) -> None:
        visitor = self._visitor
        method = getattr(visitor, method_name)
        name = args[0] if args else kwargs.get("name")
        if type(name) is not str:
            if name is None:
                method(*args, **kwargs)  # the visitor's own error for the missing name
                return
            name = frame_name_of(name)
        self.names.add(name)
        # A temporary's count here is the tuple's (or dict's) reference and getrefcount's
        # (TEMPORARY).
        if takes_value and (
            (len(args) > 1 and getrefcount(args[1]) < EXCLUSIVE_REFS)
            or ("value" in kwargs and getrefcount(kwargs["value"]) < EXCLUSIVE_REFS)
        ):
            visitor._note(temporary_warning(visitor._owner, name))
            return
        method(*args, **kwargs)

    record.__name__ = method_name
    return record


for _name in _RECORDED:
    setattr(_Recorder, _name, _recording(_name))
