/* The compiled measuring engine: the Visitor that generated methods call, and the walk.
 *
 * It follows the pure engine (allocative/_walk.py, _visitor.py,
 * _instances.py) rule for rule and in the same order, so that both give the
 * same bytes, frames and warnings: each object is claimed where it is first
 * met, expanded at once up to INLINE_DEPTH levels and otherwise pushed on an
 * explicit stack; a typed visit with a declared type skips the dispatch. In
 * size mode (size_of) no frames are built: every frame is the root.
 *
 * What the engine holds, it holds by reference: every object in its seen set,
 * its journal and its stack, until the measurement ends. An address it keeps
 * therefore stands for one object from claim to finish, whatever Python code
 * (a method, a __del__, another thread) runs meanwhile. No pointer into an
 * object's storage is kept across a call that can run Python code: it is read
 * again after it. A walk in progress refuses what would free its state
 * (finish, release, a second measurement on the same engine, __init__ again).
 *
 * engine.c is the walk; engine_type.c is the Python type that calls it.
 */
#ifndef ALLOCATIVE_ENGINE_H
#define ALLOCATIVE_ENGINE_H

#include "core.h"
#include "support.h"
#include "address_table.h"
#include "frames.h"
#include "rules.h"
#include "references.h"

#define INLINE_DEPTH ALLOCATIVE_INLINE_DEPTH
/* How many references ahead a loop that drops many (the journal, the seen set) asks the
 * processor for the objects' counts, so that their cache misses overlap. */
#define PREFETCH_AHEAD 16
/* Reference count of an object only its owner holds, seen by a visit: the owner's and
 * the caller's (a generated method's argument, or the engine's own while it iterates).
 * The pure engine's ONE_OWNER_REFS is one more: it counts getrefcount's own argument. */
#define ONE_OWNER_REFS 2
/* The most bytes visit_simple and enter may report in one measurement, in all. */
#define MAX_REPORTED ALLOCATIVE_MAX_REPORTED

/* An object waiting on the stack to be expanded. In size mode that is all an entry holds;
 * a flame graph's entry (Entry) also keeps where to file what it refers to. */
typedef struct {
    PyObject *value; /* strong */
    Rule *rule;
} Pending;

typedef struct {
    Pending head;
    Node *node;
    PyObject *owner; /* strong or NULL */
    PyObject *field; /* strong or NULL */
    int depth;
} Entry;

typedef struct {
    Node *node;
    int depth;
} Open;

typedef struct {
    PyObject_HEAD
    Support *support;   /* the module's state: outlives the engine (its type holds the module) */
    int configured;     /* __init__ has run (it may run once) */
    int busy;           /* a walk or its clean-up is running: re-entry is refused */
    int frames;         /* building a flame graph (else: size_of, a total only) */
    int references;     /* counting the references met (retained size) */
    int overhead;       /* allocator rounding as frames of its own */
    int max_depth;
    int truncated;
    int inline_depth;
    int depth;
    long long reported; /* bytes visit_simple and enter reported, at most MAX_REPORTED */
    int overflowed;     /* a frame's count passed LLONG_MAX: the measurement fails at its end */
    AddressTable seen;  /* each address holds a reference to its object */
    References met;     /* in reference mode: the references met to each object checked */
    PyObject **journal; /* strong: objects claimed without the seen set, per expansion */
    size_t journal_len, journal_cap;
    char *stack;        /* entries of `stride` bytes: Pending (size mode) or Entry */
    size_t stride;
    size_t stack_len, stack_cap;
    Open *open;
    size_t open_len, open_cap;
    RuleMap rules;
    Frames tree;         /* the flame graph (its root only, in size mode) */
    Node *root;
    Node *node;
    PyObject *owner;     /* the class and field being visited, for warnings; NULL: none */
    PyObject *field;
    PyObject *notes;     /* warning -> count */
    PyObject *reflected; /* type name -> [count, bytes] */
    PyObject *custom;    /* registered visit functions */
    PyObject *roots;     /* kept alive until finish() */
    size_t peak_bookkeeping;
} Engine;

