package athar_test

import (
	"context"
	"testing"

	"github.com/athar-project/athar/internal/athar"
)

func TestEffectiveAccess_IsTheHigherOfClaimAndSource(t *testing.T) {
	for _, tc := range []struct{ claim, source, want athar.AccessLevel }{
		{"", "", athar.Public},
		{athar.Public, athar.Restricted, athar.Restricted},
		{athar.Confidential, athar.Public, athar.Confidential},
		{athar.Restricted, athar.Confidential, athar.Confidential},
		{athar.Restricted, "", athar.Restricted},
	} {
		if got := athar.EffectiveAccess(tc.claim, tc.source); got != tc.want {
			t.Errorf("EffectiveAccess(%q, %q) = %q, want %q", tc.claim, tc.source, got, tc.want)
		}
	}
}

func TestClearanceOf_WhoReadsWhat(t *testing.T) {
	bg := context.Background()
	for name, tc := range map[string]struct {
		ctx  context.Context
		want athar.Clearance
	}{
		"the command line":           {bg, athar.ClearanceConfidential},
		"the single local user":      {athar.WithPrincipal(bg, athar.LocalPrincipal, ""), athar.ClearanceConfidential},
		"an anonymous reader":        {athar.WithPrincipal(bg, athar.AnonymousReader, ""), athar.ClearancePublic},
		"a restricted account":       {athar.WithPrincipal(bg, athar.Principal{Name: "a", Role: athar.RoleViewer, Clearance: athar.ClearanceRestricted}, ""), athar.ClearanceRestricted},
		"an account of no clearance": {athar.WithPrincipal(bg, athar.Principal{Name: "b", Role: athar.RoleAdmin}, ""), athar.ClearancePublic},
	} {
		if got := athar.ClearanceOf(tc.ctx); got != tc.want {
			t.Errorf("%s: %q, want %q", name, got, tc.want)
		}
	}
	if !athar.ClearanceRestricted.Allows(athar.Restricted) || athar.ClearanceRestricted.Allows(athar.Confidential) || !athar.ClearancePublic.Allows("") {
		t.Error("Allows")
	}
}

func TestRedact_IdentitiesBelowTheirClearance(t *testing.T) {
	public := athar.WithPrincipal(context.Background(), athar.AnonymousReader, "")
	src := &athar.Source{ID: "source:x", Author: "Named Person"}
	if got := athar.Redact(public, src).(*athar.Source); got.Author != "" || src.Author != "Named Person" {
		t.Errorf("redacted %+v; the original became %+v", got, src)
	}
	claim := &athar.Claim{ID: "claim:x", ProtectedText: "Witness"}
	if got := athar.Redact(public, claim).(*athar.Claim); got.ProtectedText != "" {
		t.Errorf("redacted %+v", got)
	}
	if got := athar.Redact(context.Background(), src); got != athar.Entity(src) {
		t.Error("a fully cleared reader's entity was copied or changed")
	}
}

func TestCheckWritable_RefusesAboveTheWritersClearance(t *testing.T) {
	editor := athar.WithPrincipal(context.Background(), athar.Principal{Name: "e", Role: athar.RoleEditor, Clearance: athar.ClearanceRestricted}, "")
	if err := athar.CheckWritable(editor, "accessLevel", &athar.Claim{AccessLevel: athar.Restricted}); err != nil {
		t.Errorf("at the clearance: %v", err)
	}
	err := athar.CheckWritable(editor, "records[2].accessLevel", &athar.Source{AccessLevel: athar.Confidential})
	if athar.ErrorCode(err) != athar.EINVALID {
		t.Fatalf("above the clearance: %v", err)
	}
	if e := err.(*athar.Error); e.Field != "records[2].accessLevel" {
		t.Errorf("the error names %q", e.Field)
	}
	if err := athar.CheckWritable(editor, "accessLevel", &athar.Place{}); err != nil {
		t.Errorf("a place has no level: %v", err)
	}
}
