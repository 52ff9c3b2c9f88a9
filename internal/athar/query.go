package athar

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Page sizes of the list queries: pages of a connection, and the lists a field returns whole up to
// its first (the claims of an attack, the attacks of a facility).
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
	DefaultListSize = DefaultPageSize
	MaxListSize     = 1000
)

// Near is a circle on the map.
type Near struct {
	Latitude, Longitude, RadiusMeters float64
}

// AttackFilter says which attacks a query wants. Fields combine with AND; within a list, any value
// matches. The zero filter matches every attack. Dates are bounded by MinYear and MaxYear(),
// MinKilled by MaxCount (see Validate).
type AttackFilter struct {
	Dates         DateRange
	FacilityIDs   []string
	FacilityTypes []FacilityType
	PlaceIDs      []string // these places or any place inside them
	ActorIDs      []string // attributed by a live asserting PERPETRATOR claim; denials do not count
	AttackTypes   []AttackType
	Weapons       []Weapon
	Near          *Near
	MinKilled     *int // some live claim gives at least this many killed; 0 to MaxCount
	SourceIDs     []string
	Text          string
	DatasetIDs    []string // imported from any of these datasets
	Withdrawn     *bool    // true: only withdrawn attacks; false: only current ones; nil: all
}

// Validate checks the filter's values; problems name the fields under prefix ("filter").
func (f *AttackFilter) Validate(prefix string) error {
	var p Problems
	if err := f.Dates.Check("dateRange"); err != nil {
		p = append(p, problemsOf(err)...)
	}
	for _, l := range []struct {
		field string
		n     int
	}{{"facilityIds", len(f.FacilityIDs)}, {"facilityTypes", len(f.FacilityTypes)}, {"placeIds", len(f.PlaceIDs)},
		{"actorIds", len(f.ActorIDs)}, {"attackTypes", len(f.AttackTypes)}, {"weapons", len(f.Weapons)}, {"sourceIds", len(f.SourceIDs)},
		{"datasetIds", len(f.DatasetIDs)}} {
		checkFilterList(&p, l.field, l.n)
	}
	if len(p) > 0 {
		// Values of an overlong list are not checked one by one: the answer would grow with it.
		return p.Prefixed(prefix).Err()
	}
	for i, id := range f.DatasetIDs {
		CheckID(&p, indexField("datasetIds", i), TypeDataset, id)
	}
	checkEnums(&p, "facilityTypes", f.FacilityTypes, names(FacilityTypes))
	checkEnums(&p, "attackTypes", f.AttackTypes, names(AttackTypes))
	checkEnums(&p, "weapons", f.Weapons, names(Weapons))
	checkNear(&p, "near", f.Near)
	if f.MinKilled != nil && (*f.MinKilled < 0 || *f.MinKilled > MaxCount) {
		p.Add("minKilled", "must be between 0 and %d, the largest figure Athar records", MaxCount)
	}
	f.Text = strings.TrimSpace(f.Text)
	checkSearchText(&p, "text", f.Text)
	return p.Prefixed(prefix).Err()
}

// MaxFilterValues is the most values a filter's list (facilityIds, weapons, ...) may hold: as many
// ids as nodes(ids:) takes (MaxPageSize), more than any investigation names at once, and few
// enough that the list costs the database one index lookup each.
const MaxFilterValues = MaxPageSize

// checkFilterList reports a filter's list of n values longer than MaxFilterValues, naming field.
func checkFilterList(p *Problems, field string, n int) {
	if n > MaxFilterValues {
		p.Add(field, "give at most %d values", MaxFilterValues)
	}
}

// Check reports a circle off the globe or of a radius out of range; problems name field.
func (n Near) Check(field string) error {
	var p Problems
	checkNear(&p, field, &n)
	return p.Err()
}

