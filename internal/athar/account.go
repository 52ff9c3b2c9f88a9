package athar

import (
	"context"
	"regexp"
	"time"
)

// Role is what an account may do. Each role may do what the roles before it may:
// RoleViewer reads, RoleEditor also changes the graph (mutations) and imports, RoleAdmin also
// manages accounts and reads the team's activity (changes).
type Role string

// The roles, from the least to the most allowed.
const (
	RoleViewer Role = "viewer"
	RoleEditor Role = "editor"
	RoleAdmin  Role = "admin"
)

var roleRank = map[Role]int{RoleViewer: 1, RoleEditor: 2, RoleAdmin: 3}

// Allows reports whether r may do what need allows; the empty role allows nothing.
func (r Role) Allows(need Role) bool {
	return roleRank[r] > 0 && roleRank[r] >= roleRank[need]
}

// ParseRole returns the role named s (viewer, editor, admin). Errors: EINVALID naming field.
func ParseRole(field, s string) (Role, error) {
	if r := Role(s); roleRank[r] > 0 {
		return r, nil
	}
	return "", Invalid(field, "must be viewer, editor or admin, not %q", s)
}

// Clearance is the highest access level of material (AccessLevel) an account may read: a
// request reads only sources and claims whose effective level is at or below it (ClearanceOf).
type Clearance string

// The clearances, from the lowest.
const (
	ClearancePublic       Clearance = "public"
	ClearanceRestricted   Clearance = "restricted"
	ClearanceConfidential Clearance = "confidential"
)

// ParseClearance returns the clearance named s (public, restricted, confidential). Errors:
// EINVALID naming field.
func ParseClearance(field, s string) (Clearance, error) {
	switch c := Clearance(s); c {
	case ClearancePublic, ClearanceRestricted, ClearanceConfidential:
		return c, nil
	}
	return "", Invalid(field, "must be public, restricted or confidential, not %q", s)
}

// Account is a person (or a program) that may use Athar, found by the public id of its token.
// Only a slow hash of the token is kept (TokenHash); the token itself is shown once, when the
// account is made.
type Account struct {
	Name      string
	Role      Role
	Clearance Clearance
	// TokenID is the public part of the account's token: what a request's token is looked up by.
	TokenID string
	// TokenHash is the slow hash of the token's secret part (internal/auth); never shown.
	TokenHash string
	CreatedAt time.Time // UTC
	ExpiresAt time.Time // UTC; zero: never
	RevokedAt time.Time // UTC; zero: not revoked
}

// The names "local" and "anonymous" stand in change records for the single-user instance and for
// anonymous readers; no account takes them.
const (
	LocalName     = "local"
	AnonymousName = "anonymous"
)

var accountName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// CheckAccountName reports a name that is not 1 to 64 letters, digits and . _ @ - (starting with
// a letter or digit), or is one of the reserved names LocalName and AnonymousName. Errors:
// EINVALID naming field.
func CheckAccountName(field, name string) error {
	if !accountName.MatchString(name) {
		return Invalid(field, "must be 1 to 64 letters, digits and . _ @ -, starting with a letter or digit")
	}
	if name == LocalName || name == AnonymousName {
		return Invalid(field, "%q is reserved", name)
	}
	return nil
}

// Accounts keeps the accounts. Errors besides those named: as a Reader's methods.
type Accounts interface {
	// CreateAccount adds a; its change record is written in the same transaction.
	// Errors: ECONFLICT (an account has the name), EINVALID (the name, see CheckAccountName).
	CreateAccount(ctx context.Context, a Account) error
	// ListAccounts returns every account, by name, revoked ones included.
	ListAccounts(ctx context.Context) ([]Account, error)
	// RevokeAccount revokes the account's token at once, for good; revoking again changes nothing.
	// With keepAdmin it refuses to revoke the last admin whose token works (not revoked, not
	// expired) while one does, checked in the revoke's own transaction so that two admins revoking
	// each other at once cannot both succeed; the API passes it, the command line does not (whoever
	// holds the database can always add an admin there).
	// Errors: ENOTFOUND (no account has the name), ECONFLICT naming "name" (the last admin).
	RevokeAccount(ctx context.Context, name string, keepAdmin bool) error
	// AccountByTokenID returns the account whose token has the public id, or nil when none has.
	AccountByTokenID(ctx context.Context, tokenID string) (*Account, error)
	// HasAccounts reports whether any account exists (revoked ones count).
	HasAccounts(ctx context.Context) (bool, error)
}

// Principal is who a request acts as: an account, the single-user local instance (LocalName, with
// every right), or an anonymous reader (AnonymousName, reading only public material). Clearance
// is how far it reads (the account's own).
type Principal struct {
	Name      string
	Role      Role
	Clearance Clearance
}

// LocalPrincipal is the single user of an instance with no accounts that listens on loopback: it
// reads everything.
var LocalPrincipal = Principal{Name: LocalName, Role: RoleAdmin, Clearance: ClearanceConfidential}

// AnonymousReader is a request without a token where anonymous reading is allowed
// (ATHAR_PUBLIC_READ): it reads public material only.
var AnonymousReader = Principal{Name: AnonymousName, Role: RoleViewer, Clearance: ClearancePublic}

type principalKey struct{}
type requestIDKey struct{}
type reasonKey struct{}

// WithPrincipal returns a context of a request acting as p, with the request's id, which change
// records carry.
func WithPrincipal(ctx context.Context, p Principal, requestID string) context.Context {
	return context.WithValue(context.WithValue(ctx, principalKey{}, p), requestIDKey{}, requestID)
}

// PrincipalOf returns who the request of ctx acts as; false when nobody said (a call outside a
// request: it may not read or write through the API).
func PrincipalOf(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// WithReason returns a context whose writes record reason as why they were made.
func WithReason(ctx context.Context, reason string) context.Context {
	return context.WithValue(ctx, reasonKey{}, reason)
}

// AuthorOf returns who makes the changes of ctx, for their change records: the principal's name
// (LocalName when none is set: the command line, run by whoever holds the database's
// credentials), the request id and the reason given.
func AuthorOf(ctx context.Context) Author {
	a := Author{By: LocalName}
	if p, ok := PrincipalOf(ctx); ok {
		a.By = p.Name
	}
	a.RequestID, _ = ctx.Value(requestIDKey{}).(string)
	a.Reason, _ = ctx.Value(reasonKey{}).(string)
	return a
}

// Author is who made a change, in which request and why.
type Author struct {
	By        string
	RequestID string
	Reason    string
}
