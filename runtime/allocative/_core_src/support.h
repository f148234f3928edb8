/* What the compiled engine takes from the Python side (allocative/_compiled.py) and the
 * names it looks attributes up by: one set per module object, in its state, so that an
 * engine in one interpreter never calls functions of a module another interpreter freed.
 */
#ifndef ALLOCATIVE_SUPPORT_H
#define ALLOCATIVE_SUPPORT_H

#include <Python.h>

/* The helpers of allocative/_compiled.py the engine calls, set up on first use. Every
 * member is a strong reference (or NULL before support_init). */
typedef struct {
    PyObject *resolve;          /* resolve(tp, custom) -> Kind */
    PyObject *describe;         /* describe(kind) -> native description */
    PyObject *flame_graph;      /* the FlameGraph class */
    PyObject *contents_copy;
    PyObject *expand_contents;
    PyObject *is_mutation;
    PyObject *overhead_of;
    PyObject *finish_warnings;
    PyObject *referents;        /* gc.get_referents, for failed visits */
    PyObject *raised_text;      /* raised_text(error): "TypeError: message", never raising */
    PyObject *callable_name;    /* callable_name(fn): a visit function's name for warnings */
    PyObject *changed;          /* the warning text for a changed container */
    PyObject *temporary;        /* the warning text for a field visited with a temporary */
    PyObject *visit_failed;     /* "[visit failed]" */
    PyObject *unused_capacity, *dict_storage, *allocator_overhead;
    PyObject *key, *value, *str, *int_, *float_, *bytes, *list, *dict;
    PyObject *empty;            /* "" */
    PyObject *raised_name;      /* "_raised" */
    PyObject *expand_name;      /* "expand" */
    PyObject *complete_name;    /* "_complete" */
    PyObject *stored_name;      /* "stored" */
    /* Attribute names, interned once: a name made anew for each lookup would be kept by the
     * interpreter's type attribute cache, which looks like a leak to a leak check. */
    PyObject *name_name, *zero_name, *size_name, *unused_name, *attrs_name, *expand_attr;
    PyObject *reflective_name, *fixed_size_name, *qualname_name, *children_name;
    PyObject *self_size_name;
} Support;

/* Imports allocative._compiled into `support` unless done; -1 with an exception set. */
int support_init(Support *support);

int support_traverse(Support *support, visitproc visit, void *arg);

void support_clear(Support *support);

#endif
