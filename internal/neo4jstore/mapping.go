package neo4jstore

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"github.com/athar-project/athar/internal/athar"
)

// This file maps entities to nodes. What a field is comes from its description (athar.Describe);
// what the store decides is written here once: the label of each type, the relationship type of
// each reference field, the order of each type's lists, and the links that mirror a property.
// Properties take their names from the fields: a text or enum field "kind" is the property kind; a
// date "published" is publishedStart, publishedEnd, publishedPrecision and publishedNote (the date
// of an attack or event: startDate, endDate, datePrecision, dateNote); a location is the point
// location and locationPrecision; a count range "killed" is killedLow, killedBest, killedHigh and
// killedReported; a retraction is retracted, retractedReason and retractedAt.

// relationships is the relationship type of each reference field, by entity type and field name.
// Every reference field of every description has one: specs panics on load otherwise.
var relationships = map[athar.EntityType]map[string]string{
	athar.TypeDataset:  {},
	athar.TypePlace:    {"partOf": "PART_OF", "datasetId": relInDataset},
	athar.TypeActor:    {"partOf": "PART_OF", "datasetId": relInDataset},
	athar.TypeFacility: {"placeId": "LOCATED_IN", "operatedBy": "OPERATED_BY", "datasetId": relInDataset},
	athar.TypeSource:   {"publishedBy": "PUBLISHED_BY", "cites": "CITES", "datasetId": relInDataset},
	athar.TypeEvent:    {"facilityId": "HELD_AT", "placeIds": "OCCURRED_IN", "datasetId": relInDataset},
	athar.TypeAttack: {"facilityIds": "TARGETED", "placeIds": "OCCURRED_IN", "duringEventIds": "DURING", "partOfEventIds": "PART_OF",
		"aggregateId": "AGGREGATED_IN", "datasetId": relInDataset},
	athar.TypeClaim: {"attackId": "ABOUT", "sourceId": "REPORTED_IN", "claimedBy": "CLAIMED_BY", "names": "NAMES", "placeIds": "LOCATES",
		"sideA": "SIDE_A", "sideB": "SIDE_B", "datasetId": relInDataset},
}

// relInDataset links a record imported from a dataset to the dataset (its datasetId).
const relInDataset = "IN_DATASET"

// listOrders is the stable order of each type's lists, a Cypher sort over the variable m.
var listOrders = map[athar.EntityType]string{
	athar.TypeDataset:  "m.name, m.id",
	athar.TypePlace:    "m.name, m.id",
	athar.TypeActor:    "m.name, m.id",
	athar.TypeFacility: "m.name, m.id",
	athar.TypeSource:   "m.title, m.id",
	athar.TypeEvent:    "m.startDate, m.name, m.id",
	athar.TypeAttack:   "m.startDate, m.endDate, m.id",
	athar.TypeClaim:    "m.kind, m.id",
}

// Labels of the nodes that are not entities: the time tree (every node of which also carries
// TimeNode, so that a dated node links to the most specific one through one indexed lookup), and the
// shared nodes that mirror an attack's weapons and attack types.
const (
	labelTimeNode   = "TimeNode"
	labelWeapon     = "Weapon"
	labelAttackType = "AttackType"
)

// taxonomies are the enum list fields mirrored as links to a shared node per value, so that a
// filter on them starts from an index (Neo4j has none on list elements).
var taxonomies = map[athar.EntityType]map[string]struct{ rel, label string }{
	athar.TypeAttack: {"weapons": {"USED", labelWeapon}, "attackTypes": {"OF_TYPE", labelAttackType}},
}

// datedField is the date field a type's nodes hang from the time tree by (an ON link), and whose
// properties are startDate and endDate.
const datedField = "date"

// searchedTexts are the text fields a search reads. Each is also kept folded, as its words
// (athar.SearchKey), in the property <field>Folded, which the full-text index (searchIndex), the
// ranking of search hits and the check of duplicates read; the field's own property keeps the
// text as given. The aliases are kept folded as a list, aliasesFolded (an alias equal to a query
// ranks high), and joined in one string, aliasTextFolded, for the full-text index.
var searchedTexts = []string{"name", "title", "summary", "description", "quote", "text"}

// searchedAliases is the text list field a search reads.
const searchedAliases = "aliases"

// foldedKeys are the properties foldedProps writes.
var foldedKeys = func() []string {
	keys := []string{searchedAliases + "Folded", "aliasTextFolded"}
	for _, f := range searchedTexts {
		keys = append(keys, f+"Folded")
	}
	return keys
}()

