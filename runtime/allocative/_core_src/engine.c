/* The compiled engine: see engine.h. Each function names the pure engine's it follows. */
#include "engine.h"
#include "compat.h"
#include "layout.h"
#include "sizes.h"

#include <limits.h>
#include <string.h>

/* -- bookkeeping: journal, stack, open frames, warnings ------------------------------ */

static int
journal_push(Engine *e, PyObject *value)
{
    if (e->journal_len == e->journal_cap) {
        size_t capacity = e->journal_cap ? e->journal_cap * 2 : 256;
        uintptr_t *bigger = PyMem_Realloc(e->journal, capacity * sizeof(uintptr_t));
        if (bigger == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        e->journal = bigger;
        e->journal_cap = capacity;
    }
    e->journal[e->journal_len++] = (uintptr_t)value;
    return 0;
}

static void
note_peak(Engine *e)
{
    size_t now = address_table_memory(&e->seen) + references_memory(&e->met)
                 + e->journal_cap * sizeof(uintptr_t)
                 + e->stack_cap * e->stride + e->open_cap * sizeof(Open);
    if (now > e->peak_bookkeeping) {
        e->peak_bookkeeping = now;
    }
}

/* Claims `value` in the seen set: 1 when new, 0 when counted before, -1 on error. The
 * caller holds at least `temporaries` references to `value` beyond the tree's (reference
 * mode settles an object once the references met are all the others). */
static int
claim_seen(Engine *e, PyObject *value, Py_ssize_t temporaries)
{
    if (e->references) {
        /* The reference table is the seen set; the address set holds only objects a
         * failed visit promoted from the journal (counted, with their one owner). */
        if (e->seen.count && address_table_contains(&e->seen, value)) {
            return 0;
        }
        size_t before = e->met.capacity;
        int added = references_meet(&e->met, value, temporaries);
        if (e->met.capacity != before) {
            note_peak(e);
        }
        return added;
    }
    size_t capacity = e->seen.capacity;
    int added = address_table_add(&e->seen, value);
    if (e->seen.capacity != capacity) {
        note_peak(e);
    }
    return added;
}

/* Claims `value`, which its owner and the caller hold `exclusive` references to when no
 * one else does: then it is journaled instead of entered in the seen set (_claim). */
static int
claim_shortcut(Engine *e, PyObject *value, Py_ssize_t exclusive)
{
    if (Py_REFCNT(value) > exclusive) {
        return claim_seen(e, value, exclusive - 1);
    }
    return journal_push(e, value) < 0 ? -1 : 1;
}

/* Claims `value`; with `shortcut`, its finder (the engine) holds a reference to it. */
static int
claim_found(Engine *e, PyObject *value, int shortcut)
{
    if (!shortcut) {
        return claim_seen(e, value, 0);
    }
    return e->overhead ? claim_seen(e, value, EXCLUSIVE_REFS - 1)
                       : claim_shortcut(e, value, EXCLUSIVE_REFS);
}

static int
is_counted(Engine *e, PyObject *value)
{
    return address_table_contains(&e->seen, value)
           || (e->references && references_met(&e->met, value) > 0);
}

int
engine_note_text(Engine *e, PyObject *message)
{
    PyObject *count = PyDict_GetItemWithError(e->notes, message);
    if (count == NULL && PyErr_Occurred()) {
        return -1;
    }
    long n = count == NULL ? 0 : PyLong_AsLong(count);
    PyObject *next = PyLong_FromLong(n + 1);
    if (next == NULL) {
        return -1;
    }
    int result = PyDict_SetItem(e->notes, message, next);
    Py_DECREF(next);
    return result;
}

static int
note_format(Engine *e, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    PyObject *message = PyUnicode_FromFormatV(format, args);
    va_end(args);
    if (message == NULL) {
        return -1;
    }
    int result = engine_note_text(e, message);
    Py_DECREF(message);
    return result;
}

/* _note_reflective: a count and the bytes of each type measured by its attributes, kept
 * with the kind and reported when the measurement ends. */
static inline void
note_reflective(Kind *kind, Py_ssize_t size)
{
    kind->reflected_count += 1;
    kind->reflected_bytes += size;
}

static inline Node *
child(Engine *e, Node *node, PyObject *name)
{
    return e->frames ? frames_child(&e->tree, node, name) : node;
}

static int
add_to(Engine *e, Node *node, PyObject *name, Py_ssize_t size)
{
    Node *leaf = child(e, node, name);
    if (leaf == NULL) {
        return -1;
    }
    leaf->self_size += size;
    return 0;
}

static void
set_context(PyObject **slot, PyObject *value)
{
    Py_XSETREF(*slot, Py_XNewRef(value));
}

/* -- kinds: zero, sizes, expansion ----------------------------------------------------- */

Kind *
engine_kind(Engine *e, PyObject *value)
{
    return kind_of(&e->kinds, Py_TYPE(value), e->custom);
}

static int
call_truth(PyObject *function, PyObject *value)
{
    PyObject *result = PyObject_CallOneArg(function, value);
    if (result == NULL) {
        return -1;
    }
    int truth = PyObject_IsTrue(result);
    Py_DECREF(result);
    return truth;
}

static Py_ssize_t
call_size(PyObject *function, PyObject *value)
{
    PyObject *result = PyObject_CallOneArg(function, value);
    if (result == NULL) {
        return -1;
    }
    Py_ssize_t size = PyLong_AsSsize_t(result);
    Py_DECREF(result);
    return size;
}

/* Whether no data owns `value` (kind.zero): 1, 0, or -1 on error. */
static int
owned_by_nobody(Kind *kind, PyObject *value)
{
    switch (kind->code) {
    case CODE_ZERO:
        return 1;
    case CODE_STR:
        return str_owned_by_nobody(value);
    case CODE_INT:
        return is_small_int(value);
    case CODE_BYTES:
        return PyBytes_GET_SIZE(value) < 2;
    case CODE_TUPLE:
        return PyTuple_GET_SIZE(value) == 0;
    case CODE_FLOAT:
    case CODE_COMPLEX:
    case CODE_LIST:
    case CODE_SET:
    case CODE_FROZENSET:
    case CODE_DICT:
        return 0;
    default:
        return kind->zero == Py_None ? 0 : call_truth(kind->zero, value);
    }
}

/* The object's own bytes (kind.size); -1 with an exception set on failure. */
static Py_ssize_t
own_size(Kind *kind, PyObject *value)
{
    switch (kind->code) {
    case CODE_STR:
        return str_size(value);
    case CODE_INT:
        return int_size(value);
    case CODE_FLOAT:
        return FLOAT_SIZE;
    case CODE_COMPLEX:
        return COMPLEX_SIZE;
    case CODE_BYTES:
        return bytes_size(value);
    case CODE_LIST:
        return list_size(value);
    case CODE_TUPLE:
        return tuple_size(value);
    case CODE_SET:
    case CODE_FROZENSET:
        return set_size(value);
    case CODE_DICT:
        return dict_size(value);
    default:
        if (kind->size >= 0) {
            return kind->size;
        }
        Py_ssize_t size = call_size(kind->size_of, value);
        if (size >= 0 && kind->fixed_size) {
            kind->size = size;
        }
        return size;
    }
}

static int
has_unused(Kind *kind)
{
    switch (kind->code) {
    case CODE_LIST:
    case CODE_SET:
    case CODE_FROZENSET:
    case CODE_DICT:
        return 1;
    case CODE_INSTANCE:
    case CODE_PYTHON:
        return kind->unused != Py_None;
    default:
        return 0;
    }
}

static Py_ssize_t
unused_of(Kind *kind, PyObject *value)
{
    switch (kind->code) {
    case CODE_LIST:
        return list_unused(value);
    case CODE_SET:
    case CODE_FROZENSET:
        return set_unused(value);
    case CODE_DICT:
        return dict_unused(value);
    default:
        return call_size(kind->unused, value);
    }
}

/* Bytes of an instance's attribute values storage (kind.attrs: InstanceStorage.values_bytes). */
static Py_ssize_t
attrs_of(Kind *kind, PyObject *value)
{
    InstanceInfo *info = kind->instance;
    if (info != NULL && info->values_model == 0) {
        return 0;
    }
    if (info != NULL && info->values_model == 1) {
        return has_values_array(value) ? info->array_bytes[values_size_byte(value)] : 0;
    }
    if (info != NULL && info->values_model == 2) {
        Py_ssize_t capacity = values_size_byte(value);
        if (capacity > info->steady_capacity || !info->settled) {
            capacity += 1;
        }
        return inline_values_size(capacity);
    }
    if (kind->attrs == Py_None || kind->code < CODE_INSTANCE) {
        return 0;
    }
    return call_size(kind->attrs, value);
}

static int
has_expand(Kind *kind)
{
    switch (kind->code) {
    case CODE_LIST:
    case CODE_TUPLE:
    case CODE_SET:
    case CODE_FROZENSET:
    case CODE_DICT:
        return 1;
    case CODE_INSTANCE:
    case CODE_PYTHON:
        return kind->expand != Py_None;
    default:
        return 0;
    }
}

static Py_ssize_t
overhead_of(Kind *kind, PyObject *value, Py_ssize_t size)
{
    PyObject *total = PyLong_FromSsize_t(size);
    if (total == NULL) {
        return -1;
    }
    PyObject *result =
        PyObject_CallFunctionObjArgs(support.overhead_of, kind->kind, value, total, NULL);
    Py_DECREF(total);
    if (result == NULL) {
        return -1;
    }
    Py_ssize_t rounding = PyLong_AsSsize_t(result);
    Py_DECREF(result);
    return rounding;
}

/* -- the walk: claim, account, expand ------------------------------------------------- */

static int expand_now(Engine *e, Kind *kind, PyObject *value);

static inline Pending *
pending_at(Engine *e, size_t index)
{
    return (Pending *)(e->stack + index * e->stride);
}

static int
push(Engine *e, PyObject *value, Kind *kind, Node *node, int depth)
{
    if (e->stack_len == e->stack_cap) {
        size_t capacity = e->stack_cap ? e->stack_cap * 2 : 64;
        char *bigger = PyMem_Realloc(e->stack, capacity * e->stride);
        if (bigger == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        e->stack = bigger;
        e->stack_cap = capacity;
        note_peak(e);
    }
    Pending *head = pending_at(e, e->stack_len++);
    *head = (Pending){Py_NewRef(value), kind};
    if (e->frames) {
        Entry *entry = (Entry *)head;
        entry->node = node;
        entry->depth = depth;
        entry->owner = Py_XNewRef(e->owner);
        entry->field = Py_XNewRef(e->field);
    }
    return 0;
}

/* Drops the references of the entry at `index` (its value, and its context). */
static void
drop_entry(Engine *e, size_t index)
{
    Pending *head = pending_at(e, index);
    Py_DECREF(head->value);
    if (e->frames) {
        Py_XDECREF(((Entry *)head)->owner);
        Py_XDECREF(((Entry *)head)->field);
    }
}

/* _account: file `value`'s bytes under `parent` (as `name`, or its kind's name) and expand
 * it now, or push it when the walk is INLINE_DEPTH levels deep already. */
static int
account(Engine *e, Node *parent, int depth, Kind *kind, PyObject *value, PyObject *name)
{
    Node *node = parent;
    if (depth < e->max_depth) {
        node = child(e, parent, name != NULL ? name : kind->name);
        if (node == NULL) {
            return -1;
        }
        depth += 1;
    }
    else {
        e->truncated = 1;
    }
    Py_ssize_t size = own_size(kind, value);
    if (size < 0) {
        return -1;
    }
    if (has_unused(kind)) {
        Py_ssize_t unused = unused_of(kind, value);
        if (unused < 0) {
            return -1;
        }
        if (unused && add_to(e, node, support.unused_capacity, unused) < 0) {
            return -1;
        }
        size -= unused;
    }
    node->self_size += size;
    Py_ssize_t total = size;
    Py_ssize_t attrs = attrs_of(kind, value);
    if (attrs < 0) {
        return -1;
    }
    if (attrs) {
        if (add_to(e, node, support.dict_storage, attrs) < 0) {
            return -1;
        }
        total += attrs;
    }
    if (e->overhead) {
        Py_ssize_t rounding = overhead_of(kind, value, total);
        if (rounding < 0 || (rounding && add_to(e, node, support.allocator_overhead, rounding) < 0)) {
            return -1;
        }
    }
    if (kind->reflective) {
        note_reflective(kind, total);
    }
    if (!has_expand(kind)) {
        return 0;
    }
    if (e->inline_depth >= INLINE_DEPTH) {
        return push(e, value, kind, node, depth);
    }
    e->inline_depth += 1;
    Node *saved_node = e->node;
    int saved_depth = e->depth;
    e->node = node;
    e->depth = depth;
    int result = expand_now(e, kind, value);
    e->node = saved_node;
    e->depth = saved_depth;
    e->inline_depth -= 1;
    return result;
}

/* visit_item, with the shortcut for an element the engine itself holds (_elements). */
int
engine_visit_item(Engine *e, PyObject *value, int shortcut)
{
    Kind *kind = engine_kind(e, value);
    if (kind == NULL) {
        return -1;
    }
    int zero = owned_by_nobody(kind, value);
    if (zero != 0) {
        return zero < 0 ? -1 : 0;
    }
    int claimed = claim_found(e, value, shortcut);
    if (claimed <= 0) {
        return claimed;
    }
    return account(e, e->node, e->depth, kind, value, NULL);
}

/* _visit_named: `value` under frame `name`, by its run-time type. With `shortcut`, the
 * engine itself holds the reference it read `value` from (a dict entry, an attribute). */
int
engine_visit_named_ex(Engine *e, PyObject *name, PyObject *value, int shortcut)
{
    Kind *kind = engine_kind(e, value);
    if (kind == NULL) {
        return -1;
    }
    int zero = owned_by_nobody(kind, value);
    if (zero != 0) {
        return zero < 0 ? -1 : 0;
    }
    int claimed = claim_found(e, value, shortcut);
    if (claimed <= 0) {
        return claimed;
    }
    if (e->depth < e->max_depth) {
        Node *node = child(e, e->node, name);
        if (node == NULL) {
            return -1;
        }
        return account(e, node, e->depth + 1, kind, value, NULL);
    }
    return account(e, e->node, e->depth, kind, value, NULL);
}

int
engine_visit_named(Engine *e, PyObject *name, PyObject *value)
{
    return engine_visit_named_ex(e, name, value, 0);
}

/* visit_field, called by a method with a field of its object: the owner's reference and
 * the caller's are all an object no one else holds has (as for typed visits). */
int
engine_visit_field(Engine *e, PyObject *name, PyObject *value)
{
    set_context(&e->field, name);
    return engine_visit_named_ex(e, name, value, 1);
}

/* visit_opaque: `value`'s own bytes under `name`, nothing it refers to. */
int
engine_visit_opaque(Engine *e, PyObject *name, PyObject *value)
{
    Kind *kind = engine_kind(e, value);
    if (kind == NULL) {
        return -1;
    }
    int zero = owned_by_nobody(kind, value);
    if (zero != 0) {
        return zero < 0 ? -1 : 0;
    }
    int claimed = claim_seen(e, value, 0);
    if (claimed <= 0) {
        return claimed;
    }
    Py_ssize_t size = own_size(kind, value);
    Py_ssize_t attrs = size < 0 ? -1 : attrs_of(kind, value);
    if (attrs < 0) {
        return -1;
    }
    size += attrs;
    Node *field = child(e, e->node, name);
    Node *node = field == NULL ? NULL : child(e, field, kind->name);
    if (node == NULL) {
        return -1;
    }
    node->self_size += size;
    if (e->overhead) {
        Py_ssize_t rounding = overhead_of(kind, value, size);
        if (rounding < 0 || (rounding && add_to(e, node, support.allocator_overhead, rounding) < 0)) {
            return -1;
        }
    }
    return 0;
}

/* Visits each element of a list or tuple by index: it may change meanwhile (a method run
 * inline can change it), and an element is held while it is visited. */
static int
visit_sequence(Engine *e, PyObject *sequence)
{
    int is_list = PyList_Check(sequence);
    for (Py_ssize_t i = 0;; i++) {
        Py_ssize_t length = is_list ? PyList_GET_SIZE(sequence) : PyTuple_GET_SIZE(sequence);
        if (i >= length) {
            return 0;
        }
        PyObject *element =
            is_list ? PyList_GET_ITEM(sequence, i) : PyTuple_GET_ITEM(sequence, i);
        Py_INCREF(element);
        int result = engine_visit_item(e, element, 1);
        Py_DECREF(element);
        if (result < 0) {
            return -1;
        }
    }
}

/* Visits each element of any iterable (sets): its iterator raises when it changes. */
static int
visit_iterable(Engine *e, PyObject *items)
{
    PyObject *iterator = PyObject_GetIter(items);
    if (iterator == NULL) {
        return -1;
    }
    PyObject *element;
    while ((element = PyIter_Next(iterator)) != NULL) {
        int result = engine_visit_item(e, element, 1);
        Py_DECREF(element);
        if (result < 0) {
            Py_DECREF(iterator);
            return -1;
        }
    }
    Py_DECREF(iterator);
    return PyErr_Occurred() ? -1 : 0;
}

static int
changed_size(void)
{
    PyErr_SetString(PyExc_RuntimeError, "dictionary changed size during iteration");
    return -1;
}

/* expand_dict: each key and value under ``key`` and ``value`` frames. */
static int
visit_dict_entries(Engine *e, PyObject *dict)
{
    Py_ssize_t position = 0, length = PyDict_GET_SIZE(dict);
    PyObject *key, *item;
    while (PyDict_Next(dict, &position, &key, &item)) {
        Py_INCREF(key);
        Py_INCREF(item);
        int result = engine_visit_named_ex(e, support.key, key, 1);
        if (result == 0) {
            result = engine_visit_named_ex(e, support.value, item, 1);
        }
        Py_DECREF(key);
        Py_DECREF(item);
        if (result < 0) {
            return -1;
        }
        if (PyDict_GET_SIZE(dict) != length) {
            return changed_size();
        }
    }
    return 0;
}

static int
expand(Engine *e, Kind *kind, PyObject *value)
{
    switch (kind->code) {
    case CODE_LIST:
    case CODE_TUPLE:
        return visit_sequence(e, value);
    case CODE_SET:
    case CODE_FROZENSET:
        return visit_iterable(e, value);
    case CODE_DICT:
        return visit_dict_entries(e, value);
    case CODE_INSTANCE:
        return instance_expand(e, kind, value);
    default: {
        PyObject *result = PyObject_CallFunctionObjArgs(kind->expand, (PyObject *)e, value, NULL);
        Py_XDECREF(result);
        return result == NULL ? -1 : 0;
    }
    }
}

static PyObject *engine_exit_impl(Engine *e);

/* _close_to: closes frames left open past `depth`; warns when `owner`'s code left them. */
static int
close_to(Engine *e, size_t depth, PyObject *owner)
{
    if (e->open_len <= depth) {
        return 0;
    }
    if (owner != NULL
        && note_format(e, "%U: %zu enter() without exit(); the frames were closed for it", owner,
                       e->open_len - depth) < 0) {
        return -1;
    }
    while (e->open_len > depth) {
        PyObject *done = engine_exit_impl(e);
        if (done == NULL) {
            return -1;
        }
        Py_DECREF(done);
    }
    return 0;
}

/* _promote: every journaled object joins the seen set. */
static int
promote(Engine *e)
{
    for (size_t i = 0; i < e->journal_len; i++) {
        if (address_table_add(&e->seen, (void *)e->journal[i]) < 0) {
            return -1;
        }
    }
    note_peak(e);
    return 0;
}

/* _where: "Class.field" of the visit that failed, or the kind's name at a root. */
static PyObject *
where(Engine *e, Kind *kind)
{
    if (e->owner != NULL) {
        if (e->field != NULL && PyUnicode_GET_LENGTH(e->field)) {
            return PyUnicode_FromFormat("%U.%U", e->owner, e->field);
        }
        return Py_NewRef(e->owner);
    }
    return Py_NewRef(kind->name);
}

static int
is_mutation(PyObject *error)
{
    return call_truth(support.is_mutation, error);
}

static int enter_impl(Engine *e, PyObject *name, Py_ssize_t size);

/* _failed: an expansion raised. A changed container is visited again from a copy; any
 * other failure visits the object's referents under "[visit failed]". */
static int
failed(Engine *e, Kind *kind, PyObject *value, PyObject *error, size_t base)
{
    if (promote(e) < 0 || close_to(e, base, NULL) < 0) {
        return -1;
    }
    int mutation = is_mutation(error);
    if (mutation < 0) {
        return -1;
    }
    PyObject *place = where(e, kind);
    if (place == NULL) {
        return -1;
    }
    PyObject *copy = mutation ? PyObject_CallOneArg(support.contents_copy, value) : Py_NewRef(Py_None);
    if (copy == NULL) {
        Py_DECREF(place);
        return -1;
    }
    if (copy != Py_None) {
        int noted = note_format(e, "%U: %U", place, support.changed);
        Py_DECREF(place);
        PyObject *done = noted < 0 ? NULL
                                   : PyObject_CallFunctionObjArgs(support.expand_contents,
                                                                  (PyObject *)e, copy, NULL);
        Py_DECREF(copy);
        Py_XDECREF(done);
        return done == NULL ? -1 : 0;
    }
    Py_DECREF(copy);
    int noted = note_format(e, "%U: visit raised %s: %S; the rest is measured by type under '%U'",
                            place, Py_TYPE(error)->tp_name, error, support.visit_failed);
    Py_DECREF(place);
    if (noted < 0 || enter_impl(e, support.visit_failed, 0) < 0) {
        return -1;
    }
    PyObject *referents = PyObject_CallOneArg(support.referents, value);
    if (referents == NULL) {
        return -1;
    }
    int result = 0;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(referents) && result == 0; i++) {
        PyObject *referent = PyList_GET_ITEM(referents, i);
        if (referent != (PyObject *)Py_TYPE(value)) {
            result = engine_visit_item(e, referent, 0);
        }
    }
    Py_DECREF(referents);
    PyObject *done = result < 0 ? NULL : engine_exit_impl(e);
    Py_XDECREF(done);
    return done == NULL ? -1 : 0;
}

/* _expand_now: what `value` refers to; a failure becomes a warning and a frame. */
static int
expand_now(Engine *e, Kind *kind, PyObject *value)
{
    size_t base = e->open_len;
    size_t mark = e->journal_len;
    if (expand(e, kind, value) < 0) {
        if (!PyErr_ExceptionMatches(PyExc_Exception)) {
            return -1; /* KeyboardInterrupt, SystemExit: not the measurement's to handle */
        }
        PyObject *error = PyErr_GetRaisedException();
        int result = failed(e, kind, value, error, base);
        Py_DECREF(error);
        if (result < 0) {
            return -1;
        }
    }
    if (e->journal_len > mark) {
        e->journal_len = mark;
    }
    if (e->open_len > base) {
        return close_to(e, base, kind->name);
    }
    return 0;
}

/* _drain: expands pushed objects until none is left, in depth-first field order. */
static int
drain(Engine *e)
{
    Entry entry;
    while (e->stack_len) {
        size_t mark = --e->stack_len;
        memcpy(&entry, pending_at(e, mark), e->stride);
        if (e->frames) {
            e->node = entry.node;
            e->depth = entry.depth;
            Py_XSETREF(e->owner, entry.owner);
            Py_XSETREF(e->field, entry.field);
        }
        int result = expand_now(e, entry.head.kind, entry.head.value);
        Py_DECREF(entry.head.value);
        if (result < 0) {
            return -1;
        }
        for (size_t i = mark, j = e->stack_len; i + 1 < j; i++, j--) {
            memcpy(&entry, pending_at(e, i), e->stride);
            memcpy(pending_at(e, i), pending_at(e, j - 1), e->stride);
            memcpy(pending_at(e, j - 1), &entry, e->stride);
        }
    }
    return 0;
}

/* -- typed visits ---------------------------------------------------------------------- */

/* Whether a typed visit may file two frames at once (no rounding, depth to spare). */
static inline int
fast(Engine *e)
{
    return !e->overhead && e->depth + 2 <= e->max_depth;
}

static int
typed_leaf(Engine *e, PyObject *name, PyObject *type_name, Py_ssize_t size)
{
    Node *field = child(e, e->node, name);
    Node *leaf = field == NULL ? NULL : child(e, field, type_name);
    if (leaf == NULL) {
        return -1;
    }
    leaf->self_size += size;
    return 0;
}

static int
visit_str_impl(Engine *e, PyObject *name, PyObject *value)
{
    if (!PyUnicode_CheckExact(value) || !fast(e)) {
        return engine_visit_field(e, name, value);
    }
    if (str_owned_by_nobody(value)) {
        return 0;
    }
    int claimed = claim_shortcut(e, value, EXCLUSIVE_REFS);
    return claimed <= 0 ? claimed : typed_leaf(e, name, support.str, str_size(value));
}

static int
visit_int_impl(Engine *e, PyObject *name, PyObject *value)
{
    if (!PyLong_CheckExact(value) || !fast(e)) {
        return engine_visit_field(e, name, value);
    }
    if (is_small_int(value)) {
        return 0;
    }
    int claimed = claim_shortcut(e, value, EXCLUSIVE_REFS);
    return claimed <= 0 ? claimed : typed_leaf(e, name, support.int_, int_size(value));
}

static int
visit_float_impl(Engine *e, PyObject *name, PyObject *value)
{
    if (!PyFloat_CheckExact(value) || !fast(e)) {
        return engine_visit_field(e, name, value);
    }
    int claimed = claim_shortcut(e, value, EXCLUSIVE_REFS);
    return claimed <= 0 ? claimed : typed_leaf(e, name, support.float_, FLOAT_SIZE);
}

static int
visit_bytes_impl(Engine *e, PyObject *name, PyObject *value)
{
    if (!PyBytes_CheckExact(value) || !fast(e)) {
        return engine_visit_field(e, name, value);
    }
    if (PyBytes_GET_SIZE(value) < 2) {
        return 0;
    }
    int claimed = claim_shortcut(e, value, EXCLUSIVE_REFS);
    return claimed <= 0 ? claimed : typed_leaf(e, name, support.bytes, bytes_size(value));
}

/* _visit_any_field: a dict key or value of no declared scalar type. */
static int
visit_any(Engine *e, PyObject *name, PyObject *value)
{
    PyTypeObject *tp = Py_TYPE(value);
    if (tp == &PyUnicode_Type) {
        return visit_str_impl(e, name, value);
    }
    if (tp == &PyLong_Type) {
        return visit_int_impl(e, name, value);
    }
    if (tp == &PyFloat_Type) {
        return visit_float_impl(e, name, value);
    }
    if (tp == &PyBytes_Type) {
        return visit_bytes_impl(e, name, value);
    }
    return engine_visit_named(e, name, value);
}

/* The scalar visit for a declared element type, or the dynamic one. */
static int
visit_declared(Engine *e, PyObject *declared, PyObject *name, PyObject *value)
{
    if (declared == (PyObject *)&PyUnicode_Type) {
        return visit_str_impl(e, name, value);
    }
    if (declared == (PyObject *)&PyLong_Type) {
        return visit_int_impl(e, name, value);
    }
    if (declared == (PyObject *)&PyFloat_Type) {
        return visit_float_impl(e, name, value);
    }
    if (declared == (PyObject *)&PyBytes_Type) {
        return visit_bytes_impl(e, name, value);
    }
    return visit_any(e, name, value);
}

/* _entries: a dict's keys and values; strings, ints and floats counted inline and filed
 * when the loop ends (also when it raises), what they claimed without the seen set
 * journaled. */
static int
fill_entries(Engine *e, PyObject *dict)
{
    Node *node = e->node;
    Py_ssize_t keys = 0, floats = 0, ints = 0;
    Py_ssize_t position = 0, length = PyDict_GET_SIZE(dict);
    PyObject *key, *item;
    int result = 0;
    while (result == 0 && PyDict_Next(dict, &position, &key, &item)) {
        Py_INCREF(key);
        Py_INCREF(item);
        if (PyUnicode_CheckExact(key) && PyUnicode_GET_LENGTH(key) > 1) {
            if (!PyUnicode_CHECK_INTERNED(key)) {
                int claimed = claim_shortcut(e, key, EXCLUSIVE_REFS);
                if (claimed > 0) {
                    keys += str_size(key);
                }
                result = claimed < 0 ? -1 : 0;
            }
        }
        else {
            result = visit_any(e, support.key, key);
        }
        if (result == 0) {
            PyTypeObject *tp = Py_TYPE(item);
            if (tp == &PyFloat_Type) {
                int claimed = claim_shortcut(e, item, EXCLUSIVE_REFS);
                floats += claimed > 0 ? FLOAT_SIZE : 0;
                result = claimed < 0 ? -1 : 0;
            }
            else if (tp == &PyLong_Type) {
                if (!is_small_int(item)) {
                    int claimed = claim_shortcut(e, item, EXCLUSIVE_REFS);
                    ints += claimed > 0 ? int_size(item) : 0;
                    result = claimed < 0 ? -1 : 0;
                }
            }
            else {
                result = visit_any(e, support.value, item);
            }
        }
        Py_DECREF(key);
        Py_DECREF(item);
        if (result == 0 && PyDict_GET_SIZE(dict) != length) {
            result = changed_size();
        }
    }
    PyObject *raised = result < 0 ? PyErr_GetRaisedException() : NULL;
    int filed = 0;
    if (keys) {
        filed |= typed_leaf(e, support.key, support.str, keys);
    }
    if (floats || ints) {
        Node *field = child(e, node, support.value);
        filed |= field == NULL ? -1 : 0;
        if (field != NULL && floats) {
            filed |= add_to(e, field, support.float_, floats);
        }
        if (field != NULL && ints) {
            filed |= add_to(e, field, support.int_, ints);
        }
    }
    if (raised != NULL) {
        if (filed < 0) {
            Py_DECREF(raised);
            return -1;
        }
        PyErr_SetRaisedException(raised);
        return -1;
    }
    return filed < 0 ? -1 : 0;
}

/* _visit_entries: a dict's entries by their declared types, when depth is short. */
static int
fill_entries_declared(Engine *e, PyObject *dict, PyObject *key_type, PyObject *item_type)
{
    Py_ssize_t position = 0, length = PyDict_GET_SIZE(dict);
    PyObject *key, *item;
    while (PyDict_Next(dict, &position, &key, &item)) {
        Py_INCREF(key);
        Py_INCREF(item);
        int result = visit_declared(e, key_type, support.key, key);
        if (result == 0) {
            result = visit_declared(e, item_type, support.value, item);
        }
        Py_DECREF(key);
        Py_DECREF(item);
        if (result < 0) {
            return -1;
        }
        if (PyDict_GET_SIZE(dict) != length) {
            return changed_size();
        }
    }
    return 0;
}

/* count_floats: how many of a container's floats are new; other elements by type. */
static int
fill_floats(Engine *e, PyObject *items, Node *node)
{
    PyObject *sequence = PySequence_Fast(items, "a container");
    if (sequence == NULL) {
        return -1;
    }
    Py_ssize_t exclusive = EXCLUSIVE_REFS + (sequence == items ? 0 : 1);
    Py_ssize_t added = 0;
    int result = 0;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(sequence) && result == 0; i++) {
        PyObject *element = PySequence_Fast_GET_ITEM(sequence, i);
        Py_INCREF(element);
        if (PyFloat_CheckExact(element)) {
            int claimed =
                Py_REFCNT(element) > exclusive ? claim_seen(e, element, exclusive - 1) : 1;
            added += claimed > 0;
            result = claimed < 0 ? -1 : 0;
        }
        else {
            result = engine_visit_item(e, element, 0);
        }
        Py_DECREF(element);
    }
    Py_DECREF(sequence);
    if (result == 0 && added) {
        result = add_to(e, node, support.float_, added * FLOAT_SIZE);
    }
    return result;
}

