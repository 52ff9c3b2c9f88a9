package athar_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/athar-project/athar/internal/athar"
)

// problemFields returns the fields an error's problems name, in order.
func problemFields(err error) []string {
	var ps athar.Problems
	var e *athar.Error
	switch {
	case errors.As(err, &ps):
	case errors.As(err, &e):
		ps = athar.Problems{e}
	}
	var out []string
	for _, p := range ps {
		out = append(out, p.Field)
	}
	return out
}

func TestDecode(t *testing.T) {
	t.Run("every field of its own form, and an id made from the name", func(t *testing.T) {
		f, err := athar.Decode[*athar.Facility](map[string]any{
			"name": "Al Quds Hospital", "type": "HOSPITAL", "aliases": []any{"مستشفى القدس"},
			"location":   map[string]any{"latitude": json.Number("36.2"), "longitude": int64(37), "precision": "EXACT"},
			"operatedBy": []string{"actor:msf"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(f.ID, "facility:al-quds-hospital-") || f.Location.Latitude != 36.2 || f.Location.Longitude != 37 ||
			f.Type != "HOSPITAL" || !slices.Equal(f.OperatedBy, []string{"actor:msf"}) || f.Aliases[0] != "مستشفى القدس" {
			t.Errorf("decoded %+v", f)
		}
	})
	t.Run("a claim's id is made from its attack and kind", func(t *testing.T) {
		c, err := athar.Decode[*athar.Claim](map[string]any{"attackId": "attack:x", "sourceId": "source:s", "kind": "WEAPON", "text": "t", "quote": "q"})
		if err != nil || !strings.HasPrefix(c.ID, "claim:attack-x-weapon-") {
			t.Errorf("id %q, err %v", c.ID, err)
		}
	})
	t.Run("values of the wrong form are refused, each naming its field", func(t *testing.T) {
		_, err := athar.Decode[*athar.Attack](map[string]any{
			"id": 7, "title": []any{"x"}, "weapons": []any{"MISSILE", 3}, "date": map[string]any{"start": 2014},
			"nickname": "x",
		})
		got := problemFields(err)
		want := []string{"id", "nickname", "title", "date.start", "weapons[1]"}
		if !slices.Equal(got, want) {
			t.Errorf("problems at %v, want %v (%v)", got, want, err)
		}
		_, err = athar.Decode[*athar.Claim](map[string]any{"killed": map[string]any{"low": 2.5, "high": "ten"}, "retracted": map[string]any{"reason": "x"}})
		got = problemFields(err)
		want = []string{"retracted", "killed.low", "killed.high"}
		if !slices.Equal(got, want) {
			t.Errorf("problems at %v, want %v (%v)", got, want, err)
		}
	})
	t.Run("a date that does not exist names its part", func(t *testing.T) {
		_, err := athar.Decode[*athar.Attack](map[string]any{"title": "t", "date": map[string]any{"start": "2014-02-30"}})
		if got := problemFields(err); !slices.Equal(got, []string{"date.start"}) {
			t.Errorf("problems at %v (%v)", got, err)
		}
	})
}

func TestApply(t *testing.T) {
	c := &athar.Claim{ID: "claim:c", AttackID: "attack:a", SourceID: "source:s", Kind: "CASUALTIES", Text: "t", Quote: "q",
		Weapons: []athar.Weapon{"MISSILE"}, TimeOfDay: "NIGHT"}
	t.Run("left out stays, null clears, a value replaces", func(t *testing.T) {
		x := *c
		if err := athar.Apply(&x, map[string]any{"weapons": nil, "timeOfDay": nil, "text": "new"}); err != nil {
			t.Fatal(err)
		}
		if x.Weapons != nil || x.TimeOfDay != "" || x.Text != "new" || x.Quote != "q" {
			t.Errorf("after the patch: %+v", x)
		}
	})
	t.Run("the id and fixed fields cannot change", func(t *testing.T) {
		x := *c
		err := athar.Apply(&x, map[string]any{"id": "claim:d", "attackId": "attack:b", "sourceId": "source:t"})
		if got := problemFields(err); !slices.Equal(got, []string{"id", "attackId", "sourceId"}) {
			t.Errorf("problems at %v (%v)", got, err)
		}
		if x.AttackID != "attack:a" {
			t.Errorf("attackId changed to %q", x.AttackID)
		}
	})
}

// gqlgen gives an input object written as null as a nil map: it clears the field like any null.
func TestApply_NullObjectClears(t *testing.T) {
	published, _ := athar.ParseDate("2016", "", "")
	s := &athar.Source{ID: "source:s", Title: "S", Kind: "NEWS", Published: &published,
		Description: "d"}
	if err := athar.Apply(s, map[string]any{"published": map[string]any(nil)}); err != nil {
		t.Fatal(err)
	}
	if s.Published != nil {
		t.Errorf("published = %+v, want cleared", s.Published)
	}
}
