/* What the compiled engine takes from the Python side (allocative/_bridge.py) and the
 * names it looks attributes up by: one set per module object, in its state, so that an
 * engine in one interpreter never calls functions of a module another interpreter freed.
 */
#ifndef ALLOCATIVE_SUPPORT_H
#define ALLOCATIVE_SUPPORT_H

#include <Python.h>

/* What the engine takes from Python, set up on first use. Every member is a strong
 * reference (or NULL before support_init). */
typedef struct {
    /* allocative/_bridge.py: the functions the engine calls */
    PyObject *resolve;          /* resolve(tp, custom) -> TypeRule */
    PyObject *describe;         /* describe(rule) -> NativeRule */
    PyObject *flame_graph;      /* the FlameGraph class */
    PyObject *contents_copy;
    PyObject *expand_contents;
    PyObject *is_mutation;
    PyObject *overhead_of;
    PyObject *finish_warnings;
    PyObject *referents;        /* gc.get_referents, for failed visits */
    PyObject *raised_text;      /* raised_text(error): "TypeError: message", never raising */
    PyObject *callable_name;    /* callable_name(fn): a visit function's name for warnings */
    /* allocative/_constants.py (constants.h): texts of frames and warnings */
    PyObject *changed, *temporary, *visit_failed;
    PyObject *unused_capacity, *dict_storage, *allocator_overhead;
    /* frame names the walk files under */
    PyObject *key, *value, *str, *int_, *float_, *bytes, *list, *dict;
    PyObject *empty;            /* "" */
    /* Attribute names, interned once: a name made anew for each lookup would be kept by the
     * interpreter's type attribute cache, which looks like a leak to a leak check. */
    PyObject *raised_name, *expand_name, *complete_name, *stored_name;       /* Instances */
    PyObject *name_name, *owned_by_nobody_name, *size_name, *unused_name;    /* TypeRule */
    PyObject *values_bytes_name, *expand_attr, *reflective_name, *fixed_size_name;
    PyObject *code_name, *instance_name;                                     /* NativeRule */
    PyObject *instances_name, *method_name, *attributes_only_name, *complete_attr; /* InstanceRule */
    PyObject *managed_name, *dict_offset_name, *slots_name, *key_names_name;
    PyObject *values_model_name, *array_bytes_name, *steady_capacity_name, *settled_name;
    PyObject *qualname_name, *children_name, *self_size_name;               /* elsewhere */
} Support;

/* Imports allocative._bridge into `support` unless done; -1 with an exception set. */
int support_init(Support *support);

int support_traverse(Support *support, visitproc visit, void *arg);

void support_clear(Support *support);

#endif
