// Package auth makes and checks Athar's API tokens and decides who a request acts as.
//
// A token is "athar_<id>_<secret>": id is 16 hex digits (8 random bytes), public, and finds the
// account through a unique index; secret is 43 base64url characters (32 random bytes), and only an
// argon2id hash of it is stored (golang.org/x/crypto/argon2, with the parameters of OWASP's
// Password Storage Cheat Sheet: 19 MiB of memory, 2 passes, 1 lane). A slow hash on every request
// would cost each request its time (see docs/benchmarks.md), so a token once verified is kept in
// memory, keyed by its SHA-256, for a short time (Config.CacheTTL); the account's node is still
// read on every request, so that a revoked or expired token stops working at once.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/athar-project/athar/internal/athar"
)

// The argon2id parameters of new hashes (OWASP Password Storage Cheat Sheet, "argon2id with a
// minimum configuration of 19 MiB of memory, an iteration count of 2, and 1 degree of
// parallelism"). A hash records its own parameters, so that changing them leaves older hashes
// valid.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

const tokenPrefix = "athar_"

// NewToken returns a new token and its public id.
func NewToken() (token, id string) {
	idb := make([]byte, 8)
	secret := make([]byte, 32)
	_, _ = rand.Read(idb)
	_, _ = rand.Read(secret)
	id = hex.EncodeToString(idb)
	return tokenPrefix + id + "_" + base64.RawURLEncoding.EncodeToString(secret), id
}

// ParseToken returns the public id and the secret of a token; false when it is not one.
func ParseToken(token string) (id, secret string, ok bool) {
	rest, ok := strings.CutPrefix(token, tokenPrefix)
	if !ok {
		return "", "", false
	}
	id, secret, ok = strings.Cut(rest, "_")
	if !ok || len(id) != 16 || len(secret) != 43 {
		return "", "", false
	}
	if _, err := hex.DecodeString(id); err != nil {
		return "", "", false
	}
	if _, err := base64.RawURLEncoding.DecodeString(secret); err != nil {
		return "", "", false
	}
	return id, secret, true
}

