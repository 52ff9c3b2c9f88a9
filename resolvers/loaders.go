package resolvers

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/athar-project/athar/internal/athar"
)

// Loaders batch the reads of one request: every field resolver on a list goes through them, and each
// batch is one query, so a request costs round trips bounded by its depth, not by its size. They
// live for one request only; a cache shared across requests would serve stale data.
type Loaders struct {
	datasets   *dataloadgen.Loader[string, *athar.Dataset]
	places     *dataloadgen.Loader[string, *athar.Place]
	actors     *dataloadgen.Loader[string, *athar.Actor]
	facilities *dataloadgen.Loader[string, *athar.Facility]
	sources    *dataloadgen.Loader[string, *athar.Source]
	events     *dataloadgen.Loader[string, *athar.Event]
	attacks    *dataloadgen.Loader[string, *athar.Attack]
	claims     *dataloadgen.Loader[string, *athar.Claim]
	entities   *dataloadgen.Loader[string, athar.Entity] // of any type, for node(id:)

	attacksOnFacility  *dataloadgen.Loader[facilityDates, athar.List[*athar.Attack]]
	attacksInPlace     *dataloadgen.Loader[windowed, athar.List[*athar.Attack]]
	facilitiesInPlace  *dataloadgen.Loader[windowed, athar.List[*athar.Facility]]
	partsOfPlace       *dataloadgen.Loader[windowed, athar.List[*athar.Place]]
	membersOfActor     *dataloadgen.Loader[windowed, athar.List[*athar.Actor]]
	statementsOfActor  *dataloadgen.Loader[windowed, athar.List[*athar.Claim]]
	claimsNamingActor  *dataloadgen.Loader[windowed, athar.List[*athar.Claim]]
	sourcesOfPublisher *dataloadgen.Loader[windowed, athar.List[*athar.Source]]
	claimsInSource     *dataloadgen.Loader[windowed, athar.List[*athar.Claim]]
	sourcesCiting      *dataloadgen.Loader[windowed, athar.List[*athar.Source]]
	claimsAboutAttack  *dataloadgen.Loader[windowed, athar.List[*athar.Claim]]
	attacksOfEvent     *dataloadgen.Loader[windowed, athar.List[*athar.Attack]]
	eventsAtFacility   *dataloadgen.Loader[windowed, athar.List[*athar.Event]]
	citations          *dataloadgen.Loader[string, []string]
	attacksOfDataset   *dataloadgen.Loader[windowed, athar.List[*athar.Attack]]
	partsOfAttack      *dataloadgen.Loader[windowed, athar.List[*athar.Attack]]
	datasetInfo        *dataloadgen.Loader[string, athar.DatasetInfo]
	mappedLocation     *dataloadgen.Loader[string, *athar.MappedLocation]
	keptKilled         *dataloadgen.Loader[string, athar.KeptFigures]
	// matchesOfDataset loads a dataset's matches of places and actors, by type ("" for both).
	matchesOfDataset map[athar.EntityType]*dataloadgen.Loader[windowed, athar.List[*athar.DatasetMatch]]

	sameDay      *dataloadgen.Loader[windowed, athar.List[string]]
	sameIncident *dataloadgen.Loader[string, athar.IncidentLink]
	timeNodes    *dataloadgen.Loader[string, *athar.TimeNode]
	timeAttacks  *dataloadgen.Loader[windowed, athar.List[string]]
	timeChildren *dataloadgen.Loader[string, []string]
	nearby       *dataloadgen.Loader[nearbyKey, athar.List[athar.NearbyFacility]]

	// walker reads a request's tree of entity fields in one query (walkFrom), reading the fields
	// of what it reaches that the request needs (walkFields).
	walker athar.Walker
	// aliases reads what ids a merge removed now name (athar.Reader.Aliases); aliasOf does so
	// for the lookups of one request in one batch ("" for an id no merge removed).
	aliases      func(ctx context.Context, ids []string) (map[string]string, error)
	aliasOf      *dataloadgen.Loader[string, string]
	walkMaxSteps int // the most steps one walk takes (Config.WalkMaxSteps); none when 0
	fieldsOnce   sync.Once
	fields       athar.WalkFields
}

// windowed is a key of a loader of lists: the id whose list is asked for and which window of it.
type windowed struct {
	id     string
	window athar.Window
}

// nearbyKey is a key of the facility-nearby loader.
type nearbyKey struct {
	id     string
	radius float64
	types  string // the facility types, joined
	window athar.Window
}

// facilityDates is a key of the facility-attacks loader: a facility, the date range asked for and
// which window of its attacks.
type facilityDates struct {
	id       string
	from, to time.Time
	window   athar.Window
}