func checkNear(p *Problems, field string, n *Near) {
	if n == nil {
		return
	}
	for _, v := range []float64{n.Latitude, n.Longitude, n.RadiusMeters} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			p.Add(field, "give finite numbers")
			return
		}
	}
	checkLocation(p, field, &Location{Latitude: n.Latitude, Longitude: n.Longitude, Precision: "EXACT"})
	if n.RadiusMeters <= 0 || n.RadiusMeters > 1_000_000 {
		p.Add(joinField(field, "radiusMeters"), "must be above 0 and at most 1,000,000")
	}
}

// AttackOrder is the order of an attack list.
type AttackOrder string

// Attack orders: by the start of the date or by the highest killed figure (attacks with no figure
// count as -1), each either way; ties are broken by id.
const (
	OrderDateAsc    AttackOrder = "DATE_ASC"
	OrderDateDesc   AttackOrder = "DATE_DESC"
	OrderKilledAsc  AttackOrder = "KILLED_ASC"
	OrderKilledDesc AttackOrder = "KILLED_DESC"
)

// EntityFilter says which facilities, actors, sources or places a list wants.
type EntityFilter struct {
	Kinds    []string // facility types, actor kinds, source kinds or place kinds
	PlaceIDs []string // facilities: in these places or any place inside them
	Within   string   // places: inside this one, at any depth
	Near     *Near    // facilities: within the circle
	Text     string   // full-text match on name, aliases or title
}

// Validate checks the filter's values; problems name the fields under prefix ("filter").
func (f *EntityFilter) Validate(prefix string) error {
	var p Problems
	checkFilterList(&p, "placeIds", len(f.PlaceIDs))
	checkNear(&p, "near", f.Near)
	f.Text = strings.TrimSpace(f.Text)
	checkSearchText(&p, "text", f.Text)
	return p.Prefixed(prefix).Err()
}

// PageRequest asks for one page of a list: First items after the cursor After, or, backward, the
// Last items before the cursor Before (of the whole list when Before is ""). Last is nil for a
// forward page; First is 0 when Last is given.
type PageRequest struct {
	First  int
	After  string
	Last   *int
	Before string
	// Steps, when given, are walked from each item of the page in the same query (as a Walk from
	// them with Fields would walk them); the page's Walked holds what they read. Fields, when
	// given, also limits what is read of the page's items (WalkFields).
	Steps  []WalkStep
	Fields WalkFields
	// Count asks for the size of the whole list too, in the same query (Page.Total), where the
	// list method supports it (FindAttacks).
	Count bool
}

// Backward reports whether the page is asked for from its end (Last).
func (r PageRequest) Backward() bool { return r.Last != nil }

// Size is how many items the page wants: Last for a backward page, else First.
func (r PageRequest) Size() int {
	if r.Last != nil {
		return *r.Last
	}
	return r.First
}

// Check clamps nothing: it reports a page size out of range, and first with last or after with
// before (GitHub and Relay advise against mixing the two directions). Field names are first,
// after, last and before.
func (r PageRequest) Check() error {
	if r.Last != nil && r.First != 0 {
		return Invalid("last", "cannot be given with first")
	}
	if r.Before != "" && r.After != "" {
		return Invalid("before", "cannot be given with after")
	}
	if r.First < 0 || r.First > MaxPageSize {
		return Invalid("first", "must be between 0 and %d", MaxPageSize)
	}
	if r.Last != nil && (*r.Last < 0 || *r.Last > MaxPageSize) {
		return Invalid("last", "must be between 0 and %d", MaxPageSize)
	}
	return nil
}

// NewPageRequest makes the request of a root list's page from a field's arguments: first
// (DefaultPageSize unless last is given), after, last and before. Errors: EINVALID naming the
// argument (out of range, or the two directions mixed).
func NewPageRequest(a PageArgs) (PageRequest, error) {
	if err := a.checkMixed(); err != nil {
		return PageRequest{}, err
	}
	r := PageRequest{First: DefaultPageSize, Last: a.Last}
	if a.Last != nil {
		r.First = 0
	}
	if a.First != nil {
		r.First = *a.First
	}
	if a.After != nil {
		r.After = *a.After
	}
	if a.Before != nil {
		r.Before = *a.Before
	}
	return r, r.Check()
}

