/* The flame graph tree: see frames.h. */
#include "frames.h"
#include "kinds.h"

#include <structmember.h>
#include <stdlib.h>
#include <string.h>

Node *
node_new(PyObject *name)
{
    Node *node = PyMem_Calloc(1, sizeof(Node));
    if (node == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    node->name = Py_XNewRef(name);
    return node;
}

static Py_hash_t
name_hash(PyObject *name)
{
    return PyObject_Hash(name);
}

static Node *find_child(Node *node, PyObject *name);

static int
same_name(PyObject *a, PyObject *b)
{
    if (a == b) {
        return 1;
    }
    return PyUnicode_Compare(a, b) == 0;
}

/* Makes room for one more child: the table stays at most half full. */
static int
grow(Node *node)
{
    if (node->count * 2 < node->capacity) {
        return 0;
    }
    uint32_t capacity = node->capacity ? node->capacity * 2 : 4;
    Node **table = PyMem_Calloc(capacity, sizeof(Node *));
    if (table == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (uint32_t i = 0; i < node->capacity; i++) {
        Node *child = node->children[i];
        if (child == NULL) {
            continue;
        }
        size_t slot = (size_t)name_hash(child->name) & (capacity - 1);
        while (table[slot] != NULL) {
            slot = (slot + 1) & (capacity - 1);
        }
        table[slot] = child;
    }
    PyMem_Free(node->children);
    node->children = table;
    node->capacity = capacity;
    return 0;
}

Node *
node_child(Node *node, PyObject *name)
{
    if (node->last != NULL && node->last->name == name) {
        return node->last;
    }
    Node *found = find_child(node, name);
    if (found != NULL) {
        node->last = found;
    }
    return found;
}

static Node *
find_child(Node *node, PyObject *name)
{
    Py_hash_t hash = name_hash(name);
    if (hash == -1) {
        return NULL;
    }
    if (node->capacity) {
        size_t mask = node->capacity - 1;
        size_t slot = (size_t)hash & mask;
        for (Node *child; (child = node->children[slot]) != NULL; slot = (slot + 1) & mask) {
            if (child->name == name) {
                return child;
            }
        }
        slot = (size_t)hash & mask;
        for (Node *child; (child = node->children[slot]) != NULL; slot = (slot + 1) & mask) {
            if (same_name(child->name, name)) {
                return child;
            }
        }
    }
    if (grow(node) < 0) {
        return NULL;
    }
    Node *child = node_new(name);
    if (child == NULL) {
        return NULL;
    }
    size_t mask = node->capacity - 1;
    size_t slot = (size_t)hash & mask;
    while (node->children[slot] != NULL) {
        slot = (slot + 1) & mask;
    }
    node->children[slot] = child;
    node->count++;
    return child;
}

/* Calls `each(node, arg)` on every node below and including `root`, children first
 * freed safely: the walk keeps its own stack, so a deep graph needs no recursion. */
typedef void (*NodeVisit)(Node *node, void *arg);

static int
walk(Node *root, NodeVisit each, void *arg)
{
    size_t capacity = 64, length = 0;
    Node **pending = PyMem_Malloc(capacity * sizeof(Node *));
    if (pending == NULL) {
        return -1;
    }
    pending[length++] = root;
    while (length) {
        Node *node = pending[--length];
        for (uint32_t i = 0; i < node->capacity; i++) {
            if (node->children[i] == NULL) {
                continue;
            }
            if (length == capacity) {
                Node **bigger = PyMem_Realloc(pending, capacity * 2 * sizeof(Node *));
                if (bigger == NULL) {
                    PyMem_Free(pending);
                    return -1;
                }
                pending = bigger;
                capacity *= 2;
            }
            pending[length++] = node->children[i];
        }
        each(node, arg);
    }
    PyMem_Free(pending);
    return 0;
}

static void
free_one(Node *node, void *arg)
{
    (void)arg;
    Py_XDECREF(node->name);
    PyMem_Free(node->children);
    PyMem_Free(node);
}

void
node_free(Node *node)
{
    if (node == NULL) {
        return;
    }
    if (walk(node, free_one, NULL) < 0) {
        /* No memory for the walk's stack: free depth first instead (rare, bounded by depth). */
        for (uint32_t i = 0; i < node->capacity; i++) {
            node_free(node->children[i]);
        }
        free_one(node, NULL);
    }
}

static void
add_total(Node *node, void *arg)
{
    *(long long *)arg += node->self_size;
}

long long
node_total(const Node *node)
{
    long long total = 0;
    (void)walk((Node *)node, add_total, &total);
    return total;
}

static void
add_memory(Node *node, void *arg)
{
    *(size_t *)arg += sizeof(Node) + (size_t)node->capacity * sizeof(Node *);
}

size_t
frames_memory(const Node *root)
{
    size_t total = 0;
    (void)walk((Node *)root, add_memory, &total);
    return total;
}

/* One node and the Python FlameGraph it becomes. */
typedef struct {
    const Node *node;
    PyObject *graph;
} Pair;

/* FlameGraph's slots, written directly: calling the class for each of a graph's hundreds
 * of thousands of nodes would cost more than the walk. */
typedef struct {
    PyTypeObject *type;
    Py_ssize_t children;
    Py_ssize_t self_size;
} GraphLayout;

static Py_ssize_t
slot_offset(PyTypeObject *type, PyObject *name)
{
    PyObject *member = PyObject_GetAttr((PyObject *)type, name);
    if (member == NULL) {
        return -1;
    }
    Py_ssize_t offset = -1;
    if (PyObject_TypeCheck(member, &PyMemberDescr_Type)) {
        offset = ((PyMemberDescrObject *)member)->d_member->offset;
    }
    else {
        PyErr_Format(PyExc_TypeError, "FlameGraph.%U is not a slot", name);
    }
    Py_DECREF(member);
    return offset;
}

static int
graph_layout(PyObject *flame_graph, GraphLayout *layout)
{
    if (!PyType_Check(flame_graph)) {
        PyErr_SetString(PyExc_TypeError, "FlameGraph must be a class");
        return -1;
    }
    layout->type = (PyTypeObject *)flame_graph;
    layout->children = slot_offset(layout->type, support.children_name);
    layout->self_size = layout->children < 0 ? -1 : slot_offset(layout->type, support.self_size_name);
    return layout->self_size < 0 ? -1 : 0;
}

static PyObject *
new_graph(const Node *node, const GraphLayout *layout)
{
    PyObject *children = PyDict_New();
    PyObject *size = PyLong_FromLongLong(node->self_size);
    PyObject *graph = children == NULL || size == NULL ? NULL
                                                       : layout->type->tp_alloc(layout->type, 0);
    if (graph == NULL) {
        Py_XDECREF(children);
        Py_XDECREF(size);
        return NULL;
    }
    *(PyObject **)((char *)graph + layout->children) = children;
    *(PyObject **)((char *)graph + layout->self_size) = size;
    /* A tree of frames has no cycle: reference counting frees it, and the garbage
     * collector need not walk its many nodes again and again later. */
    if (PyObject_GC_IsTracked(graph)) {
        PyObject_GC_UnTrack(graph);
    }
    if (PyObject_GC_IsTracked(children)) {
        PyObject_GC_UnTrack(children);
    }
    return graph;
}

static PyObject *build_graphs(const Node *root, const GraphLayout *layout);

PyObject *
frames_to_python(const Node *root, PyObject *flame_graph)
{
    GraphLayout layout;
    if (graph_layout(flame_graph, &layout) < 0) {
        return NULL;
    }
    /* Hundreds of thousands of new objects, none of them garbage: a collection meanwhile
     * would only walk them, and the measured tree, again and again. */
    int collecting = PyGC_Disable();
    PyObject *top = build_graphs(root, &layout);
    if (collecting) {
        PyGC_Enable();
    }
    return top;
}

static PyObject *
build_graphs(const Node *root, const GraphLayout *layout)
{
    PyObject *top = new_graph(root, layout);
    if (top == NULL) {
        return NULL;
    }
    size_t capacity = 64, length = 0;
    Pair *pending = PyMem_Malloc(capacity * sizeof(Pair));
    if (pending == NULL) {
        Py_DECREF(top);
        return PyErr_NoMemory();
    }
    pending[length++] = (Pair){root, top};
    while (length) {
        Pair pair = pending[--length];
        PyObject *children = *(PyObject **)((char *)pair.graph + layout->children);
        for (uint32_t i = 0; i < pair.node->capacity; i++) {
            const Node *child = pair.node->children[i];
            if (child == NULL) {
                continue;
            }
            PyObject *graph = new_graph(child, layout);
            if (graph == NULL || PyDict_SetItem(children, child->name, graph) < 0) {
                Py_XDECREF(graph);
                goto error;
            }
            Py_DECREF(graph); /* the children dict holds it */
            if (length == capacity) {
                Pair *bigger = PyMem_Realloc(pending, capacity * 2 * sizeof(Pair));
                if (bigger == NULL) {
                    PyErr_NoMemory();
                    goto error;
                }
                pending = bigger;
                capacity *= 2;
            }
            pending[length++] = (Pair){child, graph};
        }
    }
    PyMem_Free(pending);
    return top;
error:
    PyMem_Free(pending);
    Py_DECREF(top);
    return NULL;
}
