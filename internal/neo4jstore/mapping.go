package neo4jstore

import (
	"fmt"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"github.com/athar-project/athar/internal/athar"
)

// labelTimeNode is the label every node of the time tree (Year, Month, Day) carries besides its own,
// so that a dated node links to the most specific one through one indexed lookup.
const labelTimeNode = "TimeNode"

// linkSpec is one kind of outgoing relationship an entity owns: writing the entity replaces them.
type linkSpec struct {
	rel    string
	target string
	get    func(athar.Entity) []string
	set    func(athar.Entity, []string)
	// derived links mirror a property (a weapon, a date) as a link to a shared node, so that a
	// filter starts from an index; they are created on demand and not read back.
	derived bool
}

// labelSpec maps one entity type to its nodes: properties, owned links, and the stable order of
// lists of it.
type labelSpec struct {
	label  string
	order  string // Cypher sort expression over the variable m
	links  []linkSpec
	props  func(athar.Entity) map[string]any
	decode func(p map[string]any) athar.Entity
}

func one(id string) []string {
	if id == "" {
		return nil
	}
	return []string{id}
}

func first(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}

// onLink links a dated entity to the most specific node of the time tree its date hangs from.
func onLink(date func(athar.Entity) *athar.Date) linkSpec {
	return linkSpec{rel: "ON", target: labelTimeNode, get: func(e athar.Entity) []string {
		d := date(e)
		if d == nil {
			return nil
		}
		ids := d.TimeTreeIDs()
		if len(ids) == 0 {
			return nil
		}
		return ids[len(ids)-1:]
	}, set: func(athar.Entity, []string) {}, derived: true}
}

// Labels of the shared nodes that mirror an attack's weapons and attack types.
const (
	labelWeapon     = "Weapon"
	labelAttackType = "AttackType"
)

// taxonomyLink links an attack to the shared node of each value of an enum list property.
func taxonomyLink[T ~string](rel, label string, values func(*athar.Attack) []T) linkSpec {
	return linkSpec{rel: rel, target: label, derived: true, set: func(athar.Entity, []string) {},
		get: func(e athar.Entity) []string {
			vs := values(e.(*athar.Attack))
			ids := make([]string, len(vs))
			for i, v := range vs {
				ids[i] = taxonomyID(label, string(v))
			}
			return ids
		}}
}

// taxonomyID is the id of the shared node of an enum value: weapon:BARREL_BOMB.
func taxonomyID(label, value string) string { return strings.ToLower(label) + ":" + value }

// aliasText joins a name's aliases into one string for the full-text index.
func aliasText(aliases []string) string { return strings.Join(aliases, " | ") }

