package auth_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/auth"
	"github.com/athar-project/athar/internal/neo4jtest"
)

func TestMain(m *testing.M) { os.Exit(neo4jtest.Run(m)) }

func TestToken_ParseAndVerify(t *testing.T) {
	token, id := auth.NewToken()
	gotID, secret, ok := auth.ParseToken(token)
	if !ok || gotID != id || !strings.HasPrefix(token, "athar_"+id+"_") {
		t.Fatalf("ParseToken(%q) = %q, %v", token, gotID, ok)
	}
	other, _ := auth.NewToken()
	if other == token {
		t.Fatal("two new tokens are the same")
	}
	hash := auth.HashSecret(secret)
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(hash, secret) {
		t.Errorf("hash %q", hash)
	}
	if !auth.VerifySecret(secret, hash) {
		t.Error("the secret does not verify against its own hash")
	}
	if auth.HashSecret(secret) == hash {
		t.Error("two hashes of one secret are equal: no salt")
	}
	for _, bad := range []string{secret[:42] + "x", "", strings.ToUpper(secret)} {
		if auth.VerifySecret(bad, hash) {
			t.Errorf("%q verifies", bad)
		}
	}
	for _, bad := range []string{"$argon2i$v=19$m=1,t=1,p=1$AA$AA", "nonsense", "$argon2id$v=19$m=0,t=1,p=1$AA$AA"} {
		if auth.VerifySecret(secret, bad) {
			t.Errorf("hash %q verifies", bad)
		}
	}
	for _, bad := range []string{"", "athar_", "athar_" + id, "athar_" + id + "_short", "Bearer " + token, "athar_zzzzzzzzzzzzzzzz_" + secret} {
		if _, _, ok := auth.ParseToken(bad); ok {
			t.Errorf("ParseToken(%q) accepted it", bad)
		}
	}
}

// A token verified once is cached, but its account's expiry is still checked on every request:
// the clock passing the expiry refuses the cached token.
func TestAuthenticate_CacheStillChecksExpiry(t *testing.T) {
	store := neo4jtest.MustStore(t)
	expires := time.Now().Add(time.Hour).UTC()
	token := neo4jtest.MustAccount(t, store, "soon", athar.RoleEditor, expires)
	now := time.Now()
	a := auth.New(auth.Config{Accounts: store, Now: func() time.Time { return now }})
	ctx := context.Background()
	for range 2 {
		p, err := a.Authenticate(ctx, "Bearer "+token)
		if err != nil || p.Name != "soon" || p.Role != athar.RoleEditor {
			t.Fatalf("Authenticate = %+v, %v", p, err)
		}
	}
	now = expires.Add(time.Second)
	if _, err := a.Authenticate(ctx, "Bearer "+token); err != auth.ErrExpiredToken {
		t.Errorf("after the expiry: %v, want ErrExpiredToken", err)
	}
	if _, err := a.Authenticate(ctx, "Basic Zm9vOmJhcg=="); err != auth.ErrMissingToken {
		t.Errorf("another scheme: %v, want ErrMissingToken", err)
	}
}

// BenchmarkVerifySecret is the slow hash a token pays once per cache period (ATHAR_TOKEN_CACHE_TTL).
func BenchmarkVerifySecret(b *testing.B) {
	token, _ := auth.NewToken()
	_, secret, _ := auth.ParseToken(token)
	hash := auth.HashSecret(secret)
	for b.Loop() {
		if !auth.VerifySecret(secret, hash) {
			b.Fatal("does not verify")
		}
	}
}

// BenchmarkAuthenticate is what authenticating one request costs, the account's node read from
// the embedded Neo4j each time: cached (the token verified within the cache period) and uncached
// (the slow hash every time, as with ATHAR_TOKEN_CACHE_TTL=-1).
func BenchmarkAuthenticate(b *testing.B) {
	store := neo4jtest.MustStore(b)
	token := neo4jtest.MustAccount(b, store, "bench", athar.RoleViewer, time.Time{})
	for _, bc := range []struct {
		name string
		ttl  time.Duration
	}{{"cached", time.Minute}, {"uncached", -1}} {
		b.Run(bc.name, func(b *testing.B) {
			a := auth.New(auth.Config{Accounts: store, CacheTTL: bc.ttl})
			ctx := context.Background()
			for b.Loop() {
				if _, err := a.Authenticate(ctx, "Bearer "+token); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A wrong secret is "invalid" whatever the account its id names: active, expired, revoked or none;
// only the right secret of an expired account is told it expired.
func TestAuthenticate_TellsNothingOfAnIDWithoutItsSecret(t *testing.T) {
	store := neo4jtest.MustStore(t)
	expired := neo4jtest.MustAccount(t, store, "late", athar.RoleViewer, time.Now().Add(-time.Hour))
	id, _, _ := auth.ParseToken(expired)
	a := auth.New(auth.Config{Accounts: store})
	ctx := context.Background()
	for _, tc := range []struct {
		name, token string
		want        error
	}{
		{"an expired account's id with a wrong secret", "athar_" + id + "_" + strings.Repeat("A", 43), auth.ErrInvalidToken},
		{"an expired account's own token", expired, auth.ErrExpiredToken},
		{"an unknown id", "athar_0123456789abcdef_" + strings.Repeat("A", 43), auth.ErrInvalidToken},
	} {
		if _, err := a.Authenticate(ctx, "Bearer "+tc.token); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}
