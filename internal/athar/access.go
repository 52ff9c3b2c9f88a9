package athar

import (
	"context"
	"sync/atomic"
)

// The access levels of material (AccessLevel), from the lowest.
const (
	Public       AccessLevel = "PUBLIC"
	Restricted   AccessLevel = "RESTRICTED"
	Confidential AccessLevel = "CONFIDENTIAL"
)

// Rank is the level's place in AccessLevels: 0 for PUBLIC (and for no level: material that says
// none is public), 1 for RESTRICTED, 2 for CONFIDENTIAL. The store keeps the effective rank of
// each source and claim (accessRank) and shows a reader what ranks at or below their clearance's.
func (l AccessLevel) Rank() int {
	switch l {
	case Restricted:
		return 1
	case Confidential:
		return 2
	}
	return 0
}

// LevelOfRank is the access level of rank r (see Rank); a rank above 2 is CONFIDENTIAL's.
func LevelOfRank(r int) AccessLevel {
	switch {
	case r <= 0:
		return Public
	case r == 1:
		return Restricted
	}
	return Confidential
}

// EffectiveAccess is who may in fact read a claim of level claim read in a source of level
// source: the higher of the two. A claim set below its source's level is kept as given, and
// read at its source's.
func EffectiveAccess(claim, source AccessLevel) AccessLevel {
	if source.Rank() > claim.Rank() {
		return LevelOfRank(source.Rank())
	}
	return LevelOfRank(claim.Rank())
}

// Rank is the clearance's rank on the scale of AccessLevel.Rank: 0 public, 1 restricted, 2
// confidential. An account reads material whose effective rank is at most its clearance's.
func (c Clearance) Rank() int {
	switch c {
	case ClearanceRestricted:
		return 1
	case ClearanceConfidential:
		return 2
	}
	return 0
}

// Allows reports whether a reader with the clearance may read material of level l.
func (c Clearance) Allows(l AccessLevel) bool { return l.Rank() <= c.Rank() }

// ClearanceOf returns how far the request of ctx may read: its principal's clearance (an
// account's own; public for AnonymousReader; confidential for LocalPrincipal). A context with no
// principal is the command line (athar export, import), run by whoever holds the database's
// credentials: it reads everything.
func ClearanceOf(ctx context.Context) Clearance {
	p, ok := PrincipalOf(ctx)
	if !ok {
		return ClearanceConfidential
	}
	if _, err := ParseClearance("clearance", string(p.Clearance)); err != nil {
		return ClearancePublic // a principal that says no clearance reads only public material
	}
	return p.Clearance
}

// DefaultIdentitiesClearance is the clearance a reader needs, unless configured otherwise
// (ATHAR_IDENTITIES_CLEARANCE), to read what identifies people: Source.author and
// Claim.protectedText.
const DefaultIdentitiesClearance = ClearanceRestricted

var identitiesClearance atomic.Pointer[Clearance]

func init() {
	c := DefaultIdentitiesClearance
	identitiesClearance.Store(&c)
}

// SetIdentitiesClearance sets the clearance every later read needs to see what identifies people
// (see IdentitiesVisible). Errors: EINVALID naming field when c is no clearance.
func SetIdentitiesClearance(field string, c Clearance) error {
	if _, err := ParseClearance(field, string(c)); err != nil {
		return err
	}
	identitiesClearance.Store(&c)
	return nil
}

// IdentitiesClearance returns the clearance a reader needs to see what identifies people.
func IdentitiesClearance() Clearance { return *identitiesClearance.Load() }

// IdentitiesVisible reports whether the request of ctx may read the fields that identify people
// (Source.author, Claim.protectedText): its clearance is at or above IdentitiesClearance. Below
// it those fields read as absent, in the API and in every export.
func IdentitiesVisible(ctx context.Context) bool {
	return ClearanceOf(ctx).Rank() >= IdentitiesClearance().Rank()
}

// Redact returns e as the request of ctx may read it: e itself when it may read identities
// (IdentitiesVisible) or e has no field that identifies people, else a copy without them.
func Redact(ctx context.Context, e Entity) Entity {
	if IdentitiesVisible(ctx) {
		return e
	}
	switch x := e.(type) {
	case *Source:
		if x.Author != "" {
			c := *x
			c.Author = ""
			return &c
		}
	case *Claim:
		if x.ProtectedText != "" {
			c := *x
			c.ProtectedText = ""
			return &c
		}
	}
	return e
}

// CheckWritable reports material above the writer's clearance: an editor may not create or
// update a source or claim at a level they could not read back. Errors: EINVALID naming field
// (accessLevel, prefixed by the caller's path).
func CheckWritable(ctx context.Context, field string, e Entity) error {
	var l AccessLevel
	switch x := e.(type) {
	case *Source:
		l = x.AccessLevel
	case *Claim:
		l = x.AccessLevel
	default:
		return nil
	}
	if c := ClearanceOf(ctx); !c.Allows(l) {
		return Invalid(field, "%s is above your clearance (%s)", l, c)
	}
	return nil
}

// CheckWritable reports, in report, each record of the bundle above the clearance of the writer
// of ctx (see CheckWritable), naming the record and its field accessLevel.
func (b *Bundle) CheckWritable(ctx context.Context, report *Report) {
	if ClearanceOf(ctx).Rank() >= Confidential.Rank() {
		return
	}
	for _, r := range b.Records {
		if err := CheckWritable(ctx, joinField(r.Where, "accessLevel"), r.Entity); err != nil {
			report.Add(err.(*Error))
		}
	}
}
