/* The flame graph tree the compiled engine builds while it walks.
 *
 * A node holds its own bytes and its children keyed by frame name. Names are
 * str objects, mostly interned constants from generated methods, so a child
 * is found by pointer first and by string equality after. At the end the tree
 * becomes the Python FlameGraph the renderers read (frames_to_python).
 */
#ifndef ALLOCATIVE_FRAMES_H
#define ALLOCATIVE_FRAMES_H

#include "core.h"

typedef struct Node Node;

struct Node {
    PyObject *name;   /* strong; NULL for the root */
    long long self_size;
    Node **children;  /* open addressing on the name's hash; NULL while empty */
    Node *last;       /* the child found last: runs of one name are common */
    uint32_t capacity;
    uint32_t count;
};

/* A new empty node named `name` (a new reference is taken); NULL with MemoryError. */
Node *node_new(PyObject *name);

/* The child `name` of `node`, created empty if missing; NULL with an exception set. */
Node *node_child(Node *node, PyObject *name);

/* Frees `node` and everything below it. */
void node_free(Node *node);

/* Bytes of `node` and everything below it. */
long long node_total(const Node *node);

/* The tree below `root` as instances of `flame_graph` (allocative.FlameGraph):
 * a new reference, or NULL with an exception set. */
PyObject *frames_to_python(const Node *root, PyObject *flame_graph);

/* Bytes the tree's bookkeeping holds (nodes and their tables). */
size_t frames_memory(const Node *root);

#endif
