/* The Engine type: the Visitor that __allocative__ methods call, as Python sees it.
 *
 * Every method checks its arguments before the walk (engine.c) sees them: frame names are
 * str (a subclass is copied to a plain str, so no user __hash__ or __eq__ runs inside the
 * walk), sizes are ints, and the private methods the shared Python code calls
 * (allocative/_instances.py) refuse what they were not made for. The public methods bind
 * their arguments as a Python method `Visitor.<name>(self, ...)` would, keywords included,
 * with the same error messages, so that both engines report a wrong call alike.
 */
#include "engine.h"

#include <limits.h>

/* -- binding arguments as Python does ------------------------------------------------- */

typedef struct {
    const char *name;            /* the method's name, for messages: Visitor.<name>() */
    const char *const *keywords; /* its parameters after self, NULL-terminated */
    Py_ssize_t required;         /* how many of them have no default */
    Py_ssize_t count;            /* how many there are */
} Signature;

static void
too_many(const Signature *signature, Py_ssize_t given)
{
    Py_ssize_t total = signature->count + 1, required = signature->required + 1;
    if (total == required) {
        PyErr_Format(PyExc_TypeError, "Visitor.%s() takes %zd positional argument%s but %zd %s given",
                     signature->name, total, total == 1 ? "" : "s", given + 1,
                     given + 1 == 1 ? "was" : "were");
    }
    else {
        PyErr_Format(PyExc_TypeError,
                     "Visitor.%s() takes from %zd to %zd positional arguments but %zd were given",
                     signature->name, required, total, given + 1);
    }
}

/* "missing 2 required positional arguments: 'name' and 'value'", as Python words it. */
static void
missing(const Signature *signature, PyObject **bound)
{
    PyObject *names = PyList_New(0);
    if (names == NULL) {
        return;
    }
    for (Py_ssize_t i = 0; i < signature->required; i++) {
        if (bound[i] == NULL) {
            PyObject *quoted = PyUnicode_FromFormat("'%s'", signature->keywords[i]);
            if (quoted == NULL || PyList_Append(names, quoted) < 0) {
                Py_XDECREF(quoted);
                Py_DECREF(names);
                return;
            }
            Py_DECREF(quoted);
        }
    }
    Py_ssize_t count = PyList_GET_SIZE(names);
    PyObject *listed = NULL;
    if (count == 1) {
        listed = Py_NewRef(PyList_GET_ITEM(names, 0));
    }
    else if (count == 2) {
        listed = PyUnicode_FromFormat("%U and %U", PyList_GET_ITEM(names, 0),
                                      PyList_GET_ITEM(names, 1));
    }
    else {
        PyObject *last = Py_NewRef(PyList_GET_ITEM(names, count - 1));
        PyObject *separator = PyUnicode_FromString(", ");
        if (separator != NULL && PyList_SetSlice(names, count - 1, count, NULL) == 0) {
            PyObject *head = PyUnicode_Join(separator, names);
            listed = head == NULL ? NULL : PyUnicode_FromFormat("%U, and %U", head, last);
            Py_XDECREF(head);
        }
        Py_XDECREF(separator);
        Py_DECREF(last);
    }
    Py_DECREF(names);
    if (listed != NULL) {
        PyErr_Format(PyExc_TypeError, "Visitor.%s() missing %zd required positional argument%s: %U",
                     signature->name, count, count == 1 ? "" : "s", listed);
        Py_DECREF(listed);
    }
}

/* bind() for a call with keywords, or a wrong one. */
static int
bind_slow(const Signature *signature, PyObject *const *args, Py_ssize_t nargs,
          PyObject *kwnames, PyObject **bound)
{
    Py_ssize_t count = signature->count;
    if (nargs > count) {
        too_many(signature, nargs);
        return -1;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        bound[i] = i < nargs ? args[i] : NULL;
    }
    Py_ssize_t keywords = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames);
    for (Py_ssize_t k = 0; k < keywords; k++) {
        PyObject *keyword = PyTuple_GET_ITEM(kwnames, k);
        Py_ssize_t i = 0;
        while (i < count && PyUnicode_CompareWithASCIIString(keyword, signature->keywords[i])) {
            i++;
        }
        if (i == count) {
            PyErr_Format(PyExc_TypeError, "Visitor.%s() got an unexpected keyword argument '%U'",
                         signature->name, keyword);
            return -1;
        }
        if (bound[i] != NULL) {
            PyErr_Format(PyExc_TypeError, "Visitor.%s() got multiple values for argument '%s'",
                         signature->name, signature->keywords[i]);
            return -1;
        }
        bound[i] = args[nargs + k];
    }
    for (Py_ssize_t i = 0; i < signature->required; i++) {
        if (bound[i] == NULL) {
            missing(signature, bound);
            return -1;
        }
    }
    return 0;
}