// foldedProps returns the folded copies of the searched texts in p (a node's properties, whose
// lists are []string or, as the driver reads them, []any), one key of foldedKeys each; a text that
// is absent or folds to nothing has none.
func foldedProps(p map[string]any) map[string]any {
	out := map[string]any{}
	for _, f := range searchedTexts {
		if v, _ := p[f].(string); v != "" {
			if folded := athar.SearchKey(v); folded != "" {
				out[f+"Folded"] = folded
			}
		}
	}
	aliases, ok := p[searchedAliases].([]string)
	if !ok {
		aliases = strs(p, searchedAliases)
	}
	var folded []string
	for _, a := range aliases {
		if fa := athar.SearchKey(a); fa != "" {
			folded = append(folded, fa)
		}
	}
	if len(folded) > 0 {
		out[searchedAliases+"Folded"] = folded
		out["aliasTextFolded"] = strings.Join(folded, " | ")
	}
	return out
}

// labelOf returns the Neo4j label of an entity type: its name.
func labelOf(t athar.EntityType) string { return string(t) }

// linkSpec is one kind of outgoing relationship an entity owns: writing the entity replaces them.
type linkSpec struct {
	rel    string
	target string       // label of the nodes linked to
	field  *athar.Field // the reference field it stores; nil for a derived link
	// derived links mirror a property (a weapon, a date) as a link to a shared node; they are made
	// from the entity and not read back.
	derived func(athar.Entity) []string
}

// ids returns the ids the entity links to.
func (l linkSpec) ids(e athar.Entity) []string {
	switch {
	case l.derived != nil:
		return l.derived(e)
	case l.field.Shape == athar.ShapeRef:
		if id := l.field.Text(e); id != "" {
			return []string{id}
		}
		return nil
	}
	return l.field.Strings(e)
}

// set stores the ids read back into the entity's reference field.
func (l linkSpec) set(e athar.Entity, ids []string) {
	switch {
	case l.derived != nil:
	case l.field.Shape == athar.ShapeRef:
		id := ""
		if len(ids) > 0 {
			id = ids[0]
		}
		l.field.SetText(e, id)
	default:
		l.field.SetStrings(e, ids)
	}
}

// typeSpec maps one entity type to its nodes.
type typeSpec struct {
	d     *athar.Description
	label string
	order string
	links []linkSpec
	keys  []string // propKeys
}

// specs are the mappings of every entity type, built from the descriptions when the package loads.
var specs = func() map[athar.EntityType]*typeSpec {
	out := map[athar.EntityType]*typeSpec{}
	for _, d := range athar.Descriptions() {
		s := &typeSpec{d: d, label: labelOf(d.Type), order: listOrders[d.Type]}
		if s.order == "" {
			panic(fmt.Sprintf("neo4jstore: no list order for %s", d.Type))
		}
		for _, f := range d.Fields {
			switch {
			case f.Shape == athar.ShapeRef || f.Shape == athar.ShapeRefList:
				rel := relationships[d.Type][f.Name]
				if rel == "" {
					panic(fmt.Sprintf("neo4jstore: no relationship type for %s.%s", d.Type, f.Name))
				}
				s.links = append(s.links, linkSpec{rel: rel, target: labelOf(f.Target), field: f})
			case f.Shape == athar.ShapeDate && f.Name == datedField:
				s.links = append(s.links, onLink(f))
			case taxonomies[d.Type][f.Name].rel != "":
				t := taxonomies[d.Type][f.Name]
				s.links = append(s.links, taxonomyLink(t.rel, t.label, f))
			}
		}
		s.keys = s.propKeys()
		out[d.Type] = s
	}
	return out
}()

// specOf returns the mapping of an entity type.
func specOf(t athar.EntityType) *typeSpec {
	s, ok := specs[t]
	if !ok {
		panic(fmt.Sprintf("neo4jstore: no mapping for entity type %q", t))
	}
	return s
}

// relOf returns the relationship type that stores the reference field of type t.
func relOf(t athar.EntityType, field string) string {
	rel := relationships[t][field]
	if rel == "" {
		panic(fmt.Sprintf("neo4jstore: no relationship type for %s.%s", t, field))
	}
	return rel
}

// onLink links a dated entity to the most specific node of the time tree its date hangs from.
func onLink(f *athar.Field) linkSpec {
	return linkSpec{rel: "ON", target: labelTimeNode, derived: func(e athar.Entity) []string {
		_, ids := timeTreeOf(f, e)
		if len(ids) == 0 {
			return nil
		}
		return ids[len(ids)-1:]
	}}
}

