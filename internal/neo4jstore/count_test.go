package neo4jstore_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/bench"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
)

// A count of attacks by dates alone, taken from the count store less the attacks hidden from the
// reader and those outside the range when the range is wide, or from the range itself when it is
// narrow, counts the attacks the reader may see whose dates overlap the range, whichever way it
// takes, at every clearance.
func TestCountAttacks_ByDatesEitherWay(t *testing.T) {
	s := MustStore(t)
	ctx := context.Background()
	if _, err := s.Import(ctx, bench.Generate(bench.Size{Attacks: 1500, Facilities: 200, Places: 60, Actors: 40, Sources: 300, Claims: 600}, 7), neo4jstore.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	day := func(s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	// Some attacks only restricted or confidential claims tell of, ranked and labelled as the
	// refresh of their claims ranks them (refreshAttacksQuery), so that every way of counting
	// must leave out what the reader may not see.
	if n := neo4jtest.Count(t, "MATCH (a:Attack) WITH a ORDER BY a.id LIMIT 120 SET a.accessRank = 2 REMOVE a:ReadPublic:ReadRestricted RETURN count(a) AS n", nil); n != 120 {
		t.Fatalf("hid %d attacks, want 120", n)
	}
	if n := neo4jtest.Count(t, "MATCH (a:Attack) WITH a ORDER BY a.id DESC LIMIT 80 SET a.accessRank = 1 REMOVE a:ReadPublic RETURN count(a) AS n", nil); n != 80 {
		t.Fatalf("restricted %d attacks, want 80", n)
	}
	for _, c := range []athar.Clearance{athar.ClearancePublic, athar.ClearanceRestricted, athar.ClearanceConfidential} {
		reader := athar.WithPrincipal(ctx, athar.Principal{Name: "reader", Role: athar.RoleViewer, Clearance: c}, "")
		for _, r := range [][2]string{
			{"2011-01-01", "2024-12-31"}, {"2012-03-01", "2023-06-30"}, {"2015-05-05", "2015-05-20"}, {"2013-01-01", ""},
			{"", "2016-07-01"}, {"2019-06-01", ""}, {"", "2012-01-15"}, {"1990-01-01", "1990-12-31"}, {"2030-01-01", ""},
			{"2012-01-01", "2012-01-01"}, {"2000-01-01", "2100-01-01"}, {"", ""},
		} {
			from, to := day(r[0]), day(r[1])
			got, err := s.CountAttacks(reader, athar.AttackFilter{Dates: athar.DateRange{From: from, To: to}})
			if err != nil {
				t.Fatal(err)
			}
			params := map[string]any{"from": nil, "to": nil, "rank": int64(c.Rank())}
			if !from.IsZero() {
				params["from"] = from.Format(time.DateOnly)
			}
			if !to.IsZero() {
				params["to"] = to.Format(time.DateOnly)
			}
			want := neo4jtest.Count(t, `MATCH (a:Attack) WHERE ($to IS NULL OR a.startDate <= date($to)) AND ($from IS NULL OR a.endDate >= date($from))
  AND a.accessRank <= $rank
RETURN count(a) AS n`, params)
			if int64(got) != want {
				t.Errorf("%s, %v: counted %d, want %d", c, r, got, want)
			}
		}
	}
	if all := neo4jtest.Count(t, "MATCH (a:Attack) RETURN count(a) AS n", nil); all != 1500 {
		t.Fatalf("%d attacks imported, want 1500", all)
	}
}

// A page of attacks that asks for its count gets, in the same query, what CountAttacks counts, and
// the same page as without it.
func TestFindAttacks_CountsInTheSameQuery(t *testing.T) {
	s := MustStore(t)
	MustSeed(t, s)
	ctx := context.Background()
	from := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, f := range []athar.AttackFilter{
		{},
		{Dates: athar.DateRange{From: from}},
		{PlaceIDs: []string{"place:aleppo"}},
		{FacilityTypes: []athar.FacilityType{"SCHOOL"}, Dates: athar.DateRange{From: from}},
		{Text: "school"},
		{Text: "nothing matches this filter"},
		{MinKilled: ptrTo(10)},
		{ActorIDs: []string{"actor:syrian-government"}, Dates: athar.DateRange{From: from}},
	} {
		want, err := s.CountAttacks(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := s.FindAttacks(ctx, f, athar.OrderDateDesc, athar.PageRequest{First: 2})
		if err != nil {
			t.Fatal(err)
		}
		counted, err := s.FindAttacks(ctx, f, athar.OrderDateDesc, athar.PageRequest{First: 2, Count: true})
		if err != nil {
			t.Fatal(err)
		}
		if counted.Total == nil || *counted.Total != want || plain.Total != nil {
			t.Errorf("%+v: total %v, want %d (and none when not asked)", f, counted.Total, want)
		}
		if !reflect.DeepEqual(counted.Items, plain.Items) || !reflect.DeepEqual(counted.Cursors, plain.Cursors) ||
			counted.HasNextPage != plain.HasNextPage || (len(plain.Items) == 0) != (want == 0) {
			t.Errorf("%+v: the counted page differs: %d items, want %d", f, len(counted.Items), len(plain.Items))
		}
		if len(plain.Cursors) == 0 {
			continue
		}
		// Pages after and before a cursor, and past the end: the same items, and the whole count.
		last := 1
		for _, req := range []athar.PageRequest{{First: 1, After: plain.Cursors[0]}, {First: 5, After: plain.Cursors[len(plain.Cursors)-1]}, {Last: &last, Before: plain.Cursors[len(plain.Cursors)-1]}} {
			p, err := s.FindAttacks(ctx, f, athar.OrderDateDesc, req)
			if err != nil {
				t.Fatal(err)
			}
			req.Count = true
			c, err := s.FindAttacks(ctx, f, athar.OrderDateDesc, req)
			if err != nil {
				t.Fatal(err)
			}
			if c.Total == nil || *c.Total != want || !reflect.DeepEqual(c.Items, p.Items) || !reflect.DeepEqual(c.Cursors, p.Cursors) ||
				c.HasNextPage != p.HasNextPage || c.HasPreviousPage != p.HasPreviousPage {
				t.Errorf("%+v, %+v: counted %v of %d items, want %d of %d items", f, req, c.Total, len(c.Items), want, len(p.Items))
			}
		}
	}
}

func ptrTo[T any](v T) *T { return &v }
