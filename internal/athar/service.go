package athar

import (
	"context"
	"time"
)

// DateRange bounds a query by date: an entity matches when its date range overlaps [From, To].
// A zero bound is open.
type DateRange struct {
	From time.Time
	To   time.Time
}

// Check reports a bound outside the years MinYear..MaxYear() and a range whose end is before its
// start, under field ("dateRange.from", "dateRange.to").
func (r DateRange) Check(field string) error {
	var p Problems
	checkDay(&p, joinField(field, "from"), r.From)
	checkDay(&p, joinField(field, "to"), r.To)
	if len(p) == 0 && !r.From.IsZero() && !r.To.IsZero() && r.To.Before(r.From) {
		p.Add(joinField(field, "to"), "is before %s", joinField(field, "from"))
	}
	return p.Err()
}

// Reader reads entities by id and the lists that hang from them. Missing ids are left out of
// results, never an error. A list method answers, for each id given, the window w of its list in a
// stable order (attacks by date then id, claims by kind then id, others by name, sources by title,
// then id) and how many items the whole list has; an id with none gets an empty list. Every method fails with ETIMEOUT when the request's
// deadline passes, ECANCELED when its client goes away, EUNAVAILABLE when the database cannot be
// reached or is restarting, EBUSY when it kept failing transiently, and EINTERNAL otherwise.
type Reader interface {
	// DatasetsByID returns the datasets with the given ids, in no particular order.
	DatasetsByID(ctx context.Context, ids []string) ([]*Dataset, error)
	// PlacesByID returns the places with the given ids, in no particular order.
	PlacesByID(ctx context.Context, ids []string) ([]*Place, error)
	// ActorsByID returns the actors with the given ids, in no particular order.
	ActorsByID(ctx context.Context, ids []string) ([]*Actor, error)
	// FacilitiesByID returns the facilities with the given ids, in no particular order.
	FacilitiesByID(ctx context.Context, ids []string) ([]*Facility, error)
	// SourcesByID returns the sources with the given ids, in no particular order.
	SourcesByID(ctx context.Context, ids []string) ([]*Source, error)
	// EventsByID returns the events with the given ids, in no particular order.
	EventsByID(ctx context.Context, ids []string) ([]*Event, error)
	// AttacksByID returns the attacks with the given ids, in no particular order.
	AttacksByID(ctx context.Context, ids []string) ([]*Attack, error)
	// ClaimsByID returns the claims with the given ids, in no particular order.
	ClaimsByID(ctx context.Context, ids []string) ([]*Claim, error)
	// EntitiesByID returns the entities of any type with the given ids, in no particular order; an
	// id whose prefix names no entity type is left out like a missing one.
	EntitiesByID(ctx context.Context, ids []string) ([]Entity, error)
	// Aliases returns, for each of ids that a merge removed (Remover.Merge), the id of the entity
	// it was merged into, following later merges; an id that names no merged entity is left out.
	Aliases(ctx context.Context, ids []string) (map[string]string, error)
	// KeptKilled returns, for each of ids that names an attack the reader may see, the killed
	// figures kept on it for the reader's clearance (KeptFigures); other ids are left out.
	KeptKilled(ctx context.Context, ids []string) (map[string]KeptFigures, error)

	// AttacksOnFacilities returns, for each facility id, its attacks whose date overlaps r.
	AttacksOnFacilities(ctx context.Context, ids []string, r DateRange, w Window) (map[string]List[*Attack], error)
	// AttacksInPlaces returns, for each place id, the attacks said to have occurred there.
	AttacksInPlaces(ctx context.Context, ids []string, w Window) (map[string]List[*Attack], error)
	// FacilitiesInPlaces returns, for each place id, the facilities located there.
	FacilitiesInPlaces(ctx context.Context, ids []string, w Window) (map[string]List[*Facility], error)
	// PartsOfPlaces returns, for each place id, the places directly part of it.
	PartsOfPlaces(ctx context.Context, ids []string, w Window) (map[string]List[*Place], error)
	// MembersOfActors returns, for each actor id, the actors directly part of it.
	MembersOfActors(ctx context.Context, ids []string, w Window) (map[string]List[*Actor], error)
	// StatementsOfActors returns, for each actor id, the claims it made (claimedBy).
	StatementsOfActors(ctx context.Context, ids []string, w Window) (map[string]List[*Claim], error)
	// ClaimsNamingActors returns, for each actor id, the claims that name it as perpetrator or denier.
	ClaimsNamingActors(ctx context.Context, ids []string, w Window) (map[string]List[*Claim], error)
	// SourcesOfPublishers returns, for each actor id, the sources it published.
	SourcesOfPublishers(ctx context.Context, ids []string, w Window) (map[string]List[*Source], error)
	// ClaimsInSources returns, for each source id, the claims read in it.
	ClaimsInSources(ctx context.Context, ids []string, w Window) (map[string]List[*Claim], error)
	// SourcesCiting returns, for each source id, the sources that cite it directly.
	SourcesCiting(ctx context.Context, ids []string, w Window) (map[string]List[*Source], error)
	// ClaimsAboutAttacks returns, for each attack id, the claims about it.
	ClaimsAboutAttacks(ctx context.Context, ids []string, w Window) (map[string]List[*Claim], error)
	// AttacksOfEvents returns, for each event id, the attacks during it or part of it.
	AttacksOfEvents(ctx context.Context, ids []string, w Window) (map[string]List[*Attack], error)
	// AttacksOfDatasets returns, for each dataset id, the attacks imported from it.
	AttacksOfDatasets(ctx context.Context, ids []string, w Window) (map[string]List[*Attack], error)
	// PartsOfAttacks returns, for each attack id, the attacks that are parts of it (aggregateId).
	PartsOfAttacks(ctx context.Context, ids []string, w Window) (map[string]List[*Attack], error)
	// DatasetInfos returns, for each dataset id, when it was last imported and its counts.
	DatasetInfos(ctx context.Context, ids []string) (map[string]DatasetInfo, error)
	// MappedLocations returns, for each attack id that has one, where a map puts it.
	MappedLocations(ctx context.Context, ids []string) (map[string]MappedLocation, error)
	// EventsAtFacilities returns, for each facility id, the events held there.
	EventsAtFacilities(ctx context.Context, ids []string, w Window) (map[string]List[*Event], error)
	// Citations returns, for each source id, every source it cites directly or through others, up
	// to MaxCitationDepth.
	Citations(ctx context.Context, ids []string) (Citations, error)
	// MatchLister lists the matches of datasets' places and actors.
	MatchLister
	// Walker reads a tree of these reads in one query.
	Walker
}

