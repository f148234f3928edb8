/* Own bytes and spare capacity of the native rules: see sizes.h. */
#include "sizes.h"
#include "layout.h"

/* str.__sizeof__'s C function, for the strings whose formula is not the compact ASCII one. */
static PyCFunction str_sizeof;

int
sizes_init(void)
{
    if (str_sizeof != NULL) {
        return 0;
    }
    PyObject *method = PyObject_GetAttrString((PyObject *)&PyUnicode_Type, "__sizeof__");
    if (method == NULL) {
        return -1;
    }
    if (!PyObject_TypeCheck(method, &PyMethodDescr_Type)) {
        Py_DECREF(method);
        PyErr_SetString(PyExc_TypeError, "str.__sizeof__ is not a method descriptor");
        return -1;
    }
    str_sizeof = ((PyMethodDescrObject *)method)->d_method->ml_meth;
    Py_DECREF(method); /* str keeps it alive */
    return 0;
}

Py_ssize_t
str_size(PyObject *value)
{
    if (PyUnicode_IS_COMPACT_ASCII(value)
#if PY_311
        && ((PyASCIIObject *)value)->wstr == NULL
#endif
    ) {
        return (Py_ssize_t)sizeof(PyASCIIObject) + PyUnicode_GET_LENGTH(value) + 1;
    }
    PyObject *size = str_sizeof(value, NULL);
    if (size == NULL) {
        PyErr_Clear();
        return (Py_ssize_t)sizeof(PyASCIIObject) + PyUnicode_GET_LENGTH(value) + 1;
    }
    Py_ssize_t result = PyLong_AsSsize_t(size);
    Py_DECREF(size);
    return result;
}

/* An empty or one-character Latin-1 string, or an interned one: the interpreter's. */
int
str_owned_by_nobody(PyObject *value)
{
    Py_ssize_t length = PyUnicode_GET_LENGTH(value);
    if (length < 2) {
        return length == 0 || PyUnicode_READ_CHAR(value, 0) < LATIN1;
    }
    return PyUnicode_CHECK_INTERNED(value) != 0;
}

#define ONE_DIGIT_INT 28
#define MEDIUM_INT_STRUCT 32

/* Bytes of an int; a one-digit int made by arithmetic is a whole padded struct. */
Py_ssize_t
int_size(PyObject *value)
{
    Py_ssize_t size = 24 + 4 * int_digits(value);
    return size == ONE_DIGIT_INT ? MEDIUM_INT_STRUCT : size;
}

Py_ssize_t
bytes_size(PyObject *value)
{
    return PyBytes_Type.tp_basicsize + PyBytes_GET_SIZE(value);
}

Py_ssize_t
list_size(PyObject *value)
{
    return Py_TYPE(value)->tp_basicsize + ((PyListObject *)value)->allocated * 8 + GC_HEADER;
}

Py_ssize_t
list_unused(PyObject *value)
{
    return (((PyListObject *)value)->allocated - PyList_GET_SIZE(value)) * 8;
}

Py_ssize_t
tuple_size(PyObject *value)
{
    return Py_TYPE(value)->tp_basicsize + PyTuple_GET_SIZE(value) * 8 + GC_HEADER;
}

#define SET_SMALL_TABLE 8
#define SET_ENTRY 16

static Py_ssize_t
set_table_bytes(PyObject *value)
{
    PySetObject *set = (PySetObject *)value;
    return set->table == set->smalltable ? 0 : (set->mask + 1) * SET_ENTRY;
}

Py_ssize_t
set_size(PyObject *value)
{
    return Py_TYPE(value)->tp_basicsize + set_table_bytes(value) + GC_HEADER;
}

Py_ssize_t
set_unused(PyObject *value)
{
    Py_ssize_t extra = set_table_bytes(value);
    Py_ssize_t slots = extra <= 0 ? SET_SMALL_TABLE : extra / SET_ENTRY;
    Py_ssize_t idle = extra <= 0 ? 0 : SET_SMALL_TABLE * SET_ENTRY;
    Py_ssize_t room = (slots - 1) * 3 / 5 - PySet_GET_SIZE(value);
    return idle + (room > 0 ? room : 0) * SET_ENTRY;
}

#define DICT_BASE ((Py_ssize_t)sizeof(PyDictObject) + GC_HEADER)

/* getsizeof(value), or for a split table (a materialised instance __dict__) the dict and
 * its own values array (counted with the instance when the values are inline). */
Py_ssize_t
dict_size(PyObject *value)
{
    Py_ssize_t size = _PyDict_SizeOf((PyDictObject *)value);
    if (size < 0) {
        return -1;
    }
    size += GC_HEADER;
    uint8_t *values = (uint8_t *)dict_values_pointer(value);
    if (values == NULL) {
        return size;
    }
#if PY_313
    return values[2] ? DICT_BASE : DICT_BASE + inline_values_size(values[0]);
#else
    return DICT_BASE + values[-1] + (size - DICT_BASE) / 8 * 8;
#endif
}

static Py_ssize_t
dict_index_bytes(Py_ssize_t table_size)
{
    if (table_size <= 0x80) {
        return 1;
    }
    if (table_size <= 0x8000) {
        return 2;
    }
    if (table_size <= 0x80000000LL) {
        return 4;
    }
    return 8;
}

/* Spare entries of a table of `keys_bytes` bytes holding `used` items (see
 * _sizes.dict_unused: the table's layout is found from its size). */
static Py_ssize_t
table_unused(Py_ssize_t keys_bytes, Py_ssize_t used)
{
    for (int log2 = 3; log2 < 48; log2++) {
        Py_ssize_t size = (Py_ssize_t)1 << log2;
        Py_ssize_t usable = 2 * size / 3;
        Py_ssize_t base = 32 + size * dict_index_bytes(size);
        for (Py_ssize_t entry = 16; entry <= 24; entry += 8) {
            if (base + usable * entry == keys_bytes) {
                Py_ssize_t spare = usable - used;
                return (spare > 0 ? spare : 0) * entry;
            }
        }
        if (base + usable * 16 > keys_bytes) {
            return 0;
        }
    }
    return 0;
}

Py_ssize_t
dict_unused(PyObject *value)
{
    Py_ssize_t keys_bytes;
    if (PyDict_CheckExact(value)) {
        Py_ssize_t size = dict_size(value);
        if (size < 0) {
            return -1;
        }
        keys_bytes = size - DICT_BASE;
    }
    else {
        Py_ssize_t size = _PyDict_SizeOf((PyDictObject *)value);
        if (size < 0) {
            return -1;
        }
        keys_bytes = size - Py_TYPE(value)->tp_basicsize;
    }
    if (keys_bytes <= 0) {
        return 0;
    }
    return table_unused(keys_bytes, PyDict_GET_SIZE(value));
}
