/* Rules of the compiled engine: see rules.h. */
#include "rules.h"

#include <structmember.h>
#include <string.h>

static const struct { const char *name; RuleCode code; } CODES[] = {
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
code_named(PyObject *name, RuleCode *code)
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
    PyErr_Format(PyExc_ValueError, "allocative._bridge.describe gave unknown code %U", name);
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

/* Reads attribute `name` of a describe() record into `*into` as a strong reference; -1
 * with an exception set. */
static int
record_object(PyObject *record, PyObject *name, PyObject **into)
{
    *into = PyObject_GetAttr(record, name);
    return *into == NULL ? -1 : 0;
}

/* An int attribute of a describe() record; -1 with an exception set. */
static int
record_int(PyObject *record, PyObject *name, long *into)
{
    PyObject *value = PyObject_GetAttr(record, name);
    if (value == NULL) {
        return -1;
    }
    *into = PyLong_AsLong(value);
    Py_DECREF(value);
    return *into == -1 && PyErr_Occurred() ? -1 : 0;
}

/* The InstanceRule record describe() gives for a class's instances (allocative/_bridge.py),
 * read by its fields' names. */
static InstanceInfo *
instance_info(PyObject *record, const Support *support)
{
    InstanceInfo *info = PyMem_Calloc(1, sizeof(InstanceInfo));
    if (info == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    long complete, attributes_only, managed, dict_offset, model, steady, settled;
    PyObject *method = NULL, *slots = NULL, *array_bytes = NULL;
    int result = record_object(record, support->instances_name, &info->instances) < 0
                         || record_object(record, support->method_name, &method) < 0
                         || record_object(record, support->slots_name, &slots) < 0
                         || record_object(record, support->key_names_name, &info->key_names) < 0
                         || record_object(record, support->array_bytes_name, &array_bytes) < 0
                         || record_int(record, support->complete_attr, &complete) < 0
                         || record_int(record, support->attributes_only_name, &attributes_only) < 0
                         || record_int(record, support->managed_name, &managed) < 0
                         || record_int(record, support->dict_offset_name, &dict_offset) < 0
                         || record_int(record, support->values_model_name, &model) < 0
                         || record_int(record, support->steady_capacity_name, &steady) < 0
                         || record_int(record, support->settled_name, &settled) < 0
                     ? -1
                     : 0;
    if (result == 0 && (!PyTuple_Check(slots) || !PyTuple_Check(info->key_names)
                        || !PyTuple_Check(array_bytes))) {
        PyErr_SetString(PyExc_TypeError, "slots, key_names and array_bytes must be tuples");
        result = -1;
    }
    if (result == 0) {
        info->method = method == Py_None ? NULL : Py_NewRef(method);
        info->complete = complete != 0;
        info->reflective_fast = attributes_only != 0;
        info->managed = managed != 0;
        info->dict_offset = (Py_ssize_t)dict_offset;
        info->values_model = (int)model;
        info->steady_capacity = (int)steady;
        info->settled = settled != 0;
        result = read_slots(info, slots);
    }
    for (Py_ssize_t i = 0; result == 0 && i < PyTuple_GET_SIZE(array_bytes) && i < 256; i++) {
        info->array_bytes[i] = (int32_t)PyLong_AsLong(PyTuple_GET_ITEM(array_bytes, i));
        result = PyErr_Occurred() ? -1 : 0;
    }
    Py_XDECREF(method);
    Py_XDECREF(slots);
    Py_XDECREF(array_bytes);
    if (result < 0) {
        instance_free(info);
        return NULL;
    }
    return info;
}

static PyObject *
attribute_or_none(PyObject *rule, PyObject *name)
{
    PyObject *value = PyObject_GetAttr(rule, name);
    if (value == NULL) {
        return NULL;
    }
    Py_DECREF(value); /* borrowed: the rule keeps it */
    return value;
}

static Rule *
rule_new(PyTypeObject *tp, PyObject *custom, const Support *support)
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
    Rule *rule = PyMem_Calloc(1, sizeof(Rule));
    if (rule == NULL) {
        PyErr_NoMemory();
        goto error;
    }
    rule->type = (PyTypeObject *)Py_NewRef(tp);
    rule->python = py;
    py = NULL;
    rule->size = -1;
    PyObject *code = PyObject_GetAttr(description, support->code_name);
    int coded = code == NULL || !PyUnicode_Check(code) ? -1 : code_named(code, &rule->code);
    if (coded < 0 && !PyErr_Occurred()) {
        PyErr_SetString(PyExc_TypeError, "describe() must give a NativeRule");
    }
    Py_XDECREF(code);
    if (coded < 0) {
        goto error;
    }
    rule->name = PyObject_GetAttr(rule->python, support->name_name);
    if (rule->name == NULL) {
        goto error;
    }
    if (!PyUnicode_CheckExact(rule->name)) {
        PyErr_SetString(PyExc_TypeError, "a rule's name must be a str");
        goto error;
    }
    PyUnicode_InternInPlace(&rule->name);
    PyObject *reflective = attribute_or_none(rule->python, support->reflective_name);
    PyObject *fixed = attribute_or_none(rule->python, support->fixed_size_name);
    if (reflective == NULL || fixed == NULL) {
        goto error;
    }
    rule->reflective = PyObject_IsTrue(reflective);
    rule->fixed_size = PyObject_IsTrue(fixed);
    if ((rule->owned_by_nobody = attribute_or_none(rule->python, support->owned_by_nobody_name)) == NULL
        || (rule->size_of = attribute_or_none(rule->python, support->size_name)) == NULL
        || (rule->unused = attribute_or_none(rule->python, support->unused_name)) == NULL
        || (rule->values_bytes = attribute_or_none(rule->python, support->values_bytes_name)) == NULL
        || (rule->expand = attribute_or_none(rule->python, support->expand_attr)) == NULL) {
        goto error;
    }
    if (rule->code == CODE_INSTANCE) {
        PyObject *record = PyObject_GetAttr(description, support->instance_name);
        rule->instance = record == NULL ? NULL : instance_info(record, support);
        Py_XDECREF(record);
        if (rule->instance == NULL) {
            goto error;
        }
    }
    Py_DECREF(description);
    return rule;
error:
    Py_XDECREF(py);
    Py_DECREF(description);
    if (rule != NULL) {
        Py_XDECREF(rule->type);
        Py_XDECREF(rule->python);
        Py_XDECREF(rule->name);
        instance_free(rule->instance);
        PyMem_Free(rule);
    }
    return NULL;
}

static void
rule_free(Rule *rule)
{
    Py_DECREF(rule->type);
    Py_DECREF(rule->python);
    Py_DECREF(rule->name);
    instance_free(rule->instance);
    PyMem_Free(rule);
}

static size_t
slot_of(PyTypeObject *tp, size_t capacity)
{
    uint64_t hash = (uint64_t)(uintptr_t)tp * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(hash >> 40) & (capacity - 1);
}

static int
map_grow(RuleMap *map)
{
    size_t capacity = map->capacity ? map->capacity * 2 : 64;
    Rule **slots = PyMem_Calloc(capacity, sizeof(Rule *));
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i < map->capacity; i++) {
        Rule *rule = map->slots[i];
        if (rule == NULL) {
            continue;
        }
        size_t slot = slot_of(rule->type, capacity);
        while (slots[slot] != NULL) {
            slot = (slot + 1) & (capacity - 1);
        }
        slots[slot] = rule;
    }
    PyMem_Free(map->slots);
    map->slots = slots;
    map->capacity = capacity;
    return 0;
}

