package athar

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

var idPattern = regexp.MustCompile(`^([a-z]+):[a-z0-9][a-z0-9-]{0,199}$`)

// CheckID records a problem when id is not a valid id of the given type (`facility:ain-jalout`).
func CheckID(p *Problems, field string, t EntityType, id string) {
	m := idPattern.FindStringSubmatch(id)
	switch {
	case id == "":
		p.Add(field, "is required")
	case m == nil:
		p.Add(field, "%q is not an id: want %s: followed by lower-case letters, digits and hyphens", id, t.Record())
	case m[1] != t.Record():
		p.Add(field, "%q is not %s id: it must start with %q", id, withArticle(t.Record()), t.Record()+":")
	}
}

// withArticle puts "a" or "an" before a word: "an actor", "a place".
func withArticle(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an " + word
	}
	return "a " + word
}

// Timestamps are kept by the store on every node.
type Timestamps struct {
	CreatedAt time.Time `json:"-"`
	UpdatedAt time.Time `json:"-"`
}

// Stamps returns the timestamps, for the store to fill.
func (t *Timestamps) Stamps() *Timestamps { return t }

// Location is a WGS84 point and how exactly it marks the spot.
type Location struct {
	Latitude  float64           `json:"latitude"`
	Longitude float64           `json:"longitude"`
	Precision LocationPrecision `json:"precision"`
}

// Range is a count as a source gives it, in the words of UCDP's estimates: its lowest, its best
// and its highest figure. "35" is {35, nil, 35}, "more than 25" is {26, nil, nil}, "as many as 35"
// is {nil, nil, 35}, an event dataset's "low 3, best 5, high 9" is {3, 5, 9}. Any may be nil, not
// all.
type Range struct {
	Low  *int `json:"low,omitempty"`
	Best *int `json:"best,omitempty"`
	High *int `json:"high,omitempty"`
}

// UnmarshalJSON reads a range, also in the form of bundle format version 1, {min, max}, which
// are its low and high.
func (r *Range) UnmarshalJSON(b []byte) error {
	var v struct {
		Low, Best, High, Min, Max *int
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return err
	}
	if (v.Min != nil || v.Max != nil) && (v.Low != nil || v.High != nil || v.Best != nil) {
		return Invalid("", "give low, best and high, or version 1's min and max, not both")
	}
	*r = Range{Low: v.Low, Best: v.Best, High: v.High}
	if v.Min != nil || v.Max != nil {
		*r = Range{Low: v.Min, High: v.Max}
	}
	return nil
}

// Values returns the figures the range gives, lowest first.
func (r *Range) Values() []int {
	var out []int
	for _, v := range []*int{r.Low, r.Best, r.High} {
		if v != nil {
			out = append(out, *v)
		}
	}
	return out
}

// Ref is a reference from one entity to another, as a validator checks it: the field that holds it,
// the type of entity it must name, and the id.
type Ref struct {
	Field string
	Type  EntityType
	ID    string
}

// The entities. Each struct is its type's description (describe.go): a field's Go type is its
// shape, its json tag its name in bundles and in the API, and its athar tag what must hold of it.
// A new field is added here and in schema.graphqls (the type, its Input and its Patch); the store,
// bundles, API inputs and the bundle's JSON Schema follow from the description.

// Dataset is a published event dataset in one of its releases (UCDP's Georeferenced Event Dataset,
// ACLED, another organisation's incident list). Records imported from it carry its id (datasetId)
// and their own id in it (externalId), and their ids start with the dataset's: the records of
// dataset:ucdp-ged are attack:ucdp-ged-214797, claim:ucdp-ged-214797-killed and so on.
type Dataset struct {
	ID          string `json:"id"`
	Name        string `json:"name" athar:"required,seed"`
	Publisher   string `json:"publisher,omitempty"`
	Release     string `json:"release,omitempty"`
	URL         string `json:"url,omitempty"`
	Licence     string `json:"licence,omitempty"`
	Citation    string `json:"citation,omitempty"`
	Description string `json:"description,omitempty"`
	Timestamps
}

// Place is a country, governorate, city, district, neighbourhood, town or village.
type Place struct {
	ID          string    `json:"id"`
	Name        string    `json:"name" athar:"required,seed"`
	Aliases     []string  `json:"aliases,omitempty"`
	Kind        PlaceKind `json:"kind" athar:"required"`
	PartOf      string    `json:"partOf,omitempty" athar:"ref=Place"`
	Location    *Location `json:"location,omitempty"`
	Description string    `json:"description,omitempty"`
	DatasetID   string    `json:"datasetId,omitempty" athar:"ref=Dataset,fixed,noinput"`
	ExternalID  string    `json:"externalId,omitempty" athar:"fixed,noinput"`
	Timestamps
}