/* A vectorcall's arguments bound to the signature's parameters, one per parameter (NULL
 * where an optional one was not given): `args` itself for a call that passes every parameter
 * by position, the way generated methods call, else `storage` filled in. NULL with a
 * TypeError worded as Python words it. */
static inline PyObject *const *
bind(const Signature *signature, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
     PyObject **storage)
{
    if (kwnames == NULL && nargs == signature->count && nargs > 0) {
        return args;
    }
    return bind_slow(signature, args, nargs, kwnames, storage) < 0 ? NULL : storage;
}

#define MAX_PARAMETERS 4

#define SIGNATURE(variable, method, required, ...)                                          \
    static const char *const variable##_keywords[] = {__VA_ARGS__, NULL};                  \
    static const Signature variable = {                                                     \
        method, variable##_keywords, required,                                              \
        (Py_ssize_t)(sizeof(variable##_keywords) / sizeof(char *)) - 1}

SIGNATURE(sig_visit_field, "visit_field", 2, "name", "value");
SIGNATURE(sig_visit_item, "visit_item", 1, "value");
SIGNATURE(sig_visit_opaque, "visit_opaque", 2, "name", "value");
SIGNATURE(sig_visit_simple, "visit_simple", 2, "name", "size");
SIGNATURE(sig_enter, "enter", 1, "name", "size");
SIGNATURE(sig_skip, "skip", 1, "name");
SIGNATURE(sig_visit_field_with, "visit_field_with", 3, "name", "value", "visit");
SIGNATURE(sig_visit_str, "visit_str", 2, "name", "value");
SIGNATURE(sig_visit_int, "visit_int", 2, "name", "value");
SIGNATURE(sig_visit_float, "visit_float", 2, "name", "value");
SIGNATURE(sig_visit_bytes, "visit_bytes", 2, "name", "value");
SIGNATURE(sig_visit_list, "visit_list", 2, "name", "value", "item");
SIGNATURE(sig_visit_tuple, "visit_tuple", 2, "name", "value", "item");
SIGNATURE(sig_visit_set, "visit_set", 2, "name", "value", "item");
SIGNATURE(sig_visit_dict, "visit_dict", 2, "name", "value", "key", "item");
SIGNATURE(sig_visit_stored, "visit_stored", 2, "name", "owner");
static const char *const sig_exit_keywords[] = {NULL};
static const Signature sig_exit = {"exit", sig_exit_keywords, 0, 0};

/* -- checking arguments ------------------------------------------------------------------ */

/* A frame name as a plain str (a new reference): a subclass is copied, anything else is a
 * TypeError. The pure engine applies the same rule (allocative/_names.py frame_name_of). */
static PyObject *
frame_name_slow(PyObject *name)
{
    if (PyUnicode_Check(name)) {
        return PyUnicode_FromObject(name);
    }
    PyObject *type_name = PyType_GetName(Py_TYPE(name));
    if (type_name != NULL) {
        PyErr_Format(PyExc_TypeError, "a frame name must be a str, not %U", type_name);
        Py_DECREF(type_name);
    }
    return NULL;
}

/* The frame name to use for `name`, borrowed; where a copy had to be made, *copy holds it
 * (to release after use), else NULL. NULL with an exception for a name that is not a str. */
static inline PyObject *
frame_name(PyObject *name, PyObject **copy)
{
    if (PyUnicode_CheckExact(name)) {
        *copy = NULL;
        return name;
    }
    *copy = frame_name_slow(name);
    return *copy;
}

/* A reported size (visit_simple, enter): an int that fits; its sign and the measurement's
 * bound are checked by the engine. -1 with an exception set (*size untouched). */
static int
reported_size(PyObject *value, Py_ssize_t *size)
{
    if (value == NULL) {
        *size = 0;
        return 0;
    }
    if (!PyLong_Check(value)) {
        PyObject *type_name = PyType_GetName(Py_TYPE(value));
        if (type_name != NULL) {
            PyErr_Format(PyExc_TypeError, "a reported size must be an int, not %U", type_name);
            Py_DECREF(type_name);
        }
        return -1;
    }
    int overflow = 0;
    long long found = PyLong_AsLongLongAndOverflow(value, &overflow);
    if (found == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (overflow < 0 || (overflow == 0 && found < 0)) {
        PyErr_SetString(PyExc_ValueError, ALLOCATIVE_NEGATIVE_REPORT);
        return -1;
    }
    if (overflow > 0 || found > MAX_REPORTED) {
        PyErr_SetString(PyExc_OverflowError, ALLOCATIVE_TOO_MUCH_REPORTED);
        return -1;
    }
    *size = (Py_ssize_t)found;
    return 0;
}

/* A declared element, key or value type that is neither a type nor None: a TypeError. */
static int
bad_declared_type(PyObject *value)
{
    PyObject *type_name = PyType_GetName(Py_TYPE(value));
    if (type_name != NULL) {
        PyErr_Format(PyExc_TypeError, "a declared type must be a type or None, not %U",
                     type_name);
        Py_DECREF(type_name);
    }
    return -1;
}

/* A declared element, key or value type: a type or None. */
static inline int
declared_type(PyObject *value)
{
    if (value == NULL || value == Py_None || PyType_Check(value)) {
        return 0;
    }
    return bad_declared_type(value);
}

static PyObject *
none_or_null(int result)
{
    if (result < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/* -- the Visitor API ------------------------------------------------------------------------ */

typedef int (*NamedVisit)(Engine *e, PyObject *name, PyObject *value);

/* A visit of a field: `value` under frame `name`; a temporary is a warning, not a count. */
static inline PyObject *
named_visit(Engine *e, const Signature *signature, NamedVisit visit, PyObject *const *args,
            Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *storage[MAX_PARAMETERS];
    PyObject *const *bound = bind(signature, args, nargs, kwnames, storage);
    if (bound == NULL) {
        return NULL;
    }
    PyObject *copy;
    PyObject *name = frame_name(bound[0], &copy);
    if (name == NULL) {
        return NULL;
    }
    int result = engine_temporary(e, name, bound[1]);
    if (result == 0) {
        result = visit(e, name, bound[1]);
    }
    Py_XDECREF(copy);
    return none_or_null(result);
}

#define FIELD_VISIT(function, signature, visit)                                             \
    static PyObject *function(Engine *e, PyObject *const *args, Py_ssize_t nargs,           \
                              PyObject *kwnames)                                            \
    {                                                                                        \
        return named_visit(e, &signature, visit, args, nargs, kwnames);                     \
    }

FIELD_VISIT(visit_field, sig_visit_field, engine_visit_field)
FIELD_VISIT(visit_opaque, sig_visit_opaque, engine_visit_opaque)
FIELD_VISIT(visit_str, sig_visit_str, engine_visit_str)
FIELD_VISIT(visit_int, sig_visit_int, engine_visit_int)
FIELD_VISIT(visit_float, sig_visit_float, engine_visit_float)
FIELD_VISIT(visit_bytes, sig_visit_bytes, engine_visit_bytes)

static PyObject *
visit_item(Engine *e, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *storage[MAX_PARAMETERS];
    PyObject *const *bound = bind(&sig_visit_item, args, nargs, kwnames, storage);
    if (bound == NULL) {
        return NULL;
    }
    return none_or_null(engine_visit_item(e, bound[0], 0));
}

/* visit_list / visit_tuple / visit_set / visit_dict: (name, value, item) or (name, value,
 * key, item); the declared types are types or None. */
static inline PyObject *
container_visit(Engine *e, const Signature *signature, RuleCode code, PyObject *const *args,
                Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *storage[MAX_PARAMETERS];
    PyObject *const *bound = bind(signature, args, nargs, kwnames, storage);
    if (bound == NULL) {
        return NULL;
    }
    PyObject *key = code == CODE_DICT ? bound[2] : NULL;
    PyObject *item = code == CODE_DICT ? bound[3] : bound[2];
    if (declared_type(key) < 0 || declared_type(item) < 0) {
        return NULL;
    }
    PyObject *copy;
    PyObject *name = frame_name(bound[0], &copy);
    if (name == NULL) {
        return NULL;
    }
    int result = engine_temporary(e, name, bound[1]);
    if (result == 0) {
        result = engine_visit_container(e, name, bound[1], code, item ? item : Py_None,
                                        key ? key : Py_None);
    }
    Py_XDECREF(copy);
    return none_or_null(result);
}

#define CONTAINER_VISIT(function, signature, code)                                          \
    static PyObject *function(Engine *e, PyObject *const *args, Py_ssize_t nargs,           \
                              PyObject *kwnames)                                            \
    {                                                                                        \
        return container_visit(e, &signature, code, args, nargs, kwnames);                  \
    }

CONTAINER_VISIT(visit_list, sig_visit_list, CODE_LIST)
CONTAINER_VISIT(visit_tuple, sig_visit_tuple, CODE_TUPLE)
CONTAINER_VISIT(visit_set, sig_visit_set, CODE_SET)
CONTAINER_VISIT(visit_dict, sig_visit_dict, CODE_DICT)

/* visit_simple(name, size) and enter(name, size=0): a name and a reported size. */
static PyObject *
sized(Engine *e, const Signature *signature, int (*call)(Engine *, PyObject *, Py_ssize_t),
      PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *storage[MAX_PARAMETERS];
    Py_ssize_t size;
    PyObject *const *bound = bind(signature, args, nargs, kwnames, storage);
    if (bound == NULL) {
        return NULL;
    }
    PyObject *copy;
    PyObject *name = frame_name(bound[0], &copy);
    if (name == NULL) {
        return NULL;
    }
    int result = reported_size(bound[1], &size);
    if (result == 0) {
        result = call(e, name, size);
    }
    Py_XDECREF(copy);
    return none_or_null(result);
}

static PyObject *
visit_simple(Engine *e, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    return sized(e, &sig_visit_simple, engine_visit_simple, args, nargs, kwnames);
}

static PyObject *
enter(Engine *e, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    return sized(e, &sig_enter, engine_enter, args, nargs, kwnames);
}

static PyObject *
exit_(Engine *e, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *storage[MAX_PARAMETERS];
    PyObject *const *bound = bind(&sig_exit, args, nargs, kwnames, storage);
    if (bound == NULL) {
        return NULL;
    }
    return none_or_null(engine_exit(e));
}

static PyObject *
skip(Engine *e, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    (void)e;
    PyObject *storage[MAX_PARAMETERS];
    PyObject *const *bound = bind(&sig_skip, args, nargs, kwnames, storage);
    if (bound == NULL) {
        return NULL;
    }
    PyObject *copy;
    PyObject *name = frame_name(bound[0], &copy);
    Py_XDECREF(copy);
    return name == NULL ? NULL : Py_NewRef(Py_None);
}

static PyObject *
visit_field_with(Engine *e, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *storage[MAX_PARAMETERS];
    PyObject *const *bound = bind(&sig_visit_field_with, args, nargs, kwnames, storage);
    if (bound == NULL) {
        return NULL;
    }
    PyObject *copy;
    PyObject *name = frame_name(bound[0], &copy);
    if (name == NULL) {
        return NULL;
    }
    int result = engine_temporary(e, name, bound[1]);
    if (result == 0) {
        result = engine_visit_with(e, name, bound[1], bound[2]);
    }
    Py_XDECREF(copy);
    return none_or_null(result);
}

static PyObject *
visit_stored(Engine *e, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *storage[MAX_PARAMETERS];
    PyObject *const *bound = bind(&sig_visit_stored, args, nargs, kwnames, storage);
    if (bound == NULL) {
        return NULL;
    }
    PyObject *copy;
    PyObject *name = frame_name(bound[0], &copy);
    if (name == NULL) {
        return NULL;
    }
    int result = engine_visit_stored(e, name, bound[1]);
    Py_XDECREF(copy);
    return none_or_null(result);
}

/* -- what the class measurement (allocative/_instances.py) asks of an engine ------------ */

static int
positional(const char *name, Py_ssize_t nargs, Py_ssize_t expected)
{
    if (nargs != expected) {
        PyErr_Format(PyExc_TypeError, "%s() takes %zd arguments (%zd given)", name, expected,
                     nargs);
        return -1;
    }
    return 0;
}

static int
is_str(const char *what, PyObject *value)
{
    if (PyUnicode_CheckExact(value)) {
        return 0;
    }
    PyErr_Format(PyExc_TypeError, "%s must be a str", what);
    return -1;
}

/* A count that fits a size_t, from a non-negative int. */
static int
count_of(const char *what, PyObject *value, size_t *count)
{
    if (!PyLong_Check(value)) {
        PyErr_Format(PyExc_TypeError, "%s must be an int", what);
        return -1;
    }
    Py_ssize_t found = PyLong_AsSsize_t(value);
    if (found == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (found < 0) {
        PyErr_Format(PyExc_ValueError, "%s must not be negative", what);
        return -1;
    }
    *count = (size_t)found;
    return 0;
}

static PyObject *
visit_named(Engine *e, PyObject *const *args, Py_ssize_t nargs)
{
    if (positional("_visit_named", nargs, 2) < 0 || is_str("a frame name", args[0]) < 0) {
        return NULL;
    }
    return none_or_null(engine_visit_named(e, args[0], args[1]));
}

static PyObject *
mark(Engine *e, PyObject *unused)
{
    (void)unused;
    return PyLong_FromSize_t(e->journal_len);
}

static PyObject *
claimed_since(Engine *e, PyObject *mark_object)
{
    size_t start;
    if (count_of("a journal mark", mark_object, &start) < 0) {
        return NULL;
    }
    return engine_claimed_since(e, start);
}

static PyObject *
is_new(Engine *e, PyObject *const *args, Py_ssize_t nargs)
{
    if (positional("_is_new", nargs, 2) < 0) {
        return NULL;
    }
    if (!PyAnySet_CheckExact(args[1])) {
        PyErr_SetString(PyExc_TypeError, "_is_new() takes a set of ids");
        return NULL;
    }
    PyObject *id = PyLong_FromVoidPtr(args[0]);
    if (id == NULL) {
        return NULL;
    }
    int in_here = PySet_Contains(args[1], id);
    Py_DECREF(id);
    if (in_here < 0) {
        return NULL;
    }
    int fresh = in_here ? 0 : engine_is_new(e, args[0], NULL, 0);
    return fresh < 0 ? NULL : PyBool_FromLong(fresh);
}

static PyObject *
meet_again(Engine *e, PyObject *value)
{
    return none_or_null(engine_meet_again(e, value));
}

static PyObject *
promote(Engine *e, PyObject *unused)
{
    (void)unused;
    return none_or_null(engine_promote(e));
}

static PyObject *
open_depth(Engine *e, PyObject *unused)
{
    (void)unused;
    return PyLong_FromSize_t(e->open_len);
}

static PyObject *
close_to(Engine *e, PyObject *const *args, Py_ssize_t nargs)
{
    size_t depth;
    if (positional("_close_to", nargs, 2) < 0 || count_of("a depth", args[0], &depth) < 0) {
        return NULL;
    }
    if (args[1] != Py_None && is_str("the owner", args[1]) < 0) {
        return NULL;
    }
    return none_or_null(engine_close_to(e, depth, args[1] == Py_None ? NULL : args[1]));
}

static PyObject *
note(Engine *e, PyObject *message)
{
    if (is_str("a warning", message) < 0) {
        return NULL;
    }
    return none_or_null(engine_note_text(e, message));
}

static PyObject *
refill(Engine *e, PyObject *const *args, Py_ssize_t nargs)
{
    if (positional("_refill", nargs, 3) < 0 || is_str("a field name", args[0]) < 0) {
        return NULL;
    }
    if (!PyExceptionInstance_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError, "_refill() takes the exception the visit raised");
        return NULL;
    }
    PyErr_SetObject((PyObject *)Py_TYPE(args[2]), args[2]);
    /* Not a change by another thread: the caller's own error is raised again. */
    return none_or_null(engine_refill(e, args[0], args[1]));
}

/* -- measuring -------------------------------------------------------------------------- */

static PyObject *
measure(Engine *e, PyObject *value)
{
    long long total;
    if (engine_measure(e, value, &total) < 0) {
        return NULL;
    }
    return PyLong_FromLongLong(total);
}

static PyObject *
visit_root(Engine *e, PyObject *const *args, Py_ssize_t nargs)
{
    if (positional("visit_root", nargs, 2) < 0) {
        return NULL;
    }
    PyObject *copy = NULL;
    PyObject *name = args[1] == Py_None ? NULL : frame_name(args[1], &copy);
    if (args[1] != Py_None && name == NULL) {
        return NULL;
    }
    int result = engine_visit_root(e, args[0], name);
    Py_XDECREF(copy);
    return none_or_null(result);
}

static PyObject *
finish(Engine *e, PyObject *unused)
{
    (void)unused;
    return engine_finish(e);
}

static PyObject *
release(Engine *e, PyObject *unused)
{
    (void)unused;
    return none_or_null(engine_release(e));
}

static PyObject *
outside(Engine *e, PyObject *roots)
{
    if (!PyList_CheckExact(roots)) {
        PyErr_SetString(PyExc_TypeError, "_outside() takes the list of roots");
        return NULL;
    }
    return engine_outside(e, roots);
}

static PyObject *
exclude_claimed(Engine *e, PyObject *other)
{
    if (Py_TYPE(other) != Py_TYPE(e)) {
        PyErr_SetString(PyExc_TypeError, "_exclude_claimed() takes another Engine");
        return NULL;
    }
    return none_or_null(engine_exclude_claimed(e, (Engine *)other));
}

static PyObject *
bookkeeping(Engine *e, PyObject *unused)
{
    (void)unused;
    return engine_bookkeeping(e);
}

/* -- the context read by warnings: _owner, _field ----------------------------------------- */

static PyObject *
get_context(Engine *e, PyObject *value)
{
    return Py_NewRef(value != NULL ? value : e->support->empty);
}

static PyObject *
get_owner(Engine *e, void *closure)
{
    (void)closure;
    return get_context(e, e->owner);
}

static PyObject *
get_field(Engine *e, void *closure)
{
    (void)closure;
    return get_context(e, e->field);
}

static int
set_context(PyObject **slot, PyObject *value)
{
    if (value == NULL || !PyUnicode_CheckExact(value)) {
        PyErr_SetString(PyExc_TypeError, "must be a str");
        return -1;
    }
    Py_XSETREF(*slot, PyUnicode_GET_LENGTH(value) ? Py_NewRef(value) : NULL);
    return 0;
}

static int
set_owner(Engine *e, PyObject *value, void *closure)
{
    (void)closure;
    return set_context(&e->owner, value);
}

static int
set_field(Engine *e, PyObject *value, void *closure)
{
    (void)closure;
    return set_context(&e->field, value);
}

static PyGetSetDef engine_getset[] = {
    {"_owner", (getter)get_owner, (setter)set_owner, "The class being visited, for warnings.", NULL},
    {"_field", (getter)get_field, (setter)set_field, "The field being visited, for warnings.", NULL},
    {NULL},
};

/* -- the type ------------------------------------------------------------------------- */

#define VISIT(name, function, doc)                                                          \
    {name, (PyCFunction)(void (*)(void))function, METH_FASTCALL | METH_KEYWORDS, doc}
#define FAST(name, function, doc) {name, (PyCFunction)(void (*)(void))function, METH_FASTCALL, doc}

static PyMethodDef engine_methods[] = {
    VISIT("visit_field", visit_field, "Visit `value` under frame `name`, by its run-time type."),
    VISIT("visit_item", visit_item, "Visit a container element by its type."),
    VISIT("visit_opaque", visit_opaque, "Count `value`'s own bytes under `name`, nothing below."),
    VISIT("visit_simple", visit_simple, "Report `size` bytes that are not a Python object."),
    VISIT("enter", enter, "Open frame `name` holding `size` bytes."),
    VISIT("exit", exit_, "Close the frame the last enter() opened."),
    VISIT("skip", skip, "Declare that field `name` is deliberately not visited."),
    VISIT("visit_field_with", visit_field_with, "Visit `value` under `name` with visit(value, v)."),
    VISIT("visit_str", visit_str, "Visit a field declared str."),
    VISIT("visit_int", visit_int, "Visit a field declared int."),
    VISIT("visit_float", visit_float, "Visit a field declared float."),
    VISIT("visit_bytes", visit_bytes, "Visit a field declared bytes."),
    VISIT("visit_list", visit_list, "Visit a field declared list[item]."),
    VISIT("visit_tuple", visit_tuple, "Visit a field declared tuple[item, ...]."),
    VISIT("visit_set", visit_set, "Visit a field declared set[item] or frozenset[item]."),
    VISIT("visit_dict", visit_dict, "Visit a field declared dict[key, item]."),
    VISIT("visit_stored", visit_stored, "Visit what `owner` stores under `name`, if anything."),
    FAST("_visit_named", visit_named, "The engine's own named visits."),
    {"_mark", (PyCFunction)mark, METH_NOARGS, "A mark in the journal."},
    {"_claimed_since", (PyCFunction)claimed_since, METH_O, "Ids journaled since a mark."},
    FAST("_is_new", is_new, "Whether a value would be counted now."),
    {"_meet_again", (PyCFunction)meet_again, METH_O, "Count a reference met again."},
    {"_promote", (PyCFunction)promote, METH_NOARGS, "Journal into the seen set."},
    {"_open_depth", (PyCFunction)open_depth, METH_NOARGS, "Frames enter() left open."},
    FAST("_close_to", close_to, "Close frames left open past a depth."),
    {"_note", (PyCFunction)note, METH_O, "Add a warning."},
    FAST("_refill", refill, "Visit a changed container again from a copy."),
    {"measure", (PyCFunction)measure, METH_O, "Total bytes of a tree (size mode)."},
    FAST("visit_root", visit_root, "Measure a root's tree into the flame graph."),
    {"finish", (PyCFunction)finish, METH_NOARGS, "The flame graph and warnings."},
    {"release", (PyCFunction)release, METH_NOARGS, "Drop every reference to measured objects."},
    {"_outside", (PyCFunction)outside, METH_O, "Objects held from outside; roots' references."},
    {"_exclude_claimed", (PyCFunction)exclude_claimed, METH_O, "Skip what another engine claimed."},
    {"bookkeeping", (PyCFunction)bookkeeping, METH_NOARGS, "Bytes of bookkeeping, by part."},
    {NULL},
};

/* An engine made by __new__ alone is a working size_of engine with no registered visits:
 * every method is safe to call before (or without) __init__. */
static PyObject *
engine_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    (void)args;
    (void)kwargs;
    Engine *e = (Engine *)type->tp_alloc(type, 0);
    if (e == NULL) {
        return NULL;
    }
    e->support = &((CoreState *)PyType_GetModuleState(type))->support;
    if (engine_setup(e, 0, 0, INT_MAX, NULL, 0) < 0) {
        Py_DECREF(e);
        return NULL;
    }
    return (PyObject *)e;
}

/* Options, once, before the engine measured anything. */
static int
engine_init(Engine *e, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {
        "frames", "allocator_overhead", "max_depth", "custom", "references", NULL};
    int frames = 0, overhead = 0, max_depth = INT_MAX, references = 0;
    PyObject *custom = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|ppiO!p", keywords, &frames, &overhead,
                                     &max_depth, &PyDict_Type, &custom, &references)) {
        return -1;
    }
    int pristine = !e->busy && e->stack_len == 0 && e->journal_len == 0 && e->seen.count == 0
                   && e->met.count == 0 && e->tree.nodes <= 1 && e->open_len == 0;
    if (e->configured || !pristine) {
        PyErr_SetString(PyExc_RuntimeError, ALLOCATIVE_REINIT);
        return -1;
    }
    if (max_depth < 0) {
        PyErr_SetString(PyExc_ValueError, "max_depth must not be negative");
        return -1;
    }
    e->configured = 1;
    return engine_setup(e, frames, overhead, max_depth, custom, references);
}

static int
engine_traverse(Engine *e, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(e));
    return engine_traverse_state(e, visit, arg);
}

static int
engine_clear(Engine *e)
{
    engine_dispose(e);
    return 0;
}

static void
engine_dealloc(Engine *e)
{
    PyTypeObject *tp = Py_TYPE(e);
    PyObject_GC_UnTrack(e);
    engine_dispose(e);
    frames_free(&e->tree);
    PyMem_Free(e->journal);
    PyMem_Free(e->stack);
    PyMem_Free(e->open);
    tp->tp_free((PyObject *)e);
    Py_DECREF(tp);
}

static PyType_Slot engine_slots[] = {
    {Py_tp_doc, "The compiled engine: the Visitor that __allocative__ methods call."},
    {Py_tp_new, engine_new},
    {Py_tp_init, engine_init},
    {Py_tp_traverse, engine_traverse},
    {Py_tp_clear, engine_clear},
    {Py_tp_dealloc, engine_dealloc},
    {Py_tp_methods, engine_methods},
    {Py_tp_getset, engine_getset},
    {0, NULL},
};

static PyType_Spec engine_spec = {
    .name = "allocative._core.Engine",
    .basicsize = sizeof(Engine),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = engine_slots,
};

PyTypeObject *
engine_type_new(PyObject *module)
{
    return (PyTypeObject *)PyType_FromModuleAndSpec(module, &engine_spec, NULL);
}
