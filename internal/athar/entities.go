package athar

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Labels of the graph's entities, as Neo4j labels and as the prefixes of their ids.
const (
	LabelPlace    = "Place"
	LabelActor    = "Actor"
	LabelFacility = "Facility"
	LabelSource   = "Source"
	LabelEvent    = "Event"
	LabelAttack   = "Attack"
	LabelClaim    = "Claim"
)

// Labels lists the entity labels in the order an import writes them: a record only refers to
// records of its own label or of a label before it (claims refer to everything).
var Labels = []string{LabelPlace, LabelActor, LabelFacility, LabelSource, LabelEvent, LabelAttack, LabelClaim}

// IDPrefix returns the id prefix of a label: "facility" for Facility.
func IDPrefix(label string) string { return strings.ToLower(label) }

var idPattern = regexp.MustCompile(`^([a-z]+):[a-z0-9][a-z0-9-]{0,199}$`)

// CheckID records a problem when id is not a valid id of the given label (`facility:ain-jalout`).
func CheckID(p *Problems, field, label, id string) {
	m := idPattern.FindStringSubmatch(id)
	switch {
	case id == "":
		p.Add(field, "is required")
	case m == nil:
		p.Add(field, "%q is not an id: want %s: followed by lower-case letters, digits and hyphens", id, IDPrefix(label))
	case m[1] != IDPrefix(label):
		p.Add(field, "%q is not a %s id: it must start with %q", id, strings.ToLower(label), IDPrefix(label)+":")
	}
}

// LabelOf returns the label an id's prefix names, or "" when it names none.
func LabelOf(id string) string {
	prefix, _, ok := strings.Cut(id, ":")
	if !ok {
		return ""
	}
	for _, l := range Labels {
		if IDPrefix(l) == prefix {
			return l
		}
	}
	return ""
}

// Timestamps are kept by the store on every node.
type Timestamps struct {
	CreatedAt time.Time `json:"-"`
	UpdatedAt time.Time `json:"-"`
}

// Location is a WGS84 point and how exactly it marks the spot.
type Location struct {
	Latitude  float64           `json:"latitude"`
	Longitude float64           `json:"longitude"`
	Precision LocationPrecision `json:"precision"`
}

// Range is a count as a source gives it: "35" is {35, 35}, "more than 25" is {26, nil}, "as many as
// 35" is {nil, 35}. Either bound may be nil, not both.
type Range struct {
	Min *int `json:"min,omitempty"`
	Max *int `json:"max,omitempty"`
}

// Ref is a reference from one entity to another, as a validator checks it: the field that holds it,
// the label it must have, and the id.
type Ref struct {
	Field string
	Label string
	ID    string
}

// Place is a country, governorate, city, district, neighbourhood, town or village.
type Place struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Aliases     []string  `json:"aliases,omitempty"`
	Kind        PlaceKind `json:"kind"`
	PartOf      string    `json:"partOf,omitempty"`
	Location    *Location `json:"location,omitempty"`
	Description string    `json:"description,omitempty"`
	Timestamps
}

// Actor is a state, force, armed group, UN body, organisation, outlet or person.
type Actor struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Aliases     []string  `json:"aliases,omitempty"`
	Kind        ActorKind `json:"kind"`
	PartOf      string    `json:"partOf,omitempty"`
	Description string    `json:"description,omitempty"`
	Timestamps
}

// Facility is a civilian (or military) site: a school, hospital, market, blood bank...
type Facility struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Aliases     []string     `json:"aliases,omitempty"`
	Type        FacilityType `json:"type"`
	PlaceID     string       `json:"placeId,omitempty"`
	Location    *Location    `json:"location,omitempty"`
	OperatedBy  []string     `json:"operatedBy,omitempty"`
	Description string       `json:"description,omitempty"`
	Timestamps
}