// Page is one page of a list, in the list's order whichever way it was asked for: the items, the
// cursor of each, whether more follow, and whether items come before it.
type Page[T any] struct {
	Items           []T
	Cursors         []string
	HasNextPage     bool
	HasPreviousPage bool
	// Walked is what the request's Steps read from the items; nil when it gave none.
	Walked *Walked
	// Total is the size of the whole list, when the request asked for it (Count).
	Total *int
}

// SearchRequest asks for the entities whose text matches Query: names, aliases, titles, summaries,
// descriptions, and the words and quotes of claims.
type SearchRequest struct {
	Query string
	Types []EntityType // all when empty
	PageRequest
}

// Check reports an empty query, one beyond the search limits (CurrentSearchLimits: too long, too
// many words) or with no word to search for, and a page out of range or mixing directions; problems
// name query, first, after, last and before.
func (r SearchRequest) Check() error {
	if strings.TrimSpace(r.Query) == "" {
		return Invalid("query", "must not be empty")
	}
	var p Problems
	checkSearchText(&p, "query", r.Query)
	if err := p.Err(); err != nil {
		return err
	}
	return r.PageRequest.Check()
}

// SearchHit is one result of a full-text search.
type SearchHit struct {
	Entity Entity
	Score  float64
}

// TimelineInterval is the width of a timeline's buckets.
type TimelineInterval string

// Timeline intervals.
const (
	IntervalYear  TimelineInterval = "YEAR"
	IntervalMonth TimelineInterval = "MONTH"
	IntervalDay   TimelineInterval = "DAY"
)

// TimelineBucket counts the attacks whose dates fall within [Start, End] and sums their killed
// figures. An attack whose date spans more than one interval gets a bucket of its own. Each count
// and sum saturates at math.MaxInt32 (SaturatedInt), what a GraphQL Int carries: every figure is
// at most MaxCount, but a few thousand of them can sum beyond it.
type TimelineBucket struct {
	Start, End         time.Time
	Attacks            int
	KilledLow          int
	KilledHigh         int
	AttacksWithFigures int
}

// DatedAttack is an attack's id and date, for rules over dates.
type DatedAttack struct {
	ID         string
	Start, End time.Time
}

// RepeatedTarget is a facility hit more than once, with the attacks on it.
type RepeatedTarget struct {
	FacilityID      string
	AttackIDs       []string
	AttacksInWindow int
}

// RepeatedTargets keeps the facilities hit at least minAttacks times and, when withinDays > 0, at
// least minAttacks times within some window of withinDays days (measured between start dates, in
// calendar days, so that no count of days overflows a duration). attacks are each facility's
// attacks, oldest first. Most attacks first, then by facility id.
func RepeatedTargets(attacks map[string][]DatedAttack, minAttacks, withinDays int) []RepeatedTarget {
	var out []RepeatedTarget
	for facility, as := range attacks {
		if len(as) < minAttacks {
			continue
		}
		best := len(as)
		if withinDays > 0 {
			best = 0
			for i := range as {
				last := as[i].Start.AddDate(0, 0, withinDays)
				j := i
				for j < len(as) && !as[j].Start.After(last) {
					j++
				}
				best = max(best, j-i)
			}
			if best < minAttacks {
				continue
			}
		}
		ids := make([]string, len(as))
		for i, a := range as {
			ids[i] = a.ID
		}
		out = append(out, RepeatedTarget{FacilityID: facility, AttackIDs: ids, AttacksInWindow: best})
	}
	slices.SortFunc(out, func(a, b RepeatedTarget) int {
		if len(a.AttackIDs) != len(b.AttackIDs) {
			return len(b.AttackIDs) - len(a.AttackIDs)
		}
		return strings.Compare(a.FacilityID, b.FacilityID)
	})
	return out
}

// DefaultNearbySize is how many facilities a nearby query returns unless told otherwise.
const DefaultNearbySize = 50

// NearbyRequest asks for a window of the facilities near one facility.
type NearbyRequest struct {
	FacilityID   string
	RadiusMeters float64
	Types        []FacilityType
	Window       Window
}

