package neo4jstore_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/athar"
)

// A walk reads, at every level, what the Reader's methods read there: the same window of each list
// in the same order with the same total, the same entities, the same citations.
func TestWalk_ReadsWhatTheReaderReads(t *testing.T) {
	s := MustStore(t)
	MustSeed(t, s)
	ctx := context.Background()
	from := time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC)
	window := athar.Window{Offset: 1, Limit: 2}
	w := athar.Walk{Type: athar.TypeFacility, IDs: []string{"facility:ain-jalout-school", "facility:none"}, Steps: []athar.WalkStep{
		{List: athar.ListAttacksOnFacilities, Window: window, Dates: athar.DateRange{From: from}, Steps: []athar.WalkStep{
			{List: athar.ListClaimsAboutAttacks, Window: athar.All, Steps: []athar.WalkStep{{Ref: "sourceId", Citations: true}}},
			{Ref: "placeIds"},
		}},
		{Ref: "placeId", Steps: []athar.WalkStep{{List: athar.ListPartsOfPlaces, Window: athar.Window{Limit: 3}}}},
	}}
	got, err := s.Walk(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]athar.Entity{}
	for _, e := range got.Entities {
		if byID[e.EntityID()] != nil {
			t.Errorf("%s read twice", e.EntityID())
		}
		byID[e.EntityID()] = e
	}
	if _, ok := byID["facility:none"]; ok {
		t.Error("an unknown id was read")
	}
	lists := map[athar.ListName][]athar.WalkedList{}
	for _, l := range got.Lists {
		lists[l.List] = append(lists[l.List], l)
	}

	attacks, err := s.AttacksOnFacilities(ctx, []string{"facility:ain-jalout-school"}, athar.DateRange{From: from}, window)
	if err != nil {
		t.Fatal(err)
	}
	want := attacks["facility:ain-jalout-school"]
	if len(lists[athar.ListAttacksOnFacilities]) != 1 {
		t.Fatalf("attack lists: %+v", lists[athar.ListAttacksOnFacilities])
	}
	walked := lists[athar.ListAttacksOnFacilities][0]
	if walked.Total != want.Total || len(walked.Items) != len(want.Items) || want.Total < 2 || walked.Window != window {
		t.Fatalf("attacks: %d of %d, want %d of %d", len(walked.Items), walked.Total, len(want.Items), want.Total)
	}
	var attackIDs []string
	for i, a := range want.Items {
		if !reflect.DeepEqual(walked.Items[i], athar.Entity(a)) {
			t.Errorf("attack %d: %+v, want %+v", i, walked.Items[i], a)
		}
		attackIDs = append(attackIDs, a.ID)
	}

	claims, err := s.ClaimsAboutAttacks(ctx, attackIDs, athar.All)
	if err != nil {
		t.Fatal(err)
	}
	var sourceIDs []string
	for _, l := range lists[athar.ListClaimsAboutAttacks] {
		want := claims[l.ID]
		if l.Total != want.Total || len(l.Items) != len(want.Items) {
			t.Errorf("claims of %s: %d, want %d", l.ID, l.Total, want.Total)
			continue
		}
		for i, c := range want.Items {
			if !reflect.DeepEqual(l.Items[i], athar.Entity(c)) {
				t.Errorf("claim %s: %+v, want %+v", c.ID, l.Items[i], c)
			}
			sourceIDs = append(sourceIDs, c.SourceID)
			if byID[c.SourceID] == nil {
				t.Errorf("the source %s of %s was not read", c.SourceID, c.ID)
			}
		}
	}
	if len(lists[athar.ListClaimsAboutAttacks]) != len(attackIDs) || len(sourceIDs) == 0 {
		t.Errorf("claims read for %d attacks, want %d; %d sources", len(lists[athar.ListClaimsAboutAttacks]), len(attackIDs), len(sourceIDs))
	}
	cites, err := s.Citations(ctx, sourceIDs)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range sourceIDs {
		if !reflect.DeepEqual(got.Citations[id], cites[id]) {
			t.Errorf("citations of %s: %v, want %v", id, got.Citations[id], cites[id])
		}
	}
	parts := lists[athar.ListPartsOfPlaces]
	if len(parts) != 1 || parts[0].Window.Limit != 3 {
		t.Errorf("the parts of the facility's place: %+v", parts)
	}
}