// DefaultBatchWait is how long a loader waits to gather keys before it sends its batch, unless
// Config.BatchWait says otherwise.
const DefaultBatchWait = time.Millisecond

// idListLoader batches a lookup of id lists by id.
func idListLoader(wait time.Duration, fetch func(context.Context, []string) (map[string][]string, error)) *dataloadgen.Loader[string, []string] {
	return dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string][]string, error) {
		found, err := fetch(ctx, ids)
		return withEmpty(ids, found), err
	}, dataloadgen.WithWait(wait))
}

// valueLoader batches a lookup of values by id; an id the fetch leaves out loads as V's zero value.
func valueLoader[V any](wait time.Duration, fetch func(context.Context, []string) (map[string]V, error)) *dataloadgen.Loader[string, V] {
	return dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string]V, error) {
		found, err := fetch(ctx, ids)
		if err != nil {
			return nil, err
		}
		out := make(map[string]V, len(ids))
		for _, id := range ids {
			out[id] = found[id]
		}
		return out, nil
	}, dataloadgen.WithWait(wait))
}

// windowLoader batches a lookup of windows of lists by id: one query per distinct window asked for
// in the batch, in practice one.
func windowLoader[V any](wait time.Duration, fetch func(context.Context, []string, athar.Window) (map[string]athar.List[V], error)) *dataloadgen.Loader[windowed, athar.List[V]] {
	return dataloadgen.NewMappedLoader(func(ctx context.Context, keys []windowed) (map[windowed]athar.List[V], error) {
		byWindow := map[athar.Window][]string{}
		for _, k := range keys {
			byWindow[k.window] = append(byWindow[k.window], k.id)
		}
		out := make(map[windowed]athar.List[V], len(keys))
		for w, ids := range byWindow {
			found, err := fetch(ctx, ids, w)
			if err != nil {
				return nil, err
			}
			for _, id := range ids {
				out[windowed{id, w}] = found[id]
			}
		}
		return out, nil
	}, dataloadgen.WithWait(wait))
}

// NewLoaders returns fresh loaders over reader and explorer, each waiting wait to gather a batch.
func NewLoaders(reader athar.Reader, explorer athar.Explorer, wait time.Duration) *Loaders {
	return &Loaders{
		walker:     reader,
		aliases:    reader.Aliases,
		aliasOf:    valueLoader(wait, reader.Aliases),
		datasets:   entityLoader(wait, reader.DatasetsByID),
		places:     entityLoader(wait, reader.PlacesByID),
		actors:     entityLoader(wait, reader.ActorsByID),
		facilities: entityLoader(wait, reader.FacilitiesByID),
		sources:    entityLoader(wait, reader.SourcesByID),
		events:     entityLoader(wait, reader.EventsByID),
		attacks:    entityLoader(wait, reader.AttacksByID),
		claims:     entityLoader(wait, reader.ClaimsByID),
		entities:   entityLoader(wait, reader.EntitiesByID),

		attacksOnFacility:  dataloadgen.NewMappedLoader(attacksOnFacilities(reader), dataloadgen.WithWait(wait)),
		attacksInPlace:     windowLoader(wait, reader.AttacksInPlaces),
		facilitiesInPlace:  windowLoader(wait, reader.FacilitiesInPlaces),
		partsOfPlace:       windowLoader(wait, reader.PartsOfPlaces),
		membersOfActor:     windowLoader(wait, reader.MembersOfActors),
		statementsOfActor:  windowLoader(wait, reader.StatementsOfActors),
		claimsNamingActor:  windowLoader(wait, reader.ClaimsNamingActors),
		sourcesOfPublisher: windowLoader(wait, reader.SourcesOfPublishers),
		claimsInSource:     windowLoader(wait, reader.ClaimsInSources),
		sourcesCiting:      windowLoader(wait, reader.SourcesCiting),
		claimsAboutAttack:  windowLoader(wait, reader.ClaimsAboutAttacks),
		attacksOfEvent:     windowLoader(wait, reader.AttacksOfEvents),
		eventsAtFacility:   windowLoader(wait, reader.EventsAtFacilities),
		citations: idListLoader(wait, func(ctx context.Context, ids []string) (map[string][]string, error) {
			return reader.Citations(ctx, ids)
		}),
		attacksOfDataset: windowLoader(wait, reader.AttacksOfDatasets),
		partsOfAttack:    windowLoader(wait, reader.PartsOfAttacks),
		datasetInfo:      valueLoader(wait, reader.DatasetInfos),
		mappedLocation: valueLoader(wait, func(ctx context.Context, ids []string) (map[string]*athar.MappedLocation, error) {
			found, err := reader.MappedLocations(ctx, ids)
			out := make(map[string]*athar.MappedLocation, len(found))
			for id, loc := range found {
				out[id] = &loc
			}
			return out, err
		}),

		keptKilled:       valueLoader(wait, reader.KeptKilled),
		matchesOfDataset: matchLoaders(wait, reader),

		sameDay:      windowLoader(wait, explorer.SameDay),
		sameIncident: valueLoader(wait, explorer.SameIncident),
		timeAttacks:  windowLoader(wait, explorer.TimeAttacks),
		timeChildren: idListLoader(wait, explorer.TimeChildren),
		timeNodes:    dataloadgen.NewMappedLoader(timeNodesByID(explorer), dataloadgen.WithWait(wait)),
		nearby: dataloadgen.NewLoader(func(ctx context.Context, keys []nearbyKey) ([]athar.List[athar.NearbyFacility], []error) {
			return nearbyOfFacilities(ctx, explorer, keys)
		}, dataloadgen.WithWait(wait)),
	}
}

