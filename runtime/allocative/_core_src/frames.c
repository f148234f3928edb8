/* The flame graph tree: see frames.h. */
#include "frames.h"
#include "rules.h"

#include <structmember.h>
#include <string.h>

#define BLOCK_NODES 4096
#define INDEX_FROM 12 /* children from which a node keeps a hash index */

struct NodeBlock {
    NodeBlock *previous;
    Node nodes[BLOCK_NODES];
};

static Node *
node_new(Frames *frames, PyObject *name)
{
    if (frames->blocks == NULL || frames->used == BLOCK_NODES) {
        NodeBlock *block = PyMem_RawMalloc(sizeof(NodeBlock));
        if (block == NULL) {
            PyErr_NoMemory();
            return NULL;
        }
        block->previous = frames->blocks;
        frames->blocks = block;
        frames->used = 0;
    }
    Node *node = &frames->blocks->nodes[frames->used++];
    memset(node, 0, sizeof(Node));
    node->name = Py_XNewRef(name);
    frames->nodes++;
    return node;
}

int
frames_init(Frames *frames)
{
    memset(frames, 0, sizeof(Frames));
    frames->root = node_new(frames, NULL);
    return frames->root == NULL ? -1 : 0;
}

void
frames_free(Frames *frames)
{
    NodeBlock *block = frames->blocks;
    size_t used = frames->used;
    while (block != NULL) {
        for (size_t i = 0; i < used; i++) {
            Py_XDECREF(block->nodes[i].name);
            PyMem_RawFree(block->nodes[i].index);
        }
        NodeBlock *previous = block->previous;
        PyMem_RawFree(block);
        block = previous;
        used = BLOCK_NODES;
    }
    memset(frames, 0, sizeof(Frames));
}

size_t
frames_memory(const Frames *frames)
{
    size_t blocks = 0;
    for (NodeBlock *block = frames->blocks; block != NULL; block = block->previous) {
        blocks++;
    }
    return blocks * sizeof(NodeBlock) + frames->index_bytes;
}

static int
same_name(PyObject *a, PyObject *b)
{
    return a == b || PyUnicode_Compare(a, b) == 0;
}

static void
index_insert(Node *node, Node *child, Py_hash_t hash)
{
    size_t mask = node->index_capacity - 1;
    size_t slot = (size_t)hash & mask;
    while (node->index[slot] != NULL) {
        slot = (slot + 1) & mask;
    }
    node->index[slot] = child;
}