Rule *
rule_of(RuleMap *map, PyTypeObject *tp, PyObject *custom, const Support *support)
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
    Rule *rule = rule_new(tp, custom, support);
    if (rule == NULL) {
        return NULL;
    }
    if ((map->count + 1) * 2 > map->capacity && map_grow(map) < 0) {
        rule_free(rule);
        return NULL;
    }
    size_t mask = map->capacity - 1;
    size_t slot = slot_of(tp, map->capacity);
    while (map->slots[slot] != NULL) {
        slot = (slot + 1) & mask;
    }
    map->slots[slot] = rule;
    map->count++;
    return rule;
}

int
rules_report_reflected(RuleMap *map, PyObject *reflected)
{
    for (size_t i = 0; i < map->capacity; i++) {
        Rule *rule = map->slots[i];
        if (rule == NULL || rule->reflected_count == 0) {
            continue;
        }
        PyObject *counts = PyDict_GetItemWithError(reflected, rule->name);
        Py_ssize_t count = rule->reflected_count, bytes = rule->reflected_bytes;
        if (counts == NULL && PyErr_Occurred()) {
            return -1;
        }
        if (counts != NULL) {
            count += PyLong_AsSsize_t(PyList_GET_ITEM(counts, 0));
            bytes += PyLong_AsSsize_t(PyList_GET_ITEM(counts, 1));
        }
        PyObject *updated = Py_BuildValue("[nn]", count, bytes);
        if (updated == NULL || PyDict_SetItem(reflected, rule->name, updated) < 0) {
            Py_XDECREF(updated);
            return -1;
        }
        Py_DECREF(updated);
        rule->reflected_count = rule->reflected_bytes = 0;
    }
    return 0;
}

void
rules_clear(RuleMap *map)
{
    for (size_t i = 0; i < map->capacity; i++) {
        if (map->slots[i] != NULL) {
            rule_free(map->slots[i]);
        }
    }
    PyMem_Free(map->slots);
    map->slots = NULL;
    map->capacity = map->count = 0;
}

int
rules_traverse(RuleMap *map, visitproc visit, void *arg)
{
    for (size_t i = 0; i < map->capacity; i++) {
        Rule *rule = map->slots[i];
        if (rule == NULL) {
            continue;
        }
        Py_VISIT(rule->type);
        Py_VISIT(rule->python);
        if (rule->instance != NULL) {
            Py_VISIT(rule->instance->instances);
            Py_VISIT(rule->instance->method);
        }
    }
    return 0;
}