/* _refill: a typed visit's loop over field `name`'s container raised; visit it again. */
static int
refill(Engine *e, PyObject *name, PyObject *value)
{
    if (!PyErr_ExceptionMatches(PyExc_RuntimeError)) {
        return -1;
    }
    PyObject *error = PyErr_GetRaisedException();
    int mutation = is_mutation(error);
    if (mutation <= 0) {
        if (mutation == 0) {
            PyErr_SetRaisedException(error);
        }
        else {
            Py_DECREF(error);
        }
        return -1;
    }
    Py_DECREF(error);
    if (promote(e) < 0) {
        return -1;
    }
    PyObject *copy = PyObject_CallOneArg(support.contents_copy, value);
    if (copy == NULL) {
        return -1;
    }
    int noted = e->owner != NULL
                    ? note_format(e, "%U.%U: %U", e->owner, name, support.changed)
                    : note_format(e, "%s.%U: %U", Py_TYPE(value)->tp_name, name, support.changed);
    PyObject *done = noted < 0 ? NULL
                               : PyObject_CallFunctionObjArgs(support.expand_contents,
                                                              (PyObject *)e, copy, NULL);
    Py_DECREF(copy);
    Py_XDECREF(done);
    return done == NULL ? -1 : 0;
}

/* _fill_container: a claimed built-in container's bytes under `name`, and its elements
 * now; when another thread changes it meanwhile, the rest is visited from a copy. */