/* Builds or doubles the node's hash index so that it stays at most half full. */
static int
index_grow(Frames *frames, Node *node)
{
    uint32_t capacity = node->index_capacity ? node->index_capacity * 2 : 64;
    Node **index = PyMem_RawCalloc(capacity, sizeof(Node *));
    if (index == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    frames->index_bytes += (capacity - node->index_capacity) * sizeof(Node *);
    PyMem_RawFree(node->index);
    node->index = index;
    node->index_capacity = capacity;
    for (Node *child = node->first_child; child != NULL; child = child->next) {
        Py_hash_t hash = PyObject_Hash(child->name);
        if (hash == -1) {
            return -1;
        }
        index_insert(node, child, hash);
    }
    return 0;
}

static Node *
find_child(Node *node, PyObject *name, Py_hash_t hash)
{
    if (node->index != NULL) {
        size_t mask = node->index_capacity - 1;
        for (size_t slot = (size_t)hash & mask; node->index[slot] != NULL;
             slot = (slot + 1) & mask) {
            if (same_name(node->index[slot]->name, name)) {
                return node->index[slot];
            }
        }
        return NULL;
    }
    for (Node *child = node->first_child; child != NULL; child = child->next) {
        if (child->name == name) {
            return child;
        }
    }
    for (Node *child = node->first_child; child != NULL; child = child->next) {
        if (same_name(child->name, name)) {
            return child;
        }
    }
    return NULL;
}

Node *
frames_child(Frames *frames, Node *node, PyObject *name)
{
    if (node->last != NULL && node->last->name == name) {
        return node->last;
    }
    Py_hash_t hash = node->index != NULL ? PyObject_Hash(name) : 0;
    if (hash == -1) {
        return NULL;
    }
    Node *child = find_child(node, name, hash);
    if (child == NULL) {
        child = node_new(frames, name);
        if (child == NULL) {
            return NULL;
        }
        child->next = node->first_child;
        node->first_child = child;
        node->count++;
        if (node->index != NULL && node->count * 2 <= node->index_capacity) {
            index_insert(node, child, hash);
        }
        else if (node->count >= INDEX_FROM && index_grow(frames, node) < 0) {
            return NULL;
        }
    }
    node->last = child;
    return child;
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
graph_layout(const Support *support, GraphLayout *layout)
{
    PyObject *flame_graph = support->flame_graph;
    if (!PyType_Check(flame_graph)) {
        PyErr_SetString(PyExc_TypeError, "FlameGraph must be a class");
        return -1;
    }
    layout->type = (PyTypeObject *)flame_graph;
    layout->children = slot_offset(layout->type, support->children_name);
    layout->self_size = layout->children < 0 ? -1 : slot_offset(layout->type, support->self_size_name);
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
frames_to_python(const Frames *frames, const Support *support)
{
    const Node *root = frames->root;
    GraphLayout layout;
    if (graph_layout(support, &layout) < 0) {
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
        for (const Node *child = pair.node->first_child; child != NULL; child = child->next) {
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
        /* Inserting FlameGraphs tracked the dict again; it holds no cycle either. */
        if (PyObject_GC_IsTracked(children)) {
            PyObject_GC_UnTrack(children);
        }
    }
    PyMem_Free(pending);
    return top;
error:
    PyMem_Free(pending);
    Py_DECREF(top);
    return NULL;
}

/* FrameTree: a finished tree, kept in its arena until a FlameGraph is asked for. A
 * measurement that only needs the total never builds the Python objects. */
typedef struct {
    PyObject_HEAD
    Frames tree;
} FrameTree;

PyObject *
frames_take(Frames *frames, PyTypeObject *frame_tree_type)
{
    FrameTree *taken = PyObject_New(FrameTree, frame_tree_type);
    if (taken == NULL) {
        return NULL;
    }
    taken->tree = *frames;
    memset(frames, 0, sizeof(Frames));
    return (PyObject *)taken;
}

int
frames_total(const Frames *frames, long long *total)
{
    *total = 0;
    size_t used = frames->used;
    for (NodeBlock *block = frames->blocks; block != NULL; block = block->previous) {
        for (size_t i = 0; i < used; i++) {
            if (__builtin_add_overflow(*total, block->nodes[i].self_size, total)) {
                return -1;
            }
        }
        used = BLOCK_NODES;
    }
    return 0;
}

static PyObject *
frame_tree_total(FrameTree *self, PyObject *unused)
{
    (void)unused;
    long long total;
    if (frames_total(&self->tree, &total) < 0) {
        PyErr_SetString(PyExc_OverflowError, "the frames hold more than 2**63 - 1 bytes");
        return NULL;
    }
    return PyLong_FromLongLong(total);
}

static PyObject *
frame_tree_graph(FrameTree *self, PyObject *unused)
{
    (void)unused;
    if (self->tree.root == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "FrameTree.graph() was already called");
        return NULL;
    }
    const Support *support = &((CoreState *)PyType_GetModuleState(Py_TYPE(self)))->support;
    if (support->flame_graph == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "allocative._core is not set up");
        return NULL;
    }
    PyObject *graph = frames_to_python(&self->tree, support);
    if (graph != NULL) {
        frames_free(&self->tree);
    }
    return graph;
}

static Py_ssize_t
frame_tree_len(FrameTree *self)
{
    return (Py_ssize_t)self->tree.nodes;
}

static void
frame_tree_dealloc(FrameTree *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    frames_free(&self->tree);
    PyObject_Free(self);
    Py_DECREF(tp);
}

static PyMethodDef frame_tree_methods[] = {
    {"total", (PyCFunction)frame_tree_total, METH_NOARGS,
     PyDoc_STR("total($self, /)\n--\n\nBytes of every frame.")},
    {"graph", (PyCFunction)frame_tree_graph, METH_NOARGS,
     PyDoc_STR("graph($self, /)\n--\n\nThe tree as a FlameGraph; the tree itself is freed.")},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot frame_tree_slots[] = {
    {Py_tp_doc, "A finished flame graph tree, held in the engine's arena."},
    {Py_tp_dealloc, frame_tree_dealloc},
    {Py_tp_methods, frame_tree_methods},
    {Py_sq_length, frame_tree_len},
    {0, NULL},
};

static PyType_Spec frame_tree_spec = {
    .name = "allocative._core.FrameTree",
    .basicsize = sizeof(FrameTree),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = frame_tree_slots,
};

PyTypeObject *
frame_tree_type_new(PyObject *module)
{
    return (PyTypeObject *)PyType_FromModuleAndSpec(module, &frame_tree_spec, NULL);
}