// attacksOnFacilities fetches the attacks of facilities for a batch of keys: one query per distinct
// date range and size, in practice one.
func attacksOnFacilities(reader athar.Reader) func(context.Context, []facilityDates) (map[facilityDates]athar.List[*athar.Attack], error) {
	return func(ctx context.Context, keys []facilityDates) (map[facilityDates]athar.List[*athar.Attack], error) {
		type query struct {
			r athar.DateRange
			w athar.Window
		}
		byQuery := map[query][]string{}
		for _, k := range keys {
			q := query{athar.DateRange{From: k.from, To: k.to}, k.window}
			byQuery[q] = append(byQuery[q], k.id)
		}
		out := make(map[facilityDates]athar.List[*athar.Attack], len(keys))
		for q, ids := range byQuery {
			found, err := reader.AttacksOnFacilities(ctx, ids, q.r, q.w)
			if err != nil {
				return nil, err
			}
			for _, id := range ids {
				out[facilityDates{id, q.r.From, q.r.To, q.w}] = found[id]
			}
		}
		return out, nil
	}
}

// timeNodesByID fetches nodes of the time tree; an unknown id loads as nil.
func timeNodesByID(explorer athar.Explorer) func(context.Context, []string) (map[string]*athar.TimeNode, error) {
	return func(ctx context.Context, ids []string) (map[string]*athar.TimeNode, error) {
		found, err := explorer.TimeNodes(ctx, ids)
		out := make(map[string]*athar.TimeNode, len(ids))
		for i := range found {
			out[found[i].ID] = &found[i]
		}
		for _, id := range ids {
			if _, ok := out[id]; !ok {
				out[id] = nil
			}
		}
		return out, err
	}
}

// entityLoader loads entities of one type by id; an unknown id loads as nil, not as an error.
func entityLoader[T athar.Entity](wait time.Duration, fetch func(context.Context, []string) ([]T, error)) *dataloadgen.Loader[string, T] {
	return dataloadgen.NewLoader(func(ctx context.Context, ids []string) ([]T, []error) {
		found, err := fetch(ctx, ids)
		if err != nil {
			errs := make([]error, len(ids))
			for i := range errs {
				errs[i] = err
			}
			return make([]T, len(ids)), errs
		}
		byID := make(map[string]T, len(found))
		for _, e := range found {
			byID[e.EntityID()] = e
		}
		out := make([]T, len(ids))
		for i, id := range ids {
			out[i] = byID[id]
		}
		return out, nil
	}, dataloadgen.WithWait(wait))
}

// withEmpty gives every id asked for an entry, so that an id with no neighbours is not "not found".
func withEmpty(ids []string, m map[string][]string) map[string][]string {
	if m == nil {
		m = map[string][]string{}
	}
	for _, id := range ids {
		if _, ok := m[id]; !ok {
			m[id] = []string{}
		}
	}
	return m
}

type loadersKey struct{}

// WithLoaders returns a context carrying fresh loaders.
func WithLoaders(ctx context.Context, reader athar.Reader, explorer athar.Explorer, wait time.Duration) context.Context {
	return context.WithValue(ctx, loadersKey{}, NewLoaders(reader, explorer, wait))
}

// LoaderMiddleware gives every request its own loaders, each waiting wait to gather a batch, and
// reading a request's tree in walks of at most walkMaxSteps steps (walkFrom); with walkMaxSteps 0
// they never walk, and every field loads on its own, level by level.
func LoaderMiddleware(reader athar.Reader, explorer athar.Explorer, wait time.Duration, walkMaxSteps int, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l := NewLoaders(reader, explorer, wait)
		l.walkMaxSteps = max(walkMaxSteps, 0)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), loadersKey{}, l)))
	})
}

