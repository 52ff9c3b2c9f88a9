package athar

import (
	"context"
	"time"
)

// Relation is one kind of link in the graph, read from its From end to its To end:
// (Attack)-[:TARGETED]->(Facility) read from Facility with Reverse set gives a facility's attacks.
type Relation struct {
	From    string // label of the nodes the ids name
	Type    string // relationship type
	To      string // label of the neighbours returned
	Reverse bool   // follow the relationship against its direction
}

// The relations that are read from their far end (the near end is a field of the entity).
var (
	FacilityAttacks  = Relation{From: LabelFacility, Type: "TARGETED", To: LabelAttack, Reverse: true}
	PlaceAttacks     = Relation{From: LabelPlace, Type: "OCCURRED_IN", To: LabelAttack, Reverse: true}
	PlaceFacilities  = Relation{From: LabelPlace, Type: "LOCATED_IN", To: LabelFacility, Reverse: true}
	PlaceParts       = Relation{From: LabelPlace, Type: "PART_OF", To: LabelPlace, Reverse: true}
	ActorMembers     = Relation{From: LabelActor, Type: "PART_OF", To: LabelActor, Reverse: true}
	ActorClaims      = Relation{From: LabelActor, Type: "CLAIMED_BY", To: LabelClaim, Reverse: true}
	ActorNamedIn     = Relation{From: LabelActor, Type: "NAMES", To: LabelClaim, Reverse: true}
	ActorPublished   = Relation{From: LabelActor, Type: "PUBLISHED_BY", To: LabelSource, Reverse: true}
	SourceClaims     = Relation{From: LabelSource, Type: "REPORTED_IN", To: LabelClaim, Reverse: true}
	SourceCitedBy    = Relation{From: LabelSource, Type: "CITES", To: LabelSource, Reverse: true}
	AttackClaims     = Relation{From: LabelAttack, Type: "ABOUT", To: LabelClaim, Reverse: true}
	EventAttacksDur  = Relation{From: LabelEvent, Type: "DURING", To: LabelAttack, Reverse: true}
	EventAttacksPart = Relation{From: LabelEvent, Type: "PART_OF", To: LabelAttack, Reverse: true}
	FacilityEvents   = Relation{From: LabelFacility, Type: "HELD_AT", To: LabelEvent, Reverse: true}
)

// DateRange bounds a query by date: an entity matches when its date range overlaps [From, To].
// A zero bound is open.
type DateRange struct {
	From time.Time
	To   time.Time
}

// Check reports a range whose end is before its start, under field ("dateRange").
func (r DateRange) Check(field string) error {
	if !r.From.IsZero() && !r.To.IsZero() && r.To.Before(r.From) {
		return Invalid(joinField(field, "to"), "is before %s", joinField(field, "from"))
	}
	return nil
}

// Reader reads the graph. Missing ids are left out of results, never an error. Every method fails
// with EUNAVAILABLE when the database cannot answer in time, and EINTERNAL otherwise.
type Reader interface {
	// Get returns the entities of one label with the given ids, in no particular order.
	Get(ctx context.Context, label string, ids []string) ([]Entity, error)
	// Neighbours returns, for each id, its first limit neighbours through rel (all with limit 0)
	// in the stable order of their label: attacks by date then id, claims by kind then id, others
	// by name then id.
	Neighbours(ctx context.Context, rel Relation, ids []string, limit int) (map[string][]Entity, error)
	// AttacksOfFacilities returns, for each facility id, its first limit attacks (all with limit
	// 0) whose date overlaps r, ordered by date (oldest first) then id.
	AttacksOfFacilities(ctx context.Context, ids []string, r DateRange, limit int) (map[string][]Entity, error)
	// Citations returns, for each source id, every source it cites directly or through others.
	Citations(ctx context.Context, ids []string) (Citations, error)
}

// Curator writes the graph. Each call is one transaction: it writes everything or nothing.
type Curator interface {
	// Create adds a new entity and returns it as stored. Errors: EINVALID (a field, or a reference to an unknown entity),
	// ECONFLICT (the id exists).
	Create(ctx context.Context, e Entity) (Entity, error)
	// Update reads the entity, lets apply change it, validates and writes it.
	// Errors: ENOTFOUND (no such id), EINVALID (as Create, or returned by apply).
	Update(ctx context.Context, label, id string, apply func(Entity) error) (Entity, error)
}

// Pinger tells whether the database answers.
type Pinger interface {
	// Ping returns EUNAVAILABLE when the database does not answer.
	Ping(ctx context.Context) error
}
