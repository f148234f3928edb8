/* A set of object addresses: see address_table.h. */
#include "core.h"
#include "address_table.h"

#include <string.h>

#define INITIAL_CAPACITY 16
/* How many slots ahead address_table_drain asks for the memory an address points at. */
#define DRAIN_AHEAD 16
/* An address not yet moved to its place in a grown table. Object addresses are
 * aligned, so their lowest bit is free to carry this mark while the table grows. */
#define PENDING ((uintptr_t)1)

/* The slot index is computed in 32 bits (home_slot), and the block's size must fit a size_t. */
static size_t
max_capacity(void)
{
    uint64_t by_index = UINT64_C(1) << 32;
    uint64_t by_size = SIZE_MAX / sizeof(uintptr_t);
    return (size_t)(by_index < by_size ? by_index : by_size);
}

/* Where the probe for `address` starts. Fibonacci hashing spreads nearby
 * addresses over the 64 bits; a multiply-shift maps the top 32 onto
 * [0, capacity), so the capacity need not be a power of two. */
static inline size_t
home_slot(uintptr_t address, size_t capacity)
{
    uint64_t hash = (uint64_t)address * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(((hash >> 32) * (uint64_t)capacity) >> 32);
}

static inline size_t
next_slot(size_t slot, size_t capacity)
{
    return slot + 1 == capacity ? 0 : slot + 1;
}

/* Puts `address` in the first slot from its home that the grown table has
 * free: an empty one, or one still holding a pending address, which is then
 * placed in turn. */
static void
place(uintptr_t *slots, size_t capacity, uintptr_t address)
{
    size_t slot = home_slot(address, capacity);
    for (;;) {
        uintptr_t held = slots[slot];
        if (held == 0) {
            slots[slot] = address;
            return;
        }
        if (held & PENDING) {
            slots[slot] = address;
            address = held & ~PENDING;
            slot = home_slot(address, capacity);
            continue;
        }
        slot = next_slot(slot, capacity);
    }
}

/* Half as many slots again, rehashed in the same block: every address is
 * marked pending, then each pending one is taken out and placed. */
static int
grow(AddressTable *table)
{
    size_t old_capacity = table->capacity;
    size_t new_capacity = old_capacity ? old_capacity + old_capacity / 2 : INITIAL_CAPACITY;
    if (new_capacity > max_capacity()) {
        PyErr_NoMemory();
        return -1;
    }
    uintptr_t *slots = PyMem_RawRealloc(table->slots, new_capacity * sizeof(uintptr_t));
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    memset(slots + old_capacity, 0, (new_capacity - old_capacity) * sizeof(uintptr_t));
    for (size_t slot = 0; slot < old_capacity; slot++) {
        if (slots[slot] != 0) {
            slots[slot] |= PENDING;
        }
    }
    for (size_t slot = 0; slot < old_capacity; slot++) {
        uintptr_t moving = slots[slot];
        if (moving & PENDING) {
            slots[slot] = 0;
            place(slots, new_capacity, moving & ~PENDING);
        }
    }
    table->slots = slots;
    table->capacity = new_capacity;
    return 0;
}

/* The slot holding `address`, or the empty slot where its probe ends. */
static size_t
find_slot(const AddressTable *table, uintptr_t address)
{
    size_t slot = home_slot(address, table->capacity);
    while (table->slots[slot] != 0 && table->slots[slot] != address) {
        slot = next_slot(slot, table->capacity);
    }
    return slot;
}

int
address_table_add(AddressTable *table, const void *address)
{
    uintptr_t key = (uintptr_t)address;
    assert(key != 0 && (key & PENDING) == 0);
    if (table->capacity != 0) {
        size_t slot = find_slot(table, key);
        if (table->slots[slot] == key) {
            return 0;
        }
        /* At most 3/4 full: linear probes stay short. */
        if ((table->count + 1) * 4 <= table->capacity * 3) {
            table->slots[slot] = key;
            table->count++;
            return 1;
        }
    }
    if (grow(table) < 0) {
        return -1;
    }
    table->slots[find_slot(table, key)] = key;
    table->count++;
    return 1;
}

int
address_table_contains(const AddressTable *table, const void *address)
{
    if (table->capacity == 0) {
        return 0;
    }
    uintptr_t key = (uintptr_t)address;
    return key != 0 && table->slots[find_slot(table, key)] == key;
}

int
address_table_add_all(AddressTable *table, const AddressTable *from)
{
    for (size_t slot = 0; slot < from->capacity; slot++) {
        if (from->slots[slot] != 0 && address_table_add(table, (void *)from->slots[slot]) < 0) {
            return -1;
        }
    }
    return 0;
}

int
address_table_for_each(const AddressTable *table, int (*fn)(void *address, void *arg), void *arg)
{
    for (size_t slot = 0; slot < table->capacity; slot++) {
        if (table->slots[slot] != 0) {
            int result = fn((void *)table->slots[slot], arg);
            if (result != 0) {
                return result;
            }
        }
    }
    return 0;
}

void
address_table_drain(AddressTable *table, void (*fn)(void *address, void *arg), void *arg)
{
    uintptr_t *slots = table->slots;
    size_t capacity = table->capacity;
    *table = (AddressTable)ADDRESS_TABLE_EMPTY;
    for (size_t slot = 0; slot < capacity; slot++) {
        if (slot + DRAIN_AHEAD < capacity && slots[slot + DRAIN_AHEAD] != 0) {
            /* fn touches what each address points at: ask for it ahead. */
            __builtin_prefetch((void *)slots[slot + DRAIN_AHEAD], 1, 0);
        }
        if (slots[slot] != 0) {
            fn((void *)slots[slot], arg);
        }
    }
    PyMem_RawFree(slots);
}

void
address_table_clear(AddressTable *table)
{
    PyMem_RawFree(table->slots);
    table->slots = NULL;
    table->capacity = 0;
    table->count = 0;
}

size_t
address_table_memory(const AddressTable *table)
{
    return table->capacity * sizeof(uintptr_t);
}