static int
fill_container(Engine *e, PyObject *name, KindCode code, PyObject *value, PyObject *item,
               PyObject *key)
{
    set_context(&e->field, name);
    Node *parent = e->node;
    int depth = e->depth;
    PyObject *type_name = code == CODE_LIST ? support.list : code == CODE_DICT ? support.dict : NULL;
    Kind *kind = NULL;
    if (type_name == NULL) {
        kind = engine_kind(e, value);
        if (kind == NULL) {
            return -1;
        }
        type_name = kind->name;
    }
    Node *field = child(e, parent, name);
    Node *node = field == NULL ? NULL : child(e, field, type_name);
    if (node == NULL) {
        return -1;
    }
    Py_ssize_t size, unused;
    if (code == CODE_LIST) {
        size = list_size(value);
        unused = list_unused(value);
    }
    else if (code == CODE_DICT) {
        size = dict_size(value);
        unused = size < 0 ? -1 : dict_unused(value);
    }
    else if (code == CODE_TUPLE) {
        size = tuple_size(value);
        unused = 0;
    }
    else {
        size = set_size(value);
        unused = set_unused(value);
    }
    if (size < 0 || unused < 0) {
        return -1;
    }
    node->self_size += size - unused;
    if (unused && add_to(e, node, support.unused_capacity, unused) < 0) {
        return -1;
    }
    e->node = node;
    e->depth = depth + 2;
    int result;
    if (code == CODE_DICT) {
        result = depth + 4 <= e->max_depth ? fill_entries(e, value)
                                           : fill_entries_declared(e, value, key, item);
    }
    else if (item == (PyObject *)&PyFloat_Type) {
        result = fill_floats(e, value, node);
    }
    else if (code == CODE_LIST || code == CODE_TUPLE) {
        result = visit_sequence(e, value);
    }
    else {
        result = visit_iterable(e, value);
    }
    if (result < 0) {
        result = refill(e, name, value);
    }
    e->node = parent;
    e->depth = depth;
    return result;
}

