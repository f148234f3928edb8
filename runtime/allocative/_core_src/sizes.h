/* Own bytes and spare capacity of the built-in rules the engine measures natively.
 *
 * Each function returns exactly what the pure engine's rule returns
 * (allocative/_impls/, _sizes.py): the same formulas, read from the objects'
 * structures instead of through their methods. tests/runtime/test_engines_agree.py
 * compares the two on every rule and version.
 */
#ifndef ALLOCATIVE_SIZES_H
#define ALLOCATIVE_SIZES_H

#include "core.h"

/* Sets up the methods the rare cases fall back on; -1 with an exception on failure. */
int sizes_init(void);

Py_ssize_t str_size(PyObject *value);
int str_owned_by_nobody(PyObject *value);
Py_ssize_t int_size(PyObject *value);
Py_ssize_t bytes_size(PyObject *value);
Py_ssize_t list_size(PyObject *value);
Py_ssize_t list_unused(PyObject *value);
Py_ssize_t tuple_size(PyObject *value);
Py_ssize_t set_size(PyObject *value);
Py_ssize_t set_unused(PyObject *value);
/* -1 with an exception set on failure (dict sizes call into the interpreter). */
Py_ssize_t dict_size(PyObject *value);
Py_ssize_t dict_unused(PyObject *value);

#define FLOAT_SIZE ((Py_ssize_t)sizeof(PyFloatObject))
#define COMPLEX_SIZE ((Py_ssize_t)sizeof(PyComplexObject))
#define GC_HEADER ((Py_ssize_t)(2 * sizeof(void *)))
#define LATIN1 256

#endif
