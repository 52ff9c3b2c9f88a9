package resolvers

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/athar-project/athar/internal/athar"
)

// Loaders batch the reads of one request: every field resolver on a list goes through them, and each
// batch is one query, so a request costs round trips bounded by its depth, not by its size. They
// live for one request only; a cache shared across requests would serve stale data.
type Loaders struct {
	places     *dataloadgen.Loader[string, *athar.Place]
	actors     *dataloadgen.Loader[string, *athar.Actor]
	facilities *dataloadgen.Loader[string, *athar.Facility]
	sources    *dataloadgen.Loader[string, *athar.Source]
	events     *dataloadgen.Loader[string, *athar.Event]
	attacks    *dataloadgen.Loader[string, *athar.Attack]
	claims     *dataloadgen.Loader[string, *athar.Claim]
	entities   *dataloadgen.Loader[string, athar.Entity] // of any type, for node(id:)

	attacksOnFacility  *dataloadgen.Loader[facilityDates, []*athar.Attack]
	attacksInPlace     *dataloadgen.Loader[limited, []*athar.Attack]
	facilitiesInPlace  *dataloadgen.Loader[limited, []*athar.Facility]
	partsOfPlace       *dataloadgen.Loader[limited, []*athar.Place]
	membersOfActor     *dataloadgen.Loader[limited, []*athar.Actor]
	statementsOfActor  *dataloadgen.Loader[limited, []*athar.Claim]
	claimsNamingActor  *dataloadgen.Loader[limited, []*athar.Claim]
	sourcesOfPublisher *dataloadgen.Loader[limited, []*athar.Source]
	claimsInSource     *dataloadgen.Loader[limited, []*athar.Claim]
	sourcesCiting      *dataloadgen.Loader[limited, []*athar.Source]
	claimsAboutAttack  *dataloadgen.Loader[limited, []*athar.Claim]
	attacksOfEvent     *dataloadgen.Loader[limited, []*athar.Attack]
	eventsAtFacility   *dataloadgen.Loader[limited, []*athar.Event]
	citations          *dataloadgen.Loader[string, []string]

	sameDay      *dataloadgen.Loader[limited, []string]
	timeNodes    *dataloadgen.Loader[string, *athar.TimeNode]
	timeAttacks  *dataloadgen.Loader[limited, []string]
	timeChildren *dataloadgen.Loader[string, []string]
	nearby       *dataloadgen.Loader[nearbyKey, []*athar.NearbyFacility]
}

// limited is a key of a loader of lists: the id whose list is asked for and how many items (0: all).
type limited struct {
	id    string
	limit int
}

// nearbyKey is a key of the facility-nearby loader.
type nearbyKey struct {
	id     string
	radius float64
	types  string // the facility types, joined
	first  int
}