/* -- set-up and tear-down (engine_type.c) ------------------------------------------------ */

/* Sets the options and allocates the engine's state; -1 with an exception set. */
int engine_setup(Engine *e, int frames, int overhead, int max_depth, PyObject *custom,
                 int references);
/* Frees everything the engine holds (its type's clear and dealloc). */
void engine_dispose(Engine *e);
int engine_traverse_state(Engine *e, visitproc visit, void *arg);

/* -- the Visitor API; each returns 0, or -1 with an exception set --------------------------
 * Names are exact str objects (engine_type.c converts the rest or refuses them). */
int engine_visit_field(Engine *e, PyObject *name, PyObject *value);
int engine_visit_item(Engine *e, PyObject *value, int shortcut);
int engine_visit_named(Engine *e, PyObject *name, PyObject *value);
int engine_visit_named_ex(Engine *e, PyObject *name, PyObject *value, int shortcut);
int engine_visit_opaque(Engine *e, PyObject *name, PyObject *value);
int engine_visit_simple(Engine *e, PyObject *name, Py_ssize_t size);
int engine_enter(Engine *e, PyObject *name, Py_ssize_t size);
int engine_exit(Engine *e);
int engine_visit_with(Engine *e, PyObject *name, PyObject *value, PyObject *visit);
int engine_visit_declared(Engine *e, PyObject *declared, PyObject *name, PyObject *value);
/* Typed visits of a field declared str, int, float or bytes. */
int engine_visit_str(Engine *e, PyObject *name, PyObject *value);
int engine_visit_int(Engine *e, PyObject *name, PyObject *value);
int engine_visit_float(Engine *e, PyObject *name, PyObject *value);
int engine_visit_bytes(Engine *e, PyObject *name, PyObject *value);
int engine_visit_container(Engine *e, PyObject *name, PyObject *value, RuleCode code,
                           PyObject *item, PyObject *key);
int engine_visit_stored(Engine *e, PyObject *name, PyObject *owner);
/* Warns that field `name` was visited with a temporary: 1, or -1 with an exception. */
int engine_warn_temporary(Engine *e, PyObject *name);

/* 1 when a field visit's `value` is a temporary (warned about, not counted), else 0; -1 with
 * an exception. */
static inline int
engine_temporary(Engine *e, PyObject *name, PyObject *value)
{
    return Py_REFCNT(value) >= ONE_OWNER_REFS ? 0 : engine_warn_temporary(e, name);
}

/* -- what the class measurement (allocative/_instances.py) asks of an engine ------------- */
Rule *engine_rule(Engine *e, PyObject *value);
int engine_is_new(Engine *e, PyObject *value, PyObject **here, size_t here_len);
int engine_meet_again(Engine *e, PyObject *value);
int engine_promote(Engine *e);
int engine_close_to(Engine *e, size_t depth, PyObject *owner);
int engine_note_text(Engine *e, PyObject *message);
/* _refill with `error` raised: 0 when visited again from a copy; -1 with an exception. */
int engine_refill(Engine *e, PyObject *name, PyObject *value);
PyObject *engine_claimed_since(Engine *e, size_t mark);

/* -- measuring ------------------------------------------------------------------------- */
int engine_measure(Engine *e, PyObject *value, long long *total);
int engine_visit_root(Engine *e, PyObject *value, PyObject *name);
/* (FrameTree, warnings); the engine keeps nothing it measured and starts a new tree. */
PyObject *engine_finish(Engine *e);
int engine_release(Engine *e);
PyObject *engine_outside(Engine *e, PyObject *roots);
int engine_exclude_claimed(Engine *e, Engine *other);
PyObject *engine_bookkeeping(Engine *e);

/* instances.c: what a class's instance refers to; -1 with an exception set. */
int instance_expand(Engine *engine, Rule *rule, PyObject *value);
/* The __dict__ object `value` keeps, or NULL: a new reference, never made by asking. */
PyObject *instance_own_dict(InstanceInfo *info, PyObject *value);

#endif
