/* The flame graph tree the compiled engine builds while it walks.
 *
 * A node holds its own bytes and its children keyed by frame name. Names are
 * str objects, mostly interned constants from generated methods, so a child
 * is found by pointer first and by string equality after. Most nodes have a
 * few children, kept in a list; a node with many gets a hash index too. Nodes
 * come from an arena and are freed all at once. At the end the tree moves into a
 * FrameTree object, which gives its total at once and becomes the Python
 * FlameGraph the renderers read only when one is asked for (frames_to_python).
 */
#ifndef ALLOCATIVE_FRAMES_H
#define ALLOCATIVE_FRAMES_H

#include "core.h"

typedef struct Node Node;

struct Node {
    PyObject *name;    /* strong; NULL for the root */
    long long self_size;
    Node *first_child; /* children, newest first */
    Node *next;        /* the next sibling */
    Node *last;        /* the child found last: runs of one name are common */
    Node **index;      /* with many children: open addressing on the name's hash */
    uint32_t count;
    uint32_t index_capacity;
};

typedef struct NodeBlock NodeBlock;

/* The tree and the arena its nodes live in. */
typedef struct {
    Node *root;
    NodeBlock *blocks;
    size_t used;       /* nodes taken from the newest block */
    size_t nodes;
    size_t index_bytes;
} Frames;

/* Sets up an empty tree (its root); -1 with MemoryError. */
int frames_init(Frames *frames);

/* The child `name` of `node`, created empty if missing; NULL with an exception set. */
Node *frames_child(Frames *frames, Node *node, PyObject *name);

/* Frees every node. */
void frames_free(Frames *frames);

/* The bytes of every frame in *total: 0, or -1 when the sum passes LLONG_MAX (no exception
 * is set). */
int frames_total(const Frames *frames, long long *total);

/* Bytes the tree's bookkeeping holds (nodes and their indexes). */
size_t frames_memory(const Frames *frames);

/* A new FrameTree holding the tree; `frames` is left empty (frames_init it to reuse it).
 * NULL with an exception set, the tree untouched. */
PyObject *frames_take(Frames *frames, PyTypeObject *frame_tree_type);

/* The tree as instances of support->flame_graph (allocative.FlameGraph): a new reference,
 * or NULL with an exception set. */
PyObject *frames_to_python(const Frames *frames, const Support *support);

#endif
