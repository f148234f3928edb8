/* A set of object addresses: open addressing, linear probing, 8-byte slots.
 *
 * It stores addresses, never references: an address means something only
 * while its object is alive, which holds for the objects of a tree under
 * measurement. Slot 0 marks an empty slot (no object lives at address 0).
 *
 * Memory: the table grows by half when it would pass 3/4 full, so it is
 * between 1/2 and 3/4 full once past its first 16 slots: 10.7 to 16 bytes per
 * address. It grows in place (realloc, then a rehash within the same block),
 * so there is never an old and a new table at once.
 */
#ifndef ALLOCATIVE_ADDRESS_TABLE_H
#define ALLOCATIVE_ADDRESS_TABLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uintptr_t *slots;  /* `capacity` slots; NULL while capacity is 0 */
    size_t capacity;
    size_t count;
} AddressTable;

#define ADDRESS_TABLE_EMPTY {NULL, 0, 0}

/* Adds `address`: 1 when it was new, 0 when already present, -1 with MemoryError set.
 * `address` is an object's: not NULL and at least 2-byte aligned. */
int address_table_add(AddressTable *table, const void *address);

/* 1 when `address` was added since the last clear, else 0. */
int address_table_contains(const AddressTable *table, const void *address);

/* Adds every address of `from`: 0, or -1 with MemoryError set. */
int address_table_add_all(AddressTable *table, const AddressTable *from);

/* Calls fn(address, arg) for each address, in slot order, until fn returns non-zero
 * (which is returned); 0 when every address was seen. The table must not change meanwhile. */
int address_table_for_each(const AddressTable *table, int (*fn)(void *address, void *arg),
                           void *arg);

/* Empties the table first, then calls fn(address, arg) for each address it held, then frees
 * the slots: fn may add to the (now empty) table. */
void address_table_drain(AddressTable *table, void (*fn)(void *address, void *arg), void *arg);

/* Forgets every address and frees the slots. */
void address_table_clear(AddressTable *table);

/* Bytes the table holds (its slots). */
size_t address_table_memory(const AddressTable *table);

#endif