/* visit_list / visit_tuple / visit_set / visit_dict: a container of the declared type takes
 * the fast path; anything else (empty, another type) is visited by its run-time type. */
static int
visit_container(Engine *e, PyObject *name, PyObject *value, KindCode code, PyObject *item,
                PyObject *key)
{
    PyTypeObject *tp = Py_TYPE(value);
    int matches = code == CODE_LIST    ? tp == &PyList_Type && PyList_GET_SIZE(value)
                  : code == CODE_TUPLE ? tp == &PyTuple_Type && PyTuple_GET_SIZE(value)
                  : code == CODE_DICT  ? tp == &PyDict_Type && PyDict_GET_SIZE(value)
                                       : (tp == &PySet_Type || tp == &PyFrozenSet_Type)
                                            && PySet_GET_SIZE(value);
    if (!matches || !fast(e)) {
        return engine_visit_field(e, name, value);
    }
    int claimed = claim_shortcut(e, value, EXCLUSIVE_REFS);
    if (claimed <= 0) {
        return claimed;
    }
    return fill_container(e, name, code, value, item, key);
}

/* -- frames the methods open: enter / exit -------------------------------------------- */

static int
enter_impl(Engine *e, PyObject *name, Py_ssize_t size)
{
    if (e->open_len == e->open_cap) {
        size_t capacity = e->open_cap ? e->open_cap * 2 : 16;
        Open *bigger = PyMem_Realloc(e->open, capacity * sizeof(Open));
        if (bigger == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        e->open = bigger;
        e->open_cap = capacity;
    }
    e->open[e->open_len++] = (Open){e->node, e->depth};
    if (e->depth < e->max_depth) {
        Node *node = child(e, e->node, name);
        if (node == NULL) {
            return -1;
        }
        e->node = node;
        e->depth += 1;
    }
    e->node->self_size += size;
    return 0;
}

static PyObject *
engine_exit_impl(Engine *e)
{
    if (e->open_len == 0) {
        if (note_format(e, "exit() without enter(); ignored") < 0) {
            return NULL;
        }
        Py_RETURN_NONE;
    }
    Open open = e->open[--e->open_len];
    e->node = open.node;
    e->depth = open.depth;
    Py_RETURN_NONE;
}

/* -- the Python methods ---------------------------------------------------------------- */

static PyObject *
none_or_null(int result)
{
    if (result < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static int
check_args(const char *name, Py_ssize_t nargs, Py_ssize_t low, Py_ssize_t high)
{
    if (nargs < low || nargs > high) {
        PyErr_Format(PyExc_TypeError, "%s() takes %zd to %zd arguments (%zd given)", name,
                     low, high, nargs);
        return -1;
    }
    return 0;
}

static int
check_name(PyObject *name)
{
    if (!PyUnicode_Check(name)) {
        PyErr_Format(PyExc_TypeError, "a frame name must be a str, not %.100s",
                     Py_TYPE(name)->tp_name);
        return -1;
    }
    return 0;
}

/* A field visit given a temporary, which only the calling method's stack holds (a property,
 * a bound method, a class attribute read through getattr, a computed value): it is not part
 * of the tree and is not counted; walking it could meet objects of the tree through
 * references made after they were claimed without the seen set. 1 when `value` is one. */
static int
temporary(Engine *e, PyObject *name, PyObject *value)
{
    if (Py_REFCNT(value) >= EXCLUSIVE_REFS) {
        return 0;
    }
    int noted = e->owner != NULL ? note_format(e, "%U.%U: %U", e->owner, name, support.temporary)
                                 : note_format(e, "%U: %U", name, support.temporary);
    return noted < 0 ? -1 : 1;
}

#define NAMED_VISIT(function, call, held)                                                   \
    static PyObject *function(Engine *e, PyObject *const *args, Py_ssize_t nargs)           \
    {                                                                                        \
        if (check_args(#function, nargs, 2, 2) < 0 || check_name(args[0]) < 0) {            \
            return NULL;                                                                     \
        }                                                                                    \
        if (held) {                                                                          \
            int made = temporary(e, args[0], args[1]);                                       \
            if (made != 0) {                                                                 \
                return none_or_null(made);                                                   \
            }                                                                                \
        }                                                                                    \
        return none_or_null(call(e, args[0], args[1]));                                      \
    }

NAMED_VISIT(visit_field, engine_visit_field, 1)
NAMED_VISIT(visit_named, engine_visit_named, 0)
NAMED_VISIT(visit_opaque, engine_visit_opaque, 1)
NAMED_VISIT(visit_str, visit_str_impl, 1)
NAMED_VISIT(visit_int, visit_int_impl, 1)
NAMED_VISIT(visit_float, visit_float_impl, 1)
NAMED_VISIT(visit_bytes, visit_bytes_impl, 1)

static PyObject *
visit_item(Engine *e, PyObject *value)
{
    return none_or_null(engine_visit_item(e, value, 0));
}

#define CONTAINER_VISIT(function, code)                                                     \
    static PyObject *function(Engine *e, PyObject *const *args, Py_ssize_t nargs)           \
    {                                                                                        \
        if (check_args(#function, nargs, 2, 3) < 0 || check_name(args[0]) < 0) {            \
            return NULL;                                                                     \
        }                                                                                    \
        int made = temporary(e, args[0], args[1]);                                           \
        if (made != 0) {                                                                     \
            return none_or_null(made);                                                       \
        }                                                                                    \
        PyObject *item = nargs > 2 ? args[2] : Py_None;                                      \
        return none_or_null(visit_container(e, args[0], args[1], code, item, Py_None));      \
    }

CONTAINER_VISIT(visit_list, CODE_LIST)
CONTAINER_VISIT(visit_tuple, CODE_TUPLE)
CONTAINER_VISIT(visit_set, CODE_SET)

static PyObject *
visit_dict(Engine *e, PyObject *const *args, Py_ssize_t nargs)
{
    if (check_args("visit_dict", nargs, 2, 4) < 0 || check_name(args[0]) < 0) {
        return NULL;
    }
    int made = temporary(e, args[0], args[1]);
    if (made != 0) {
        return none_or_null(made);
    }
    PyObject *key = nargs > 2 ? args[2] : Py_None;
    PyObject *item = nargs > 3 ? args[3] : Py_None;
    return none_or_null(visit_container(e, args[0], args[1], CODE_DICT, item, key));
}

static PyObject *
visit_simple(Engine *e, PyObject *const *args, Py_ssize_t nargs)
{
    if (check_args("visit_simple", nargs, 2, 2) < 0 || check_name(args[0]) < 0) {
        return NULL;
    }
    Py_ssize_t size = PyLong_AsSsize_t(args[1]);
    if (size == -1 && PyErr_Occurred()) {
        return NULL;
    }
    return none_or_null(add_to(e, e->node, args[0], size));
}

static PyObject *
enter(Engine *e, PyObject *const *args, Py_ssize_t nargs)
{
    if (check_args("enter", nargs, 1, 2) < 0 || check_name(args[0]) < 0) {
        return NULL;
    }
    Py_ssize_t size = nargs > 1 ? PyLong_AsSsize_t(args[1]) : 0;
    if (size == -1 && PyErr_Occurred()) {
        return NULL;
    }
    return none_or_null(enter_impl(e, args[0], size));
}

static PyObject *
exit_(Engine *e, PyObject *unused)
{
    (void)unused;
    return engine_exit_impl(e);
}

static PyObject *
skip(Engine *e, PyObject *name)
{
    (void)e;
    if (check_name(name) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/* visit_field_with: `fn(value, visitor)` inside frame `name`; a raising fn is a warning and
 * the value is measured by type under "[visit failed]". */
static PyObject *
visit_field_with(Engine *e, PyObject *const *args, Py_ssize_t nargs)
{
    if (check_args("visit_field_with", nargs, 3, 3) < 0 || check_name(args[0]) < 0) {
        return NULL;
    }
    PyObject *name = args[0], *value = args[1], *visit = args[2];
    int made = temporary(e, name, value);
    if (made != 0) {
        return none_or_null(made);
    }
    if (enter_impl(e, name, 0) < 0) {
        return NULL;
    }
    size_t depth = e->open_len;
    PyObject *result = PyObject_CallFunctionObjArgs(visit, value, (PyObject *)e, NULL);
    PyObject *qualname = PyObject_GetAttr(visit, support.qualname_name);
    if (qualname == NULL) {
        PyErr_Clear();
        qualname = PyObject_Repr(visit);
        if (qualname == NULL) {
            Py_XDECREF(result);
            return NULL;
        }
    }
    int status = 0;
    if (result == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_Exception)) {
            Py_DECREF(qualname);
            return NULL;
        }
        PyObject *error = PyErr_GetRaisedException();
        status = promote(e);
        status = status < 0 ? -1 : close_to(e, depth, NULL);
        status = status < 0 ? -1
                            : note_format(e,
                                          "%U: custom visit raised %s: %S; the value is measured "
                                          "by type under '%U'",
                                          qualname, Py_TYPE(error)->tp_name, error,
                                          support.visit_failed);
        Py_DECREF(error);
        status = status < 0 ? -1 : engine_visit_field(e, support.visit_failed, value);
    }
    else {
        Py_DECREF(result);
        status = close_to(e, depth, qualname);
    }
    Py_DECREF(qualname);
    if (status < 0) {
        return NULL;
    }
    return engine_exit_impl(e);
}

/* -- what the class measurement (allocative/_instances.py) asks of an engine ------------ */

static PyObject *
mark(Engine *e, PyObject *unused)
{
    (void)unused;
    return PyLong_FromSize_t(e->journal_len);
}

static PyObject *
claimed_since(Engine *e, PyObject *mark_object)
{
    Py_ssize_t start = PyLong_AsSsize_t(mark_object);
    if (start == -1 && PyErr_Occurred()) {
        return NULL;
    }
    PyObject *ids = PySet_New(NULL);
    for (size_t i = (size_t)(start < 0 ? 0 : start); ids != NULL && i < e->journal_len; i++) {
        PyObject *id = PyLong_FromVoidPtr((void *)e->journal[i]);
        if (id == NULL || PySet_Add(ids, id) < 0) {
            Py_XDECREF(id);
            Py_CLEAR(ids);
            break;
        }
        Py_DECREF(id);
    }
    return ids;
}

int
engine_is_new(Engine *e, PyObject *value, PyObject **here, size_t here_len)
{
    for (size_t i = 0; i < here_len; i++) {
        if (here[i] == value) {
            return 0;
        }
    }
    if (is_counted(e, value)) {
        return 0;
    }
    Kind *kind = engine_kind(e, value);
    if (kind == NULL) {
        return -1;
    }
    int zero = owned_by_nobody(kind, value);
    return zero < 0 ? -1 : !zero;
}

/* _meet_again: a reference to `value` that another name of the tree already claimed; in
 * reference mode it is counted. The caller's temporaries are not known: 0. */
static PyObject *
meet_again(Engine *e, PyObject *value)
{
    if (e->references && references_met(&e->met, value) > 0
        && references_meet(&e->met, value, 0) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
is_new(Engine *e, PyObject *const *args, Py_ssize_t nargs)
{
    if (check_args("_is_new", nargs, 2, 2) < 0) {
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
    if (fresh < 0) {
        return NULL;
    }
    return PyBool_FromLong(fresh);
}

static PyObject *
promote_method(Engine *e, PyObject *unused)
{
    (void)unused;
    return none_or_null(promote(e));
}

static PyObject *
open_depth(Engine *e, PyObject *unused)
{
    (void)unused;
    return PyLong_FromSize_t(e->open_len);
}

static PyObject *
close_to_method(Engine *e, PyObject *const *args, Py_ssize_t nargs)
{
    if (check_args("_close_to", nargs, 2, 2) < 0) {
        return NULL;
    }
    Py_ssize_t depth = PyLong_AsSsize_t(args[0]);
    if (depth == -1 && PyErr_Occurred()) {
        return NULL;
    }
    return none_or_null(close_to(e, (size_t)depth, args[1] == Py_None ? NULL : args[1]));
}

static PyObject *
note(Engine *e, PyObject *message)
{
    return none_or_null(engine_note_text(e, message));
}

static PyObject *
refill_method(Engine *e, PyObject *const *args, Py_ssize_t nargs)
{
    if (check_args("_refill", nargs, 3, 3) < 0) {
        return NULL;
    }
    PyErr_SetObject((PyObject *)Py_TYPE(args[2]), args[2]);
    int result = refill(e, args[0], args[1]);
    if (result < 0 && PyErr_Occurred()) {
        /* not a change by another thread: the caller's own error, as the pure engine raises */
        return NULL;
    }
    return none_or_null(result);
}

/* -- measuring: size_of, visit_root, finish ------------------------------------------- */

/* size_of: the total bytes of `value`'s tree (size mode). */
static PyObject *
measure(Engine *e, PyObject *value)
{
    if (engine_visit_item(e, value, 0) < 0 || drain(e) < 0) {
        return NULL;
    }
    note_peak(e);
    return PyLong_FromLongLong(e->root->self_size);
}

/* FrameVisitor.visit_root: `value`'s tree below the root, as `name` or its type's frame. */
static PyObject *
visit_root(Engine *e, PyObject *const *args, Py_ssize_t nargs)
{
    if (check_args("visit_root", nargs, 2, 2) < 0) {
        return NULL;
    }
    PyObject *value = args[0], *name = args[1];
    if (PyList_Append(e->roots, value) < 0) {
        return NULL;
    }
    e->node = e->root;
    e->depth = 0;
    int result;
    if (name == Py_None) {
        result = engine_visit_item(e, value, 0);
    }
    else {
        Kind *kind = engine_kind(e, value);
        int zero = kind == NULL ? -1 : owned_by_nobody(kind, value);
        result = zero < 0 ? -1 : 0;
        if (zero == 0) {
            int claimed = claim_seen(e, value, 0);
            result = claimed <= 0 ? claimed : account(e, e->root, 0, kind, value, name);
        }
    }
    if (result == 0) {
        result = drain(e);
    }
    e->node = e->root;
    e->depth = 0;
    note_peak(e);
    return none_or_null(result);
}

static void
release_impl(Engine *e)
{
    while (e->stack_len) {
        drop_entry(e, --e->stack_len);
    }
    address_table_clear(&e->seen);
    references_clear(&e->met);
    e->journal_len = 0;
    if (e->roots != NULL) {
        (void)PyList_SetSlice(e->roots, 0, PyList_GET_SIZE(e->roots), NULL);
    }
    Py_CLEAR(e->owner);
    Py_CLEAR(e->field);
}

/* finish(): (FrameTree, warnings); the engine keeps nothing of what it measured and starts
 * a new, empty tree. */
static PyObject *
finish(Engine *e, PyObject *unused)
{
    (void)unused;
    release_impl(e);
    if (kinds_report_reflected(&e->kinds, e->reflected) < 0) {
        return NULL;
    }
    kinds_clear(&e->kinds);
    CoreState *state = core_state(PyType_GetModule(Py_TYPE(e)));
    Frames fresh;
    if (frames_init(&fresh) < 0) {
        return NULL;
    }
    PyObject *graph = frames_take(&e->tree, state->frame_tree_type);
    if (graph == NULL) {
        frames_free(&fresh);
        return NULL;
    }
    e->tree = fresh;
    e->root = e->tree.root;
    e->node = e->root;
    PyObject *warnings = PyObject_CallFunction(
        support.finish_warnings, "OOii", e->reflected, e->notes, e->truncated, e->max_depth);
    if (warnings == NULL) {
        Py_DECREF(graph);
        return NULL;
    }
    return Py_BuildValue("(NN)", graph, warnings);
}

/* The objects met that something outside the tree holds too, and how many references each
 * root has beyond the tree's and the engine's: (outside, [held, ...]), after measure() in
 * reference mode. A root's own measure() is not a reference to it. */
typedef struct {
    AddressTable roots;
    PyObject *outside;
} Outside;

static int
by_address(const void *a, const void *b)
{
    uintptr_t left = (uintptr_t)*(PyObject *const *)a, right = (uintptr_t)*(PyObject *const *)b;
    return (left > right) - (left < right);
}

static int
collect_outside(PyObject *object, Py_ssize_t outside, void *arg)
{
    Outside *collect = arg;
    if (outside <= 0 || address_table_contains(&collect->roots, object)) {
        return 0;
    }
    return PyList_Append(collect->outside, object);
}

static PyObject *
outside(Engine *e, PyObject *roots)
{
    if (!PyList_CheckExact(roots)) {
        PyErr_SetString(PyExc_TypeError, "_outside() takes the list of roots");
        return NULL;
    }
    if (!e->references) {
        PyErr_SetString(PyExc_RuntimeError, "_outside() needs an Engine(references=True)");
        return NULL;
    }
    Outside collect = {ADDRESS_TABLE_EMPTY, PyList_New(0)};
    PyObject *held = PyList_New(0);
    int result = collect.outside == NULL || held == NULL ? -1 : 0;
    for (Py_ssize_t i = 0; result == 0 && i < PyList_GET_SIZE(roots); i++) {
        PyObject *root = PyList_GET_ITEM(roots, i);
        /* The root's first meeting is its own measurement, not a reference to it. */
        Py_ssize_t measured = references_met(&e->met, root) > 0;
        PyObject *count = PyLong_FromSsize_t(references_beyond(&e->met, root) + measured);
        result = count == NULL || address_table_add(&collect.roots, root) < 0
                         || PyList_Append(held, count) < 0
                     ? -1
                     : 0;
        Py_XDECREF(count);
    }
    if (result == 0) {
        result = references_drain(&e->met, collect_outside, &collect);
    }
    if (result == 0) {
        /* In address order: walking what they reach then goes through memory in the order
         * it was allocated, not in the table's hash order (fewer cache and TLB misses). */
        PyObject **items = ((PyListObject *)collect.outside)->ob_item;
        qsort(items, (size_t)PyList_GET_SIZE(collect.outside), sizeof(PyObject *), by_address);
    }
    address_table_clear(&collect.roots);
    if (result < 0) {
        Py_XDECREF(collect.outside);
        Py_XDECREF(held);
        return NULL;
    }
    return Py_BuildValue("(NN)", collect.outside, held);
}

/* Enters every object `other` has claimed in this engine's seen set: they are not counted. */
static PyObject *
exclude_claimed(Engine *e, PyObject *other)
{
    if (Py_TYPE(other) != Py_TYPE(e)) {
        PyErr_SetString(PyExc_TypeError, "_exclude_claimed() takes another Engine");
        return NULL;
    }
    if (address_table_add_all(&e->seen, &((Engine *)other)->seen) < 0) {
        return NULL;
    }
    note_peak(e);
    Py_RETURN_NONE;
}

static PyObject *
release(Engine *e, PyObject *unused)
{
    (void)unused;
    release_impl(e);
    kinds_clear(&e->kinds);
    Py_RETURN_NONE;
}

static PyObject *
bookkeeping(Engine *e, PyObject *unused)
{
    (void)unused;
    note_peak(e);
    return Py_BuildValue("{s:n,s:n,s:n,s:n,s:n}", "peak", (Py_ssize_t)e->peak_bookkeeping,
                         "seen", (Py_ssize_t)address_table_memory(&e->seen), "stack",
                         (Py_ssize_t)(e->stack_cap * e->stride), "journal",
                         (Py_ssize_t)(e->journal_cap * sizeof(uintptr_t)), "frames",
                         (Py_ssize_t)(e->frames ? frames_memory(&e->tree) : 0));
}

/* -- the type ------------------------------------------------------------------------ */

static PyObject *
get_context(PyObject *value)
{
    return Py_NewRef(value != NULL ? value : support.empty);
}

static PyObject *
get_owner(Engine *e, void *closure)
{
    (void)closure;
    return get_context(e->owner);
}

static PyObject *
get_field(Engine *e, void *closure)
{
    (void)closure;
    return get_context(e->field);
}

static int
set_context_attribute(PyObject **slot, PyObject *value)
{
    if (value == NULL || !PyUnicode_Check(value)) {
        PyErr_SetString(PyExc_TypeError, "must be a str");
        return -1;
    }
    set_context(slot, PyUnicode_GET_LENGTH(value) ? value : NULL);
    return 0;
}

static int
set_owner(Engine *e, PyObject *value, void *closure)
{
    (void)closure;
    return set_context_attribute(&e->owner, value);
}

static int
set_field(Engine *e, PyObject *value, void *closure)
{
    (void)closure;
    return set_context_attribute(&e->field, value);
}

static PyGetSetDef engine_getset[] = {
    {"_owner", (getter)get_owner, (setter)set_owner, "The class being visited, for warnings.", NULL},
    {"_field", (getter)get_field, (setter)set_field, "The field being visited, for warnings.", NULL},
    {NULL},
};

#define FAST(name, function, doc) {name, (PyCFunction)(void (*)(void))function, METH_FASTCALL, doc}

static PyMethodDef engine_methods[] = {
    FAST("visit_field", visit_field, "Visit `value` under frame `name`, by its run-time type."),
    {"visit_item", (PyCFunction)visit_item, METH_O, "Visit a container element by its type."},
    FAST("visit_opaque", visit_opaque, "Count `value`'s own bytes under `name`, nothing below."),
    FAST("visit_simple", visit_simple, "Report `size` bytes that are not a Python object."),
    FAST("enter", enter, "Open frame `name` holding `size` bytes."),
    {"exit", (PyCFunction)exit_, METH_NOARGS, "Close the frame the last enter() opened."},
    {"skip", (PyCFunction)skip, METH_O, "Declare that field `name` is deliberately not visited."},
    FAST("visit_field_with", visit_field_with, "Visit `value` under `name` with fn(value, v)."),
    FAST("visit_str", visit_str, "Visit a field declared str."),
    FAST("visit_int", visit_int, "Visit a field declared int."),
    FAST("visit_float", visit_float, "Visit a field declared float."),
    FAST("visit_bytes", visit_bytes, "Visit a field declared bytes."),
    FAST("visit_list", visit_list, "Visit a field declared list[item]."),
    FAST("visit_tuple", visit_tuple, "Visit a field declared tuple[item, ...]."),
    FAST("visit_set", visit_set, "Visit a field declared set[item] or frozenset[item]."),
    FAST("visit_dict", visit_dict, "Visit a field declared dict[key, item]."),
    FAST("_visit_named", visit_named, "The engine's own named visits."),
    {"_mark", (PyCFunction)mark, METH_NOARGS, "A mark in the journal."},
    {"_claimed_since", (PyCFunction)claimed_since, METH_O, "Ids journaled since a mark."},
    FAST("_is_new", is_new, "Whether a value would be counted now."),
    {"_meet_again", (PyCFunction)meet_again, METH_O, "Count a reference met again."},
    {"_promote", (PyCFunction)promote_method, METH_NOARGS, "Journal into the seen set."},
    {"_open_depth", (PyCFunction)open_depth, METH_NOARGS, "Frames enter() left open."},
    FAST("_close_to", close_to_method, "Close frames left open past a depth."),
    {"_note", (PyCFunction)note, METH_O, "Add a warning."},
    FAST("_refill", refill_method, "Visit a changed container again from a copy."),
    {"measure", (PyCFunction)measure, METH_O, "Total bytes of a tree (size mode)."},
    FAST("visit_root", visit_root, "Measure a root's tree into the flame graph."),
    {"finish", (PyCFunction)finish, METH_NOARGS, "The flame graph and warnings."},
    {"release", (PyCFunction)release, METH_NOARGS, "Drop every reference to measured objects."},
    {"_outside", (PyCFunction)outside, METH_O, "Objects held from outside; roots' references."},
    {"_exclude_claimed", (PyCFunction)exclude_claimed, METH_O, "Skip what another engine claimed."},
    {"bookkeeping", (PyCFunction)bookkeeping, METH_NOARGS, "Peak bytes of bookkeeping."},
    {NULL},
};

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
    if (support_init() < 0 || sizes_init() < 0) {
        return -1;
    }
    e->frames = frames;
    e->references = references;
    e->stride = frames ? sizeof(Entry) : sizeof(Pending);
    e->overhead = overhead;
    e->max_depth = frames ? max_depth : INT_MAX;
    e->custom = custom != NULL ? Py_NewRef(custom) : PyDict_New();
    e->notes = PyDict_New();
    e->reflected = PyDict_New();
    e->roots = PyList_New(0);
    if (e->custom == NULL || e->notes == NULL || e->reflected == NULL || e->roots == NULL
        || frames_init(&e->tree) < 0) {
        return -1;
    }
    e->root = e->tree.root;
    e->node = e->root;
    return 0;
}

static int
engine_traverse(Engine *e, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(e));
    Py_VISIT(e->custom);
    Py_VISIT(e->notes);
    Py_VISIT(e->reflected);
    Py_VISIT(e->roots);
    for (size_t i = 0; i < e->stack_len; i++) {
        Py_VISIT(pending_at(e, i)->value);
    }
    if (references_traverse(&e->met, visit, arg) < 0) {
        return -1;
    }
    return kinds_traverse(&e->kinds, visit, arg);
}

static int
engine_clear(Engine *e)
{
    release_impl(e);
    kinds_clear(&e->kinds);
    Py_CLEAR(e->custom);
    Py_CLEAR(e->notes);
    Py_CLEAR(e->reflected);
    Py_CLEAR(e->roots);
    return 0;
}

static void
engine_dealloc(Engine *e)
{
    PyTypeObject *tp = Py_TYPE(e);
    PyObject_GC_UnTrack(e);
    engine_clear(e);
    frames_free(&e->tree);
    PyMem_Free(e->journal);
    PyMem_Free(e->stack);
    PyMem_Free(e->open);
    tp->tp_free((PyObject *)e);
    Py_DECREF(tp);
}

static PyType_Slot engine_slots[] = {
    {Py_tp_doc, "The compiled engine: the Visitor that __allocative__ methods call."},
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
