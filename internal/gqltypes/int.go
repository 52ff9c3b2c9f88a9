package gqltypes

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/athar-project/athar/internal/athar"
)

// GraphQL's Int is a signed 32-bit integer (GraphQL specification, section 3.5.1): values beyond
// MinInt..MaxInt are refused on input and are a field error on output.
const (
	MinInt = math.MinInt32
	MaxInt = math.MaxInt32
)

// MarshalInt writes an int as GraphQL's Int, or fails the field when it is beyond 32 bits,
// as the specification says a server must rather than answer a number clients cannot hold.
func MarshalInt(i int) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(_ context.Context, w io.Writer) error {
		if i < MinInt || i > MaxInt {
			return athar.Errorf(athar.EINTERNAL, "the value %d is beyond GraphQL's Int (32 bits)", i)
		}
		_, err := io.WriteString(w, strconv.Itoa(i))
		return err
	})
}

// UnmarshalInt reads GraphQL's Int into an int: an integer within 32 bits, given as a
// literal (int64) or a JSON number; anything else is the client's bad input.
func UnmarshalInt(_ context.Context, v any) (int, error) {
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int32:
		n = int64(x)
	case int64:
		n = x
	case json.Number:
		i, err := strconv.ParseInt(string(x), 10, 64)
		if err != nil {
			return 0, athar.Errorf(athar.EINVALID, "an Int is an integer from %d to %d", MinInt, MaxInt)
		}
		n = i
	case float64:
		if x != math.Trunc(x) || x < MinInt || x > MaxInt {
			return 0, athar.Errorf(athar.EINVALID, "an Int is an integer from %d to %d", MinInt, MaxInt)
		}
		n = int64(x)
	default:
		return 0, athar.Errorf(athar.EINVALID, "an Int is an integer from %d to %d, not text or another kind of value", MinInt, MaxInt)
	}
	if n < MinInt || n > MaxInt {
		return 0, athar.Errorf(athar.EINVALID, "%d is beyond GraphQL's Int (%d to %d)", n, MinInt, MaxInt)
	}
	return int(n), nil
}
