/* References met inside a tree, for retained size.
 *
 * In reference mode the engine counts, for every object it checks against its
 * seen set, how many times the walk met it: the references the tree itself
 * holds to it (an object only its owner holds is never checked, and has no
 * other reference). What the interpreter's count says beyond those is held
 * from outside the tree. The table holds a strong reference to each object
 * until it is drained: the counts are read from live objects only, and an
 * address in the table stands for one object for the whole measurement (one
 * that the tree let go of meanwhile cannot be replaced by a new object at the
 * same address).
 */
#ifndef ALLOCATIVE_REFERENCES_H
#define ALLOCATIVE_REFERENCES_H

#include "core.h"

typedef struct {
    PyObject *object; /* strong; NULL: empty slot */
    Py_ssize_t met;   /* references met */
} Reference;

typedef struct {
    Reference *slots; /* `capacity` slots, a power of two; NULL while empty */
    size_t capacity;
    size_t count;
} References;

/* Counts one reference to `object` met in the tree: 1 when it was not met before (the table
 * now holds it), 0 when it was, -1 with MemoryError. In reference mode the table is the
 * engine's seen set. */
int references_meet(References *references, PyObject *object);

/* How many references to `object` the tree holds (0 when never met). */
Py_ssize_t references_met(const References *references, PyObject *object);

/* How many references to `object` there are beyond the tree's, the table's own not
 * counted (what references_drain reports; its whole count when never met). */
Py_ssize_t references_beyond(const References *references, PyObject *object);

/* For every object met: its interpreter count less the table's own reference and the
 * references met. The table is emptied first; then fn(object, outside, arg) is called for
 * each, and the table's reference is dropped. A negative return from fn stops the calls
 * (every reference is dropped all the same) and is returned. */
int references_drain(References *references,
                     int (*fn)(PyObject *object, Py_ssize_t outside, void *arg), void *arg);

int references_traverse(const References *references, visitproc visit, void *arg);

/* Drops every reference and frees the table (emptied first, as for references_drain). */
void references_clear(References *references);

size_t references_memory(const References *references);

#endif