// NearbyFacility is a facility and its distance from a point.
type NearbyFacility struct {
	FacilityID     string
	DistanceMeters float64
}

// TimeNode is a node of the time tree: a Year, a Month or a Day.
type TimeNode struct {
	ID    string
	Kind  string // "Year", "Month" or "Day"
	Year  int
	Month int
	Date  time.Time // Days only
}

// Graph is a subgraph for a network view. Every edge's ends are among the nodes.
type Graph struct {
	Nodes     []GraphNode
	Edges     []GraphEdge
	Truncated bool
}

// GraphNode is a node of a Graph: its own id in the view (GraphNodeID), the id of what it stands for
// (an entity, a node of the time tree, a weapon), and what a view shows of it.
type GraphNode struct {
	ID, EntityID, Label, Type, Name string
}

// GraphNodeID is the id of the node that stands for the entity (or shared node) id in a network
// view: not the entity's own, so that a client cache keyed by id keeps the two apart.
func GraphNodeID(id string) string { return "graphnode:" + id }

// GraphEdge is an edge of a Graph, with a stable id.
type GraphEdge struct {
	ID, Source, Target, Type string
}

// AttackFeature is what a map or a spreadsheet shows of an attack.
type AttackFeature struct {
	ID, Title             string
	Date                  Date
	KilledLow, KilledHigh *int
	Facilities, Places    []string // names
	FacilityIDs           []string
	Location              *Location      // where a map puts it (MappedLocation): its own, else its facility's, else its place's
	LocationFrom          LocationOrigin // whose point Location is
	DatasetID             string         // the dataset it was imported from; "" when curated
	ExternalID            string         // its id in that dataset
	WithdrawnIn           string         // the release that no longer has it; "" when current
}

// FeatureCursor is where a page of an export ends: the start day and id of its last attack, the
// order exports are read in (date, then id). The next page begins after it, so that an export read
// page by page neither repeats nor skips an attack that was there throughout.
type FeatureCursor struct {
	Start time.Time
	ID    string
}

// Cursor returns the cursor a page that ends with this attack continues from.
func (f *AttackFeature) Cursor() *FeatureCursor {
	return &FeatureCursor{Start: f.Date.Start, ID: f.ID}
}

