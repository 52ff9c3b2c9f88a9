// Package gqltypes holds the GraphQL scalars Athar defines beyond gqlgen's own, and the Go types
// every mutation payload and user error is bound to.
package gqltypes

import (
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/athar-project/athar/internal/athar"
)

// Date is the GraphQL Date scalar: a calendar day written YYYY-MM-DD, held as UTC midnight.
type Date = time.Time

// MarshalDate writes a day as "YYYY-MM-DD".
func MarshalDate(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.Format(time.DateOnly)))
	})
}

// UnmarshalDate reads "YYYY-MM-DD" and rejects days that do not exist, as the client's bad input.
// Its messages name no Go type, and quote the value, which the message's presentation cuts to a
// glimpse (athar.ErrorMessage).
func UnmarshalDate(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, athar.Errorf(athar.EINVALID, "a Date is a string YYYY-MM-DD, not another kind of value")
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, athar.Errorf(athar.EINVALID, "%q is not a date that exists (want YYYY-MM-DD)", s)
	}
	return t, nil
}

// Time is the GraphQL Time scalar: an instant written in RFC 3339 ("2016-04-27T09:30:00Z"), held in
// UTC.
type Time = time.Time

// MarshalTime writes an instant in RFC 3339, in UTC, to the nanosecond when it has them.
func MarshalTime(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.UTC().Format(time.RFC3339Nano)))
	})
}

// UnmarshalTime reads an RFC 3339 instant, and rejects anything else as the client's bad input
// (gqlgen's own Time scalar fails with an error no client input is told apart from, answered as
// INTERNAL). Its messages name no Go type, and quote the value, which the message's presentation
// cuts to a glimpse (athar.ErrorMessage).
func UnmarshalTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, athar.Errorf(athar.EINVALID, "a Time is a string in RFC 3339 (2016-04-27T09:30:00Z), not another kind of value")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, athar.Errorf(athar.EINVALID, "%q is not an instant in RFC 3339 (want 2016-04-27T09:30:00Z)", s)
	}
	return t.UTC(), nil
}