// timeTreeOf returns the date of the field f of e and the ids of the time-tree nodes it hangs
// from (athar.Date.TimeTreeIDs); none when the date is unset.
func timeTreeOf(f *athar.Field, e athar.Entity) (*athar.Date, []string) {
	d := f.Date(e)
	if d == nil {
		return nil, nil
	}
	return d, d.TimeTreeIDs()
}

// taxonomyLink links an entity to the shared node of each value of an enum list field.
func taxonomyLink(rel, label string, f *athar.Field) linkSpec {
	return linkSpec{rel: rel, target: label, derived: func(e athar.Entity) []string {
		return taxonomyIDs(label, f.Strings(e))
	}}
}

// taxonomyID is the id of the shared node of an enum value: weapon:BARREL_BOMB.
func taxonomyID(label, value string) string { return strings.ToLower(label) + ":" + value }

func taxonomyIDs[T ~string](label string, vs []T) []string {
	if len(vs) == 0 {
		return nil
	}
	ids := make([]string, len(vs))
	for i, v := range vs {
		ids[i] = taxonomyID(label, string(v))
	}
	return ids
}

// props returns the node properties of an entity: every field that is not a reference.
func (s *typeSpec) props(e athar.Entity) map[string]any {
	p := map[string]any{}
	for _, f := range s.d.Fields {
		switch f.Shape {
		case athar.ShapeText, athar.ShapeEnum:
			if v := f.Text(e); v != "" {
				p[f.Name] = v
			}
		case athar.ShapeTextList, athar.ShapeEnumList:
			if vs := f.Strings(e); len(vs) > 0 {
				p[f.Name] = vs
			}
		case athar.ShapeDate:
			putDate(p, f.Name, f.Date(e))
		case athar.ShapeLocation:
			if l := f.Location(e); l != nil {
				p[f.Name] = neo4j.Point2D{X: l.Longitude, Y: l.Latitude, SpatialRefId: 4326}
				p[f.Name+"Precision"] = string(l.Precision)
			}
		case athar.ShapeRange:
			putRange(p, f.Name, f.Range(e))
		case athar.ShapeRetraction:
			if r := f.Retraction(e); r != nil {
				p[f.Name] = true
				p[f.Name+"Reason"] = r.Reason
				p[f.Name+"At"] = r.At
			}
		}
	}
	maps.Copy(p, foldedProps(p))
	return p
}

// retractionProps returns the properties of the type's retraction field, or nil when it has none.
func (s *typeSpec) retractionProps() []string {
	for _, f := range s.d.Fields {
		if f.Shape == athar.ShapeRetraction {
			return []string{f.Name, f.Name + "Reason", f.Name + "At"}
		}
	}
	return nil
}

// propKeys are the properties decodeNode reads of a node of the type: its id, timestamps and the
// properties of its fields; not the bookkeeping beside them (bookKeys, the content hash, the folded
// copies the search reads), which can be large (a dataset record as last imported).
func (s *typeSpec) propKeys() []string {
	keys := []string{"id", "createdAt", "updatedAt"}
	for _, f := range s.d.Fields {
		keys = append(keys, fieldKeys(f)...)
	}
	return keys
}

// fieldKeys are the properties that hold the field f; none for a reference field (a link).
func fieldKeys(f *athar.Field) []string {
	switch f.Shape {
	case athar.ShapeText, athar.ShapeEnum, athar.ShapeTextList, athar.ShapeEnumList:
		return []string{f.Name}
	case athar.ShapeDate:
		start, end, prec, note := dateKeys(f.Name)
		return []string{start, end, prec, note}
	case athar.ShapeLocation:
		return []string{f.Name, f.Name + "Precision"}
	case athar.ShapeRange:
		keys := []string{f.Name + "Reported"}
		for _, k := range rangeKeys {
			keys = append(keys, f.Name+k)
		}
		return keys
	case athar.ShapeRetraction:
		return []string{f.Name, f.Name + "Reason", f.Name + "At"}
	}
	return nil
}

// projection is the Cypher map of the properties decodeNode reads of the node v (propKeys).
func (s *typeSpec) projection(v string) string {
	return v + " {." + strings.Join(s.keys, ", .") + "}"
}

// projectionOf is projection limited to the id and the fields only names for spec's type, the
// timestamps among them (createdAt, updatedAt; a type it does not name is read whole).
func (s *typeSpec) projectionOf(v string, only athar.WalkFields) string {
	fields, limited := only[s.d.Type]
	if !limited {
		return s.projection(v)
	}
	keys := []string{"id"}
	for _, stamp := range []string{"createdAt", "updatedAt"} {
		if slices.Contains(fields, stamp) {
			keys = append(keys, stamp)
		}
	}
	for _, f := range s.d.Fields {
		if slices.Contains(fields, f.Name) {
			keys = append(keys, fieldKeys(f)...)
		}
	}
	return v + " {." + strings.Join(keys, ", .") + "}"
}

