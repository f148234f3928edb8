/* A class's instances in the compiled engine (Instances.expand in allocative/_instances.py).
 *
 * Two paths run natively because they are most of a real tree: a class whose
 * method is known to visit everything there is (Instances._complete, the
 * common case of generated methods), and an instance with no method that holds
 * nothing but attributes (unmarked classes, ast nodes), measured by name. Every
 * other case (the first instances of a class, recording, a built-in part,
 * unvisited attributes, a failure) runs the Python code of both engines with
 * this engine as its visitor.
 */
#include "engine.h"
#include "compat.h"
#include "layout.h"

/* The instance's __dict__ object, where one exists (Attributes.own_dict): a new reference,
 * taken before any Python code can run and replace it. */
PyObject *
instance_own_dict(InstanceInfo *info, PyObject *value)
{
    PyObject *found = NULL;
    if (info->managed) {
        found = managed_dict(value);
    }
    else if (info->dict_offset > 0) {
        found = *(PyObject **)((char *)value + info->dict_offset);
        found = found != NULL && PyDict_CheckExact(found) ? found : NULL;
    }
    return Py_XNewRef(found);
}

/* Whether `value` still keeps its attributes as when its rule was read: the same type and,
 * for managed storage, no __dict__ object made meanwhile. */
static int
same_storage(Rule *rule, PyObject *value)
{
    return Py_TYPE(value) == rule->type
           && (!rule->instance->managed || managed_dict(value) == NULL);
}

static void
swap_context(Engine *e, PyObject **owner, PyObject **field)
{
    PyObject *saved_owner = e->owner, *saved_field = e->field;
    e->owner = *owner;
    e->field = *field;
    *owner = saved_owner;
    *field = saved_field;
}

/* The short path of Instances.expand: run the method; if it raises, Instances._raised. */
static int
run_complete(Engine *e, Rule *rule, PyObject *value)
{
    InstanceInfo *info = rule->instance;
    PyObject *owner = Py_NewRef(rule->name), *field = Py_XNewRef(e->field);
    swap_context(e, &owner, &field);
    size_t depth = e->open_len;
    PyObject *args[2] = {value, (PyObject *)e};
    PyObject *result = PyObject_Vectorcall(info->method, args, 2, NULL);
    int status = 0;
    if (result != NULL) {
        Py_DECREF(result);
    }
    else if (!PyErr_ExceptionMatches(PyExc_Exception)) {
        status = -1;
    }
    else {
        PyObject *error = PyErr_GetRaisedException();
        PyObject *open = PyLong_FromSize_t(depth);
        PyObject *done = open == NULL ? NULL
                                      : PyObject_CallMethodObjArgs(info->instances,
                                                                   e->support->raised_name,
                                                                   (PyObject *)e, value, open,
                                                                   error, NULL);
        Py_XDECREF(open);
        Py_DECREF(error);
        Py_XDECREF(done);
        status = done == NULL ? -1 : 0;
    }
    swap_context(e, &owner, &field);
    Py_XDECREF(owner);
    Py_XDECREF(field);
    return status;
}

/* Objects held while they are visited: a copy of a __dict__'s entries or of what the
 * object's traverse function reports, made in one step (another thread, or a method
 * run meanwhile, may change the originals). */
typedef struct {
    PyObject **items;
    size_t length, capacity;
} Held;

