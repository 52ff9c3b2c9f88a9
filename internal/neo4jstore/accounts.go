package neo4jstore

import (
	"context"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/athar"
)

// Accounts are (:Account) nodes, unique by name and by the public id of their token (migration 5);
// they carry no :Entity label, so no read of the graph or export ever returns them.

const accountFields = `a {.name, .role, .clearance, .tokenId, .tokenHash, .createdAt, .expiresAt, .revokedAt}`

func accountOf(m map[string]any) athar.Account {
	return athar.Account{
		Name: str(m, "name"), Role: athar.Role(str(m, "role")), Clearance: athar.Clearance(str(m, "clearance")),
		TokenID: str(m, "tokenId"), TokenHash: str(m, "tokenHash"),
		CreatedAt: timeOf(m, "createdAt"), ExpiresAt: timeOf(m, "expiresAt"), RevokedAt: timeOf(m, "revokedAt"),
	}
}

func timeParam(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// CreateAccount implements athar.Accounts. The change record (ACCOUNT_ADD) holds the name, role,
// clearance and expiry, never the token or its hash.
func (s *Store) CreateAccount(ctx context.Context, a athar.Account) error {
	if err := athar.CheckAccountName("name", a.Name); err != nil {
		return err
	}
	if _, err := athar.ParseRole("role", string(a.Role)); err != nil {
		return err
	}
	if _, err := athar.ParseClearance("clearance", string(a.Clearance)); err != nil {
		return err
	}
	if a.TokenID == "" || a.TokenHash == "" {
		return athar.Invalid("token", "is required")
	}
	now := s.now()
	c := newChange(ctx, now, athar.ChangeAccountAdd, "account:"+a.Name, "Account")
	after, err := jsonText(map[string]any{"name": a.Name, "role": a.Role, "clearance": a.Clearance, "expiresAt": timeParam(a.ExpiresAt)})
	if err != nil {
		return err
	}
	c.After = after
	_, err = write(ctx, s, func(tx neo4j.ManagedTransaction) (struct{}, error) {
		recs, err := collect(ctx, tx, "MATCH (a:Account {name: $name}) RETURN a.name AS name", map[string]any{"name": a.Name})
		if err != nil {
			return struct{}{}, err
		}
		if len(recs) > 0 {
			return struct{}{}, &athar.Error{Code: athar.ECONFLICT, Field: "name", Message: "an account named " + a.Name + " exists"}
		}
		_, err = collect(ctx, tx, `CREATE (:Account {name: $name, role: $role, clearance: $clearance, tokenId: $tokenId,
  tokenHash: $tokenHash, createdAt: $now, updatedAt: $now, expiresAt: $expiresAt})`, map[string]any{
			"name": a.Name, "role": string(a.Role), "clearance": string(a.Clearance), "tokenId": a.TokenID,
			"tokenHash": a.TokenHash, "now": now, "expiresAt": timeParam(a.ExpiresAt)})
		if err != nil {
			if athar.ErrorCode(translate(err)) == athar.ECONFLICT {
				return struct{}{}, &athar.Error{Code: athar.ECONFLICT, Field: "name", Message: "an account named " + a.Name + " exists"}
			}
			return struct{}{}, err
		}
		return struct{}{}, writeChange(ctx, tx, c)
	})
	return err
}

// ListAccounts implements athar.Accounts.
func (s *Store) ListAccounts(ctx context.Context) ([]athar.Account, error) {
	recs, err := s.read(ctx, "MATCH (a:Account) RETURN "+accountFields+" AS account ORDER BY a.name", nil)
	if err != nil {
		return nil, err
	}
	out := make([]athar.Account, len(recs))
	for i, rec := range recs {
		out[i] = accountOf(field[map[string]any](rowOf(rec), "account"))
		out[i].TokenHash = ""
	}
	return out, nil
}

// RevokeAccount implements athar.Accounts, with its change record (ACCOUNT_REVOKE) in the same
// transaction when it revokes.
func (s *Store) RevokeAccount(ctx context.Context, name string, keepAdmin bool) error {
	now := s.now()
	c := newChange(ctx, now, athar.ChangeAccountRevoke, "account:"+name, "Account")
	c.Before, c.After = `{"revoked":false}`, `{"revoked":true}`
	_, err := write(ctx, s, func(tx neo4j.ManagedTransaction) (struct{}, error) {
		// Revokes take turns on the accounts lock: each counts the admins left with the others'
		// revokes done.
		recs, err := collect(ctx, tx, `MERGE (l:AtharLock {id: $lock}) SET l.at = $now
WITH l
MATCH (a:Account {name: $name})
CALL (a) {
  OPTIONAL MATCH (o:Account {role: $admin})
  WHERE o.name <> a.name AND o.revokedAt IS NULL AND (o.expiresAt IS NULL OR o.expiresAt > $now)
  RETURN count(o) AS others
}
WITH a, a.revokedAt IS NULL AS fresh,
  a.role = $admin AND a.revokedAt IS NULL AND (a.expiresAt IS NULL OR a.expiresAt > $now) AND others = 0 AS last
FOREACH (_ IN CASE WHEN last AND $keepAdmin THEN [] ELSE [1] END |
  SET a.revokedAt = coalesce(a.revokedAt, $now), a.updatedAt = $now)
RETURN fresh, last`, map[string]any{"name": name, "now": now, "lock": accountsLock, "admin": string(athar.RoleAdmin), "keepAdmin": keepAdmin})
		if err != nil {
			return struct{}{}, err
		}
		if len(recs) == 0 {
			return struct{}{}, &athar.Error{Code: athar.ENOTFOUND, Field: "name", Message: "no account is named " + athar.ClipMessage(name)}
		}
		m := rowOf(recs[0])
		if keepAdmin && field[bool](m, "last") {
			return struct{}{}, &athar.Error{Code: athar.ECONFLICT, Field: "name", Message: "is the last admin whose token works: add another admin first, or nobody could manage accounts"}
		}
		if !field[bool](m, "fresh") {
			return struct{}{}, nil
		}
		return struct{}{}, writeChange(ctx, tx, c)
	})
	return err
}

// accountsLock is the AtharLock node revokes take turns on.
const accountsLock = "accounts"

// AccountByTokenID implements athar.Accounts, through the unique index on tokenId.
func (s *Store) AccountByTokenID(ctx context.Context, tokenID string) (*athar.Account, error) {
	recs, err := s.read(ctx, "MATCH (a:Account {tokenId: $id}) RETURN "+accountFields+" AS account", map[string]any{"id": tokenID})
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	a := accountOf(field[map[string]any](rowOf(recs[0]), "account"))
	return &a, nil
}

// HasAccounts implements athar.Accounts.
func (s *Store) HasAccounts(ctx context.Context) (bool, error) {
	recs, err := s.read(ctx, "MATCH (a:Account) RETURN a.name AS name LIMIT 1", nil)
	return len(recs) > 0, err
}
