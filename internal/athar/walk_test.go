package athar_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/athar-project/athar/internal/athar"
)

// withFields returns copies of claims with only the given fields kept (and the id), the others at
// their zero value, as a reader that reads those fields alone (athar.WalkFields) gives them.
func withFields(claims []*athar.Claim, keep []string) []*athar.Claim {
	out := make([]*athar.Claim, len(claims))
	for i, c := range claims {
		cp := *c
		for _, f := range athar.Describe(athar.TypeClaim).Fields {
			if slices.Contains(keep, f.Name) {
				continue
			}
			switch f.Shape {
			case athar.ShapeText, athar.ShapeEnum, athar.ShapeRef:
				f.SetText(&cp, "")
			case athar.ShapeTextList, athar.ShapeEnumList, athar.ShapeRefList:
				f.SetStrings(&cp, nil)
			case athar.ShapeDate:
				f.SetDate(&cp, nil)
			case athar.ShapeLocation:
				f.SetLocation(&cp, nil)
			case athar.ShapeRange:
				f.SetRange(&cp, nil)
			case athar.ShapeRetraction:
				f.SetRetraction(&cp, nil)
			default:
				panic("withFields: a shape it cannot clear")
			}
			if !f.IsZero(&cp) {
				panic("withFields: " + f.Name + " is not cleared")
			}
		}
		out[i] = &cp
	}
	return out
}

// The summaries derived from claims read no field of theirs but those their field lists name, so a
// walk that reads only those fields derives the same summaries. The claims make each kind of field
// count: a retracted claim, a withdrawn one and a denial carry figures that would count if their
// retraction, withdrawal or stance were not read.
func TestClaimFields_AreAllTheSummariesRead(t *testing.T) {
	low, high, two, many := 3, 9, 2, 40
	claims := []*athar.Claim{
		{ID: "claim:a", Kind: athar.ClaimCasualties, AttackID: "attack:x", SourceID: "source:a", DatasetID: "dataset:d", Killed: &athar.Range{Low: &low, High: &high},
			ClaimedBy: "actor:c", SideA: "actor:s", SideB: "actor:t", PlaceIDs: []string{"place:p"}},
		{ID: "claim:b", Kind: athar.ClaimPerpetrator, AttackID: "attack:x", SourceID: "source:b", Names: []string{"actor:p", "actor:q"}, ClaimedBy: "actor:c",
			Killed: &athar.Range{Low: &two}},
		{ID: "claim:c", Kind: athar.ClaimDenial, AttackID: "attack:x", SourceID: "source:c", Names: []string{"actor:p"}, ClaimedBy: "actor:p", Injured: &athar.Range{High: &two}},
		{ID: "claim:d", Kind: athar.ClaimCasualties, AttackID: "attack:x", SourceID: "source:d", Killed: &athar.Range{High: &many}, Retracted: &athar.Retraction{Reason: "misread"}},
		{ID: "claim:e", Kind: athar.ClaimCasualties, AttackID: "attack:x", SourceID: "source:e", Killed: &athar.Range{High: &many}, ChildrenKilled: &athar.Range{Low: &two}, WithdrawnIn: "dataset:old"},
		{ID: "claim:f", Kind: athar.ClaimPerpetrator, Stance: athar.Denies, AttackID: "attack:x", SourceID: "source:f", Names: []string{"actor:q"}, Killed: &athar.Range{High: &many}},
		{ID: "claim:g", Kind: athar.ClaimCasualties, AttackID: "attack:x", SourceID: "source:g", ChildrenKilled: &athar.Range{Low: &two, High: &high}},
		{ID: "claim:h", Kind: athar.ClaimPerpetrator, AttackID: "attack:x", SourceID: "source:h", Names: []string{"actor:r"}, Retracted: &athar.Retraction{Reason: "misread"}},
		{ID: "claim:i", Kind: athar.ClaimPerpetrator, AttackID: "attack:x", SourceID: "source:i", Names: []string{"actor:s"}, WithdrawnIn: "dataset:old"},
	}
	cites := athar.Citations{"source:b": {"source:a"}}
	want := athar.SummarizeCasualties(claims, cites)
	if got := athar.SummarizeCasualties(withFields(claims, athar.CasualtyClaimFields), cites); !reflect.DeepEqual(got, want) {
		t.Errorf("casualties from the claims' %v alone: %+v, want %+v", athar.CasualtyClaimFields, got, want)
	}
	if want.Killed.Sources < 2 || len(want.Killed.DatasetEstimates) != 1 || want.Killed.High == nil || *want.Killed.High == many || want.ChildrenKilled.Sources != 1 {
		t.Fatalf("the case proves nothing: %+v", want.Killed)
	}
	for _, kinds := range [][]athar.ClaimKind{nil, {athar.ClaimCasualties}} {
		for _, retracted := range []bool{false, true} {
			got, want := athar.SelectClaims(withFields(claims, athar.SelectClaimFields), kinds, retracted), athar.SelectClaims(claims, kinds, retracted)
			if len(got) != len(want) || len(want) == len(claims) && !retracted {
				t.Errorf("SelectClaims(%v, %v): %d claims from their %v alone, %d from the whole", kinds, retracted, len(got), athar.SelectClaimFields, len(want))
			}
			for i := range min(len(got), len(want)) {
				if got[i].ID != want[i].ID {
					t.Errorf("SelectClaims(%v, %v)[%d]: %s, want %s", kinds, retracted, i, got[i].ID, want[i].ID)
				}
			}
		}
	}
	limited := withFields(claims, athar.AttributionClaimFields)
	wantA, gotA := athar.Attributions(claims), athar.Attributions(limited)
	if len(wantA) != 2 || len(gotA) != len(wantA) {
		t.Fatalf("attributions: %d from the limited claims, %d from the whole", len(gotA), len(wantA))
	}
	for i := range wantA {
		if gotA[i].ActorID != wantA[i].ActorID || !reflect.DeepEqual(gotA[i].SourceIDs(), wantA[i].SourceIDs()) ||
			len(gotA[i].Asserting) != len(wantA[i].Asserting) || len(gotA[i].Denying) != len(wantA[i].Denying) {
			t.Errorf("attribution %d: %+v, want %+v", i, gotA[i], wantA[i])
		}
	}
}
