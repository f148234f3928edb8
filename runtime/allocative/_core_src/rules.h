/* How the compiled engine measures each type: a native code for the rules it knows,
 * the Python TypeRule (allocative/_rule.py, _impls/) for everything else.
 *
 * Rules are resolved by the same Python code as in the pure engine
 * (allocative/_resolve.py), once per type per measurement, so both engines
 * apply one set of rules; the compiled engine adds a native code for the
 * built-ins it sizes and walks itself, and for instances the fast paths of
 * instances.c.
 */
#ifndef ALLOCATIVE_RULES_H
#define ALLOCATIVE_RULES_H

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
    CODE_PYTHON,   /* the Rule's own Python functions */
} RuleCode;

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
    PyObject *python;     /* the Python TypeRule, strong */
    PyObject *name;       /* its frame name, strong */
    RuleCode code;
    int reflective;
    int fixed_size;
    Py_ssize_t size;      /* the size of every object, once known (fixed_size), else -1 */
    Py_ssize_t reflected_count, reflected_bytes; /* objects measured by their attributes */
    /* borrowed from `python`; each may be None */
    PyObject *owned_by_nobody, *size_of, *unused, *values_bytes, *expand;
    InstanceInfo *instance;
} Rule;

/* type -> Rule, for one measurement. */
typedef struct {
    Rule **slots;
    size_t capacity;
    size_t count;
} RuleMap;


/* The Rule of `tp` in `map`, resolved with `custom` on first use; NULL with an exception. */
Rule *rule_of(RuleMap *map, PyTypeObject *tp, PyObject *custom, const Support *support);

/* Adds each reflective rule's count and bytes to `reflected` (name -> [count, bytes]). */
int rules_report_reflected(RuleMap *map, PyObject *reflected);

/* Forgets every rule (drops their references). */
void rules_clear(RuleMap *map);

/* Traverses the references the rules hold (for the garbage collector). */
int rules_traverse(RuleMap *map, visitproc visit, void *arg);

#endif