// A step that its type does not have is refused, naming the step.
func TestWalk_RefusesStepsItsTypeDoesNotHave(t *testing.T) {
	s := MustStore(t)
	ctx := context.Background()
	for _, tc := range []struct {
		step  athar.WalkStep
		field string
	}{
		{athar.WalkStep{Ref: "title"}, "steps[0].ref"},
		{athar.WalkStep{Ref: "nope"}, "steps[0].ref"},
		{athar.WalkStep{List: athar.ListClaimsAboutAttacks}, "steps[0].list"},
		{athar.WalkStep{List: "nope"}, "steps[0].list"},
		{athar.WalkStep{Ref: "placeId", Citations: true}, "steps[0].citations"},
	} {
		_, err := s.Walk(ctx, athar.Walk{Type: athar.TypeFacility, IDs: []string{"facility:x"}, Steps: []athar.WalkStep{tc.step}})
		if code(err) != athar.EINVALID || field(err) != tc.field {
			t.Errorf("%+v: %v (field %q), want EINVALID naming %s", tc.step, err, field(err), tc.field)
		}
	}
}

// A walk with Fields reads, of its roots and the entities its steps reach, the fields it names for
// their type (and their ids, and their timestamps when named), leaves the others at their zero
// value (or the default of a field that has one: a claim's stance), and reads a type it does not
// name whole. A reference a step follows (a claim's source, an attack's facilities) holds what
// the step reached, as the store holds it.
func TestWalk_ReadsTheFieldsItIsGiven(t *testing.T) {
	s := MustStore(t)
	MustSeed(t, s)
	ctx := context.Background()
	attack := "attack:ain-jalout-school-2014-04-30"
	w := athar.Walk{Type: athar.TypeAttack, IDs: []string{attack}, Steps: []athar.WalkStep{
		{List: athar.ListClaimsAboutAttacks, Window: athar.All, Steps: []athar.WalkStep{{Ref: "sourceId"}}},
		{Ref: "facilityIds"},
	}, Fields: athar.WalkFields{athar.TypeAttack: {"title", "facilityIds"}, athar.TypeClaim: {"quote", "killed", "sourceId"}, athar.TypeSource: {}}}
	got, err := s.Walk(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range got.Entities {
		ids = append(ids, e.EntityID())
	}
	read, err := s.EntitiesByID(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	whole := map[string]athar.Entity{}
	for _, e := range read {
		whole[e.EntityID()] = e
	}
	var claims, sources, facilities, killed int
	for _, e := range got.Entities {
		full := whole[e.EntityID()]
		d := athar.Describe(e.EntityType())
		blank := d.New() // what a field not read holds: its zero value, or the default Normalize gives it
		athar.SetID(blank, e.EntityID())
		athar.Normalize(blank)
		for _, f := range d.Fields {
			kept := e.EntityType() == athar.TypeFacility || slices.Contains(w.Fields[e.EntityType()], f.Name)
			if got, want := valueOf(f, e), valueOf(f, full); kept && !reflect.DeepEqual(got, want) {
				t.Errorf("%s.%s: read %v, the store holds %v", e.EntityID(), f.Name, got, want)
			}
			if got, want := valueOf(f, e), valueOf(f, blank); !kept && !reflect.DeepEqual(got, want) {
				t.Errorf("%s.%s was read, though the walk's fields leave it out", e.EntityID(), f.Name)
			}
		}
		// Timestamps are read when the walk's fields name them (as a facility's are, read whole),
		// and left zero otherwise.
		stamped := e.EntityType() == athar.TypeFacility || slices.Contains(w.Fields[e.EntityType()], "createdAt")
		if stamped && (*e.Stamps() != *full.Stamps() || e.Stamps().CreatedAt.IsZero()) {
			t.Errorf("%s: timestamps %+v, want %+v", e.EntityID(), *e.Stamps(), *full.Stamps())
		}
		if !stamped && !e.Stamps().CreatedAt.IsZero() {
			t.Errorf("%s: timestamps read, though the walk's fields leave them out", e.EntityID())
		}
		switch c := e.(type) {
		case *athar.Claim:
			claims++
			if c.Killed != nil {
				killed++
			}
		case *athar.Source:
			sources++
		case *athar.Facility:
			facilities++
		}
	}
	if claims < 3 || sources < 2 || facilities != 1 || killed < 2 {
		t.Errorf("%d claims (%d with a killed figure), %d sources, %d facilities: the case proves little", claims, killed, sources, facilities)
	}
}

// valueOf is the value of the field f of e, whatever its shape.
func valueOf(f *athar.Field, e athar.Entity) any {
	switch f.Shape {
	case athar.ShapeText, athar.ShapeEnum, athar.ShapeRef:
		return f.Text(e)
	case athar.ShapeTextList, athar.ShapeEnumList, athar.ShapeRefList:
		return f.Strings(e)
	case athar.ShapeDate:
		return f.Date(e)
	case athar.ShapeLocation:
		return f.Location(e)
	case athar.ShapeRange:
		return f.Range(e)
	case athar.ShapeRetraction:
		return f.Retraction(e)
	}
	panic("valueOf: a shape it does not know")
}
