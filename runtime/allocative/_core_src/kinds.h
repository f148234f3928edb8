/* How the compiled engine measures each type: a native code for the kinds it knows,
 * the pure engine's Kind (allocative/_kinds.py) for everything else.
 *
 * Kinds are resolved by the same Python code as in the pure engine
 * (allocative/_resolve.py), once per type per measurement, so both engines
 * apply one set of rules; the compiled engine adds a native code for the
 * built-ins it sizes and walks itself, and for instances the fast paths of
 * instances.c.
 */
#ifndef ALLOCATIVE_KINDS_H
#define ALLOCATIVE_KINDS_H

#include "core.h"
#include "support.h"

typedef enum {
    CODE_ZERO,     /* owned by nobody: never counted */
    CODE_STR,
    CODE_INT,
    CODE_FLOAT,
    CODE_COMPLEX,
    CODE_BYTES,
    CODE_LIST,
    CODE_TUPLE,
    CODE_SET,
    CODE_FROZENSET,
    CODE_DICT,
    CODE_INSTANCE, /* a class's instances: instances.c */
    CODE_PYTHON,   /* the Kind's own Python functions */
} KindCode;

/* What instances.c knows of a class (Instances in allocative/_instances.py). */
typedef struct {
    PyObject *instances;      /* the Python Instances object */
    PyObject *method;         /* its method, or NULL */
    int complete;             /* the method is known to visit everything there is */
    int reflective_fast;      /* no method, nothing but attributes: walked natively */
    int managed;              /* interpreter-managed attribute storage */
    Py_ssize_t dict_offset;   /* > 0: a __dict__ pointer at this offset; else none here */
    Py_ssize_t *slot_offsets; /* of its object slots, with slot_names */
    PyObject **slot_names;
    Py_ssize_t slot_count;
    PyObject *key_names;      /* the class's shared key names when measured (a tuple) */
    int values_model;         /* storage bytes: 0 none, 1 values array, 2 inline (3.13) */
    int32_t array_bytes[256]; /* 3.11/3.12: bytes of a values array by its prefix byte */
    int steady_capacity;      /* 3.13: the settled capacity of inline values */
    int settled;
} InstanceInfo;

typedef struct {
    PyTypeObject *type;   /* strong */
    PyObject *kind;       /* the Python Kind, strong */
    PyObject *name;       /* its frame name, strong */
    KindCode code;
    int reflective;
    int fixed_size;
    Py_ssize_t size;      /* the size of every object, once known (fixed_size), else -1 */
    Py_ssize_t reflected_count, reflected_bytes; /* objects measured by their attributes */
    PyObject *zero, *size_of, *unused, *attrs, *expand; /* borrowed from `kind`; may be None */
    InstanceInfo *instance;
} Kind;

/* type -> Kind, for one measurement. */
typedef struct {
    Kind **slots;
    size_t capacity;
    size_t count;
} KindMap;


/* The Kind of `tp` in `map`, resolved with `custom` on first use; NULL with an exception. */
Kind *kind_of(KindMap *map, PyTypeObject *tp, PyObject *custom, const Support *support);

/* Adds each reflective kind's count and bytes to `reflected` (name -> [count, bytes]). */
int kinds_report_reflected(KindMap *map, PyObject *reflected);

/* Forgets every kind (drops their references). */
void kinds_clear(KindMap *map);

/* Traverses the references the kinds hold (for the garbage collector). */
int kinds_traverse(KindMap *map, visitproc visit, void *arg);

#endif