// Source is a document claims are read in: a report, an article, a statement, a video.
type Source struct {
	ID          string     `json:"id"`
	Title       string     `json:"title"`
	Kind        SourceKind `json:"kind"`
	URL         string     `json:"url,omitempty"`
	Published   *Date      `json:"published,omitempty"`
	Language    string     `json:"language,omitempty"`
	Author      string     `json:"author,omitempty"`
	PublishedBy []string   `json:"publishedBy,omitempty"`
	Cites       []string   `json:"cites,omitempty"`
	Description string     `json:"description,omitempty"`
	Timestamps
}

// Event is context around attacks: a gathering, a truce, a campaign.
type Event struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Kind        EventKind `json:"kind"`
	Date        *Date     `json:"date,omitempty"`
	FacilityID  string    `json:"facilityId,omitempty"`
	PlaceIDs    []string  `json:"placeIds,omitempty"`
	Description string    `json:"description,omitempty"`
	Timestamps
}

// Attack is one attack. Its disputed details (how many died, with what, by whom) are never settled
// here: each account of them is a Claim.
type Attack struct {
	ID             string       `json:"id"`
	Title          string       `json:"title"`
	Summary        string       `json:"summary,omitempty"`
	Date           Date         `json:"date"`
	TimeOfDay      TimeOfDay    `json:"timeOfDay,omitempty"`
	AttackTypes    []AttackType `json:"attackTypes,omitempty"`
	Weapons        []Weapon     `json:"weapons,omitempty"`
	Damage         string       `json:"damage,omitempty"`
	FacilityIDs    []string     `json:"facilityIds,omitempty"`
	PlaceIDs       []string     `json:"placeIds,omitempty"`
	DuringEventIDs []string     `json:"duringEventIds,omitempty"`
	PartOfEventIDs []string     `json:"partOfEventIds,omitempty"`
	Timestamps
}

// Retraction marks a claim found to be wrong. The claim is kept, and left out of every summary.
type Retraction struct {
	Reason string    `json:"reason"`
	At     time.Time `json:"-"`
}

// Claim is one statement about one attack, as one source gives it, with the verbatim words it rests on.
type Claim struct {
	ID             string      `json:"id"`
	AttackID       string      `json:"attackId"`
	SourceID       string      `json:"sourceId"`
	Kind           ClaimKind   `json:"kind"`
	Stance         Stance      `json:"stance,omitempty"`
	Text           string      `json:"text"`
	Quote          string      `json:"quote"`
	ClaimedBy      string      `json:"claimedBy,omitempty"`
	Names          []string    `json:"names,omitempty"`
	Killed         *Range      `json:"killed,omitempty"`
	ChildrenKilled *Range      `json:"childrenKilled,omitempty"`
	Injured        *Range      `json:"injured,omitempty"`
	Weapons        []Weapon    `json:"weapons,omitempty"`
	TimeOfDay      TimeOfDay   `json:"timeOfDay,omitempty"`
	PlaceIDs       []string    `json:"placeIds,omitempty"`
	Retracted      *Retraction `json:"retracted,omitempty"`
	Timestamps
}

// Entity is what every entity type has in common.
type Entity interface {
	// EntityID returns the entity's id.
	EntityID() string
	// Label returns the entity's label (LabelFacility, ...).
	Label() string
	// Normalize trims text, drops empty and repeated list entries, and sorts lists of ids, so that
	// two descriptions of the same entity compare equal.
	Normalize()
	// Validate returns the problems of the entity's own fields, and the references it makes to
	// other entities, which the caller checks exist.
	Validate() (Problems, []Ref)
}

// EntityID implements Entity.
func (x *Place) EntityID() string    { return x.ID }
func (x *Actor) EntityID() string    { return x.ID }
func (x *Facility) EntityID() string { return x.ID }
func (x *Source) EntityID() string   { return x.ID }
func (x *Event) EntityID() string    { return x.ID }
func (x *Attack) EntityID() string   { return x.ID }
func (x *Claim) EntityID() string    { return x.ID }

