/* The allocative._core module: its state, its types, and the check that it runs on
 * the interpreter it was built for. */
#include "core.h"

#include <stddef.h>

/* Built against one minor version's structures: refuse any other at load. */
static int
check_abi(void)
{
    unsigned long running = Py_Version >> 16;
    unsigned long built = PY_VERSION_HEX >> 16;
    if (running == built) {
        return 0;
    }
    PyErr_Format(PyExc_ImportError,
                 "allocative._core was built for Python %d.%d, not %lu.%lu",
                 PY_MAJOR_VERSION, PY_MINOR_VERSION, running >> 8, running & 0xff);
    return -1;
}

static int
core_exec(PyObject *module)
{
    if (check_abi() < 0) {
        return -1;
    }
    CoreState *state = core_state(module);
    state->address_set_type = address_set_type_new(module);
    if (state->address_set_type == NULL) {
        return -1;
    }
    if (PyModule_AddType(module, state->address_set_type) < 0) {
        return -1;
    }
    state->engine_type = engine_type_new(module);
    if (state->engine_type == NULL || PyModule_AddType(module, state->engine_type) < 0) {
        return -1;
    }
    state->frame_tree_type = frame_tree_type_new(module);
    if (state->frame_tree_type == NULL || PyModule_AddType(module, state->frame_tree_type) < 0) {
        return -1;
    }
    PyObject *abi = Py_BuildValue("(ii)", PY_MAJOR_VERSION, PY_MINOR_VERSION);
    if (abi == NULL) {
        return -1;
    }
    int added = PyModule_AddObjectRef(module, "ABI", abi);
    Py_DECREF(abi);
    /* Offsets the pure engine reads at, as this build's headers give them: its tests pin
     * allocative/_layout.py against these. */
    PyObject *layout = Py_BuildValue("{s:n}", "ht_cached_keys",
                                     (Py_ssize_t)offsetof(PyHeapTypeObject, ht_cached_keys));
    if (added < 0 || layout == NULL) {
        Py_XDECREF(layout);
        return -1;
    }
    added = PyModule_AddObjectRef(module, "LAYOUT", layout);
    Py_DECREF(layout);
    return added;
}

static int
core_traverse(PyObject *module, visitproc visit, void *arg)
{
    Py_VISIT(core_state(module)->address_set_type);
    Py_VISIT(core_state(module)->engine_type);
    Py_VISIT(core_state(module)->frame_tree_type);
    return support_traverse(&core_state(module)->support, visit, arg);
}

static int
core_clear(PyObject *module)
{
    Py_CLEAR(core_state(module)->address_set_type);
    Py_CLEAR(core_state(module)->engine_type);
    Py_CLEAR(core_state(module)->frame_tree_type);
    support_clear(&core_state(module)->support);
    return 0;
}

static void
core_free(void *module)
{
    core_clear((PyObject *)module);
}

static PyModuleDef_Slot core_slots[] = {
    {Py_mod_exec, core_exec},
    {0, NULL},
};

PyDoc_STRVAR(core_doc,
"The compiled measuring engine of allocative.\n\n"
"ABI is the (major, minor) Python version it was built for; LAYOUT the offsets of\n"
"interpreter structures the pure engine reads, as this build's headers give them.");

static struct PyModuleDef core_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "allocative._core",
    .m_doc = core_doc,
    .m_size = sizeof(CoreState),
    .m_slots = core_slots,
    .m_traverse = core_traverse,
    .m_clear = core_clear,
    .m_free = core_free,
};

PyMODINIT_FUNC
PyInit__core(void)
{
    return PyModuleDef_Init(&core_module);
}