// Curator writes the graph. Each call is one transaction: it writes everything or nothing. Besides
// the errors each method names, both fail as a Reader's methods do, with EREADONLY when the
// database accepts no writes (full or read-only storage), and with EUNKNOWN when the commit was not
// confirmed: the write may have been applied, so a caller checks before retrying.
type Curator interface {
	IncidentCurator
	// Create normalizes, validates and adds a new entity, and returns it as stored. An entity
	// with an identity (IdentityOf) that an existing entity of its type shares is refused, unless
	// distinctFrom lists the id of every such entity: the caller has checked them and says the
	// new one is another.
	// Errors: EINVALID (a field, a reference to an unknown entity, or a distinctFrom value that is
	// not an id of the type, naming distinctFrom[i]), ECONFLICT (the id exists; or the identity
	// does: Duplicate, naming the existing ids).
	Create(ctx context.Context, e Entity, distinctFrom ...string) (Entity, error)
	// Update reads the entity of type t with the id, lets apply change it, normalizes, validates
	// and writes it, and returns it as stored. An update that changes no field writes nothing,
	// keeps updatedAt, and records no change.
	// Errors: ENOTFOUND (no such id), EINVALID (as Create, or returned by apply).
	Update(ctx context.Context, t EntityType, id string, apply func(Entity) error) (Entity, error)
	// MatchCorrector corrects the matches of datasets' places and actors.
	MatchCorrector
}

// Create adds a new entity through c and returns it, typed, as stored; distinctFrom is as
// Curator.Create's. Errors: as Curator.Create.
func Create[T Entity](ctx context.Context, c Curator, e T, distinctFrom ...string) (T, error) {
	var zero T
	saved, err := c.Create(ctx, e, distinctFrom...)
	if err != nil {
		return zero, err
	}
	return saved.(T), nil
}

// Update changes the entity of T's type with the id through c, in one transaction, and returns it,
// typed, as stored. Errors: as Curator.Update, and EINVALID naming "id" when id is not an id of T's
// type at all.
func Update[T Entity](ctx context.Context, c Curator, id string, change func(T) error) (T, error) {
	var zero T
	var p Problems
	CheckID(&p, "id", zero.EntityType(), id)
	if err := p.Err(); err != nil {
		return zero, err
	}
	saved, err := c.Update(ctx, zero.EntityType(), id, func(e Entity) error { return change(e.(T)) })
	if err != nil {
		return zero, err
	}
	return saved.(T), nil
}

// Pinger tells whether the database answers.
type Pinger interface {
	// Ping returns EUNAVAILABLE when the database does not answer.
	Ping(ctx context.Context) error
}