// Label implements Entity.
func (*Place) Label() string    { return LabelPlace }
func (*Actor) Label() string    { return LabelActor }
func (*Facility) Label() string { return LabelFacility }
func (*Source) Label() string   { return LabelSource }
func (*Event) Label() string    { return LabelEvent }
func (*Attack) Label() string   { return LabelAttack }
func (*Claim) Label() string    { return LabelClaim }

// Normalize implements Entity.
func (x *Place) Normalize() {
	trim(&x.ID, &x.Name, &x.PartOf, &x.Description)
	x.Aliases = cleanList(x.Aliases, false)
}

// Normalize implements Entity.
func (x *Actor) Normalize() {
	trim(&x.ID, &x.Name, &x.PartOf, &x.Description)
	x.Aliases = cleanList(x.Aliases, false)
}

// Normalize implements Entity.
func (x *Facility) Normalize() {
	trim(&x.ID, &x.Name, &x.PlaceID, &x.Description)
	x.Aliases = cleanList(x.Aliases, false)
	x.OperatedBy = cleanList(x.OperatedBy, true)
}

// Normalize implements Entity.
func (x *Source) Normalize() {
	trim(&x.ID, &x.Title, &x.URL, &x.Language, &x.Author, &x.Description)
	x.PublishedBy = cleanList(x.PublishedBy, true)
	x.Cites = cleanList(x.Cites, true)
}

// Normalize implements Entity.
func (x *Event) Normalize() {
	trim(&x.ID, &x.Name, &x.FacilityID, &x.Description)
	x.PlaceIDs = cleanList(x.PlaceIDs, true)
}

// Normalize implements Entity.
func (x *Attack) Normalize() {
	trim(&x.ID, &x.Title, &x.Summary, &x.Damage)
	x.AttackTypes = cleanList(x.AttackTypes, true)
	x.Weapons = cleanList(x.Weapons, true)
	x.FacilityIDs = cleanList(x.FacilityIDs, true)
	x.PlaceIDs = cleanList(x.PlaceIDs, true)
	x.DuringEventIDs = cleanList(x.DuringEventIDs, true)
	x.PartOfEventIDs = cleanList(x.PartOfEventIDs, true)
}

// Normalize implements Entity. The quote is kept exactly as given: it is evidence.
func (x *Claim) Normalize() {
	trim(&x.ID, &x.AttackID, &x.SourceID, &x.Text, &x.ClaimedBy)
	if x.Stance == "" {
		x.Stance = Asserts
	}
	x.Names = cleanList(x.Names, true)
	x.Weapons = cleanList(x.Weapons, true)
	x.PlaceIDs = cleanList(x.PlaceIDs, true)
	if x.Retracted != nil {
		x.Retracted.Reason = strings.TrimSpace(x.Retracted.Reason)
	}
}

// Validate implements Entity.
func (x *Place) Validate() (Problems, []Ref) {
	var p Problems
	CheckID(&p, "id", LabelPlace, x.ID)
	checkText(&p, "name", x.Name, true)
	checkAliases(&p, x.Aliases)
	checkEnum(&p, "kind", x.Kind, PlaceKinds, true)
	checkLocation(&p, "location", x.Location)
	checkText(&p, "description", x.Description, false)
	var refs []Ref
	refs = appendRef(&p, refs, "partOf", LabelPlace, x.PartOf)
	if x.PartOf != "" && x.PartOf == x.ID {
		p.Add("partOf", "a place cannot be part of itself")
	}
	return p, refs
}

// Validate implements Entity.
func (x *Actor) Validate() (Problems, []Ref) {
	var p Problems
	CheckID(&p, "id", LabelActor, x.ID)
	checkText(&p, "name", x.Name, true)
	checkAliases(&p, x.Aliases)
	checkEnum(&p, "kind", x.Kind, ActorKinds, true)
	checkText(&p, "description", x.Description, false)
	var refs []Ref
	refs = appendRef(&p, refs, "partOf", LabelActor, x.PartOf)
	if x.PartOf != "" && x.PartOf == x.ID {
		p.Add("partOf", "an actor cannot be part of itself")
	}
	return p, refs
}