// facilityDates is a key of the facility-attacks loader: a facility, the date range asked for and
// how many attacks.
type facilityDates struct {
	id       string
	from, to time.Time
	limit    int
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

// limitedLoader batches a lookup of lists by id and size: one query per distinct size asked for
// in the batch, in practice one.
func limitedLoader[V any](wait time.Duration, fetch func(context.Context, []string, int) (map[string][]V, error)) *dataloadgen.Loader[limited, []V] {
	return dataloadgen.NewMappedLoader(func(ctx context.Context, keys []limited) (map[limited][]V, error) {
		byLimit := map[int][]string{}
		for _, k := range keys {
			byLimit[k.limit] = append(byLimit[k.limit], k.id)
		}
		out := make(map[limited][]V, len(keys))
		for limit, ids := range byLimit {
			found, err := fetch(ctx, ids, limit)
			if err != nil {
				return nil, err
			}
			for _, id := range ids {
				out[limited{id, limit}] = append([]V{}, found[id]...)
			}
		}
		return out, nil
	}, dataloadgen.WithWait(wait))
}

// NewLoaders returns fresh loaders over reader and explorer, each waiting wait to gather a batch.
func NewLoaders(reader athar.Reader, explorer athar.Explorer, wait time.Duration) *Loaders {
	return &Loaders{
		places:     entityLoader(wait, reader.PlacesByID),
		actors:     entityLoader(wait, reader.ActorsByID),
		facilities: entityLoader(wait, reader.FacilitiesByID),
		sources:    entityLoader(wait, reader.SourcesByID),
		events:     entityLoader(wait, reader.EventsByID),
		attacks:    entityLoader(wait, reader.AttacksByID),
		claims:     entityLoader(wait, reader.ClaimsByID),
		entities:   entityLoader(wait, reader.EntitiesByID),

		attacksOnFacility:  dataloadgen.NewMappedLoader(attacksOnFacilities(reader), dataloadgen.WithWait(wait)),
		attacksInPlace:     limitedLoader(wait, reader.AttacksInPlaces),
		facilitiesInPlace:  limitedLoader(wait, reader.FacilitiesInPlaces),
		partsOfPlace:       limitedLoader(wait, reader.PartsOfPlaces),
		membersOfActor:     limitedLoader(wait, reader.MembersOfActors),
		statementsOfActor:  limitedLoader(wait, reader.StatementsOfActors),
		claimsNamingActor:  limitedLoader(wait, reader.ClaimsNamingActors),
		sourcesOfPublisher: limitedLoader(wait, reader.SourcesOfPublishers),
		claimsInSource:     limitedLoader(wait, reader.ClaimsInSources),
		sourcesCiting:      limitedLoader(wait, reader.SourcesCiting),
		claimsAboutAttack:  limitedLoader(wait, reader.ClaimsAboutAttacks),
		attacksOfEvent:     limitedLoader(wait, reader.AttacksOfEvents),
		eventsAtFacility:   limitedLoader(wait, reader.EventsAtFacilities),
		citations: idListLoader(wait, func(ctx context.Context, ids []string) (map[string][]string, error) {
			return reader.Citations(ctx, ids)
		}),

		sameDay:      limitedLoader(wait, explorer.SameDay),
		timeAttacks:  limitedLoader(wait, explorer.TimeAttacks),
		timeChildren: idListLoader(wait, explorer.TimeChildren),
		timeNodes:    dataloadgen.NewMappedLoader(timeNodesByID(explorer), dataloadgen.WithWait(wait)),
		nearby: dataloadgen.NewLoader(func(ctx context.Context, keys []nearbyKey) ([][]*athar.NearbyFacility, []error) {
			return nearbyOfFacilities(ctx, explorer, keys)
		}, dataloadgen.WithWait(wait)),
	}
}

// attacksOnFacilities fetches the attacks of facilities for a batch of keys: one query per distinct
// date range and size, in practice one.
func attacksOnFacilities(reader athar.Reader) func(context.Context, []facilityDates) (map[facilityDates][]*athar.Attack, error) {
	return func(ctx context.Context, keys []facilityDates) (map[facilityDates][]*athar.Attack, error) {
		type query struct {
			r     athar.DateRange
			limit int
		}
		byQuery := map[query][]string{}
		for _, k := range keys {
			q := query{athar.DateRange{From: k.from, To: k.to}, k.limit}
			byQuery[q] = append(byQuery[q], k.id)
		}
		out := make(map[facilityDates][]*athar.Attack, len(keys))
		for q, ids := range byQuery {
			found, err := reader.AttacksOnFacilities(ctx, ids, q.r, q.limit)
			if err != nil {
				return nil, err
			}
			for _, id := range ids {
				out[facilityDates{id, q.r.From, q.r.To, q.limit}] = append([]*athar.Attack{}, found[id]...)
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

// LoaderMiddleware gives every request its own loaders, each waiting wait to gather a batch.
func LoaderMiddleware(reader athar.Reader, explorer athar.Explorer, wait time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(WithLoaders(r.Context(), reader, explorer, wait)))
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

// related loads the first limit entities of a list that hangs from id (all with 0), in their
// type's stable order, through the list's loader, and primes them into the entity loader l so that
// asking for one of them by id again costs no round trip.
func related[T athar.Entity](ctx context.Context, list *dataloadgen.Loader[limited, []T], l *dataloadgen.Loader[string, T], id string, limit int) ([]T, error) {
	es, err := list.Load(ctx, limited{id, limit})
	if err != nil {
		return nil, err
	}
	return primed(l, es), nil
}

// primed primes the loader with entities and returns them.
func primed[T athar.Entity](l *dataloadgen.Loader[string, T], es []T) []T {
	for _, e := range es {
		l.Prime(e.EntityID(), e)
	}
	return es
}

// nearbyOfFacilities answers Facility.nearby for a batch in one query.
func nearbyOfFacilities(ctx context.Context, explorer athar.Explorer, keys []nearbyKey) ([][]*athar.NearbyFacility, []error) {
	reqs := make([]athar.NearbyRequest, len(keys))
	for i, k := range keys {
		reqs[i] = athar.NearbyRequest{FacilityID: k.id, RadiusMeters: k.radius, First: k.first}
		if k.types != "" {
			for _, t := range strings.Split(k.types, ",") {
				reqs[i].Types = append(reqs[i].Types, athar.FacilityType(t))
			}
		}
	}
	found, err := explorer.NearbyOf(ctx, reqs)
	out := make([][]*athar.NearbyFacility, len(keys))
	errs := make([]error, len(keys))
	for i := range keys {
		if err != nil {
			errs[i] = err
			continue
		}
		out[i] = pointers(found[i])
	}
	return out, errs
}

// node loads an entity of any type by its global id; an id that names no entity gives nil.
func node(ctx context.Context, id string) (athar.Entity, error) {
	if athar.TypeOfID(id) == "" {
		return nil, nil
	}
	return loaders(ctx).entities.Load(ctx, id)
}