static int
held_add(Held *held, PyObject *value)
{
    if (held->length == held->capacity) {
        size_t capacity = held->capacity ? held->capacity * 2 : 16;
        PyObject **bigger = PyMem_Realloc(held->items, capacity * sizeof(PyObject *));
        if (bigger == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        held->items = bigger;
        held->capacity = capacity;
    }
    held->items[held->length++] = Py_NewRef(value);
    return 0;
}

static void
held_clear(Held *held)
{
    for (size_t i = 0; i < held->length; i++) {
        Py_DECREF(held->items[i]);
    }
    PyMem_Free(held->items);
}

/* The str-keyed entries of `dict`, as key, value pairs. */
static int
dict_entries(PyObject *dict, Held *held)
{
    Py_ssize_t position = 0;
    PyObject *key, *value;
    while (PyDict_Next(dict, &position, &key, &value)) {
        if (PyUnicode_CheckExact(key) && (held_add(held, key) < 0 || held_add(held, value) < 0)) {
            return -1;
        }
    }
    return 0;
}

/* One attribute, under its name (visit_field). The engine read the reference itself and
 * holds one more while it visits, so an object no one else holds skips the seen set;
 * then it is journaled, which is how the pass over the referents knows it. */
static int
visit_attribute(Engine *e, PyObject *name, PyObject *field)
{
    Py_XSETREF(e->field, Py_NewRef(name));
    return engine_visit_named_ex(e, name, field, 1);
}

/* The warning for an instance whose attribute storage changed while it was measured (a
 * method, a __del__ or another thread added attributes, or replaced its __dict__). */
static int
storage_changed(Engine *e, Rule *rule)
{
    PyObject *message = PyUnicode_FromFormat("%U: " ALLOCATIVE_STORAGE_CHANGED, rule->name);
    int result = message == NULL ? -1 : engine_note_text(e, message);
    Py_XDECREF(message);
    return result;
}

/* Each attribute `value` holds, under its name: set slots, then the __dict__ object's
 * entries or the managed values (Leftovers.held). A visit can run Python code, which can
 * give the instance new storage and free the old: nothing read from the instance is kept
 * across one. Its type and storage are checked, and the slot or values pointer read again,
 * before each attribute; when they changed, naming stops with a warning, and the caller's
 * pass over the referents it copied before measures the rest without names. */
static int
visit_attributes(Engine *e, Rule *rule, PyObject *value, PyObject *dict)
{
    InstanceInfo *info = rule->instance;
    for (Py_ssize_t i = 0; i < info->slot_count; i++) {
        if (Py_TYPE(value) != rule->type) {
            return storage_changed(e, rule);
        }
        PyObject *field = *(PyObject **)((char *)value + info->slot_offsets[i]);
        if (field == NULL) {
            continue;
        }
        Py_INCREF(field);
        int result = visit_attribute(e, info->slot_names[i], field);
        Py_DECREF(field);
        if (result < 0) {
            return -1;
        }
    }
    if (dict != NULL) {
        Held entries = {NULL, 0, 0};
        int result = dict_entries(dict, &entries);
        for (size_t i = 0; i + 1 < entries.length && result == 0; i += 2) {
            result = visit_attribute(e, entries.items[i], entries.items[i + 1]);
        }
        held_clear(&entries);
        return result;
    }
    if (!info->managed) {
        return 0;
    }
    PyObject *names = info->key_names;
    if (names == NULL || managed_values(value) == NULL) {
        return 0;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(names); i++) {
        PyObject **values = same_storage(rule, value) ? managed_values(value) : NULL;
        if (values == NULL) {
            return storage_changed(e, rule);
        }
        PyObject *field = values[i];
        if (field == NULL) {
            continue;
        }
        Py_INCREF(field);
        int result = visit_attribute(e, PyTuple_GET_ITEM(names, i), field);
        Py_DECREF(field);
        if (result < 0) {
            return -1;
        }
    }
    return 0;
}

static int
collect(PyObject *referent, void *held)
{
    return referent == NULL ? 0 : held_add((Held *)held, referent);
}

/* gc.get_referents(value): what the object's traverse function reports. */
static int
referents(PyObject *value, Held *found)
{
    traverseproc traverse = Py_TYPE(value)->tp_traverse;
    if (PyObject_IS_GC(value) && traverse != NULL && traverse(value, collect, found) < 0) {
        return -1;
    }
    return 0;
}

/* Whether this expansion claimed `value` without the seen set since `mark`. */
static int
journaled_since(Engine *e, size_t mark, PyObject *value)
{
    for (size_t i = mark; i < e->journal_len; i++) {
        if (e->journal[i] == value) {
            return 1;
        }
    }
    return 0;
}

/* An instance with no method and nothing but attributes: its __dict__ object as storage,
 * each attribute under its name, then what no name reached, by type. */
static int
run_reflective(Engine *e, Rule *rule, PyObject *value)
{
    PyObject *dict = instance_own_dict(rule->instance, value);
    if (dict != NULL && engine_visit_opaque(e, e->support->dict_storage, dict) < 0) {
        Py_DECREF(dict);
        return -1;
    }
    PyObject *owner = Py_NewRef(rule->name), *field = NULL;
    swap_context(e, &owner, &field);
    Held found = {NULL, 0, 0};
    size_t mark = e->journal_len;
    int result = referents(value, &found);
    result = result < 0 ? -1 : visit_attributes(e, rule, value, dict);
    for (size_t i = 0; result == 0 && i < found.length; i++) {
        PyObject *referent = found.items[i];
        if (referent == (PyObject *)Py_TYPE(value) || journaled_since(e, mark, referent)) {
            continue;
        }
        /* Met before through the seen set (the __dict__ object, say): its reference is
         * being traversed a second time, which the shortcut must not see. */
        int fresh = engine_is_new(e, referent, NULL, 0);
        result = fresh <= 0 ? fresh : engine_visit_item(e, referent, 1);
    }
    held_clear(&found);
    Py_XDECREF(dict);
    swap_context(e, &owner, &field);
    Py_XDECREF(owner);
    Py_XDECREF(field);
    return result;
}

/* Every other case: Instances.expand, the code both engines share. */
static int
run_python(Engine *e, Rule *rule, PyObject *value)
{
    InstanceInfo *info = rule->instance;
    PyObject *result =
        PyObject_CallMethodObjArgs(info->instances, e->support->expand_name, (PyObject *)e, value, NULL);
    if (result == NULL) {
        return -1;
    }
    Py_DECREF(result);
    if (!info->complete && info->method != NULL) {
        PyObject *complete = PyObject_GetAttr(info->instances, e->support->complete_name);
        if (complete == NULL) {
            return -1;
        }
        info->complete = PyObject_IsTrue(complete);
        Py_DECREF(complete);
    }
    return 0;
}

int
instance_expand(Engine *e, Rule *rule, PyObject *value)
{
    InstanceInfo *info = rule->instance;
    if (info->complete && info->method != NULL) {
        PyObject *dict = instance_own_dict(info, value);
        Py_XDECREF(dict);
        if (dict == NULL) {
            return run_complete(e, rule, value);
        }
    }
    if (info->reflective_fast) {
        return run_reflective(e, rule, value);
    }
    return run_python(e, rule, value);
}
