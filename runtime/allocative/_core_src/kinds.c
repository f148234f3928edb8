/* Kinds of the compiled engine: see kinds.h. */
#include "kinds.h"

#include <structmember.h>
#include <string.h>

static const struct { const char *name; KindCode code; } CODES[] = {
    {"zero", CODE_ZERO},
    {"str", CODE_STR},
    {"int", CODE_INT},
    {"float", CODE_FLOAT},
    {"complex", CODE_COMPLEX},
    {"bytes", CODE_BYTES},
    {"list", CODE_LIST},
    {"tuple", CODE_TUPLE},
    {"set", CODE_SET},
    {"frozenset", CODE_FROZENSET},
    {"dict", CODE_DICT},
    {"instance", CODE_INSTANCE},
    {"python", CODE_PYTHON},
};

static int
code_named(PyObject *name, KindCode *code)
{
    const char *text = PyUnicode_AsUTF8(name);
    if (text == NULL) {
        return -1;
    }
    for (size_t i = 0; i < sizeof(CODES) / sizeof(CODES[0]); i++) {
        if (strcmp(CODES[i].name, text) == 0) {
            *code = CODES[i].code;
            return 0;
        }
    }
    PyErr_Format(PyExc_ValueError, "allocative._compiled.describe gave unknown code %R", name);
    return -1;
}

static void
instance_free(InstanceInfo *info)
{
    if (info == NULL) {
        return;
    }
    Py_XDECREF(info->instances);
    Py_XDECREF(info->method);
    Py_XDECREF(info->key_names);
    for (Py_ssize_t i = 0; i < info->slot_count; i++) {
        Py_XDECREF(info->slot_names[i]);
    }
    PyMem_Free(info->slot_offsets);
    PyMem_Free(info->slot_names);
    PyMem_Free(info);
}

/* The offsets of a class's object slots, from (name, member descriptor) pairs. */
static int
read_slots(InstanceInfo *info, PyObject *slots)
{
    Py_ssize_t count = PyTuple_GET_SIZE(slots);
    info->slot_offsets = PyMem_Calloc(count ? count : 1, sizeof(Py_ssize_t));
    info->slot_names = PyMem_Calloc(count ? count : 1, sizeof(PyObject *));
    if (info->slot_offsets == NULL || info->slot_names == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *pair = PyTuple_GET_ITEM(slots, i);
        PyObject *member = PyTuple_GET_ITEM(pair, 1);
        if (!PyObject_TypeCheck(member, &PyMemberDescr_Type)) {
            PyErr_SetString(PyExc_TypeError, "a slot is not a member descriptor");
            return -1;
        }
        PyMemberDef *def = ((PyMemberDescrObject *)member)->d_member;
        if (def->type != T_OBJECT_EX && def->type != T_OBJECT) {
            PyErr_SetString(PyExc_TypeError, "a slot does not hold an object");
            return -1;
        }
        info->slot_offsets[i] = def->offset;
        info->slot_names[i] = Py_NewRef(PyTuple_GET_ITEM(pair, 0));
        info->slot_count = i + 1;
    }
    return 0;
}

/* describe() of an instance kind: (code, instances, method, complete, reflective_fast,
 * managed, dict_offset, slots, key_names, values_model, array_bytes, steady_capacity,
 * settled). */
static InstanceInfo *
instance_info(PyObject *description)
{
    InstanceInfo *info = PyMem_Calloc(1, sizeof(InstanceInfo));
    if (info == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    PyObject *code, *method, *slots, *key_names, *array_bytes;
    if (!PyArg_ParseTuple(description, "OOOpppnOO!iOii", &code, &info->instances, &method,
                          &info->complete, &info->reflective_fast, &info->managed,
                          &info->dict_offset, &slots, &PyTuple_Type, &key_names,
                          &info->values_model, &array_bytes, &info->steady_capacity,
                          &info->settled)) {
        PyMem_Free(info);
        return NULL;
    }
    Py_INCREF(info->instances);
    info->key_names = Py_NewRef(key_names);
    info->method = method == Py_None ? NULL : Py_NewRef(method);
    if (!PyTuple_Check(slots) || read_slots(info, slots) < 0) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_TypeError, "slots must be a tuple");
        }
        instance_free(info);
        return NULL;
    }
    Py_ssize_t count = PyTuple_Check(array_bytes) ? PyTuple_GET_SIZE(array_bytes) : 0;
    for (Py_ssize_t i = 0; i < count && i < 256; i++) {
        info->array_bytes[i] = (int32_t)PyLong_AsLong(PyTuple_GET_ITEM(array_bytes, i));
    }
    if (PyErr_Occurred()) {
        instance_free(info);
        return NULL;
    }
    return info;
}

static PyObject *
attribute_or_none(PyObject *kind, PyObject *name)
{
    PyObject *value = PyObject_GetAttr(kind, name);
    if (value == NULL) {
        return NULL;
    }
    Py_DECREF(value); /* borrowed: the kind keeps it */
    return value;
}