// loaders returns the request's loaders.
func loaders(ctx context.Context) *Loaders {
	l, ok := ctx.Value(loadersKey{}).(*Loaders)
	if !ok {
		panic("resolvers: no loaders in the context; wrap the handler with LoaderMiddleware")
	}
	return l
}

// one loads one entity by id; an empty id gives nil.
func one[T any](ctx context.Context, l *dataloadgen.Loader[string, *T], id string) (*T, error) {
	if id == "" {
		return nil, nil
	}
	return l.Load(ctx, id)
}

// many loads entities by id, in the order of ids, leaving out any that do not exist.
func many[T any](ctx context.Context, l *dataloadgen.Loader[string, *T], ids []string) ([]*T, error) {
	if len(ids) == 0 {
		return []*T{}, nil
	}
	found, err := l.LoadAll(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*T, 0, len(found))
	for _, e := range found {
		if e != nil {
			out = append(out, e)
		}
	}
	return out, nil
}

// related loads the window w of a list that hangs from id, in its type's stable order, through
// the list's loader, and primes its entities into the entity loader l so that asking for one of
// them by id again costs no round trip.
func related[T athar.Entity](ctx context.Context, list *dataloadgen.Loader[windowed, athar.List[T]], l *dataloadgen.Loader[string, T], id string, w athar.Window) (athar.List[T], error) {
	found, err := list.Load(ctx, windowed{id, w})
	if err != nil {
		return found, err
	}
	primed(l, found.Items)
	return found, nil
}

// primed primes the loader with entities and returns them.
func primed[T athar.Entity](l *dataloadgen.Loader[string, T], es []T) []T {
	for _, e := range es {
		l.Prime(e.EntityID(), e)
	}
	return es
}

// nearbyOfFacilities answers Facility.nearby for a batch in one query.
func nearbyOfFacilities(ctx context.Context, explorer athar.Explorer, keys []nearbyKey) ([]athar.List[athar.NearbyFacility], []error) {
	reqs := make([]athar.NearbyRequest, len(keys))
	for i, k := range keys {
		reqs[i] = athar.NearbyRequest{FacilityID: k.id, RadiusMeters: k.radius, Window: k.window}
		if k.types != "" {
			for _, t := range strings.Split(k.types, ",") {
				reqs[i].Types = append(reqs[i].Types, athar.FacilityType(t))
			}
		}
	}
	found, err := explorer.NearbyOf(ctx, reqs)
	out := make([]athar.List[athar.NearbyFacility], len(keys))
	errs := make([]error, len(keys))
	for i := range keys {
		if err != nil {
			errs[i] = err
			continue
		}
		out[i] = found[i]
	}
	return out, errs
}

// node loads an entity of any type by its global id; an id that names no entity gives nil.
func node(ctx context.Context, id string) (athar.Entity, error) {
	t := athar.TypeOfID(id)
	if t == "" {
		return nil, nil
	}
	return throughAlias(ctx, t, id, func(id string) (athar.Entity, error) { return loaders(ctx).entities.Load(ctx, id) })
}

// nodes loads entities of any types by id, walking the selection from those of each type in one
// query per type.
func nodes(ctx context.Context, ids []string) ([]athar.Entity, error) {
	byType := map[athar.EntityType][]string{}
	for _, id := range ids {
		if t := athar.TypeOfID(id); t != "" {
			byType[t] = append(byType[t], id)
		}
	}
	for _, t := range athar.EntityTypes {
		if err := walkFrom(ctx, t, byType[t]); err != nil {
			return nil, err
		}
	}
	out, err := loaders(ctx).entities.LoadAll(ctx, ids)
	if err != nil {
		return nil, err
	}
	// The ids a merge removed resolve to the entities they were merged into, read in one more
	// round: only when some id found nothing.
	var missing []string
	for i, e := range out {
		if e == nil && athar.Mergeable(athar.TypeOfID(ids[i])) {
			missing = append(missing, ids[i])
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	aliases, err := loaders(ctx).aliases(ctx, missing)
	if err != nil || len(aliases) == 0 {
		return out, err
	}
	byType = map[athar.EntityType][]string{}
	for _, to := range aliases {
		byType[athar.TypeOfID(to)] = append(byType[athar.TypeOfID(to)], to)
	}
	for _, t := range athar.EntityTypes {
		if err := walkFrom(ctx, t, byType[t]); err != nil {
			return nil, err
		}
	}
	for i, e := range out {
		if to, ok := aliases[ids[i]]; ok && e == nil {
			if out[i], err = loaders(ctx).entities.Load(ctx, to); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// listLoader loads windows of a list of entities of type T that hang from an id.
type listLoader[T any] = dataloadgen.Loader[windowed, athar.List[T]]

// entityLoaderOf loads entities of type T by id.
type entityLoaderOf[T any] = dataloadgen.Loader[string, T]
