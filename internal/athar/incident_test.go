package athar_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/athar-project/athar/internal/athar"
)

func meters(m float64) *float64 { return &m }
func count(n int) *int          { return &n }

func TestRankDuplicates_ScoresAndOrders(t *testing.T) {
	r := athar.DefaultDuplicateRequest("attack:x")
	facts := []athar.DuplicateFacts{
		{AttackID: "attack:far", DaysApart: 0, DistanceMeters: meters(6000)},                                                                                          // beyond 5 km, shares nothing: out
		{AttackID: "attack:late", DaysApart: 2, DistanceMeters: meters(10)},                                                                                           // two days apart: out
		{AttackID: "attack:near", DaysApart: 0, DistanceMeters: meters(2500), KilledLow: count(20), KilledHigh: count(25), OtherLow: count(18), OtherHigh: count(30)}, // 0.3 + 0.15 + 0.15
		{AttackID: "attack:next-day", DaysApart: 1, DistanceMeters: meters(0), KilledLow: count(20), KilledHigh: count(25), OtherLow: count(3), OtherHigh: count(3)},  // 0.15 + 0.3 + 0
		{AttackID: "attack:school", DaysApart: 0, SharesFacility: true},
		{AttackID: "attack:named", DaysApart: 1, NamesFacility: true},                                                             // 0.3 + 0.25 + 0.075
		{AttackID: "attack:city", DaysApart: 0, SharesPlace: true, KilledLow: count(5), OtherHigh: count(5), AlreadyLinked: true}, // 0.3 + 0.125 + 0.15
	}
	got := athar.RankDuplicates(r, facts)
	var ids []string
	for _, c := range got {
		ids = append(ids, c.AttackID)
	}
	if want := []string{"attack:school", "attack:near", "attack:city", "attack:named", "attack:next-day"}; !slices.Equal(ids, want) {
		t.Fatalf("order %v, want %v", ids, want)
	}
	want := map[string]struct {
		score   float64
		reasons []athar.DuplicateReason
	}{
		"attack:school":   {0.625, []athar.DuplicateReason{athar.ReasonSameDay, athar.ReasonSameFacility}},
		"attack:near":     {0.6, []athar.DuplicateReason{athar.ReasonSameDay, athar.ReasonWithinDistance, athar.ReasonCasualtiesAgree}},
		"attack:city":     {0.575, []athar.DuplicateReason{athar.ReasonSameDay, athar.ReasonSamePlace, athar.ReasonCasualtiesAgree}},
		"attack:named":    {0.475, []athar.DuplicateReason{athar.ReasonWithinDays, athar.ReasonNamesFacility}},
		"attack:next-day": {0.45, []athar.DuplicateReason{athar.ReasonWithinDays, athar.ReasonWithinDistance, athar.ReasonCasualtiesDisagree}},
	}
	for _, c := range got {
		w := want[c.AttackID]
		if c.Score != w.score || !slices.Equal(c.Reasons, w.reasons) {
			t.Errorf("%s: score %v reasons %v, want %v %v", c.AttackID, c.Score, c.Reasons, w.score, w.reasons)
		}
		if c.AlreadyLinked != (c.AttackID == "attack:city") {
			t.Errorf("%s: alreadyLinked %v", c.AttackID, c.AlreadyLinked)
		}
	}
	r.First = 2
	if got := athar.RankDuplicates(r, facts); len(got) != 2 || got[0].AttackID != "attack:school" {
		t.Errorf("first 2: %+v", got)
	}
}

func TestDuplicateRequest_Check(t *testing.T) {
	ok := athar.DefaultDuplicateRequest("attack:x")
	if err := ok.Check(); err != nil {
		t.Fatalf("the defaults: %v", err)
	}
	for field, change := range map[string]func(*athar.DuplicateRequest){
		"attackId":     func(r *athar.DuplicateRequest) { r.AttackID = "place:x" },
		"withinDays":   func(r *athar.DuplicateRequest) { r.WithinDays = athar.MaxDuplicateDays + 1 },
		"withinMeters": func(r *athar.DuplicateRequest) { r.WithinMeters = 0 },
		"first":        func(r *athar.DuplicateRequest) { r.First = athar.MaxDuplicateCount + 1 },
	} {
		r := ok
		change(&r)
		if err := r.Check(); err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%s out of bounds: %v", field, err)
		}
	}
}

func TestLinkRequest_Check(t *testing.T) {
	cases := []struct {
		ids   []string
		field string
	}{
		{[]string{"attack:a", "attack:b"}, ""},
		{[]string{"attack:a"}, "attackIds"},
		{[]string{"attack:a", "attack:a"}, "attackIds[1]"},
		{[]string{"attack:a", "claim:b"}, "attackIds[1]"},
		{make([]string, athar.MaxIncidentSize+1), "attackIds"},
	}
	for _, c := range cases {
		r := athar.LinkRequest{AttackIDs: c.ids}
		err := r.Check()
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%v: %v", c.ids, err)
		case c.field != "" && (err == nil || !strings.Contains(err.Error(), c.field)):
			t.Errorf("%v: %v, want a problem with %s", c.ids, err, c.field)
		}
	}
}
