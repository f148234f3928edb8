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

int
references_meet(References *references, PyObject *object)
{
    if ((references->count + 1) * 4 > references->capacity * 3 && grow(references) < 0) {
        return -1;
    }
    Reference *slot = find(references->slots, references->capacity, object);
    if (slot->object != NULL) {
        slot->met++;
        return 0;
    }
    slot->object = Py_NewRef(object);
    slot->met = 1;
    references->count++;
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

Py_ssize_t
references_met(const References *references, PyObject *object)
{
    const Reference *slot = lookup(references, object);
    return slot == NULL ? 0 : slot->met;
}

Py_ssize_t
references_beyond(const References *references, PyObject *object)
{
    const Reference *slot = lookup(references, object);
    return slot == NULL ? Py_REFCNT(object) : Py_REFCNT(object) - 1 - slot->met;
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
        if (object != NULL) {
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
        Py_VISIT(references->slots[i].object);
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
        Py_XDECREF(slots[i].object);
    }
    PyMem_RawFree(slots);
}

size_t
references_memory(const References *references)
{
    return references->capacity * sizeof(Reference);
}
