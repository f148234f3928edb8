/* AddressSet: the address table as a Python type, for tests and the engine's Python side. */
#include "core.h"
#include "address_table.h"

typedef struct {
    PyObject_HEAD
    AddressTable table;
} AddressSet;

static PyObject *
address_set_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    if (PyTuple_GET_SIZE(args) != 0 || (kwargs != NULL && PyDict_GET_SIZE(kwargs) != 0)) {
        PyErr_SetString(PyExc_TypeError, "AddressSet() takes no arguments");
        return NULL;
    }
    AddressSet *self = (AddressSet *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->table = (AddressTable)ADDRESS_TABLE_EMPTY;
    return (PyObject *)self;
}

static void
address_set_dealloc(PyObject *self)
{
    PyTypeObject *type = Py_TYPE(self);
    address_table_clear(&((AddressSet *)self)->table);
    type->tp_free(self);
    Py_DECREF(type);
}

static PyObject *
address_set_add(PyObject *self, PyObject *obj)
{
    int added = address_table_add(&((AddressSet *)self)->table, obj);
    if (added < 0) {
        return NULL;
    }
    return PyBool_FromLong(added);
}

static PyObject *
address_set_clear(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    address_table_clear(&((AddressSet *)self)->table);
    Py_RETURN_NONE;
}

static PyObject *
address_set_memory(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromSize_t(address_table_memory(&((AddressSet *)self)->table));
}

static PyObject *
address_set_sizeof(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    size_t size = (size_t)Py_TYPE(self)->tp_basicsize;
    return PyLong_FromSize_t(size + address_table_memory(&((AddressSet *)self)->table));
}

static int
address_set_contains(PyObject *self, PyObject *obj)
{
    return address_table_contains(&((AddressSet *)self)->table, obj);
}

static Py_ssize_t
address_set_len(PyObject *self)
{
    return (Py_ssize_t)((AddressSet *)self)->table.count;
}

static PyObject *
address_set_repr(PyObject *self)
{
    const AddressTable *table = &((AddressSet *)self)->table;
    return PyUnicode_FromFormat("<AddressSet: %zu addresses in %zu bytes>",
                                table->count, address_table_memory(table));
}

static PyMethodDef address_set_methods[] = {
    {"add", address_set_add, METH_O,
     PyDoc_STR("add($self, obj, /)\n--\n\nAdd obj's address; True when it was not there yet.")},
    {"clear", address_set_clear, METH_NOARGS,
     PyDoc_STR("clear($self, /)\n--\n\nForget every address and free the table.")},
    {"memory", address_set_memory, METH_NOARGS,
     PyDoc_STR("memory($self, /)\n--\n\nBytes the table holds.")},
    {"__sizeof__", address_set_sizeof, METH_NOARGS,
     PyDoc_STR("__sizeof__($self, /)\n--\n\nBytes of the object and its table.")},
    {NULL, NULL, 0, NULL},
};

PyDoc_STRVAR(address_set_doc,
"AddressSet()\n--\n\n"
"A set of object addresses: holds no reference to the objects it has seen.\n\n"
"An address identifies its object only while that object is alive.");

static PyType_Slot address_set_slots[] = {
    {Py_tp_new, address_set_new},
    {Py_tp_dealloc, address_set_dealloc},
    {Py_tp_repr, address_set_repr},
    {Py_tp_methods, address_set_methods},
    {Py_tp_doc, (void *)address_set_doc},
    {Py_sq_contains, address_set_contains},
    {Py_sq_length, address_set_len},
    {0, NULL},
};

static PyType_Spec address_set_spec = {
    .name = "allocative._core.AddressSet",
    .basicsize = sizeof(AddressSet),
    .itemsize = 0,
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = address_set_slots,
};

PyTypeObject *
address_set_type_new(PyObject *module)
{
    return (PyTypeObject *)PyType_FromModuleAndSpec(module, &address_set_spec, NULL);
}