// Validate implements Entity.
func (x *Facility) Validate() (Problems, []Ref) {
	var p Problems
	CheckID(&p, "id", LabelFacility, x.ID)
	checkText(&p, "name", x.Name, true)
	checkAliases(&p, x.Aliases)
	checkEnum(&p, "type", x.Type, FacilityTypes, true)
	checkLocation(&p, "location", x.Location)
	checkText(&p, "description", x.Description, false)
	var refs []Ref
	refs = appendRef(&p, refs, "placeId", LabelPlace, x.PlaceID)
	refs = appendRefList(&p, refs, "operatedBy", LabelActor, x.OperatedBy)
	return p, refs
}

var languagePattern = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$`)

// Validate implements Entity.
func (x *Source) Validate() (Problems, []Ref) {
	var p Problems
	CheckID(&p, "id", LabelSource, x.ID)
	checkText(&p, "title", x.Title, true)
	checkEnum(&p, "kind", x.Kind, SourceKinds, true)
	if x.URL != "" {
		if u, err := url.Parse(x.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			p.Add("url", "%q is not an absolute http(s) URL", x.URL)
		}
	}
	if x.Language != "" && !languagePattern.MatchString(x.Language) {
		p.Add("language", "%q is not a language tag such as en or ar", x.Language)
	}
	checkDate(&p, "published", x.Published, false)
	checkText(&p, "author", x.Author, false)
	checkText(&p, "description", x.Description, false)
	var refs []Ref
	refs = appendRefList(&p, refs, "publishedBy", LabelActor, x.PublishedBy)
	refs = appendRefList(&p, refs, "cites", LabelSource, x.Cites)
	if slices.Contains(x.Cites, x.ID) {
		p.Add("cites", "a source cannot cite itself")
	}
	return p, refs
}

// Validate implements Entity.
func (x *Event) Validate() (Problems, []Ref) {
	var p Problems
	CheckID(&p, "id", LabelEvent, x.ID)
	checkText(&p, "name", x.Name, true)
	checkEnum(&p, "kind", x.Kind, EventKinds, true)
	checkDate(&p, "date", x.Date, false)
	checkText(&p, "description", x.Description, false)
	var refs []Ref
	refs = appendRef(&p, refs, "facilityId", LabelFacility, x.FacilityID)
	refs = appendRefList(&p, refs, "placeIds", LabelPlace, x.PlaceIDs)
	return p, refs
}

// Validate implements Entity.
func (x *Attack) Validate() (Problems, []Ref) {
	var p Problems
	CheckID(&p, "id", LabelAttack, x.ID)
	checkText(&p, "title", x.Title, true)
	checkText(&p, "summary", x.Summary, false)
	checkDate(&p, "date", &x.Date, true)
	checkEnum(&p, "timeOfDay", x.TimeOfDay, TimesOfDay, false)
	checkEnums(&p, "attackTypes", x.AttackTypes, AttackTypes)
	checkEnums(&p, "weapons", x.Weapons, Weapons)
	checkText(&p, "damage", x.Damage, false)
	var refs []Ref
	refs = appendRefList(&p, refs, "facilityIds", LabelFacility, x.FacilityIDs)
	refs = appendRefList(&p, refs, "placeIds", LabelPlace, x.PlaceIDs)
	refs = appendRefList(&p, refs, "duringEventIds", LabelEvent, x.DuringEventIDs)
	refs = appendRefList(&p, refs, "partOfEventIds", LabelEvent, x.PartOfEventIDs)
	return p, refs
}

// Validate implements Entity.
func (x *Claim) Validate() (Problems, []Ref) {
	var p Problems
	CheckID(&p, "id", LabelClaim, x.ID)
	checkEnum(&p, "kind", x.Kind, ClaimKinds, true)
	checkEnum(&p, "stance", x.Stance, Stances, false)
	checkText(&p, "text", x.Text, true)
	if strings.TrimSpace(x.Quote) == "" {
		p.Add("quote", "is required: a claim rests on the source's own words")
	} else if len(x.Quote) > maxText {
		p.Add("quote", "is longer than %d bytes", maxText)
	}
	checkRange(&p, "killed", x.Killed)
	checkRange(&p, "childrenKilled", x.ChildrenKilled)
	checkRange(&p, "injured", x.Injured)
	if x.Killed != nil && x.ChildrenKilled != nil && x.Killed.Max != nil && x.ChildrenKilled.Min != nil &&
		*x.ChildrenKilled.Min > *x.Killed.Max {
		p.Add("childrenKilled", "min %d is above killed.max %d", *x.ChildrenKilled.Min, *x.Killed.Max)
	}
	checkEnums(&p, "weapons", x.Weapons, Weapons)
	checkEnum(&p, "timeOfDay", x.TimeOfDay, TimesOfDay, false)
	if (x.Kind == ClaimPerpetrator || x.Kind == ClaimDenial) && len(x.Names) == 0 {
		p.Add("names", "a %s claim names the actor it is about", x.Kind)
	}
	if x.Retracted != nil && x.Retracted.Reason == "" {
		p.Add("retracted.reason", "is required: say why the claim was retracted")
	}
	var refs []Ref
	refs = appendRef(&p, refs, "attackId", LabelAttack, x.AttackID)
	refs = appendRef(&p, refs, "sourceId", LabelSource, x.SourceID)
	refs = appendRef(&p, refs, "claimedBy", LabelActor, x.ClaimedBy)
	refs = appendRefList(&p, refs, "names", LabelActor, x.Names)
	refs = appendRefList(&p, refs, "placeIds", LabelPlace, x.PlaceIDs)
	if x.AttackID == "" {
		p.Add("attackId", "is required")
	}
	if x.SourceID == "" {
		p.Add("sourceId", "is required: every claim is read in a source")
	}
	return p, refs
}

const maxText = 100_000

func trim(fields ...*string) {
	for _, f := range fields {
		*f = strings.TrimSpace(*f)
	}
}

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

func checkAliases(p *Problems, aliases []string) {
	for i, a := range aliases {
		checkText(p, indexField("aliases", i), a, true)
	}
}

func checkLocation(p *Problems, field string, l *Location) {
	if l == nil {
		return
	}
	if l.Latitude < -90 || l.Latitude > 90 {
		p.Add(joinField(field, "latitude"), "%v is outside -90..90", l.Latitude)
	}
	if l.Longitude < -180 || l.Longitude > 180 {
		p.Add(joinField(field, "longitude"), "%v is outside -180..180", l.Longitude)
	}
	checkEnum(p, joinField(field, "precision"), l.Precision, LocationPrecisions, true)
}

func checkRange(p *Problems, field string, r *Range) {
	if r == nil {
		return
	}
	switch {
	case r.Min == nil && r.Max == nil:
		p.Add(field, "give min, max or both")
	case r.Min != nil && *r.Min < 0:
		p.Add(field+".min", "must not be negative")
	case r.Max != nil && *r.Max < 0:
		p.Add(field+".max", "must not be negative")
	case r.Min != nil && r.Max != nil && *r.Min > *r.Max:
		p.Add(field, "min %d is greater than max %d", *r.Min, *r.Max)
	}
}

// appendRef checks the form of a single reference and, when it is well formed, adds it to refs.
func appendRef(p *Problems, refs []Ref, field, label, id string) []Ref {
	if id == "" {
		return refs
	}
	before := len(*p)
	CheckID(p, field, label, id)
	if len(*p) == before {
		refs = append(refs, Ref{Field: field, Label: label, ID: id})
	}
	return refs
}

// appendRefList does what appendRef does for each id of a list, naming each by its index.
func appendRefList(p *Problems, refs []Ref, field, label string, ids []string) []Ref {
	for i, id := range ids {
		refs = appendRef(p, refs, indexField(field, i), label, id)
	}
	return refs
}

func indexField(field string, i int) string { return fmt.Sprintf("%s[%d]", field, i) }
