package athar_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/athar-project/athar/internal/athar"
)

// withLinks returns copies of claims with only the given reference fields kept, as a reader that
// reads those links alone (athar.WalkLinks) gives them.
func withLinks(claims []*athar.Claim, keep []string) []*athar.Claim {
	out := make([]*athar.Claim, len(claims))
	for i, c := range claims {
		cp := *c
		for _, f := range athar.Describe(athar.TypeClaim).Fields {
			if slices.Contains(keep, f.Name) {
				continue
			}
			switch f.Shape {
			case athar.ShapeRef:
				f.SetText(&cp, "")
			case athar.ShapeRefList:
				f.SetStrings(&cp, nil)
			}
		}
		out[i] = &cp
	}
	return out
}

// The summaries derived from claims read no reference field of theirs but those their link lists
// name, so a walk that reads only those links derives the same summaries.
func TestClaimLinks_AreAllTheSummariesRead(t *testing.T) {
	low, high, two := 3, 9, 2
	claims := []*athar.Claim{
		{ID: "claim:a", Kind: athar.ClaimCasualties, AttackID: "attack:x", SourceID: "source:a", DatasetID: "dataset:d", Killed: &athar.Range{Low: &low, High: &high},
			ClaimedBy: "actor:c", SideA: "actor:s", SideB: "actor:t", PlaceIDs: []string{"place:p"}},
		{ID: "claim:b", Kind: athar.ClaimPerpetrator, AttackID: "attack:x", SourceID: "source:b", Names: []string{"actor:p", "actor:q"}, ClaimedBy: "actor:c",
			Killed: &athar.Range{Low: &two}},
		{ID: "claim:c", Kind: athar.ClaimDenial, AttackID: "attack:x", SourceID: "source:c", Names: []string{"actor:p"}, ClaimedBy: "actor:p", Injured: &athar.Range{High: &two}},
	}
	cites := athar.Citations{"source:b": {"source:a"}}
	want := athar.SummarizeCasualties(claims, cites)
	if got := athar.SummarizeCasualties(withLinks(claims, athar.CasualtyClaimLinks), cites); !reflect.DeepEqual(got, want) {
		t.Errorf("casualties from the claims' %v alone: %+v, want %+v", athar.CasualtyClaimLinks, got, want)
	}
	if want.Killed.Sources < 2 || len(want.Killed.DatasetEstimates) != 1 {
		t.Fatalf("the case proves nothing: %+v", want.Killed)
	}
	limited := withLinks(claims, athar.AttributionClaimLinks)
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