// Explorer answers the investigative queries over the graph. Any method may also fail with
// EINTERNAL, whose detail is for the log only.
type Explorer interface {
	Incidents
	MapClusters
	// FindAttacks returns a page of the attacks the filter matches, in order.
	// Errors: EINVALID (a cursor of another list or order), EUNAVAILABLE.
	FindAttacks(ctx context.Context, f AttackFilter, order AttackOrder, page PageRequest) (*Page[*Attack], error)
	// CountAttacks returns how many attacks the filter matches. Errors: EUNAVAILABLE.
	CountAttacks(ctx context.Context, f AttackFilter) (int, error)
	// FindFacilities returns a page of the facilities the filter matches, by name.
	// Errors: EINVALID (a cursor of another list), EUNAVAILABLE.
	FindFacilities(ctx context.Context, f EntityFilter, page PageRequest) (*Page[*Facility], error)
	// FindActors returns a page of the actors the filter matches, by name. Errors: as FindFacilities.
	FindActors(ctx context.Context, f EntityFilter, page PageRequest) (*Page[*Actor], error)
	// FindSources returns a page of the sources the filter matches, by title. Errors: as FindFacilities.
	FindSources(ctx context.Context, f EntityFilter, page PageRequest) (*Page[*Source], error)
	// FindDatasets returns a page of the datasets, by name. Errors: as FindFacilities.
	FindDatasets(ctx context.Context, f EntityFilter, page PageRequest) (*Page[*Dataset], error)
	// CountDatasets returns how many datasets the filter matches. Errors: EUNAVAILABLE.
	CountDatasets(ctx context.Context, f EntityFilter) (int, error)
	// FindPlaces returns a page of the places the filter matches, by name. Errors: as FindFacilities.
	FindPlaces(ctx context.Context, f EntityFilter, page PageRequest) (*Page[*Place], error)
	// CountFacilities returns how many facilities the filter matches. Errors: EUNAVAILABLE.
	CountFacilities(ctx context.Context, f EntityFilter) (int, error)
	// CountActors returns how many actors the filter matches. Errors: EUNAVAILABLE.
	CountActors(ctx context.Context, f EntityFilter) (int, error)
	// CountSources returns how many sources the filter matches. Errors: EUNAVAILABLE.
	CountSources(ctx context.Context, f EntityFilter) (int, error)
	// CountPlaces returns how many places the filter matches. Errors: EUNAVAILABLE.
	CountPlaces(ctx context.Context, f EntityFilter) (int, error)
	// Search returns a page of the entities of the request's types (all when none) whose text
	// matches the query, best first. Errors: EINVALID (a cursor of another list), EUNAVAILABLE.
	Search(ctx context.Context, r SearchRequest) (*Page[SearchHit], error)
	// CountSearch returns how many entities the request's query matches. Errors: EUNAVAILABLE.
	CountSearch(ctx context.Context, r SearchRequest) (int, error)
	// Timeline buckets the attacks the filter matches by date. Errors: EINVALID (an unknown
	// interval), EUNAVAILABLE.
	Timeline(ctx context.Context, f AttackFilter, interval TimelineInterval) ([]TimelineBucket, error)
	// AttacksByFacility returns, for each facility with at least minAttacks of the attacks the
	// filter matches, those attacks, oldest first. Errors: EUNAVAILABLE.
	AttacksByFacility(ctx context.Context, f AttackFilter, minAttacks int) (map[string][]DatedAttack, error)
	// Nearby returns the window w of the facilities within radius of the point, nearest first, and
	// how many there are. Errors: EUNAVAILABLE.
	Nearby(ctx context.Context, near Near, types []FacilityType, w Window) (List[NearbyFacility], error)
	// NearbyOf answers several requests for the facilities near a facility, in one query; a
	// facility whose location is unknown has none. Errors: EUNAVAILABLE.
	NearbyOf(ctx context.Context, reqs []NearbyRequest) ([]List[NearbyFacility], error)
	// SameDay returns, for each attack id, the window w of the other attacks on the same Day node,
	// oldest first. Errors: EUNAVAILABLE.
	SameDay(ctx context.Context, ids []string, w Window) (map[string]List[string], error)
	// TimeNodes returns the time-tree nodes with the given ids. Errors: EUNAVAILABLE.
	TimeNodes(ctx context.Context, ids []string) ([]TimeNode, error)
	// TimeAttacks returns, for each time-tree node, the window w of the attacks on it or on a node
	// below it, oldest first. Errors: EUNAVAILABLE.
	TimeAttacks(ctx context.Context, ids []string, w Window) (map[string]List[string], error)
	// TimeChildren returns, for each time-tree node, the nodes directly below it, in order.
	// Errors: EUNAVAILABLE.
	TimeChildren(ctx context.Context, ids []string) (map[string][]string, error)
	// Graph returns the neighbourhood of the ids, depth hops out, cut at limit nodes.
	// Errors: EUNAVAILABLE.
	Graph(ctx context.Context, ids []string, depth, limit int) (*Graph, error)
	// AttackFeatures returns what maps and spreadsheets show of the attacks the filter matches, in
	// date order (then by id), at most limit of them, beginning after the cursor after (from the
	// first when nil); more reports whether there were more. Errors: EUNAVAILABLE.
	AttackFeatures(ctx context.Context, f AttackFilter, after *FeatureCursor, limit int) (features []AttackFeature, more bool, err error)
}

// CheckIDList reports a list of ids longer than a page (MaxPageSize), naming field.
func CheckIDList(field string, ids []string) error {
	if len(ids) > MaxPageSize {
		return Invalid(field, "give at most %d ids", MaxPageSize)
	}
	return nil
}

// Limits of the network view.
const (
	MaxGraphDepth = 3
	MaxGraphLimit = 2000
)

