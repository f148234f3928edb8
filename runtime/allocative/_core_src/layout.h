/* The interpreter structures the engine reads that the public headers leave opaque.
 *
 * Each mirror below copies the CPython 3.11, 3.12 and 3.13 definition it names
 * (Include/internal/pycore_dict.h, pycore_object.h); those headers need
 * Py_BUILD_CORE and do not compile cleanly as an extension. The tests pin
 * every read made through them on the three versions (tests/runtime/
 * test_engines_agree.py, test_attribute_reads.py), and core.h refuses any
 * other version at build time.
 */
#ifndef ALLOCATIVE_LAYOUT_H
#define ALLOCATIVE_LAYOUT_H

#include "core.h"

#include <stdint.h>

#define PY_311 (PY_VERSION_HEX < 0x030C0000)
#define PY_312 (PY_VERSION_HEX >= 0x030C0000 && PY_VERSION_HEX < 0x030D0000)
#define PY_313 (PY_VERSION_HEX >= 0x030D0000)

/* struct _dictkeysobject (the GIL build): a dict's keys, shared by a class's instances. */
typedef struct {
    Py_ssize_t refcnt;
    uint8_t log2_size;
    uint8_t log2_index_bytes;
    uint8_t rule;
    uint32_t version;
    Py_ssize_t usable;
    Py_ssize_t nentries;
    char indices[];
} KeysLayout;

#define KEYS_GENERAL 0 /* DICT_KEYS_GENERAL: entries of hash, key, value */

/* The key of entry `index` of an all-str keys table (PyDictUnicodeEntry: key, value). */
static inline PyObject *
keys_unicode_key(const KeysLayout *keys, Py_ssize_t index)
{
    const char *entries = keys->indices + ((size_t)1 << keys->log2_index_bytes);
    return ((PyObject *const *)entries)[2 * index];
}

/* The class's shared keys (ht_cached_keys), or NULL. */
static inline const KeysLayout *
class_keys(PyTypeObject *tp)
{
    if (!(tp->tp_flags & Py_TPFLAGS_HEAPTYPE)) {
        return NULL;
    }
    return (const KeysLayout *)((PyHeapTypeObject *)tp)->ht_cached_keys;
}

#ifndef Py_TPFLAGS_INLINE_VALUES
#define Py_TPFLAGS_INLINE_VALUES (1 << 2)
#endif

/* The word before a managed-storage instance that holds its __dict__ (3.11, 3.13) or,
 * tagged with a low 1 bit, its values (3.12). */
static inline uintptr_t
managed_word(PyObject *obj)
{
    return ((uintptr_t *)obj)[-3];
}

/* The __dict__ object of an instance with interpreter-managed storage, or NULL. */
static inline PyObject *
managed_dict(PyObject *obj)
{
    uintptr_t word = managed_word(obj);
    if (word == 0 || (word & 1)) {
        return NULL;
    }
    PyObject *found = (PyObject *)word;
    return PyDict_CheckExact(found) ? found : NULL;
}

/* Where a managed-storage instance keeps the value of shared key i (slot i), or NULL when
 * its values are in a __dict__ object or it has none. */
static inline PyObject **
managed_values(PyObject *obj)
{
#if PY_311
    return ((PyObject ***)obj)[-4];
#elif PY_312
    uintptr_t word = managed_word(obj);
    return (word & 1) ? (PyObject **)(word + 1) : NULL; /* the tag is "address - 1" */
#else
    PyTypeObject *tp = Py_TYPE(obj);
    if (!(tp->tp_flags & Py_TPFLAGS_INLINE_VALUES)) {
        return NULL;
    }
    uint8_t *start = (uint8_t *)obj + tp->tp_basicsize; /* capacity, size, embedded, valid */
    return start[3] ? (PyObject **)(start + 8) : NULL;
#endif
}

/* The one-byte prefix size before a 3.11/3.12 values array, or the capacity byte of 3.13
 * inline values: what the allocation's size is read from. */
static inline uint8_t
values_size_byte(PyObject *obj)
{
#if PY_311
    PyObject **values = ((PyObject ***)obj)[-4];
    return values == NULL ? 0 : ((uint8_t *)values)[-1];
#elif PY_312
    uintptr_t word = managed_word(obj);
    return (word & 1) ? *(uint8_t *)word : 0;
#else
    return *((uint8_t *)obj + Py_TYPE(obj)->tp_basicsize);
#endif
}

/* Bytes of 3.13 inline values of `capacity` slots: their header, order bytes and slots
 * (_layout._inline_values_size). */
static inline Py_ssize_t
inline_values_size(Py_ssize_t capacity)
{
    return (capacity + 7) / 8 * 8 + (capacity + 1) * 8;
}

/* Whether a 3.11/3.12 instance has a values array (3.13: inline values, always there). */
static inline int
has_values_array(PyObject *obj)
{
#if PY_311
    return ((PyObject ***)obj)[-4] != NULL;
#elif PY_312
    return (managed_word(obj) & 1) != 0;
#else
    (void)obj;
    return 1;
#endif
}

#if PY_313
/* Exported by the interpreter; 3.13 declares it in an internal header only. */
PyAPI_FUNC(Py_ssize_t) _PyDict_SizeOf(PyDictObject *);
#endif

/* A dict's values pointer (ma_values): non-NULL for a split table. */
static inline PyObject *
dict_values_pointer(PyObject *dict)
{
    return (PyObject *)((PyDictObject *)dict)->ma_values;
}

/* The number of 30-bit digits of an int (at least 1, as int.__sizeof__ counts). */
static inline Py_ssize_t
int_digits(PyObject *value)
{
#if PY_311
    Py_ssize_t size = Py_SIZE(value);
    size = size < 0 ? -size : size;
#else
    Py_ssize_t size = (Py_ssize_t)(((PyLongObject *)value)->long_value.lv_tag >> 3);
#endif
    return size < 1 ? 1 : size;
}

/* Whether an int is one of the interpreter's small ints (-5..256). */
static inline int
is_small_int(PyObject *value)
{
    int overflow = 0;
    long v = PyLong_AsLongAndOverflow(value, &overflow);
    return !overflow && v >= -5 && v <= 256;
}

#endif