// Actor is a state, force, armed group, UN body, organisation, outlet or person.
type Actor struct {
	ID          string    `json:"id"`
	Name        string    `json:"name" athar:"required,seed"`
	Aliases     []string  `json:"aliases,omitempty"`
	Kind        ActorKind `json:"kind" athar:"required"`
	PartOf      string    `json:"partOf,omitempty" athar:"ref=Actor"`
	Description string    `json:"description,omitempty"`
	DatasetID   string    `json:"datasetId,omitempty" athar:"ref=Dataset,fixed,noinput"`
	ExternalID  string    `json:"externalId,omitempty" athar:"fixed,noinput"`
	Timestamps
}

// Facility is a civilian (or military) site: a school, hospital, market, blood bank...
type Facility struct {
	ID          string       `json:"id"`
	Name        string       `json:"name" athar:"required,seed"`
	Aliases     []string     `json:"aliases,omitempty"`
	Type        FacilityType `json:"type" athar:"required"`
	PlaceID     string       `json:"placeId,omitempty" athar:"ref=Place"`
	Location    *Location    `json:"location,omitempty"`
	OperatedBy  []string     `json:"operatedBy,omitempty" athar:"ref=Actor"`
	Description string       `json:"description,omitempty"`
	DatasetID   string       `json:"datasetId,omitempty" athar:"ref=Dataset,fixed,noinput"`
	ExternalID  string       `json:"externalId,omitempty" athar:"fixed,noinput"`
	Timestamps
}

// Source is a document claims are read in: a report, an article, a statement, a video.
type Source struct {
	ID          string     `json:"id"`
	Title       string     `json:"title" athar:"required,seed"`
	Kind        SourceKind `json:"kind" athar:"required"`
	URL         string     `json:"url,omitempty"`
	Published   *Date      `json:"published,omitempty"`
	Language    string     `json:"language,omitempty"`
	Author      string     `json:"author,omitempty"`
	PublishedBy []string   `json:"publishedBy,omitempty" athar:"ref=Actor"`
	Cites       []string   `json:"cites,omitempty" athar:"ref=Source"`
	Description string     `json:"description,omitempty"`
	DatasetID   string     `json:"datasetId,omitempty" athar:"ref=Dataset,fixed,noinput"`
	ExternalID  string     `json:"externalId,omitempty" athar:"fixed,noinput"`
	// AccessLevel is who may read the source and every claim read in it (PUBLIC when not given).
	AccessLevel AccessLevel `json:"accessLevel,omitempty"`
	Timestamps
}

// Event is context around attacks: a gathering, a truce, a campaign.
type Event struct {
	ID          string    `json:"id"`
	Name        string    `json:"name" athar:"required,seed"`
	Kind        EventKind `json:"kind" athar:"required"`
	Date        *Date     `json:"date,omitempty"`
	FacilityID  string    `json:"facilityId,omitempty" athar:"ref=Facility"`
	PlaceIDs    []string  `json:"placeIds,omitempty" athar:"ref=Place"`
	Description string    `json:"description,omitempty"`
	DatasetID   string    `json:"datasetId,omitempty" athar:"ref=Dataset,fixed,noinput"`
	ExternalID  string    `json:"externalId,omitempty" athar:"fixed,noinput"`
	Timestamps
}

// Attack is one attack. Its disputed details (how many died, with what, by whom) are never settled
// here: each account of them is a Claim.
type Attack struct {
	ID             string       `json:"id"`
	Title          string       `json:"title" athar:"required,seed"`
	Summary        string       `json:"summary,omitempty"`
	Date           Date         `json:"date" athar:"required"`
	TimeOfDay      TimeOfDay    `json:"timeOfDay,omitempty"`
	AttackTypes    []AttackType `json:"attackTypes,omitempty"`
	Weapons        []Weapon     `json:"weapons,omitempty"`
	Damage         string       `json:"damage,omitempty"`
	FacilityIDs    []string     `json:"facilityIds,omitempty" athar:"ref=Facility"`
	PlaceIDs       []string     `json:"placeIds,omitempty" athar:"ref=Place"`
	DuringEventIDs []string     `json:"duringEventIds,omitempty" athar:"ref=Event"`
	PartOfEventIDs []string     `json:"partOfEventIds,omitempty" athar:"ref=Event"`
	Location       *Location    `json:"location,omitempty"`
	AggregateID    string       `json:"aggregateId,omitempty" athar:"ref=Attack"`
	DatasetID      string       `json:"datasetId,omitempty" athar:"ref=Dataset,fixed,noinput"`
	ExternalID     string       `json:"externalId,omitempty" athar:"fixed,noinput"`
	WithdrawnIn    string       `json:"withdrawnIn,omitempty" athar:"noinput"`
	Timestamps
}