var specs = map[string]*labelSpec{
	athar.LabelPlace: {
		label: athar.LabelPlace, order: "m.name, m.id",
		links: []linkSpec{
			{"PART_OF", athar.LabelPlace, func(e athar.Entity) []string { return one(e.(*athar.Place).PartOf) },
				func(e athar.Entity, ids []string) { e.(*athar.Place).PartOf = first(ids) }, false},
		},
		props: func(e athar.Entity) map[string]any {
			x := e.(*athar.Place)
			p := map[string]any{"name": x.Name, "aliases": x.Aliases, "aliasText": aliasText(x.Aliases), "kind": string(x.Kind), "description": x.Description}
			putLocation(p, x.Location)
			return p
		},
		decode: func(p map[string]any) athar.Entity {
			return &athar.Place{ID: str(p, "id"), Name: str(p, "name"), Aliases: strs(p, "aliases"),
				Kind: athar.PlaceKind(str(p, "kind")), Location: location(p), Description: str(p, "description")}
		},
	},
	athar.LabelActor: {
		label: athar.LabelActor, order: "m.name, m.id",
		links: []linkSpec{
			{"PART_OF", athar.LabelActor, func(e athar.Entity) []string { return one(e.(*athar.Actor).PartOf) },
				func(e athar.Entity, ids []string) { e.(*athar.Actor).PartOf = first(ids) }, false},
		},
		props: func(e athar.Entity) map[string]any {
			x := e.(*athar.Actor)
			return map[string]any{"name": x.Name, "aliases": x.Aliases, "aliasText": aliasText(x.Aliases), "kind": string(x.Kind), "description": x.Description}
		},
		decode: func(p map[string]any) athar.Entity {
			return &athar.Actor{ID: str(p, "id"), Name: str(p, "name"), Aliases: strs(p, "aliases"),
				Kind: athar.ActorKind(str(p, "kind")), Description: str(p, "description")}
		},
	},
	athar.LabelFacility: {
		label: athar.LabelFacility, order: "m.name, m.id",
		links: []linkSpec{
			{"LOCATED_IN", athar.LabelPlace, func(e athar.Entity) []string { return one(e.(*athar.Facility).PlaceID) },
				func(e athar.Entity, ids []string) { e.(*athar.Facility).PlaceID = first(ids) }, false},
			{"OPERATED_BY", athar.LabelActor, func(e athar.Entity) []string { return e.(*athar.Facility).OperatedBy },
				func(e athar.Entity, ids []string) { e.(*athar.Facility).OperatedBy = ids }, false},
		},
		props: func(e athar.Entity) map[string]any {
			x := e.(*athar.Facility)
			p := map[string]any{"name": x.Name, "aliases": x.Aliases, "aliasText": aliasText(x.Aliases), "type": string(x.Type), "description": x.Description}
			putLocation(p, x.Location)
			return p
		},
		decode: func(p map[string]any) athar.Entity {
			return &athar.Facility{ID: str(p, "id"), Name: str(p, "name"), Aliases: strs(p, "aliases"),
				Type: athar.FacilityType(str(p, "type")), Location: location(p), Description: str(p, "description")}
		},
	},
	athar.LabelSource: {
		label: athar.LabelSource, order: "m.title, m.id",
		links: []linkSpec{
			{"PUBLISHED_BY", athar.LabelActor, func(e athar.Entity) []string { return e.(*athar.Source).PublishedBy },
				func(e athar.Entity, ids []string) { e.(*athar.Source).PublishedBy = ids }, false},
			{"CITES", athar.LabelSource, func(e athar.Entity) []string { return e.(*athar.Source).Cites },
				func(e athar.Entity, ids []string) { e.(*athar.Source).Cites = ids }, false},
		},
		props: func(e athar.Entity) map[string]any {
			x := e.(*athar.Source)
			p := map[string]any{"title": x.Title, "kind": string(x.Kind), "url": x.URL, "language": x.Language,
				"author": x.Author, "description": x.Description}
			putDate(p, "published", x.Published)
			return p
		},
		decode: func(p map[string]any) athar.Entity {
			return &athar.Source{ID: str(p, "id"), Title: str(p, "title"), Kind: athar.SourceKind(str(p, "kind")),
				URL: str(p, "url"), Published: date(p, "published"), Language: str(p, "language"),
				Author: str(p, "author"), Description: str(p, "description")}
		},
	},
	athar.LabelEvent: {
		label: athar.LabelEvent, order: "m.startDate, m.name, m.id",
		links: []linkSpec{
			{"HELD_AT", athar.LabelFacility, func(e athar.Entity) []string { return one(e.(*athar.Event).FacilityID) },
				func(e athar.Entity, ids []string) { e.(*athar.Event).FacilityID = first(ids) }, false},
			{"OCCURRED_IN", athar.LabelPlace, func(e athar.Entity) []string { return e.(*athar.Event).PlaceIDs },
				func(e athar.Entity, ids []string) { e.(*athar.Event).PlaceIDs = ids }, false},
			onLink(func(e athar.Entity) *athar.Date { return e.(*athar.Event).Date }),
		},
		props: func(e athar.Entity) map[string]any {
			x := e.(*athar.Event)
			p := map[string]any{"name": x.Name, "kind": string(x.Kind), "description": x.Description}
			putDate(p, "", x.Date)
			return p
		},
		decode: func(p map[string]any) athar.Entity {
			return &athar.Event{ID: str(p, "id"), Name: str(p, "name"), Kind: athar.EventKind(str(p, "kind")),
				Date: date(p, ""), Description: str(p, "description")}
		},
	},
	athar.LabelAttack: {
		label: athar.LabelAttack, order: "m.startDate, m.endDate, m.id",
		links: []linkSpec{
			{"TARGETED", athar.LabelFacility, func(e athar.Entity) []string { return e.(*athar.Attack).FacilityIDs },
				func(e athar.Entity, ids []string) { e.(*athar.Attack).FacilityIDs = ids }, false},
			{"OCCURRED_IN", athar.LabelPlace, func(e athar.Entity) []string { return e.(*athar.Attack).PlaceIDs },
				func(e athar.Entity, ids []string) { e.(*athar.Attack).PlaceIDs = ids }, false},
			{"DURING", athar.LabelEvent, func(e athar.Entity) []string { return e.(*athar.Attack).DuringEventIDs },
				func(e athar.Entity, ids []string) { e.(*athar.Attack).DuringEventIDs = ids }, false},
			{"PART_OF", athar.LabelEvent, func(e athar.Entity) []string { return e.(*athar.Attack).PartOfEventIDs },
				func(e athar.Entity, ids []string) { e.(*athar.Attack).PartOfEventIDs = ids }, false},
			onLink(func(e athar.Entity) *athar.Date { return &e.(*athar.Attack).Date }),
			taxonomyLink("USED", labelWeapon, func(a *athar.Attack) []athar.Weapon { return a.Weapons }),
			taxonomyLink("OF_TYPE", labelAttackType, func(a *athar.Attack) []athar.AttackType { return a.AttackTypes }),
		},
		props: func(e athar.Entity) map[string]any {
			x := e.(*athar.Attack)
			p := map[string]any{"title": x.Title, "summary": x.Summary, "timeOfDay": string(x.TimeOfDay),
				"attackTypes": texts(x.AttackTypes), "weapons": texts(x.Weapons), "damage": x.Damage}
			putDate(p, "", &x.Date)
			return p
		},
		decode: func(p map[string]any) athar.Entity {
			x := &athar.Attack{ID: str(p, "id"), Title: str(p, "title"), Summary: str(p, "summary"),
				TimeOfDay: athar.TimeOfDay(str(p, "timeOfDay")), AttackTypes: enums[athar.AttackType](p, "attackTypes"),
				Weapons: enums[athar.Weapon](p, "weapons"), Damage: str(p, "damage")}
			if d := date(p, ""); d != nil {
				x.Date = *d
			}
			return x
		},
	},
	athar.LabelClaim: {
		label: athar.LabelClaim, order: "m.kind, m.id",
		links: []linkSpec{
			{"ABOUT", athar.LabelAttack, func(e athar.Entity) []string { return one(e.(*athar.Claim).AttackID) },
				func(e athar.Entity, ids []string) { e.(*athar.Claim).AttackID = first(ids) }, false},
			{"REPORTED_IN", athar.LabelSource, func(e athar.Entity) []string { return one(e.(*athar.Claim).SourceID) },
				func(e athar.Entity, ids []string) { e.(*athar.Claim).SourceID = first(ids) }, false},
			{"CLAIMED_BY", athar.LabelActor, func(e athar.Entity) []string { return one(e.(*athar.Claim).ClaimedBy) },
				func(e athar.Entity, ids []string) { e.(*athar.Claim).ClaimedBy = first(ids) }, false},
			{"NAMES", athar.LabelActor, func(e athar.Entity) []string { return e.(*athar.Claim).Names },
				func(e athar.Entity, ids []string) { e.(*athar.Claim).Names = ids }, false},
			{"LOCATES", athar.LabelPlace, func(e athar.Entity) []string { return e.(*athar.Claim).PlaceIDs },
				func(e athar.Entity, ids []string) { e.(*athar.Claim).PlaceIDs = ids }, false},
		},
		props: func(e athar.Entity) map[string]any {
			x := e.(*athar.Claim)
			p := map[string]any{"kind": string(x.Kind), "stance": string(x.Stance), "text": x.Text, "quote": x.Quote,
				"weapons": texts(x.Weapons), "timeOfDay": string(x.TimeOfDay)}
			putRange(p, "killed", x.Killed)
			putRange(p, "childrenKilled", x.ChildrenKilled)
			putRange(p, "injured", x.Injured)
			if x.Retracted != nil {
				p["retracted"] = true
				p["retractedReason"] = x.Retracted.Reason
				p["retractedAt"] = x.Retracted.At
			}
			return p
		},
		decode: func(p map[string]any) athar.Entity {
			x := &athar.Claim{ID: str(p, "id"), Kind: athar.ClaimKind(str(p, "kind")), Stance: athar.Stance(str(p, "stance")),
				Text: str(p, "text"), Quote: str(p, "quote"), Weapons: enums[athar.Weapon](p, "weapons"),
				TimeOfDay: athar.TimeOfDay(str(p, "timeOfDay")), Killed: rangeOf(p, "killed"),
				ChildrenKilled: rangeOf(p, "childrenKilled"), Injured: rangeOf(p, "injured")}
			if b, _ := p["retracted"].(bool); b {
				x.Retracted = &athar.Retraction{Reason: str(p, "retractedReason"), At: timeOf(p, "retractedAt")}
			}
			return x
		},
	},
}