// GraphRequest asks for the neighbourhood of some nodes.
type GraphRequest struct {
	IDs          []string
	Depth, Limit int
}

// Check reports a request out of bounds; problems name ids, depth and limit.
func (r GraphRequest) Check() error {
	switch {
	case len(r.IDs) == 0 || len(r.IDs) > MaxPageSize:
		return Invalid("ids", "give between 1 and %d ids", MaxPageSize)
	case r.Depth < 0 || r.Depth > MaxGraphDepth:
		return Invalid("depth", "must be between 0 and %d", MaxGraphDepth)
	case r.Limit < 1 || r.Limit > MaxGraphLimit:
		return Invalid("limit", "must be between 1 and %d", MaxGraphLimit)
	}
	return nil
}

// RepeatedRequest asks for the facilities hit at least MinAttacks times (within WithinDays of each
// other when it is above 0).
type RepeatedRequest struct {
	MinAttacks, WithinDays int
}

// Check reports a request out of bounds: minAttacks below 1, withinDays outside 0..MaxDays (a
// century). Problems name minAttacks and withinDays.
func (r RepeatedRequest) Check() error {
	switch {
	case r.MinAttacks < 1:
		return Invalid("minAttacks", "must be at least 1")
	case r.WithinDays < 0 || r.WithinDays > MaxDays:
		return Invalid("withinDays", "must be between 0 and %d days (a century)", MaxDays)
	}
	return nil
}

// SelectClaimFields are the fields of claims SelectClaims reads: a reader may leave the others
// unread (WalkFields).
var SelectClaimFields = []string{"kind", "retracted"}

// SelectClaims returns the claims of the given kinds (all when none), leaving out retracted ones
// unless asked for.
func SelectClaims(claims []*Claim, kinds []ClaimKind, includeRetracted bool) []*Claim {
	out := make([]*Claim, 0, len(claims))
	for _, c := range claims {
		if (len(kinds) == 0 || slices.Contains(kinds, c.Kind)) && (c.IsLive() || includeRetracted) {
			out = append(out, c)
		}
	}
	return out
}

// MonthID returns the id of the time tree's node of a month, "month:2014-04".
// Errors: EINVALID (a year outside MinYear..MaxYear(), naming year; a month out of 1..12, naming
// month).
func MonthID(year, month int) (string, error) {
	if _, err := YearID(year); err != nil {
		return "", err
	}
	if month < 1 || month > 12 {
		return "", Invalid("month", "must be between 1 and 12")
	}
	return fmt.Sprintf("month:%04d-%02d", year, month), nil
}

// Window is a slice of a list that hangs from an entity (the attacks of a place, the claims of a
// source): Limit items from Offset, in the list's order; a negative Limit is every item from
// Offset, and a Limit of 0 none (a page that only says how many there are).
type Window struct {
	Offset, Limit int
}

// All is the window of a whole list.
var All = Window{Limit: -1}

// List is a window of a list that hangs from an entity, and how many items the whole list has.
type List[T any] struct {
	Items []T
	Total int
}

// Slice returns the window w of items, a list read whole.
func Slice[T any](items []T, w Window) List[T] {
	out := List[T]{Total: len(items)}
	start := min(w.Offset, len(items))
	end := len(items)
	if w.Limit >= 0 {
		end = min(start+w.Limit, len(items))
	}
	out.Items = items[start:end]
	return out
}

// maxOffset bounds the positions a cursor may hold: far beyond any list, far below overflow.
const maxOffset = 1 << 31

// offsetCursor is the position of an item in a list that hangs from an entity. Such lists are
// short enough to page by position: a cursor names its list and the item's offset in it.
type offsetCursor struct {
	List   string `json:"l"`
	Offset int    `json:"o"`
}