// Retraction marks a claim found to be wrong. The claim is kept, and left out of every summary.
type Retraction struct {
	Reason string    `json:"reason"`
	At     time.Time `json:"-"`
}

// Claim is one statement about one attack, as one source gives it, with the verbatim words it rests on.
type Claim struct {
	ID              string      `json:"id"`
	AttackID        string      `json:"attackId" athar:"ref=Attack,required,fixed,seed"`
	SourceID        string      `json:"sourceId" athar:"ref=Source,required=every claim is read in a source,fixed"`
	Kind            ClaimKind   `json:"kind" athar:"required,seed"`
	Stance          Stance      `json:"stance,omitempty"`
	Text            string      `json:"text" athar:"required"`
	Quote           string      `json:"quote" athar:"required=a claim rests on the source's own words,verbatim"`
	ClaimedBy       string      `json:"claimedBy,omitempty" athar:"ref=Actor"`
	Names           []string    `json:"names,omitempty" athar:"ref=Actor"`
	Killed          *Range      `json:"killed,omitempty"`
	ChildrenKilled  *Range      `json:"childrenKilled,omitempty"`
	Injured         *Range      `json:"injured,omitempty"`
	CiviliansKilled *Range      `json:"civiliansKilled,omitempty"`
	SideA           string      `json:"sideA,omitempty" athar:"ref=Actor"`
	SideAKilled     *Range      `json:"sideAKilled,omitempty"`
	SideB           string      `json:"sideB,omitempty" athar:"ref=Actor"`
	SideBKilled     *Range      `json:"sideBKilled,omitempty"`
	UnknownKilled   *Range      `json:"unknownKilled,omitempty"`
	Weapons         []Weapon    `json:"weapons,omitempty"`
	TimeOfDay       TimeOfDay   `json:"timeOfDay,omitempty"`
	PlaceIDs        []string    `json:"placeIds,omitempty" athar:"ref=Place"`
	Retracted       *Retraction `json:"retracted,omitempty" athar:"noinput"`
	DatasetID       string      `json:"datasetId,omitempty" athar:"ref=Dataset,fixed,noinput"`
	ExternalID      string      `json:"externalId,omitempty" athar:"fixed,noinput"`
	WithdrawnIn     string      `json:"withdrawnIn,omitempty" athar:"noinput"`
	// AccessLevel is who may read the claim as given (PUBLIC when not given); who may read it in
	// fact is the higher of it and its source's (EffectiveAccess).
	AccessLevel AccessLevel `json:"accessLevel,omitempty"`
	// ProtectedText holds what identifies people (witness names, a researcher's whereabouts): free
	// text, never searched, shown only to readers cleared to the identities level (IdentitiesVisible).
	ProtectedText string `json:"protectedText,omitempty"`
	Timestamps
}

// Entity is what every entity type has in common. What else it has is in its Description.
type Entity interface {
	// EntityID returns the entity's id.
	EntityID() string
	// EntityType returns the entity's type. It reads no field, so a nil *Facility answers too.
	EntityType() EntityType
	// Stamps returns the entity's timestamps.
	Stamps() *Timestamps
}

// EntityID implements Entity.
func (x *Dataset) EntityID() string  { return x.ID }
func (x *Place) EntityID() string    { return x.ID }
func (x *Actor) EntityID() string    { return x.ID }
func (x *Facility) EntityID() string { return x.ID }
func (x *Source) EntityID() string   { return x.ID }
func (x *Event) EntityID() string    { return x.ID }
func (x *Attack) EntityID() string   { return x.ID }
func (x *Claim) EntityID() string    { return x.ID }

// EntityType implements Entity.
func (*Dataset) EntityType() EntityType  { return TypeDataset }
func (*Place) EntityType() EntityType    { return TypePlace }
func (*Actor) EntityType() EntityType    { return TypeActor }
func (*Facility) EntityType() EntityType { return TypeFacility }
func (*Source) EntityType() EntityType   { return TypeSource }
func (*Event) EntityType() EntityType    { return TypeEvent }
func (*Attack) EntityType() EntityType   { return TypeAttack }
func (*Claim) EntityType() EntityType    { return TypeClaim }

// The rules of each type beyond what its description says, applied by Normalize and Validate.

func (x *Place) checkRules(p *Problems) {
	if x.PartOf != "" && x.PartOf == x.ID {
		p.Add("partOf", "a place cannot be part of itself")
	}
}