static Kind *
kind_new(PyTypeObject *tp, PyObject *custom, const Support *support)
{
    PyObject *py = PyObject_CallFunctionObjArgs(support->resolve, (PyObject *)tp, custom, NULL);
    if (py == NULL) {
        return NULL;
    }
    PyObject *description = PyObject_CallOneArg(support->describe, py);
    if (description == NULL) {
        Py_DECREF(py);
        return NULL;
    }
    Kind *kind = PyMem_Calloc(1, sizeof(Kind));
    if (kind == NULL) {
        PyErr_NoMemory();
        goto error;
    }
    kind->type = (PyTypeObject *)Py_NewRef(tp);
    kind->kind = py;
    py = NULL;
    kind->size = -1;
    if (!PyTuple_Check(description) || PyTuple_GET_SIZE(description) < 1
        || code_named(PyTuple_GET_ITEM(description, 0), &kind->code) < 0) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_TypeError, "describe() must give a tuple");
        }
        goto error;
    }
    kind->name = PyObject_GetAttr(kind->kind, support->name_name);
    if (kind->name == NULL) {
        goto error;
    }
    if (!PyUnicode_CheckExact(kind->name)) {
        PyErr_SetString(PyExc_TypeError, "a kind's name must be a str");
        goto error;
    }
    PyUnicode_InternInPlace(&kind->name);
    PyObject *reflective = attribute_or_none(kind->kind, support->reflective_name);
    PyObject *fixed = attribute_or_none(kind->kind, support->fixed_size_name);
    if (reflective == NULL || fixed == NULL) {
        goto error;
    }
    kind->reflective = PyObject_IsTrue(reflective);
    kind->fixed_size = PyObject_IsTrue(fixed);
    if ((kind->zero = attribute_or_none(kind->kind, support->zero_name)) == NULL
        || (kind->size_of = attribute_or_none(kind->kind, support->size_name)) == NULL
        || (kind->unused = attribute_or_none(kind->kind, support->unused_name)) == NULL
        || (kind->attrs = attribute_or_none(kind->kind, support->attrs_name)) == NULL
        || (kind->expand = attribute_or_none(kind->kind, support->expand_attr)) == NULL) {
        goto error;
    }
    if (kind->code == CODE_INSTANCE) {
        kind->instance = instance_info(description);
        if (kind->instance == NULL) {
            goto error;
        }
    }
    Py_DECREF(description);
    return kind;
error:
    Py_XDECREF(py);
    Py_DECREF(description);
    if (kind != NULL) {
        Py_XDECREF(kind->type);
        Py_XDECREF(kind->kind);
        Py_XDECREF(kind->name);
        instance_free(kind->instance);
        PyMem_Free(kind);
    }
    return NULL;
}

static void
kind_free(Kind *kind)
{
    Py_DECREF(kind->type);
    Py_DECREF(kind->kind);
    Py_DECREF(kind->name);
    instance_free(kind->instance);
    PyMem_Free(kind);
}

static size_t
slot_of(PyTypeObject *tp, size_t capacity)
{
    uint64_t hash = (uint64_t)(uintptr_t)tp * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(hash >> 40) & (capacity - 1);
}

static int
map_grow(KindMap *map)
{
    size_t capacity = map->capacity ? map->capacity * 2 : 64;
    Kind **slots = PyMem_Calloc(capacity, sizeof(Kind *));
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i < map->capacity; i++) {
        Kind *kind = map->slots[i];
        if (kind == NULL) {
            continue;
        }
        size_t slot = slot_of(kind->type, capacity);
        while (slots[slot] != NULL) {
            slot = (slot + 1) & (capacity - 1);
        }
        slots[slot] = kind;
    }
    PyMem_Free(map->slots);
    map->slots = slots;
    map->capacity = capacity;
    return 0;
}

Kind *
kind_of(KindMap *map, PyTypeObject *tp, PyObject *custom, const Support *support)
{
    if (map->capacity) {
        size_t mask = map->capacity - 1;
        for (size_t slot = slot_of(tp, map->capacity); map->slots[slot] != NULL;
             slot = (slot + 1) & mask) {
            if (map->slots[slot]->type == tp) {
                return map->slots[slot];
            }
        }
    }
    Kind *kind = kind_new(tp, custom, support);
    if (kind == NULL) {
        return NULL;
    }
    if ((map->count + 1) * 2 > map->capacity && map_grow(map) < 0) {
        kind_free(kind);
        return NULL;
    }
    size_t mask = map->capacity - 1;
    size_t slot = slot_of(tp, map->capacity);
    while (map->slots[slot] != NULL) {
        slot = (slot + 1) & mask;
    }
    map->slots[slot] = kind;
    map->count++;
    return kind;
}

int
kinds_report_reflected(KindMap *map, PyObject *reflected)
{
    for (size_t i = 0; i < map->capacity; i++) {
        Kind *kind = map->slots[i];
        if (kind == NULL || kind->reflected_count == 0) {
            continue;
        }
        PyObject *counts = PyDict_GetItemWithError(reflected, kind->name);
        Py_ssize_t count = kind->reflected_count, bytes = kind->reflected_bytes;
        if (counts == NULL && PyErr_Occurred()) {
            return -1;
        }
        if (counts != NULL) {
            count += PyLong_AsSsize_t(PyList_GET_ITEM(counts, 0));
            bytes += PyLong_AsSsize_t(PyList_GET_ITEM(counts, 1));
        }
        PyObject *updated = Py_BuildValue("[nn]", count, bytes);
        if (updated == NULL || PyDict_SetItem(reflected, kind->name, updated) < 0) {
            Py_XDECREF(updated);
            return -1;
        }
        Py_DECREF(updated);
        kind->reflected_count = kind->reflected_bytes = 0;
    }
    return 0;
}

void
kinds_clear(KindMap *map)
{
    for (size_t i = 0; i < map->capacity; i++) {
        if (map->slots[i] != NULL) {
            kind_free(map->slots[i]);
        }
    }
    PyMem_Free(map->slots);
    map->slots = NULL;
    map->capacity = map->count = 0;
}

int
kinds_traverse(KindMap *map, visitproc visit, void *arg)
{
    for (size_t i = 0; i < map->capacity; i++) {
        Kind *kind = map->slots[i];
        if (kind == NULL) {
            continue;
        }
        Py_VISIT(kind->type);
        Py_VISIT(kind->kind);
        if (kind->instance != NULL) {
            Py_VISIT(kind->instance->instances);
            Py_VISIT(kind->instance->method);
        }
    }
    return 0;
}