// specOf returns the spec of an entity's label.
func specOf(label string) *labelSpec {
	s, ok := specs[label]
	if !ok {
		panic(fmt.Sprintf("neo4jstore: no spec for label %q", label))
	}
	return s
}

// decodeNode turns a node's properties and its owned links (by relationship type) into an entity.
func (s *labelSpec) decodeNode(props map[string]any, links map[string]any) athar.Entity {
	e := s.decode(props)
	switch t := e.(type) {
	case *athar.Place:
		t.Timestamps = timestamps(props)
	case *athar.Actor:
		t.Timestamps = timestamps(props)
	case *athar.Facility:
		t.Timestamps = timestamps(props)
	case *athar.Source:
		t.Timestamps = timestamps(props)
	case *athar.Event:
		t.Timestamps = timestamps(props)
	case *athar.Attack:
		t.Timestamps = timestamps(props)
	case *athar.Claim:
		t.Timestamps = timestamps(props)
	}
	for _, l := range s.links {
		l.set(e, strs(links, l.rel))
	}
	return e
}

func timestamps(p map[string]any) athar.Timestamps {
	return athar.Timestamps{CreatedAt: timeOf(p, "createdAt"), UpdatedAt: timeOf(p, "updatedAt")}
}

func putLocation(p map[string]any, l *athar.Location) {
	if l == nil {
		return
	}
	p["location"] = neo4j.Point2D{X: l.Longitude, Y: l.Latitude, SpatialRefId: 4326}
	p["locationPrecision"] = string(l.Precision)
}

