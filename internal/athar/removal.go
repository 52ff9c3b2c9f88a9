package athar

import (
	"context"
	"time"
)

// The actions of the change records of deletions and merges.
const (
	ChangeDelete  = "DELETE"
	ChangeRestore = "RESTORE"
	ChangeMerge   = "MERGE"
)

// Deleted is an entity deleted through the API, kept so that it can be restored: what it was, when
// and by whom it was deleted and why, and the entities deleted with it (the claims of an attack or
// a source), which come back with it.
type Deleted struct {
	ID        string
	Type      EntityType
	Title     string // its name, or its title (sources, attacks), or a claim's text
	DeletedAt time.Time
	DeletedBy string // the account, as change records name it
	Reason    string // the reason the request gave; "" when none
	// Cascaded are the ids deleted with it, in id order: restoring it restores them too.
	Cascaded []string
}

// Restored is what a restore brought back: the entity, and every entity deleted with it that came
// back with it (Cascaded, in id order).
type Restored struct {
	Entity   Entity
	Cascaded []string
}

// Mergeable reports whether entities of type t can be merged: places, actors, facilities and
// sources, the types whose duplicates come from different documents naming one thing.
func Mergeable(t EntityType) bool {
	switch t {
	case TypePlace, TypeActor, TypeFacility, TypeSource:
		return true
	}
	return false
}

// Remover deletes, restores and merges entities. Each call is one transaction with its change
// record (ChangeDelete, ChangeRestore, ChangeMerge); one that fails writes nothing.
//
// A deleted entity leaves every read: its node loses its type's label, and its relationships are
// recorded on it and removed. Its id cannot be taken by a create (ECONFLICT naming id) and an
// import leaves it deleted. A merge moves every relationship of the removed entity to the kept one
// and keeps the removed id as an alias of the kept one (Reader.Aliases), which a merge of the kept one
// into a third carries on to the third.
type Remover interface {
	// Delete deletes the entity of type t with the id, with what it cascades to: the claims about
	// an attack, the claims read in a source. A dataset that still holds records is not deleted.
	// Errors: EINVALID (id is not an id of type t, on id; a dataset with records, on id),
	// ENOTFOUND (no live entity has the id).
	Delete(ctx context.Context, t EntityType, id string) (*Deleted, error)
	// Restore brings a deleted entity back, with the entities deleted with it, and every recorded
	// link whose other end exists. Errors: ENOTFOUND (nothing has the id), EINVALID on id (the
	// entity is not deleted; it was merged into another; it was deleted with another entity that
	// is still deleted; a claim whose attack or source is still deleted).
	Restore(ctx context.Context, id string) (*Restored, error)
	// DeletedEntities lists what Restore can bring back, the latest deletion first. Errors:
	// EINVALID (a cursor of another list, on after or before).
	DeletedEntities(ctx context.Context, page PageRequest) (*Page[*Deleted], error)
	// Merge merges the entity remove into keep, both of type t (Mergeable), and returns keep as
	// stored. Errors: EINVALID on keep or remove (an id of another type, keep == remove, a place
	// or actor that would be part of itself, a source that would cite itself), ENOTFOUND on keep
	// or remove (no live entity has the id).
	Merge(ctx context.Context, t EntityType, keep, remove string) (Entity, error)
}
