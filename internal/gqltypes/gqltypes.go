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
