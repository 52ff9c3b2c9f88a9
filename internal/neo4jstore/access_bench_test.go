package neo4jstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/neo4jstore"
)

// accessBenchAttacks is how many attacks the access benchmark's graph has, each with one
// casualty claim at each access level, in a source of that level.
const accessBenchAttacks = 2000

// BenchmarkReads_AsEachClearance reads the same pages as a reader cleared to each level: the cost
// of reading the graph as a public or restricted reader sees it (labels, the level's full-text
// index and figures; access.go) against a fully cleared one's.
func BenchmarkReads_AsEachClearance(b *testing.B) {
	s := MustStore(b)
	bundle := &athar.Bundle{}
	add := func(e athar.Entity) {
		bundle.Records = append(bundle.Records, athar.Record{Entity: e, Where: e.EntityID()})
	}
	for _, l := range athar.AccessLevels {
		add(&athar.Source{ID: "source:bench-" + strings.ToLower(string(l)), Title: "Bench " + string(l), Kind: "NEWS", AccessLevel: l})
	}
	first := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	var ids []string
	for i := 0; i < accessBenchAttacks; i++ {
		d, _ := athar.ParseDate(first.AddDate(0, 0, i%700).Format(time.DateOnly), "", "")
		a := &athar.Attack{ID: fmt.Sprintf("attack:bench-%d", i), Title: fmt.Sprintf("Bench strike %d", i), Date: d}
		add(a)
		ids = append(ids, a.ID)
		for r, l := range athar.AccessLevels {
			n := i%50 + 100*r
			add(&athar.Claim{ID: fmt.Sprintf("claim:bench-%d-%d", i, r), AttackID: a.ID, SourceID: "source:bench-" + strings.ToLower(string(l)),
				Kind: "CASUALTIES", Text: fmt.Sprintf("shelling killed %d", n), Quote: fmt.Sprintf("%d killed in the shelling", n),
				Killed: &athar.Range{Low: &n, High: &n}})
		}
	}
	if _, err := s.Import(context.Background(), bundle, neo4jstore.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	min := 120
	for _, c := range []athar.Clearance{athar.ClearancePublic, athar.ClearanceRestricted, athar.ClearanceConfidential} {
		ctx := athar.WithPrincipal(context.Background(), athar.Principal{Name: "bench", Role: athar.RoleViewer, Clearance: c}, "")
		page := athar.PageRequest{First: 50}
		for name, read := range map[string]func() error{
			"attacks minKilled": func() error {
				_, err := s.FindAttacks(ctx, athar.AttackFilter{MinKilled: &min}, athar.OrderDateAsc, page)
				return err
			},
			"attacks KILLED_DESC": func() error {
				_, err := s.FindAttacks(ctx, athar.AttackFilter{}, athar.OrderKilledDesc, page)
				return err
			},
			"attacks text": func() error {
				_, err := s.FindAttacks(ctx, athar.AttackFilter{Text: "shelling"}, athar.OrderDateAsc, page)
				return err
			},
			"claims of 50 attacks": func() error {
				_, err := s.ClaimsAboutAttacks(ctx, ids[:50], athar.All)
				return err
			},
		} {
			b.Run(string(c)+"/"+name, func(b *testing.B) {
				for b.Loop() {
					if err := read(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