func location(p map[string]any) *athar.Location {
	pt, ok := p["location"].(dbtype.Point2D)
	if !ok {
		return nil
	}
	return &athar.Location{Latitude: pt.Y, Longitude: pt.X, Precision: athar.LocationPrecision(str(p, "locationPrecision"))}
}

// putDate stores a date as native Neo4j dates (range-indexed) with its precision and note. With no
// prefix the properties are startDate, endDate, datePrecision, dateNote; with a prefix ("published")
// publishedStart, publishedEnd, publishedPrecision, publishedNote.
func putDate(p map[string]any, prefix string, d *athar.Date) {
	if d == nil || d.IsZero() {
		return
	}
	start, end, prec, note := dateKeys(prefix)
	p[start] = neo4j.DateOf(d.Start)
	p[end] = neo4j.DateOf(d.End)
	p[prec] = string(d.Precision)
	if d.Note != "" {
		p[note] = d.Note
	}
}

func date(p map[string]any, prefix string) *athar.Date {
	start, end, prec, note := dateKeys(prefix)
	s, ok1 := p[start].(dbtype.Date)
	e, ok2 := p[end].(dbtype.Date)
	if !ok1 || !ok2 {
		return nil
	}
	return &athar.Date{Start: s.Time().UTC(), End: e.Time().UTC(), Precision: athar.DatePrecision(str(p, prec)), Note: str(p, note)}
}

func dateKeys(prefix string) (start, end, prec, note string) {
	if prefix == "" {
		return "startDate", "endDate", "datePrecision", "dateNote"
	}
	return prefix + "Start", prefix + "End", prefix + "Precision", prefix + "Note"
}

func putRange(p map[string]any, key string, r *athar.Range) {
	if r == nil {
		return
	}
	p[key+"Reported"] = true
	if r.Min != nil {
		p[key+"Min"] = int64(*r.Min)
	}
	if r.Max != nil {
		p[key+"Max"] = int64(*r.Max)
	}
}

func rangeOf(p map[string]any, key string) *athar.Range {
	if b, _ := p[key+"Reported"].(bool); !b {
		return nil
	}
	r := &athar.Range{}
	if v, ok := p[key+"Min"].(int64); ok {
		n := int(v)
		r.Min = &n
	}
	if v, ok := p[key+"Max"].(int64); ok {
		n := int(v)
		r.Max = &n
	}
	return r
}

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

func enums[T ~string](p map[string]any, key string) []T {
	ss := strs(p, key)
	if ss == nil {
		return nil
	}
	out := make([]T, len(ss))
	for i, s := range ss {
		out[i] = T(s)
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
