/* References met inside a tree: see references.h. */
#include "references.h"

#include <string.h>

static inline size_t
home(PyObject *object, size_t capacity)
{
    uint64_t hash = (uint64_t)(uintptr_t)object * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(hash >> 32) & (capacity - 1);
}

static Reference *
find(Reference *slots, size_t capacity, PyObject *object)
{
    size_t slot = home(object, capacity);
    while (slots[slot].object != NULL && slots[slot].object != object) {
        slot = (slot + 1) & (capacity - 1);
    }
    return &slots[slot];
}

/* Twice the slots, every reference moved: the table stays at most 3/4 full (linear probes
 * stay short; fewer slots, fewer cache misses than at half full). */
static int
grow(References *references)
{
    size_t capacity = references->capacity ? references->capacity * 2 : 64;
    if (capacity > PY_SSIZE_T_MAX / sizeof(Reference)) {
        PyErr_NoMemory();
        return -1;
    }
    Reference *slots = PyMem_RawCalloc(capacity, sizeof(Reference));
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i < references->capacity; i++) {
        Reference *old = &references->slots[i];
        if (old->object != NULL) {
            *find(slots, capacity, old->object) = *old;
        }
    }
    PyMem_RawFree(references->slots);
    references->slots = slots;
    references->capacity = capacity;
    return 0;
}

/* Once the walk has met as many references as the interpreter counts beyond the table's
 * own and the caller's `temporaries`, no one outside holds the object: drop the table's
 * reference now, while the object is in the cache. The caller holds at least that many
 * (more only makes the count higher), so an object is never settled too soon. */
static void
settle(Reference *slot, Py_ssize_t temporaries)
{
    if (slot->met == Py_REFCNT(slot->object) - 1 - temporaries) {
        slot->met = -slot->met;
        Py_DECREF(slot->object);
    }
}

int
references_meet(References *references, PyObject *object, Py_ssize_t temporaries)
{
    if ((references->count + 1) * 4 > references->capacity * 3 && grow(references) < 0) {
        return -1;
    }
    Reference *slot = find(references->slots, references->capacity, object);
    if (slot->object != NULL) {
        if (slot->met < 0) {
            slot->met--; /* met again once settled: the tree changed; keep the count */
            return 0;
        }
        slot->met++;
        settle(slot, temporaries);
        return 0;
    }
    slot->object = Py_NewRef(object);
    slot->met = 1;
    references->count++;
    settle(slot, temporaries);
    return 1;
}

/* The slot of `object`, NULL when it was never met. */
static const Reference *
lookup(const References *references, PyObject *object)
{
    if (references->capacity == 0) {
        return NULL;
    }
    const Reference *slot = find(references->slots, references->capacity, object);
    return slot->object == NULL ? NULL : slot;
}

/* References met to the object in `slot` (NULL: none), settled or not. */
static Py_ssize_t
met_of(const Reference *slot)
{
    return slot == NULL ? 0 : slot->met < 0 ? -slot->met : slot->met;
}

Py_ssize_t
references_met(const References *references, PyObject *object)
{
    return met_of(lookup(references, object));
}

Py_ssize_t
references_beyond(const References *references, PyObject *object)
{
    const Reference *slot = lookup(references, object);
    Py_ssize_t own = slot != NULL && slot->met > 0; /* the table's, while unsettled */
    return Py_REFCNT(object) - own - met_of(slot);
}

int
references_drain(References *references,
                 int (*fn)(PyObject *object, Py_ssize_t outside, void *arg), void *arg)
{
    Reference *slots = references->slots;
    size_t capacity = references->capacity;
    memset(references, 0, sizeof(References));
    int result = 0;
    for (size_t i = 0; i < capacity; i++) {
        PyObject *object = slots[i].object;
        if (object != NULL && slots[i].met > 0) {
            if (result == 0) {
                result = fn(object, Py_REFCNT(object) - 1 - slots[i].met, arg);
            }
            Py_DECREF(object);
        }
    }
    PyMem_RawFree(slots);
    return result < 0 ? result : 0;
}

int
references_traverse(const References *references, visitproc visit, void *arg)
{
    for (size_t i = 0; i < references->capacity; i++) {
        if (references->slots[i].met > 0) {
            Py_VISIT(references->slots[i].object);
        }
    }
    return 0;
}

void
references_clear(References *references)
{
    Reference *slots = references->slots;
    size_t capacity = references->capacity;
    memset(references, 0, sizeof(References));
    for (size_t i = 0; i < capacity; i++) {
        if (slots[i].met > 0) {
            Py_DECREF(slots[i].object);
        }
    }
    PyMem_RawFree(slots);
}

size_t
references_memory(const References *references)
{
    return references->capacity * sizeof(Reference);
}
