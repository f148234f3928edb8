/* allocative._core: the compiled measuring engine, shared declarations.
 *
 * The engine reads the running interpreter's own structures, so it is built
 * only for the interpreters whose layout is tested: 64-bit CPython 3.11-3.13
 * with the GIL. allocative/_gate.py states that rule for the build, for engine
 * selection and for the pure engine's raw reads; the checks below stop a
 * build that bypassed it.
 */
#ifndef ALLOCATIVE_CORE_H
#define ALLOCATIVE_CORE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "constants.h"
#include "support.h"

#ifdef PYPY_VERSION
#  error "allocative._core is for CPython only"
#endif
#if PY_VERSION_HEX < 0x030B0000 || PY_VERSION_HEX >= 0x030E0000
#  error "allocative._core supports CPython 3.11 to 3.13"
#endif
#ifdef Py_GIL_DISABLED
#  error "allocative._core needs the GIL: free-threaded builds are not supported"
#endif

/* Per-module state: the types the module defines (heap types, one set per module object). */
typedef struct {
    PyTypeObject *address_set_type;
    PyTypeObject *engine_type;
    PyTypeObject *frame_tree_type;
    Support support;
} CoreState;

static inline CoreState *
core_state(PyObject *module)
{
    return (CoreState *)PyModule_GetState(module);
}

/* Creates the AddressSet type for `module` (address_set.c); NULL with an exception on failure. */
PyTypeObject *address_set_type_new(PyObject *module);

/* Creates the Engine type for `module` (engine.c); NULL with an exception on failure. */
PyTypeObject *engine_type_new(PyObject *module);

/* Creates the FrameTree type for `module` (frames.c); NULL with an exception on failure. */
PyTypeObject *frame_tree_type_new(PyObject *module);

#endif
