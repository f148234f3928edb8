/* The compiled measuring engine: the Visitor that generated methods call, and the walk.
 *
 * It follows the pure engine (allocative/_frame_visitor.py, _visitor.py,
 * _instances.py) rule for rule and in the same order, so that both give the
 * same bytes, frames and warnings: each object is claimed where it is first
 * met, expanded at once up to INLINE_DEPTH levels and otherwise pushed on an
 * explicit stack; a typed visit with a declared type skips the dispatch. In
 * size mode (size_of) no frames are built: every frame is the root.
 */
#ifndef ALLOCATIVE_ENGINE_H
#define ALLOCATIVE_ENGINE_H

#include "core.h"
#include "address_table.h"
#include "frames.h"
#include "kinds.h"
#include "references.h"

#define INLINE_DEPTH 12
/* Reference count of an object only its owner holds, seen by a visit: the owner's and
 * the caller's (a generated method's argument, or the engine's own while it iterates). */
#define EXCLUSIVE_REFS 2

/* An object waiting on the stack to be expanded. In size mode that is all an entry holds;
 * a flame graph's entry (Entry) also keeps where to file what it refers to. */
typedef struct {
    PyObject *value; /* strong */
    Kind *kind;
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
    int frames;      /* building a flame graph (else: size_of, a total only) */
    int references;  /* counting the references met (retained size) */
    int overhead;    /* allocator rounding as frames of its own */
    int max_depth;
    int truncated;
    int inline_depth;
    int depth;
    AddressTable seen;
    References met;     /* in reference mode: the references met to each object checked */
    uintptr_t *journal; /* objects claimed without the seen set, per expansion */
    size_t journal_len, journal_cap;
    char *stack;        /* entries of `stride` bytes: Pending (size mode) or Entry */
    size_t stride;
    size_t stack_len, stack_cap;
    Open *open;
    size_t open_len, open_cap;
    KindMap kinds;
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

/* Used by instances.c. */
Kind *engine_kind(Engine *engine, PyObject *value);
int engine_visit_named(Engine *engine, PyObject *name, PyObject *value);
int engine_visit_named_ex(Engine *engine, PyObject *name, PyObject *value, int shortcut);
int engine_visit_field(Engine *engine, PyObject *name, PyObject *value);
int engine_visit_item(Engine *engine, PyObject *value, int shortcut);
int engine_visit_opaque(Engine *engine, PyObject *name, PyObject *value);
int engine_is_new(Engine *engine, PyObject *value, PyObject **here, size_t here_len);
int engine_note_text(Engine *engine, PyObject *message);

/* instances.c: what a class's instance refers to; -1 with an exception set. */
int instance_expand(Engine *engine, Kind *kind, PyObject *value);

#endif