func (x *Actor) checkRules(p *Problems) {
	if x.PartOf != "" && x.PartOf == x.ID {
		p.Add("partOf", "an actor cannot be part of itself")
	}
}

var languagePattern = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$`)

// checkURL records a problem when v is not an absolute http(s) URL, or carries a user name or
// password (a URL shown to every reader must not hold credentials).
func checkURL(p *Problems, field, v string) {
	if v == "" {
		return
	}
	u, err := url.Parse(v)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		p.Add(field, "%q is not an absolute http(s) URL", v)
	case u.User != nil:
		p.Add(field, "must not hold a user name or password")
	default:
		for key := range u.Query() {
			if credentialParams[strings.ToLower(key)] {
				p.Add(field, "must not hold a credential (its %s parameter): every reader sees it", ClipField(key))
				return
			}
		}
	}
}

// credentialParams are the query parameters by which APIs take a key or a token (ACLED's API URLs
// carry key= and email=; others api_key=, token=, access_token=): a URL shown to every reader must
// not hold one.
var credentialParams = map[string]bool{"key": true, "api_key": true, "apikey": true, "token": true, "access_token": true,
	"auth": true, "password": true, "secret": true, "signature": true, "sig": true}

func (x *Dataset) checkRules(p *Problems) { checkURL(p, "url", x.URL) }

func (x *Attack) checkRules(p *Problems) {
	if x.AggregateID != "" && x.AggregateID == x.ID {
		p.Add("aggregateId", "an attack cannot be part of itself")
	}
}

func (x *Source) checkRules(p *Problems) {
	checkURL(p, "url", x.URL)
	if x.Language != "" && !languagePattern.MatchString(x.Language) {
		p.Add("language", "%q is not a language tag such as en or ar", x.Language)
	}
	if slices.Contains(x.Cites, x.ID) {
		p.Add("cites", "a source cannot cite itself")
	}
}

// normalizeRules gives a claim that does not say its stance the default one: it asserts.
func (x *Claim) normalizeRules() {
	if x.Stance == "" {
		x.Stance = Asserts
	}
	if x.AccessLevel == "" {
		x.AccessLevel = Public
	}
}

// normalizeRules gives a source that does not say its access level the default one: PUBLIC.
func (x *Source) normalizeRules() {
	if x.AccessLevel == "" {
		x.AccessLevel = Public
	}
}

// Inconsistent reports whether the claim's figures contradict each other as its source gives them:
// a range whose low is above its high or whose best lies outside them, or more children killed
// than people killed. Such a claim is kept as given (a source's words are evidence, even when they
// do not add up), marked by this, and counted in an import's summary.
func (x *Claim) Inconsistent() bool {
	for _, r := range []*Range{x.Killed, x.ChildrenKilled, x.Injured, x.CiviliansKilled, x.SideAKilled, x.SideBKilled, x.UnknownKilled} {
		if r.Inconsistent() {
			return true
		}
	}
	return x.Killed != nil && x.ChildrenKilled != nil && x.Killed.High != nil && x.ChildrenKilled.Low != nil &&
		*x.ChildrenKilled.Low > *x.Killed.High
}

func (x *Claim) checkRules(p *Problems) {
	if x.SideA != "" && x.SideA == x.SideB {
		p.Add("sideB", "is the same actor as sideA")
	}
	if (x.Kind == ClaimPerpetrator || x.Kind == ClaimDenial) && len(x.Names) == 0 {
		p.Add("names", "a %s claim names the actor it is about", x.Kind)
	}
}

// maxText is the longest text a field holds, in bytes: a whole quoted passage of a report.
const maxText = 100_000

// MaxNameBytes is the longest name or title (the text an id is made from), in bytes. Names and
// titles are kept in Neo4j's range indexes (and their folded copies beside them), whose entries
// hold at most 8 KiB (Neo4j Operations Manual, "Index configuration": values too large to index are
// refused with "Property value is too large to index"); 2,000 bytes (1,000 Arabic letters, 2,000
// Latin ones) leaves room for both and far exceeds any real name.
const MaxNameBytes = 2000

// cleanList trims, drops empty and repeated entries and, for lists whose order means nothing, sorts.
func cleanList[T ~string](vs []T, sorted bool) []T {
	if len(vs) == 0 {
		return nil
	}
	out := make([]T, 0, len(vs))
	for _, v := range vs {
		v = T(strings.TrimSpace(string(v)))
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	if sorted {
		slices.Sort(out)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func checkText(p *Problems, field, v string, required bool) {
	switch {
	case required && v == "":
		p.Add(field, "must not be empty")
	case len(v) > maxText:
		p.Add(field, "is longer than %d bytes", maxText)
	}
}

func checkLocation(p *Problems, field string, l *Location) {
	if l == nil {
		return
	}
	// NaN compares false with every bound: it is refused by name, as an infinity would be.
	if math.IsNaN(l.Latitude) || l.Latitude < -90 || l.Latitude > 90 {
		p.Add(joinField(field, "latitude"), "%v is outside -90..90", l.Latitude)
	}
	if math.IsNaN(l.Longitude) || l.Longitude < -180 || l.Longitude > 180 {
		p.Add(joinField(field, "longitude"), "%v is outside -180..180", l.Longitude)
	}
	checkEnum(p, joinField(field, "precision"), string(l.Precision), names(LocationPrecisions), true)
}

func checkRange(p *Problems, field string, r *Range) {
	if r == nil {
		return
	}
	if r.Low == nil && r.Best == nil && r.High == nil {
		p.Add(field, "give low, best, high or some of them")
		return
	}
	for _, b := range []struct {
		name string
		v    *int
	}{{"low", r.Low}, {"best", r.Best}, {"high", r.High}} {
		switch {
		case b.v == nil:
		case *b.v < 0:
			p.Add(field+"."+b.name, "must not be negative")
		case *b.v > MaxCount:
			p.Add(field+"."+b.name, "is above %d, the largest figure Athar records", MaxCount)
		}
	}
}

// Inconsistent reports whether the range's figures contradict each other: its low above its high,
// or its best outside them. Sources do give such figures (58 events of a UCDP GED release of Syria
// have a low above their high); they are kept as given and marked, never refused.
func (r *Range) Inconsistent() bool {
	if r == nil {
		return false
	}
	return (r.Low != nil && r.High != nil && *r.Low > *r.High) ||
		(r.Best != nil && r.Low != nil && *r.Best < *r.Low) ||
		(r.Best != nil && r.High != nil && *r.Best > *r.High)
}

// appendRef checks the form of a single reference and, when it is well formed, adds it to refs.
func appendRef(p *Problems, refs []Ref, field string, t EntityType, id string) []Ref {
	if id == "" {
		return refs
	}
	before := len(*p)
	CheckID(p, field, t, id)
	if len(*p) == before {
		refs = append(refs, Ref{Field: field, Type: t, ID: id})
	}
	return refs
}

// appendRefList does what appendRef does for each id of a list, naming each by its index.
func appendRefList(p *Problems, refs []Ref, field string, t EntityType, ids []string) []Ref {
	for i, id := range ids {
		refs = appendRef(p, refs, indexField(field, i), t, id)
	}
	return refs
}

func indexField(field string, i int) string { return fmt.Sprintf("%s[%d]", field, i) }

// AttackLink is a link of an attack that a curator adds or removes by itself. The API has a pair
// of mutations for each kind of target; only the links to an event say which they are (its enum
// AttackEventRelation has DURING and PART_OF).
type AttackLink string

// The links of an attack, each stored in one of its reference fields.
const (
	LinkTargeted   AttackLink = "TARGETED"    // the facilities hit: facilityIds
	LinkOccurredIn AttackLink = "OCCURRED_IN" // the places it happened in: placeIds
	LinkDuring     AttackLink = "DURING"      // the events under way it hit: duringEventIds
	LinkPartOf     AttackLink = "PART_OF"     // the campaigns it belongs to: partOfEventIds
)

// attackLinkFields are the fields that hold each link.
var attackLinkFields = map[AttackLink]string{
	LinkTargeted: "facilityIds", LinkOccurredIn: "placeIds", LinkDuring: "duringEventIds", LinkPartOf: "partOfEventIds",
}

// Link adds target to the attack's link l, or with add false removes it; removing a link the
// attack does not have changes nothing and is no error. Whether an added target exists is checked
// when the attack is written. Errors: EINVALID (an unknown link, or an added target that is not an
// id of the right type, naming field).
func (x *Attack) Link(l AttackLink, target, field string, add bool) error {
	name, ok := attackLinkFields[l]
	if !ok {
		return Invalid("relation", "%q is not a link of an attack", l)
	}
	f := Describe(TypeAttack).Field(name)
	ids := f.Strings(x)
	if add {
		var p Problems
		CheckID(&p, field, f.Target, target)
		if err := p.Err(); err != nil {
			return err
		}
		ids = append(ids, target)
	} else {
		ids = slices.DeleteFunc(ids, func(id string) bool { return id == target })
	}
	f.SetStrings(x, ids)
	return nil
}