// HashSecret returns the argon2id hash of a token's secret in the PHC string format
// ($argon2id$v=19$m=…,t=…,p=…$salt$hash).
func HashSecret(secret string) string {
	salt := make([]byte, saltLen)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(secret), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// VerifySecret reports whether secret is the one hash was made from, comparing in constant time.
func VerifySecret(secret, hash string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var memory, passes uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &threads); err != nil || memory == 0 || passes == 0 || threads == 0 {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(secret), salt, passes, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// The reasons a request is refused, as its client sees them: no more than which of the three.
var (
	ErrMissingToken = &athar.Error{Code: athar.EUNAUTHORIZED, Message: "missing token: send Authorization: Bearer <token>"}
	ErrInvalidToken = &athar.Error{Code: athar.EUNAUTHORIZED, Message: "invalid token"}
	ErrExpiredToken = &athar.Error{Code: athar.EUNAUTHORIZED, Message: "expired token"}
)

// DefaultCacheTTL is how long a verified token is kept unless configured: a minute spares a client
// that sends many requests the slow hash on all but one a minute, and bounds how long a secret
// stays in memory once its client is gone.
const DefaultCacheTTL = time.Minute

// Config is what an Authenticator needs.
type Config struct {
	Accounts athar.Accounts
	// Loopback says Athar listens on loopback only: with no account, a request without a token
	// is then the single local user (athar.LocalPrincipal).
	Loopback bool
	// PublicRead lets a request without a token read (athar.AnonymousReader) where a token is
	// otherwise needed.
	PublicRead bool
	// CacheTTL is how long a verified token spares the slow hash (DefaultCacheTTL when zero; a
	// negative value verifies every request).
	CacheTTL time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Authenticator decides who a request acts as from its Authorization header. Safe for concurrent
// use.
type Authenticator struct {
	cfg Config
	mu  sync.Mutex
	// seen becomes true when an account is first seen, and stays so: accounts are revoked, never
	// deleted, so an instance that has had one is never again a single-user one.
	seen     bool
	verified map[[32]byte]cached
	// slots bounds the slow hashes running at once (one per CPU: more would only wait for a CPU
	// while holding their memory).
	slots chan struct{}
}

type cached struct {
	tokenID string
	until   time.Time
}

// New returns an Authenticator.
func New(cfg Config) *Authenticator {
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = DefaultCacheTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Authenticator{cfg: cfg, verified: map[[32]byte]cached{}, slots: make(chan struct{}, max(1, runtime.NumCPU()))}
}

// Open reports whether the instance is a single-user local one now: on loopback, with no account.
func (a *Authenticator) Open(ctx context.Context) (bool, error) {
	if !a.cfg.Loopback {
		return false, nil
	}
	has, err := a.accountsExist(ctx)
	return !has, err
}

// HasAccounts reports whether any account exists.
func (a *Authenticator) HasAccounts(ctx context.Context) (bool, error) { return a.accountsExist(ctx) }

func (a *Authenticator) accountsExist(ctx context.Context) (bool, error) {
	a.mu.Lock()
	seen := a.seen
	a.mu.Unlock()
	if seen {
		return true, nil
	}
	has, err := a.cfg.Accounts.HasAccounts(athar.Uncounted(ctx))
	if err != nil {
		return false, err
	}
	if has {
		a.mu.Lock()
		a.seen = true
		a.mu.Unlock()
	}
	return has, nil
}

// Authenticate returns who a request whose Authorization header is header acts as. Without a
// token: the local user on a single-user instance (Open), an anonymous reader when PublicRead,
// else ErrMissingToken. With one: its account, or ErrInvalidToken (malformed, unknown, wrong or
// revoked) or ErrExpiredToken. Other errors are the database's (as athar.Reader's).
func (a *Authenticator) Authenticate(ctx context.Context, header string) (athar.Principal, error) {
	token, given := bearer(header)
	if !given {
		open, err := a.Open(ctx)
		switch {
		case err != nil:
			return athar.Principal{}, err
		case open:
			return athar.LocalPrincipal, nil
		case a.cfg.PublicRead:
			return athar.AnonymousReader, nil
		}
		return athar.Principal{}, ErrMissingToken
	}
	id, secret, ok := ParseToken(token)
	if !ok {
		return athar.Principal{}, ErrInvalidToken
	}
	acct, err := a.cfg.Accounts.AccountByTokenID(athar.Uncounted(ctx), id)
	if err != nil {
		return athar.Principal{}, err
	}
	now := a.cfg.Now()
	key := sha256.Sum256([]byte(token))
	a.mu.Lock()
	c, hit := a.verified[key]
	a.mu.Unlock()
	if acct == nil || !acct.RevokedAt.IsZero() || !hit || c.tokenID != id || !now.Before(c.until) {
		// The secret is checked before anything is said of the account, and an unknown or revoked
		// id pays the same slow hash, so that neither the answer nor its time tells a token id in
		// use from one that is not.
		hash := decoyHash()
		if acct != nil && acct.RevokedAt.IsZero() {
			hash = acct.TokenHash
		}
		ok, err := a.verify(ctx, secret, hash)
		if err != nil {
			return athar.Principal{}, err
		}
		if !ok || hash == decoyHash() {
			return athar.Principal{}, ErrInvalidToken
		}
		if a.cfg.CacheTTL > 0 && (acct.ExpiresAt.IsZero() || now.Before(acct.ExpiresAt)) {
			a.remember(key, id, now)
		}
	}
	if !acct.ExpiresAt.IsZero() && !now.Before(acct.ExpiresAt) {
		return athar.Principal{}, ErrExpiredToken
	}
	a.mu.Lock()
	a.seen = true
	a.mu.Unlock()
	return athar.Principal{Name: acct.Name, Role: acct.Role, Clearance: acct.Clearance}, nil
}

// decoyHash is the hash an unknown or revoked token id's secret is checked against: a hash of a
// random secret, which no secret matches but which costs what a real one does.
var decoyHash = sync.OnceValue(func() string { return HashSecret(rand.Text()) })

// verify checks secret against hash, holding one of the Authenticator's hashing slots: each check
// takes argonMemory of memory for tens of milliseconds, and requests with wrong tokens must not be
// able to take all of the machine's memory at once (64 at once took 800 MB). It waits for a slot
// as long as ctx allows.
func (a *Authenticator) verify(ctx context.Context, secret, hash string) (bool, error) {
	select {
	case a.slots <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-a.slots }()
	return VerifySecret(secret, hash), nil
}

// maxCached bounds the cache: past it, expired entries are dropped, and if none has, the whole
// cache (each token then pays the slow hash once more).
const maxCached = 10000

func (a *Authenticator) remember(key [32]byte, id string, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.verified) >= maxCached {
		for k, c := range a.verified {
			if !now.Before(c.until) {
				delete(a.verified, k)
			}
		}
		if len(a.verified) >= maxCached {
			clear(a.verified)
		}
	}
	a.verified[key] = cached{tokenID: id, until: now.Add(a.cfg.CacheTTL)}
}

// bearer returns the token of an Authorization header "Bearer <token>" (the scheme is
// case-insensitive, RFC 9110 section 11.1); false when the header gives none. A header of another
// scheme gives none too, so that it is refused as a missing token.
func bearer(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}

// IsAuthError reports whether err is one of the refusals of a token (ErrMissingToken,
// ErrInvalidToken, ErrExpiredToken), not a failure of the database.
func IsAuthError(err error) bool {
	return errors.Is(err, ErrMissingToken) || errors.Is(err, ErrInvalidToken) || errors.Is(err, ErrExpiredToken)
}
