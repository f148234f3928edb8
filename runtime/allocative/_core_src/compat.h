/* What the engine uses from the C API that 3.11 spells differently. */
#ifndef ALLOCATIVE_COMPAT_H
#define ALLOCATIVE_COMPAT_H

#include "core.h"

#if PY_VERSION_HEX < 0x030C0000
/* The exception being raised, normalised, with its traceback; the error indicator is cleared. */
static inline PyObject *
PyErr_GetRaisedException(void)
{
    PyObject *type, *value, *traceback;
    PyErr_Fetch(&type, &value, &traceback);
    if (type == NULL) {
        return NULL;
    }
    PyErr_NormalizeException(&type, &value, &traceback);
    if (traceback != NULL && value != NULL) {
        PyException_SetTraceback(value, traceback);
    }
    Py_XDECREF(type);
    Py_XDECREF(traceback);
    return value;
}

/* Raises `exception` again (the reference is stolen). */
static inline void
PyErr_SetRaisedException(PyObject *exception)
{
    PyObject *type = (PyObject *)Py_TYPE(exception);
    Py_INCREF(type);
    PyErr_Restore(type, exception, PyException_GetTraceback(exception));
}
#endif

#endif
