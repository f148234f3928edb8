/* What the engine takes from allocative/_bridge.py: see support.h. */
#include "support.h"
#include "constants.h"

int
support_init(Support *support)
{
    if (support->resolve != NULL) {
        return 0;
    }
    PyObject *module = PyImport_ImportModule("allocative._bridge");
    if (module == NULL) {
        return -1;
    }
    struct { PyObject **into; const char *name; } functions[] = {
        {&support->resolve, "resolve"},
        {&support->describe, "describe"},
        {&support->flame_graph, "FlameGraph"},
        {&support->contents_copy, "contents_copy"},
        {&support->expand_contents, "expand_contents"},
        {&support->is_mutation, "is_mutation"},
        {&support->overhead_of, "overhead_of"},
        {&support->finish_warnings, "finish_warnings"},
        {&support->referents, "referents"},
        {&support->raised_text, "raised_text"},
        {&support->callable_name, "callable_name"},
    };
    for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++) {
        *functions[i].into = PyObject_GetAttrString(module, functions[i].name);
        if (*functions[i].into == NULL) {
            Py_DECREF(module);
            support_clear(support);
            return -1;
        }
    }
    Py_DECREF(module);
    struct { PyObject **into; const char *text; } constants[] = {
        {&support->changed, ALLOCATIVE_CHANGED},
        {&support->temporary, ALLOCATIVE_TEMPORARY},
        {&support->visit_failed, ALLOCATIVE_VISIT_FAILED},
        {&support->unused_capacity, ALLOCATIVE_UNUSED_CAPACITY},
        {&support->dict_storage, ALLOCATIVE_DICT_STORAGE},
        {&support->allocator_overhead, ALLOCATIVE_ALLOCATOR_OVERHEAD},
        {&support->key, "key"},
        {&support->value, "value"},
        {&support->str, "str"},
        {&support->int_, "int"},
        {&support->float_, "float"},
        {&support->bytes, "bytes"},
        {&support->list, "list"},
        {&support->dict, "dict"},
        {&support->empty, ""},
        {&support->raised_name, "_raised"},
        {&support->expand_name, "expand"},
        {&support->complete_name, "_complete"},
        {&support->stored_name, "stored"},
        {&support->name_name, "name"},
        {&support->owned_by_nobody_name, "owned_by_nobody"},
        {&support->size_name, "size"},
        {&support->unused_name, "unused"},
        {&support->values_bytes_name, "values_bytes"},
        {&support->expand_attr, "expand"},
        {&support->reflective_name, "reflective"},
        {&support->fixed_size_name, "fixed_size"},
        {&support->code_name, "code"},
        {&support->instance_name, "instance"},
        {&support->instances_name, "instances"},
        {&support->method_name, "method"},
        {&support->attributes_only_name, "attributes_only"},
        {&support->complete_attr, "complete"},
        {&support->managed_name, "managed"},
        {&support->dict_offset_name, "dict_offset"},
        {&support->slots_name, "slots"},
        {&support->key_names_name, "key_names"},
        {&support->values_model_name, "values_model"},
        {&support->array_bytes_name, "array_bytes"},
        {&support->steady_capacity_name, "steady_capacity"},
        {&support->settled_name, "settled"},
        {&support->qualname_name, "__qualname__"},
        {&support->children_name, "children"},
        {&support->self_size_name, "self_size"},
    };
    for (size_t i = 0; i < sizeof(constants) / sizeof(constants[0]); i++) {
        *constants[i].into = PyUnicode_InternFromString(constants[i].text);
        if (*constants[i].into == NULL) {
            support_clear(support);
            return -1;
        }
    }
    return 0;
}

/* Support holds nothing but object pointers: it is walked as an array of them. */
enum { SUPPORT_MEMBERS = sizeof(Support) / sizeof(PyObject *) };

int
support_traverse(Support *support, visitproc visit, void *arg)
{
    PyObject **members = (PyObject **)support;
    for (size_t i = 0; i < SUPPORT_MEMBERS; i++) {
        Py_VISIT(members[i]);
    }
    return 0;
}

void
support_clear(Support *support)
{
    PyObject **members = (PyObject **)support;
    for (size_t i = 0; i < SUPPORT_MEMBERS; i++) {
        Py_CLEAR(members[i]);
    }
}
