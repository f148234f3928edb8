/* The compiled engine: see engine.h. Each function names the pure engine's it follows. */
#include "engine.h"
#include "compat.h"
#include "layout.h"
#include "sizes.h"

#include <limits.h>
#include <string.h>

/* -- bookkeeping: journal, stack, open frames, warnings ------------------------------ */

/* Journals `value`: claimed without the seen set, held until its expansion ends. */
static int
journal_push(Engine *e, PyObject *value)
{
    if (e->journal_len == e->journal_cap) {
        size_t capacity = e->journal_cap ? e->journal_cap * 2 : 256;
        PyObject **bigger = PyMem_Realloc(e->journal, capacity * sizeof(PyObject *));
        if (bigger == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        e->journal = bigger;
        e->journal_cap = capacity;
    }
    e->journal[e->journal_len++] = Py_NewRef(value);
    return 0;
}

/* Drops the journal's references down to `mark`, newest first. A drop may free an object
 * the tree let go of meanwhile, and so run Python code that journals more: each entry is
 * taken off before its reference goes, so whatever is pushed meanwhile is dropped too. */
static void
journal_truncate(Engine *e, size_t mark)
{
    /* A long run (a big container's elements) was met long ago: ask for the objects'
     * counts ahead of the drops, so that their cache misses overlap. */
    while (e->journal_len > mark + PREFETCH_AHEAD) {
        size_t last = --e->journal_len;
        __builtin_prefetch(e->journal[last - PREFETCH_AHEAD], 1, 0);
        PyObject *value = e->journal[last];
        Py_DECREF(value);
    }
    while (e->journal_len > mark) {
        PyObject *value = e->journal[--e->journal_len];
        Py_DECREF(value);
    }
}

static void
note_peak(Engine *e)
{
    size_t now = address_table_memory(&e->seen) + references_memory(&e->met)
                 + e->journal_cap * sizeof(PyObject *)
                 + e->stack_cap * e->stride + e->open_cap * sizeof(Open);
    if (now > e->peak_bookkeeping) {
        e->peak_bookkeeping = now;
    }
}

/* Adds `size` bytes to a frame's count. A size no object can have (from a lying __sizeof__
 * or a visit function) could take the sum past what 64 bits hold: the count then stays at
 * its largest and the measurement raises OverflowError when it ends (check_total). */
static inline void
add_bytes(Engine *e, long long *into, Py_ssize_t size)
{
    if (__builtin_add_overflow(*into, (long long)size, into)) {
        *into = LLONG_MAX;
        e->overflowed = 1;
    }
}

/* Enters `value` in the address table, which then holds a reference to it, so that its
 * address stands for it alone until the measurement ends: 1 when new, 0 when there, -1
 * with MemoryError. */
static int
seen_add(Engine *e, PyObject *value)
{
    size_t capacity = e->seen.capacity;
    int added = address_table_add(&e->seen, value);
    if (added > 0) {
        Py_INCREF(value);
    }
    if (e->seen.capacity != capacity) {
        note_peak(e);
    }
    return added;
}

static void
drop_reference(void *address, void *unused)
{
    (void)unused;
    Py_DECREF((PyObject *)address);
}

/* Claims `value` in the seen set: 1 when new, 0 when counted before, -1 on error. */
static int
claim_seen(Engine *e, PyObject *value)
{
    if (e->references) {
        /* The reference table is the seen set; the address set holds only objects a
         * failed visit promoted from the journal (counted, with their one owner). */
        if (e->seen.count && address_table_contains(&e->seen, value)) {
            return 0;
        }
        size_t before = e->met.capacity;
        int added = references_meet(&e->met, value);
        if (e->met.capacity != before) {
            note_peak(e);
        }
        return added;
    }
    return seen_add(e, value);
}

/* Claims `value`, which its owner and the caller hold `exclusive` references to when no
 * one else does: then it is journaled instead of entered in the seen set (_claim). */
static int
claim_shortcut(Engine *e, PyObject *value, Py_ssize_t exclusive)
{
    if (Py_REFCNT(value) > exclusive) {
        return claim_seen(e, value);
    }
    return journal_push(e, value) < 0 ? -1 : 1;
}

/* Claims `value`; with `shortcut`, its finder (the engine) holds a reference to it. */
static int
claim_found(Engine *e, PyObject *value, int shortcut)
{
    if (!shortcut || e->overhead) {
        return claim_seen(e, value);
    }
    return claim_shortcut(e, value, ONE_OWNER_REFS);
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
 * with the rule and reported when the measurement ends. */
static inline void
note_reflective(Rule *rule, Py_ssize_t size)
{
    rule->reflected_count += 1;
    rule->reflected_bytes += size;
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
    add_bytes(e, &leaf->self_size, size);
    return 0;
}

static void
set_context(PyObject **slot, PyObject *value)
{
    Py_XSETREF(*slot, Py_XNewRef(value));
}

/* -- rules: zero, sizes, expansion ----------------------------------------------------- */

Rule *
engine_rule(Engine *e, PyObject *value)
{
    return rule_of(&e->rules, Py_TYPE(value), e->custom, e->support);
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
    if (size < 0 && !PyErr_Occurred()) {
        PyErr_SetString(PyExc_ValueError, "a size function returned a negative size");
    }
    return size;
}

/* Whether no data owns `value` (rule.zero): 1, 0, or -1 on error. */
static int
owned_by_nobody(Rule *rule, PyObject *value)
{
    switch (rule->code) {
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
        return rule->owned_by_nobody == Py_None ? 0 : call_truth(rule->owned_by_nobody, value);
    }
}

/* The object's own bytes (rule.size); -1 with an exception set on failure. */
static Py_ssize_t
own_size(Rule *rule, PyObject *value)
{
    switch (rule->code) {
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
        if (rule->size >= 0) {
            return rule->size;
        }
        Py_ssize_t size = call_size(rule->size_of, value);
        if (size >= 0 && rule->fixed_size) {
            rule->size = size;
        }
        return size;
    }
}

static int
has_unused(Rule *rule)
{
    switch (rule->code) {
    case CODE_LIST:
    case CODE_SET:
    case CODE_FROZENSET:
    case CODE_DICT:
        return 1;
    case CODE_INSTANCE:
    case CODE_PYTHON:
        return rule->unused != Py_None;
    default:
        return 0;
    }
}

static Py_ssize_t
unused_of(Rule *rule, PyObject *value)
{
    switch (rule->code) {
    case CODE_LIST:
        return list_unused(value);
    case CODE_SET:
    case CODE_FROZENSET:
        return set_unused(value);
    case CODE_DICT:
        return dict_unused(value);
    default:
        return call_size(rule->unused, value);
    }
}

/* Bytes of an instance's attribute values storage (rule.attrs: InstanceStorage.values_bytes). */
static Py_ssize_t
attrs_of(Rule *rule, PyObject *value)
{
    InstanceInfo *info = rule->instance;
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
    if (rule->values_bytes == Py_None || rule->code < CODE_INSTANCE) {
        return 0;
    }
    return call_size(rule->values_bytes, value);
}

static int
has_expand(Rule *rule)
{
    switch (rule->code) {
    case CODE_LIST:
    case CODE_TUPLE:
    case CODE_SET:
    case CODE_FROZENSET:
    case CODE_DICT:
        return 1;
    case CODE_INSTANCE:
    case CODE_PYTHON:
        return rule->expand != Py_None;
    default:
        return 0;
    }
}

static Py_ssize_t
overhead_of(Engine *e, Rule *rule, PyObject *value, Py_ssize_t size)
{
    PyObject *total = PyLong_FromSsize_t(size);
    if (total == NULL) {
        return -1;
    }
    PyObject *result =
        PyObject_CallFunctionObjArgs(e->support->overhead_of, rule->python, value, total, NULL);
    Py_DECREF(total);
    if (result == NULL) {
        return -1;
    }
    Py_ssize_t rounding = PyLong_AsSsize_t(result);
    Py_DECREF(result);
    return rounding;
}

/* -- the walk: claim, account, expand ------------------------------------------------- */

static int expand_now(Engine *e, Rule *rule, PyObject *value);

static inline Pending *
pending_at(Engine *e, size_t index)
{
    return (Pending *)(e->stack + index * e->stride);
}

static int
push(Engine *e, PyObject *value, Rule *rule, Node *node, int depth)
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
    *head = (Pending){Py_NewRef(value), rule};
    if (e->frames) {
        Entry *entry = (Entry *)head;
        entry->node = node;
        entry->depth = depth;
        entry->owner = Py_XNewRef(e->owner);
        entry->field = Py_XNewRef(e->field);
    }
    return 0;
}

/* Drops the references of the entry at `index` (its value, and its context). The entry is
 * copied first: a drop may run Python code that pushes more, and move the stack. */
static void
drop_entry(Engine *e, size_t index)
{
    Entry entry;
    memcpy(&entry, pending_at(e, index), e->stride);
    Py_DECREF(entry.head.value);
    if (e->frames) {
        Py_XDECREF(entry.owner);
        Py_XDECREF(entry.field);
    }
}

/* _account: file `value`'s bytes under `parent` (as `name`, or its rule's name) and expand
 * it now, or push it when the walk is INLINE_DEPTH levels deep already. */
static int
account(Engine *e, Node *parent, int depth, Rule *rule, PyObject *value, PyObject *name)
{
    Node *node = parent;
    if (depth < e->max_depth) {
        node = child(e, parent, name != NULL ? name : rule->name);
        if (node == NULL) {
            return -1;
        }
        depth += 1;
    }
    else {
        e->truncated = 1;
    }
    Py_ssize_t size = own_size(rule, value);
    if (size < 0) {
        return -1;
    }
    if (has_unused(rule)) {
        Py_ssize_t unused = unused_of(rule, value);
        if (unused < 0) {
            return -1;
        }
        if (unused && add_to(e, node, e->support->unused_capacity, unused) < 0) {
            return -1;
        }
        size -= unused;
    }
    add_bytes(e, &node->self_size, size);
    Py_ssize_t total = size;
    Py_ssize_t attrs = attrs_of(rule, value);
    if (attrs < 0) {
        return -1;
    }
    if (attrs) {
        if (add_to(e, node, e->support->dict_storage, attrs) < 0) {
            return -1;
        }
        total += attrs;
    }
    if (e->overhead) {
        Py_ssize_t rounding = overhead_of(e, rule, value, total);
        if (rounding < 0 || (rounding && add_to(e, node, e->support->allocator_overhead, rounding) < 0)) {
            return -1;
        }
    }
    if (rule->reflective) {
        note_reflective(rule, total);
    }
    if (!has_expand(rule)) {
        return 0;
    }
    if (e->inline_depth >= INLINE_DEPTH) {
        return push(e, value, rule, node, depth);
    }
    e->inline_depth += 1;
    Node *saved_node = e->node;
    int saved_depth = e->depth;
    e->node = node;
    e->depth = depth;
    int result = expand_now(e, rule, value);
    e->node = saved_node;
    e->depth = saved_depth;
    e->inline_depth -= 1;
    return result;
}

/* visit_item, with the shortcut for an element the engine itself holds (_elements). */
int
engine_visit_item(Engine *e, PyObject *value, int shortcut)
{
    Rule *rule = engine_rule(e, value);
    if (rule == NULL) {
        return -1;
    }
    int zero = owned_by_nobody(rule, value);
    if (zero != 0) {
        return zero < 0 ? -1 : 0;
    }
    int claimed = claim_found(e, value, shortcut);
    if (claimed <= 0) {
        return claimed;
    }
    return account(e, e->node, e->depth, rule, value, NULL);
}

/* _visit_named: `value` under frame `name`, by its run-time type. With `shortcut`, the
 * engine itself holds the reference it read `value` from (a dict entry, an attribute). */
int
engine_visit_named_ex(Engine *e, PyObject *name, PyObject *value, int shortcut)
{
    Rule *rule = engine_rule(e, value);
    if (rule == NULL) {
        return -1;
    }
    int zero = owned_by_nobody(rule, value);
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
        return account(e, node, e->depth + 1, rule, value, NULL);
    }
    return account(e, e->node, e->depth, rule, value, NULL);
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
    Rule *rule = engine_rule(e, value);
    if (rule == NULL) {
        return -1;
    }
    int zero = owned_by_nobody(rule, value);
    if (zero != 0) {
        return zero < 0 ? -1 : 0;
    }
    int claimed = claim_seen(e, value);
    if (claimed <= 0) {
        return claimed;
    }
    Py_ssize_t size = own_size(rule, value);
    Py_ssize_t attrs = size < 0 ? -1 : attrs_of(rule, value);
    if (attrs < 0) {
        return -1;
    }
    size += attrs;
    Node *field = child(e, e->node, name);
    Node *node = field == NULL ? NULL : child(e, field, rule->name);
    if (node == NULL) {
        return -1;
    }
    add_bytes(e, &node->self_size, size);
    if (e->overhead) {
        Py_ssize_t rounding = overhead_of(e, rule, value, size);
        if (rounding < 0 || (rounding && add_to(e, node, e->support->allocator_overhead, rounding) < 0)) {
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
        int result = engine_visit_named_ex(e, e->support->key, key, 1);
        if (result == 0) {
            result = engine_visit_named_ex(e, e->support->value, item, 1);
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
expand(Engine *e, Rule *rule, PyObject *value)
{
    switch (rule->code) {
    case CODE_LIST:
    case CODE_TUPLE:
        return visit_sequence(e, value);
    case CODE_SET:
    case CODE_FROZENSET:
        return visit_iterable(e, value);
    case CODE_DICT:
        return visit_dict_entries(e, value);
    case CODE_INSTANCE:
        return instance_expand(e, rule, value);
    default: {
        PyObject *result = PyObject_CallFunctionObjArgs(rule->expand, (PyObject *)e, value, NULL);
        Py_XDECREF(result);
        return result == NULL ? -1 : 0;
    }
    }
}

/* _close_to: closes frames left open past `depth`; warns when `owner`'s code left them. */
int
engine_close_to(Engine *e, size_t depth, PyObject *owner)
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
        if (engine_exit(e) < 0) {
            return -1;
        }
    }
    return 0;
}

/* _promote: every journaled object joins the seen set. */
int
engine_promote(Engine *e)
{
    for (size_t i = 0; i < e->journal_len; i++) {
        if (seen_add(e, e->journal[i]) < 0) {
            return -1;
        }
    }
    note_peak(e);
    return 0;
}

/* _where: "Class.field" of the visit that failed, or the rule's name at a root. */
static PyObject *
where(Engine *e, Rule *rule)
{
    if (e->owner != NULL) {
        if (e->field != NULL && PyUnicode_GET_LENGTH(e->field)) {
            return PyUnicode_FromFormat("%U.%U", e->owner, e->field);
        }
        return Py_NewRef(e->owner);
    }
    return Py_NewRef(rule->name);
}

static int
is_mutation(Engine *e, PyObject *error)
{
    return call_truth(e->support->is_mutation, error);
}


/* _failed: an expansion raised. A changed container is visited again from a copy; any
 * other failure visits the object's referents under "[visit failed]". */
static int
failed(Engine *e, Rule *rule, PyObject *value, PyObject *error, size_t base)
{
    if (engine_promote(e) < 0 || engine_close_to(e, base, NULL) < 0) {
        return -1;
    }
    int mutation = is_mutation(e, error);
    if (mutation < 0) {
        return -1;
    }
    PyObject *place = where(e, rule);
    if (place == NULL) {
        return -1;
    }
    PyObject *copy =
        mutation ? PyObject_CallOneArg(e->support->contents_copy, value) : Py_NewRef(Py_None);
    if (copy == NULL) {
        Py_DECREF(place);
        return -1;
    }
    if (copy != Py_None) {
        int noted = note_format(e, "%U: %U", place, e->support->changed);
        Py_DECREF(place);
        PyObject *done = noted < 0 ? NULL
                                   : PyObject_CallFunctionObjArgs(e->support->expand_contents,
                                                                  (PyObject *)e, copy, NULL);
        Py_DECREF(copy);
        Py_XDECREF(done);
        return done == NULL ? -1 : 0;
    }
    Py_DECREF(copy);
    PyObject *raised = PyObject_CallOneArg(e->support->raised_text, error);
    int noted = raised == NULL ? -1
                               : note_format(e,
                                             "%U: visit raised %U; the rest is measured by type "
                                             "under '%U'",
                                             place, raised, e->support->visit_failed);
    Py_XDECREF(raised);
    Py_DECREF(place);
    if (noted < 0 || engine_enter(e, e->support->visit_failed, 0) < 0) {
        return -1;
    }
    PyObject *referents = PyObject_CallOneArg(e->support->referents, value);
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
    return result < 0 ? -1 : engine_exit(e);
}

/* _expand_now: what `value` refers to; a failure becomes a warning and a frame. */
static int
expand_now(Engine *e, Rule *rule, PyObject *value)
{
    size_t base = e->open_len;
    size_t mark = e->journal_len;
    if (expand(e, rule, value) < 0) {
        if (!PyErr_ExceptionMatches(PyExc_Exception)) {
            return -1; /* KeyboardInterrupt, SystemExit: not the measurement's to handle */
        }
        PyObject *error = PyErr_GetRaisedException();
        int result = failed(e, rule, value, error, base);
        Py_DECREF(error);
        if (result < 0) {
            return -1;
        }
    }
    journal_truncate(e, mark);
    if (e->open_len > base) {
        return engine_close_to(e, base, rule->name);
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
        int result = expand_now(e, entry.head.rule, entry.head.value);
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
    add_bytes(e, &leaf->self_size, size);
    return 0;
}

int
engine_visit_str(Engine *e, PyObject *name, PyObject *value)
{
    if (!PyUnicode_CheckExact(value) || !fast(e)) {
        return engine_visit_field(e, name, value);
    }
    if (str_owned_by_nobody(value)) {
        return 0;
    }
    int claimed = claim_shortcut(e, value, ONE_OWNER_REFS);
    return claimed <= 0 ? claimed : typed_leaf(e, name, e->support->str, str_size(value));
}

int
engine_visit_int(Engine *e, PyObject *name, PyObject *value)
{
    if (!PyLong_CheckExact(value) || !fast(e)) {
        return engine_visit_field(e, name, value);
    }
    if (is_small_int(value)) {
        return 0;
    }
    int claimed = claim_shortcut(e, value, ONE_OWNER_REFS);
    return claimed <= 0 ? claimed : typed_leaf(e, name, e->support->int_, int_size(value));
}

int
engine_visit_float(Engine *e, PyObject *name, PyObject *value)
{
    if (!PyFloat_CheckExact(value) || !fast(e)) {
        return engine_visit_field(e, name, value);
    }
    int claimed = claim_shortcut(e, value, ONE_OWNER_REFS);
    return claimed <= 0 ? claimed : typed_leaf(e, name, e->support->float_, FLOAT_SIZE);
}

int
engine_visit_bytes(Engine *e, PyObject *name, PyObject *value)
{
    if (!PyBytes_CheckExact(value) || !fast(e)) {
        return engine_visit_field(e, name, value);
    }
    if (PyBytes_GET_SIZE(value) < 2) {
        return 0;
    }
    int claimed = claim_shortcut(e, value, ONE_OWNER_REFS);
    return claimed <= 0 ? claimed : typed_leaf(e, name, e->support->bytes, bytes_size(value));
}

/* _visit_any_field: a dict key or value of no declared scalar type. */
static int
visit_any(Engine *e, PyObject *name, PyObject *value)
{
    PyTypeObject *tp = Py_TYPE(value);
    if (tp == &PyUnicode_Type) {
        return engine_visit_str(e, name, value);
    }
    if (tp == &PyLong_Type) {
        return engine_visit_int(e, name, value);
    }
    if (tp == &PyFloat_Type) {
        return engine_visit_float(e, name, value);
    }
    if (tp == &PyBytes_Type) {
        return engine_visit_bytes(e, name, value);
    }
    return engine_visit_named(e, name, value);
}

/* The scalar visit for a declared element type, or the dynamic one. */
int
engine_visit_declared(Engine *e, PyObject *declared, PyObject *name, PyObject *value)
{
    if (declared == (PyObject *)&PyUnicode_Type) {
        return engine_visit_str(e, name, value);
    }
    if (declared == (PyObject *)&PyLong_Type) {
        return engine_visit_int(e, name, value);
    }
    if (declared == (PyObject *)&PyFloat_Type) {
        return engine_visit_float(e, name, value);
    }
    if (declared == (PyObject *)&PyBytes_Type) {
        return engine_visit_bytes(e, name, value);
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
                int claimed = claim_shortcut(e, key, ONE_OWNER_REFS);
                if (claimed > 0) {
                    keys += str_size(key);
                }
                result = claimed < 0 ? -1 : 0;
            }
        }
        else {
            result = visit_any(e, e->support->key, key);
        }
        if (result == 0) {
            PyTypeObject *tp = Py_TYPE(item);
            if (tp == &PyFloat_Type) {
                int claimed = claim_shortcut(e, item, ONE_OWNER_REFS);
                floats += claimed > 0 ? FLOAT_SIZE : 0;
                result = claimed < 0 ? -1 : 0;
            }
            else if (tp == &PyLong_Type) {
                if (!is_small_int(item)) {
                    int claimed = claim_shortcut(e, item, ONE_OWNER_REFS);
                    ints += claimed > 0 ? int_size(item) : 0;
                    result = claimed < 0 ? -1 : 0;
                }
            }
            else {
                result = visit_any(e, e->support->value, item);
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
        filed |= typed_leaf(e, e->support->key, e->support->str, keys);
    }
    if (floats || ints) {
        Node *field = child(e, node, e->support->value);
        filed |= field == NULL ? -1 : 0;
        if (field != NULL && floats) {
            filed |= add_to(e, field, e->support->float_, floats);
        }
        if (field != NULL && ints) {
            filed |= add_to(e, field, e->support->int_, ints);
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
        int result = engine_visit_declared(e, key_type, e->support->key, key);
        if (result == 0) {
            result = engine_visit_declared(e, item_type, e->support->value, item);
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
    Py_ssize_t exclusive = ONE_OWNER_REFS + (sequence == items ? 0 : 1);
    Py_ssize_t added = 0;
    int result = 0;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(sequence) && result == 0; i++) {
        PyObject *element = PySequence_Fast_GET_ITEM(sequence, i);
        Py_INCREF(element);
        if (PyFloat_CheckExact(element)) {
            int claimed =
                Py_REFCNT(element) > exclusive ? claim_seen(e, element) : 1;
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
        result = add_to(e, node, e->support->float_, added * FLOAT_SIZE);
    }
    return result;
}

/* _refill: a typed visit's loop over field `name`'s container raised; visit it again. */
int
engine_refill(Engine *e, PyObject *name, PyObject *value)
{
    if (!PyErr_ExceptionMatches(PyExc_RuntimeError)) {
        return -1;
    }
    PyObject *error = PyErr_GetRaisedException();
    int mutation = is_mutation(e, error);
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
    if (engine_promote(e) < 0) {
        return -1;
    }
    PyObject *copy = PyObject_CallOneArg(e->support->contents_copy, value);
    if (copy == NULL) {
        return -1;
    }
    PyObject *owner = e->owner != NULL ? Py_NewRef(e->owner) : PyType_GetName(Py_TYPE(value));
    int noted = owner == NULL ? -1
                : PyUnicode_GET_LENGTH(name)
                    ? note_format(e, "%U.%U: %U", owner, name, e->support->changed)
                    : note_format(e, "%U: %U", owner, e->support->changed);
    Py_XDECREF(owner);
    PyObject *done = noted < 0 ? NULL
                               : PyObject_CallFunctionObjArgs(e->support->expand_contents,
                                                              (PyObject *)e, copy, NULL);
    Py_DECREF(copy);
    Py_XDECREF(done);
    return done == NULL ? -1 : 0;
}

/* _fill_container: a claimed built-in container's bytes under `name`, and its elements
 * now; when another thread changes it meanwhile, the rest is visited from a copy. */
static int
fill_container(Engine *e, PyObject *name, RuleCode code, PyObject *value, PyObject *item,
               PyObject *key)
{
    set_context(&e->field, name);
    Node *parent = e->node;
    int depth = e->depth;
    PyObject *type_name = code == CODE_LIST ? e->support->list : code == CODE_DICT ? e->support->dict : NULL;
    Rule *rule = NULL;
    if (type_name == NULL) {
        rule = engine_rule(e, value);
        if (rule == NULL) {
            return -1;
        }
        type_name = rule->name;
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
    add_bytes(e, &node->self_size, size - unused);
    if (unused && add_to(e, node, e->support->unused_capacity, unused) < 0) {
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
        result = engine_refill(e, name, value);
    }
    e->node = parent;
    e->depth = depth;
    return result;
}

/* visit_list / visit_tuple / visit_set / visit_dict: a container of the declared type takes
 * the fast path; anything else (empty, another type) is visited by its run-time type. */
int
engine_visit_container(Engine *e, PyObject *name, PyObject *value, RuleCode code, PyObject *item,
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
    int claimed = claim_shortcut(e, value, ONE_OWNER_REFS);
    if (claimed <= 0) {
        return claimed;
    }
    return fill_container(e, name, code, value, item, key);
}

/* -- frames the methods open: enter / exit -------------------------------------------- */

/* Counts `size` bytes a method reported (visit_simple, enter) against the measurement's
 * bound, MAX_REPORTED: -1 with an exception for a negative size or one past the bound. */
static int
report(Engine *e, Py_ssize_t size)
{
    if (size < 0) {
        PyErr_SetString(PyExc_ValueError, ALLOCATIVE_NEGATIVE_REPORT);
        return -1;
    }
    if ((long long)size > MAX_REPORTED - e->reported) {
        PyErr_SetString(PyExc_OverflowError, ALLOCATIVE_TOO_MUCH_REPORTED);
        return -1;
    }
    e->reported += size;
    return 0;
}

int
engine_visit_simple(Engine *e, PyObject *name, Py_ssize_t size)
{
    return report(e, size) < 0 ? -1 : add_to(e, e->node, name, size);
}

int
engine_enter(Engine *e, PyObject *name, Py_ssize_t size)
{
    if (report(e, size) < 0) {
        return -1;
    }
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
    add_bytes(e, &e->node->self_size, size);
    return 0;
}

int
engine_exit(Engine *e)
{
    if (e->open_len == 0) {
        return note_format(e, "exit() without enter(); ignored");
    }
    Open open = e->open[--e->open_len];
    e->node = open.node;
    e->depth = open.depth;
    return 0;
}


/* -- the rest of the Visitor API ------------------------------------------------------- */

/* A field visit given a temporary, which only the calling method's stack holds (a property,
 * a bound method, a class attribute read through getattr, a computed value): it is not part
 * of the tree and is not counted; walking it could meet objects of the tree through
 * references made after they were claimed without the seen set. 1 when `value` is one. */
int
engine_warn_temporary(Engine *e, PyObject *name)
{
    int noted = e->owner != NULL
                    ? note_format(e, "%U.%U: %U", e->owner, name, e->support->temporary)
                    : note_format(e, "%U: %U", name, e->support->temporary);
    return noted < 0 ? -1 : 1;
}

/* visit_field_with: `visit(value, visitor)` inside frame `name`; a raising visit is a
 * warning, and the value is measured by type under "[visit failed]". */
int
engine_visit_with(Engine *e, PyObject *name, PyObject *value, PyObject *visit)
{
    if (engine_enter(e, name, 0) < 0) {
        return -1;
    }
    size_t depth = e->open_len;
    PyObject *result = PyObject_CallFunctionObjArgs(visit, value, (PyObject *)e, NULL);
    if (result == NULL && !PyErr_ExceptionMatches(PyExc_Exception)) {
        return -1; /* KeyboardInterrupt, SystemExit: not the measurement's to handle */
    }
    PyObject *error = result == NULL ? PyErr_GetRaisedException() : NULL;
    Py_XDECREF(result);
    PyObject *label = PyObject_CallOneArg(e->support->callable_name, visit);
    int status = label == NULL ? -1 : 0;
    if (status == 0 && error == NULL) {
        status = engine_close_to(e, depth, label);
    }
    else if (status == 0) {
        PyObject *raised = PyObject_CallOneArg(e->support->raised_text, error);
        status = raised == NULL || engine_promote(e) < 0 || engine_close_to(e, depth, NULL) < 0
                         || note_format(e,
                                        "%U: custom visit raised %U; the value is measured by "
                                        "type under '%U'",
                                        label, raised, e->support->visit_failed) < 0
                         || engine_visit_field(e, e->support->visit_failed, value) < 0
                     ? -1
                     : 0;
        Py_XDECREF(raised);
    }
    Py_XDECREF(label);
    Py_XDECREF(error);
    return status < 0 ? -1 : engine_exit(e);
}

/* visit_stored: the value `owner` keeps under attribute `name` in its own storage, read
 * without running a descriptor (Instances.stored), visited as the field `name`. */
int
engine_visit_stored(Engine *e, PyObject *name, PyObject *owner)
{
    Rule *rule = engine_rule(e, owner);
    if (rule == NULL) {
        return -1;
    }
    if (rule->instance == NULL) {
        return 0;
    }
    PyObject *value = PyObject_CallMethodObjArgs(rule->instance->instances,
                                                 e->support->stored_name, owner, name, NULL);
    if (value == NULL) {
        return -1;
    }
    int result = value == Py_None ? 0 : engine_visit_field(e, name, value);
    Py_DECREF(value);
    return result;
}

/* -- what the class measurement (allocative/_instances.py) asks of an engine ------------ */

PyObject *
engine_claimed_since(Engine *e, size_t mark)
{
    PyObject *ids = PySet_New(NULL);
    for (size_t i = mark; ids != NULL && i < e->journal_len; i++) {
        PyObject *id = PyLong_FromVoidPtr(e->journal[i]);
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
    Rule *rule = engine_rule(e, value);
    if (rule == NULL) {
        return -1;
    }
    int zero = owned_by_nobody(rule, value);
    return zero < 0 ? -1 : !zero;
}

/* _meet_again: a reference to `value` that another name of the tree already claimed; in
 * reference mode it is counted. */
int
engine_meet_again(Engine *e, PyObject *value)
{
    if (e->references && references_met(&e->met, value) > 0
        && references_meet(&e->met, value) < 0) {
        return -1;
    }
    return 0;
}

/* -- measuring: size_of, visit_root, finish -------------------------------------------- */

/* Refuses `what` while a walk or its clean-up runs: a method, a visit function or a
 * __del__ calling back into the engine would free what the walk is using. */
static int
refuse_busy(Engine *e, const char *what)
{
    if (!e->busy) {
        return 0;
    }
    PyErr_Format(PyExc_RuntimeError, "%s() " ALLOCATIVE_REENTRY, what);
    return -1;
}

/* -1 with OverflowError when the frames' counts passed what 64 bits hold, in all. */
static int
check_total(Engine *e)
{
    long long total = 0;
    int overflowed = e->overflowed || frames_total(&e->tree, &total) < 0;
    if (!overflowed) {
        return 0;
    }
    PyErr_SetString(PyExc_OverflowError, ALLOCATIVE_TOTAL_OVERFLOW);
    return -1;
}

int
engine_measure(Engine *e, PyObject *value, long long *total)
{
    if (refuse_busy(e, "measure") < 0) {
        return -1;
    }
    e->busy++;
    int result = engine_visit_item(e, value, 0);
    if (result == 0) {
        result = drain(e);
    }
    e->busy--;
    note_peak(e);
    *total = e->root->self_size;
    return result < 0 ? -1 : check_total(e);
}

/* PythonEngine.visit_root: `value`'s tree below the root, as `name` or its type's frame. */
int
engine_visit_root(Engine *e, PyObject *value, PyObject *name)
{
    if (refuse_busy(e, "visit_root") < 0) {
        return -1;
    }
    if (PyList_Append(e->roots, value) < 0) {
        return -1;
    }
    e->busy++;
    e->node = e->root;
    e->depth = 0;
    int result;
    if (name == NULL) {
        result = engine_visit_item(e, value, 0);
    }
    else {
        Rule *rule = engine_rule(e, value);
        int zero = rule == NULL ? -1 : owned_by_nobody(rule, value);
        result = zero < 0 ? -1 : 0;
        if (zero == 0) {
            int claimed = claim_seen(e, value);
            result = claimed <= 0 ? claimed : account(e, e->root, 0, rule, value, name);
        }
    }
    if (result == 0) {
        result = drain(e);
    }
    e->node = e->root;
    e->depth = 0;
    e->busy--;
    note_peak(e);
    return result;
}

/* Drops every reference to measured objects. Each drop may free an object the tree let go
 * of meanwhile and run its __del__: every table is emptied before its references go, and
 * the caller keeps the engine busy so that nothing re-enters what is being freed. */
static void
release_state(Engine *e)
{
    while (e->stack_len) {
        drop_entry(e, --e->stack_len);
    }
    address_table_drain(&e->seen, drop_reference, NULL);
    references_clear(&e->met);
    journal_truncate(e, 0);
    if (e->roots != NULL && PyList_GET_SIZE(e->roots)) {
        PyObject *roots = e->roots;
        e->roots = PyList_New(0);
        Py_DECREF(roots);
    }
    Py_CLEAR(e->owner);
    Py_CLEAR(e->field);
}

int
engine_release(Engine *e)
{
    if (refuse_busy(e, "release") < 0) {
        return -1;
    }
    e->busy++;
    release_state(e);
    rules_clear(&e->rules);
    e->busy--;
    if (e->roots == NULL) {
        e->roots = PyList_New(0);
        if (e->roots == NULL) {
            return -1;
        }
    }
    return 0;
}

PyObject *
engine_finish(Engine *e)
{
    if (refuse_busy(e, "finish") < 0) {
        return NULL;
    }
    e->busy++;
    release_state(e);
    int reported = rules_report_reflected(&e->rules, e->reflected);
    rules_clear(&e->rules);
    e->busy--;
    if (reported < 0) {
        return NULL;
    }
    if (e->roots == NULL && (e->roots = PyList_New(0)) == NULL) {
        return NULL;
    }
    int overflowed = check_total(e);
    e->overflowed = 0;
    if (overflowed < 0) {
        return NULL;
    }
    CoreState *state = PyType_GetModuleState(Py_TYPE(e));
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
    e->depth = 0;
    e->open_len = 0;
    PyObject *warnings = PyObject_CallFunction(e->support->finish_warnings, "OOii", e->reflected,
                                               e->notes, e->truncated, e->max_depth);
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

PyObject *
engine_outside(Engine *e, PyObject *roots)
{
    if (refuse_busy(e, "_outside") < 0) {
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
        e->busy++;
        result = references_drain(&e->met, collect_outside, &collect);
        e->busy--;
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

static int
add_claimed(void *address, void *engine)
{
    return seen_add((Engine *)engine, (PyObject *)address) < 0 ? -1 : 0;
}

/* Enters every object `other` has claimed in this engine's seen set: they are not counted. */
int
engine_exclude_claimed(Engine *e, Engine *other)
{
    if (refuse_busy(e, "_exclude_claimed") < 0 || refuse_busy(other, "_exclude_claimed") < 0) {
        return -1;
    }
    if (address_table_for_each(&other->seen, add_claimed, e) < 0) {
        return -1;
    }
    note_peak(e);
    return 0;
}

PyObject *
engine_bookkeeping(Engine *e)
{
    note_peak(e);
    return Py_BuildValue("{s:n,s:n,s:n,s:n,s:n}", "peak", (Py_ssize_t)e->peak_bookkeeping,
                         "seen", (Py_ssize_t)address_table_memory(&e->seen), "stack",
                         (Py_ssize_t)(e->stack_cap * e->stride), "journal",
                         (Py_ssize_t)(e->journal_cap * sizeof(PyObject *)), "frames",
                         (Py_ssize_t)(e->frames ? frames_memory(&e->tree) : 0));
}

/* -- set-up and tear-down --------------------------------------------------------------- */

int
engine_setup(Engine *e, int frames, int overhead, int max_depth, PyObject *custom,
             int references)
{
    if (support_init(e->support) < 0 || sizes_init() < 0) {
        return -1;
    }
    e->frames = frames;
    e->references = references;
    e->stride = frames ? sizeof(Entry) : sizeof(Pending);
    e->overhead = overhead;
    e->max_depth = frames ? max_depth : INT_MAX;
    Py_XSETREF(e->custom, custom != NULL ? Py_NewRef(custom) : PyDict_New());
    if (e->notes == NULL) {
        e->notes = PyDict_New();
    }
    if (e->reflected == NULL) {
        e->reflected = PyDict_New();
    }
    if (e->roots == NULL) {
        e->roots = PyList_New(0);
    }
    if (e->custom == NULL || e->notes == NULL || e->reflected == NULL || e->roots == NULL) {
        return -1;
    }
    if (e->tree.root == NULL && frames_init(&e->tree) < 0) {
        return -1;
    }
    e->root = e->tree.root;
    e->node = e->root;
    return 0;
}

typedef struct {
    visitproc visit;
    void *arg;
} Traversal;

static int
traverse_address(void *address, void *traversal)
{
    Traversal *t = traversal;
    return t->visit((PyObject *)address, t->arg);
}

int
engine_traverse_state(Engine *e, visitproc visit, void *arg)
{
    Py_VISIT(e->custom);
    Py_VISIT(e->notes);
    Py_VISIT(e->reflected);
    Py_VISIT(e->roots);
    for (size_t i = 0; i < e->stack_len; i++) {
        Py_VISIT(pending_at(e, i)->value);
    }
    for (size_t i = 0; i < e->journal_len; i++) {
        Py_VISIT(e->journal[i]);
    }
    Traversal traversal = {visit, arg};
    int result = address_table_for_each(&e->seen, traverse_address, &traversal);
    if (result != 0) {
        return result;
    }
    result = references_traverse(&e->met, visit, arg);
    return result != 0 ? result : rules_traverse(&e->rules, visit, arg);
}

void
engine_dispose(Engine *e)
{
    e->busy++;
    release_state(e);
    rules_clear(&e->rules);
    e->busy--;
    Py_CLEAR(e->custom);
    Py_CLEAR(e->notes);
    Py_CLEAR(e->reflected);
    Py_CLEAR(e->roots);
}
