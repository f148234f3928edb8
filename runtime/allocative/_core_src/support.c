/* What the engine takes from allocative/_compiled.py: see support.h. */
#include "support.h"

static PyObject *
interned(const char *text)
{
    return PyUnicode_InternFromString(text);
}

int
support_init(Support *support)
{
    if (support->resolve != NULL) {
        return 0;
    }
    PyObject *module = PyImport_ImportModule("allocative._compiled");
    if (module == NULL) {
        return -1;
    }
    struct { PyObject **into; const char *name; } names[] = {
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
        {&support->changed, "CHANGED"},
        {&support->temporary, "TEMPORARY"},
        {&support->visit_failed, "VISIT_FAILED"},
        {&support->unused_capacity, "UNUSED_CAPACITY"},
        {&support->dict_storage, "DICT_STORAGE"},
        {&support->allocator_overhead, "ALLOCATOR_OVERHEAD"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        *names[i].into = PyObject_GetAttrString(module, names[i].name);
        if (*names[i].into == NULL) {
            Py_DECREF(module);
            support_clear(support);
            return -1;
        }
    }
    Py_DECREF(module);
    struct { PyObject **into; const char *text; } constants[] = {
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
        {&support->zero_name, "zero"},
        {&support->size_name, "size"},
        {&support->unused_name, "unused"},
        {&support->attrs_name, "attrs"},
        {&support->expand_attr, "expand"},
        {&support->reflective_name, "reflective"},
        {&support->fixed_size_name, "fixed_size"},
        {&support->qualname_name, "__qualname__"},
        {&support->children_name, "children"},
        {&support->self_size_name, "self_size"},
    };
    for (size_t i = 0; i < sizeof(constants) / sizeof(constants[0]); i++) {
        *constants[i].into = interned(constants[i].text);
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