// decodeNode turns a node's properties and its owned links (by relationship type) into an entity.
func (s *typeSpec) decodeNode(p map[string]any, links map[string]any) athar.Entity {
	e := s.d.New()
	athar.SetID(e, str(p, "id"))
	for _, f := range s.d.Fields {
		switch f.Shape {
		case athar.ShapeText, athar.ShapeEnum:
			f.SetText(e, str(p, f.Name))
		case athar.ShapeTextList, athar.ShapeEnumList:
			f.SetStrings(e, strs(p, f.Name))
		case athar.ShapeDate:
			f.SetDate(e, date(p, f.Name))
		case athar.ShapeLocation:
			if pt, ok := p[f.Name].(dbtype.Point2D); ok {
				f.SetLocation(e, &athar.Location{Latitude: pt.Y, Longitude: pt.X,
					Precision: athar.LocationPrecision(str(p, f.Name+"Precision"))})
			}
		case athar.ShapeRange:
			f.SetRange(e, rangeOf(p, f.Name))
		case athar.ShapeRetraction:
			if b, _ := p[f.Name].(bool); b {
				f.SetRetraction(e, &athar.Retraction{Reason: str(p, f.Name+"Reason"), At: timeOf(p, f.Name+"At")})
			}
		}
	}
	*e.Stamps() = athar.Timestamps{CreatedAt: timeOf(p, "createdAt"), UpdatedAt: timeOf(p, "updatedAt")}
	for _, l := range s.links {
		l.set(e, strs(links, l.rel))
	}
	return e
}

// dateKeys names the properties of a date field: startDate, endDate, datePrecision and dateNote for
// the date an entity hangs from the time tree by; publishedStart… for a field "published".
func dateKeys(field string) (start, end, prec, note string) {
	if field == datedField {
		return "startDate", "endDate", "datePrecision", "dateNote"
	}
	return field + "Start", field + "End", field + "Precision", field + "Note"
}

// putDate stores a date as native Neo4j dates (range-indexed) with its precision and note.
func putDate(p map[string]any, field string, d *athar.Date) {
	if d == nil || d.IsZero() {
		return
	}
	start, end, prec, note := dateKeys(field)
	p[start] = neo4j.DateOf(d.Start)
	p[end] = neo4j.DateOf(d.End)
	p[prec] = string(d.Precision)
	if d.Note != "" {
		p[note] = d.Note
	}
}

func date(p map[string]any, field string) *athar.Date {
	start, end, prec, note := dateKeys(field)
	s, ok1 := p[start].(dbtype.Date)
	e, ok2 := p[end].(dbtype.Date)
	if !ok1 || !ok2 {
		return nil
	}
	return &athar.Date{Start: s.Time().UTC(), End: e.Time().UTC(), Precision: athar.DatePrecision(str(p, prec)), Note: str(p, note)}
}

// rangeKeys are the suffixes of a count range's properties: killedLow, killedBest, killedHigh.
var rangeKeys = []string{"Low", "Best", "High"}

func rangeParts(r *athar.Range) []**int { return []**int{&r.Low, &r.Best, &r.High} }

func putRange(p map[string]any, key string, r *athar.Range) {
	if r == nil {
		return
	}
	p[key+"Reported"] = true
	for i, v := range rangeParts(r) {
		if *v != nil {
			p[key+rangeKeys[i]] = int64(**v)
		}
	}
}

func rangeOf(p map[string]any, key string) *athar.Range {
	if b, _ := p[key+"Reported"].(bool); !b {
		return nil
	}
	r := &athar.Range{}
	for i, v := range rangeParts(r) {
		if n, ok := p[key+rangeKeys[i]].(int64); ok {
			*v = ptr(int(n))
		}
	}
	return r
}

func ptr[T any](v T) *T { return &v }

func str(p map[string]any, key string) string {
	s, _ := p[key].(string)
	return s
}

func strs(p map[string]any, key string) []string {
	list, _ := p[key].([]any)
	if len(list) == 0 {
		return nil
	}
	out := make([]string, 0, len(list))
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func texts[T ~string](vs []T) []string {
	if len(vs) == 0 {
		return nil
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

func timeOf(p map[string]any, key string) time.Time {
	switch v := p[key].(type) {
	case time.Time:
		return v.UTC()
	case dbtype.LocalDateTime:
		return v.Time().UTC()
	}
	return time.Time{}
}
