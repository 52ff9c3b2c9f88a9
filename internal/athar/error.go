// Package athar is Athar's domain: the entities of the knowledge graph, their validation, the rules
// that derive summaries from claims, the service interfaces the store implements, and the error codes
// every layer speaks. It imports neither the GraphQL library nor the Neo4j driver.
package athar

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Error codes. The GraphQL error presenter maps each to an `extensions.code`; a mutation answers
// the first three as user errors in its payload instead (INVALID, NOT_FOUND, CONFLICT).
//
// The codes of a database that cannot serve a request tell a client what to do next: ETIMEOUT and
// EBUSY may be retried (EBUSY after a pause), EUNAVAILABLE when the database is back (see /readyz),
// EREADONLY not until an operator frees or unlocks the storage, and EUNKNOWN never blindly: the
// write may have been applied, so a retry could duplicate it.
const (
	EINVALID      = "invalid"         // the caller's input is wrong: BAD_USER_INPUT
	EUNAUTHORIZED = "unauthorized"    // the request carries no valid token where one is needed: UNAUTHENTICATED
	EFORBIDDEN    = "forbidden"       // the account's role does not allow the operation: FORBIDDEN
	ENOTFOUND     = "not_found"       // the entity asked for does not exist: NOT_FOUND
	ECONFLICT     = "conflict"        // the entity already exists: CONFLICT
	ETIMEOUT      = "timeout"         // the request's deadline passed before the database answered: TIMEOUT
	ECANCELED     = "canceled"        // the client went away before the answer: CLIENT_CLOSED_REQUEST
	EUNAVAILABLE  = "unavailable"     // the database cannot be reached, or is restarting: SERVICE_UNAVAILABLE
	EBUSY         = "busy"            // the database kept failing transiently (locks, memory) within the deadline: BUSY
	EREADONLY     = "read_only"       // the database accepts no writes: its storage is full or read-only: READ_ONLY
	EUNKNOWN      = "outcome_unknown" // the connection was lost during a commit: the write may have been applied: OUTCOME_UNKNOWN
	EINTERNAL     = "internal"        // anything else; its detail is logged, never shown
)

// Error is an error a caller can act on: a code, a message safe to show to a client, and, for bad
// input, the path of the field at fault ("input.date.start", "claims[3].quote").
type Error struct {
	Code    string
	Field   string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Message)
	}
	return e.Message
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error about one field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFound returns an ENOTFOUND error for an id of the given kind ("facility", "attack", ...).
func NotFound(kind, id string) *Error {
	return &Error{Code: ENOTFOUND, Message: fmt.Sprintf("%s %q not found", kind, id)}
}

// ErrorCode returns the code of err when it is, or wraps, an *Error or Problems, and EINTERNAL
// otherwise (nil gives "").
func ErrorCode(err error) string {
	var e *Error
	var p Problems
	switch {
	case err == nil:
		return ""
	case errors.As(err, &p):
		return EINVALID
	case errors.As(err, &e):
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of err: its own for an *Error or Problems (with any
// value it quotes cut to a glimpse, see ClipMessage), and "internal error" for anything else, whose
// text may hold details a client must not see.
func ErrorMessage(err error) string {
	var e *Error
	var p Problems
	switch {
	case err == nil:
		return ""
	case errors.As(err, &p):
		return ClipMessage(p.Error())
	case errors.As(err, &e):
		return ClipMessage(e.Error())
	}
	return "internal error"
}

// Problems collects validation problems so that a caller sees every one of them at once.
type Problems []*Error

// Add records a problem with a field.
func (p *Problems) Add(field, format string, args ...any) {
	*p = append(*p, Invalid(field, format, args...))
}

// Prefixed returns the problems with every field prefixed by prefix ("input", "places[2]").
func (p Problems) Prefixed(prefix string) Problems {
	out := make(Problems, len(p))
	for i, e := range p {
		c := *e
		switch {
		case prefix == "":
		case c.Field == "":
			c.Field = prefix
		case strings.HasPrefix(c.Field, "["):
			c.Field = prefix + c.Field
		default:
			c.Field = prefix + "." + c.Field
		}
		out[i] = &c
	}
	return out
}

// Error lists every problem, one per line.
func (p Problems) Error() string {
	msgs := make([]string, len(p))
	for i, e := range p {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Err returns nil when there are no problems, the single *Error when there is one, and the Problems
// otherwise, so that a caller can report each with its own field.
func (p Problems) Err() error {
	switch len(p) {
	case 0:
		return nil
	case 1:
		return p[0]
	}
	return p
}

func asErr[T error](err error, target *T) bool { return errors.As(err, target) }

// Client-facing text never carries more than a glimpse of what the client sent: a value quoted in a
// message ("…" or '…') is cut to maxQuoted bytes, any other run of non-space text to maxWord bytes,
// a field path to maxFieldPath bytes, and a whole message to maxMessage bytes. The messages of the GraphQL library and the parsers quote what they
// refused (an unknown enum value, an unknown key, an operation name), and a client may send
// megabytes of it.
const (
	maxQuoted    = 40
	maxFieldPath = 96
	maxMessage   = 1000
)

// ClipMessage returns msg with every quoted value cut to a glimpse and the whole cut to a bounded
// length, each cut marked with "…". Safe on any text: invalid UTF-8 is never produced by a cut.
func ClipMessage(msg string) string {
	var b strings.Builder
	for i := 0; i < len(msg); {
		c := msg[i]
		apostrophe := c == '\'' && i > 0 && isWordByte(msg[i-1]) // an account's: no quote opens
		if c != '"' && c != '\'' || apostrophe {
			b.WriteByte(c)
			i++
			continue
		}
		end := strings.IndexByte(msg[i+1:], c)
		if end < 0 {
			b.WriteString(clip(msg[i:], maxQuoted))
			break
		}
		b.WriteByte(c)
		b.WriteString(clip(msg[i+1:i+1+end], maxQuoted))
		b.WriteByte(c)
		i += end + 2
	}
	return clip(clipWords(b.String(), maxWord), maxMessage)
}

// isWordByte reports whether b is an ASCII letter or digit, or a byte of a multi-byte character:
// a single quote after one is an apostrophe, not the start of a quoted value.
func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b >= 0x80
}

// maxWord is the longest run of non-space text a message keeps: longer than any word or field path
// Athar writes, and than a quoted glimpse with its quotes.
const maxWord = 64

// clipWords cuts every run of non-space text longer than n bytes to n bytes (on a rune boundary),
// marking the cut with "…": an unquoted value a client sent is cut as a quoted one is.
func clipWords(s string, n int) string {
	var b strings.Builder
	for len(s) > 0 {
		sp := strings.IndexAny(s, " \n\t")
		word, rest := s, ""
		if sp >= 0 {
			word, rest = s[:sp], s[sp:]
		}
		b.WriteString(clip(word, n))
		if rest == "" {
			break
		}
		b.WriteByte(rest[0])
		s = rest[1:]
	}
	return b.String()
}

// ClipField returns a field path cut to a bounded length (a variable's unknown key may be long).
func ClipField(field string) string { return clip(field, maxFieldPath) }

// clip cuts s to at most n bytes on a rune boundary, marking a cut with "…".
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