// ListCursor returns the cursor of the item at offset in the list named list ("Place.attacks"):
// the offsetCursor in JSON, in URL-safe base64. A page makes one for each of its items, so the
// JSON is written here rather than by json.Marshal (the bytes are the same: TestListCursor).
func ListCursor(list string, offset int) string {
	name := []byte(`"` + list + `"`)
	if strings.ContainsFunc(list, func(r rune) bool {
		return r != '.' && r != '_' && !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
	}) {
		name, _ = json.Marshal(list) // quoted and escaped as JSON quotes it
	}
	b := make([]byte, 0, len(name)+24)
	b = append(b, `{"l":`...)
	b = append(b, name...)
	b = append(b, `,"o":`...)
	b = strconv.AppendInt(b, int64(offset), 10)
	b = append(b, '}')
	return base64.RawURLEncoding.EncodeToString(b)
}

// PageArgs are the arguments of a connection's field: first items after the cursor after, or the
// last items before the cursor before. Any may be nil.
type PageArgs struct {
	First, Last   *int
	After, Before *string
}

// checkMixed reports first with last, or after with before, naming the second.
func (a PageArgs) checkMixed() error {
	if a.First != nil && a.Last != nil {
		return Invalid("last", "cannot be given with first")
	}
	if a.After != nil && *a.After != "" && a.Before != nil && *a.Before != "" {
		return Invalid("before", "cannot be given with after")
	}
	return nil
}

// PageWindow returns the window a page of a list that hangs from an entity asks for: first items
// (def when neither first nor last is given) after the cursor after, ending before the cursor
// before; or the last items of that. A window from the end with no before needs the list's
// length: total is then called (once) to learn it. Errors: EINVALID naming first or last (out of
// 0..most), after or before (not a cursor of this list), or the argument that mixes directions.
func PageWindow(list string, a PageArgs, def, most int, total func() (int, error)) (Window, error) {
	w := Window{Limit: def}
	if err := a.checkMixed(); err != nil {
		return w, err
	}
	size := func(field string, n *int) error {
		if *n < 0 || *n > most {
			return Invalid(field, "must be between 0 and %d", most)
		}
		w.Limit = *n
		return nil
	}
	if a.First != nil {
		if err := size("first", a.First); err != nil {
			return w, err
		}
	}
	if a.Last != nil {
		if err := size("last", a.Last); err != nil {
			return w, err
		}
	}
	if a.After != nil && *a.After != "" {
		off, err := listOffset(list, "after", *a.After)
		if err != nil {
			return w, err
		}
		w.Offset = off + 1
	}
	end := -1 // the position the window ends before; -1 while unknown
	if a.Before != nil && *a.Before != "" {
		off, err := listOffset(list, "before", *a.Before)
		if err != nil {
			return w, err
		}
		end = off
	}
	if a.Last != nil && end < 0 {
		if total == nil {
			return w, Invalid("last", "needs before on this list")
		}
		n, err := total()
		if err != nil {
			return w, err
		}
		end = n
	}
	if end < 0 {
		return w, nil
	}
	end = max(end, w.Offset)
	if a.Last != nil {
		w.Offset = max(w.Offset, end-w.Limit)
	}
	w.Limit = min(w.Limit, end-w.Offset)
	return w, nil
}

// listOffset reads a cursor of the list named list, given as the argument field.
func listOffset(list, field, cursor string) (int, error) {
	var c struct {
		List   string `json:"l"`
		Offset *int   `json:"o"`
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	// A position beyond any list is forged: it would overflow the window's end.
	if err != nil || c.List != list || c.Offset == nil || *c.Offset < 0 || *c.Offset >= maxOffset {
		return 0, Invalid(field, "is not a cursor of this list")
	}
	return *c.Offset, nil
}

// ListPage is the page a window of a list makes, with the cursor of each item. A window of limit 0
// (first: 0) is an empty page that still says whether items follow.
func ListPage[T any](list string, l List[T], w Window) *Page[T] {
	p := &Page[T]{Items: l.Items, HasPreviousPage: w.Offset > 0, HasNextPage: w.Offset+len(l.Items) < l.Total}
	for i := range l.Items {
		p.Cursors = append(p.Cursors, ListCursor(list, w.Offset+i))
	}
	return p
}
