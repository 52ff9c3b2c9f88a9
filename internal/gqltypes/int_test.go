package gqltypes

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/athar-project/athar/internal/athar"
)

// TestInt_HeldTo32Bits checks GraphQL's Int both ways at and beyond its bounds.
func TestInt_HeldTo32Bits(t *testing.T) {
	ctx := context.Background()
	for _, v := range []any{int64(MaxInt), int64(MinInt), json.Number("2147483647"), json.Number("-2147483648"), 7, float64(12)} {
		if _, err := UnmarshalInt(ctx, v); err != nil {
			t.Errorf("UnmarshalInt(%v): %v", v, err)
		}
	}
	for _, v := range []any{int64(MaxInt) + 1, int64(MinInt) - 1, json.Number("3000000000"), json.Number("1.5"), json.Number("1e400"), "5", true, 1.5, nil} {
		_, err := UnmarshalInt(ctx, v)
		if athar.ErrorCode(err) != athar.EINVALID {
			t.Errorf("UnmarshalInt(%v) = %v, want an EINVALID error", v, err)
		}
	}
	var b bytes.Buffer
	if err := MarshalInt(MaxInt).MarshalGQLContext(ctx, &b); err != nil || b.String() != "2147483647" {
		t.Errorf("MarshalInt(MaxInt) wrote %q, %v", b.String(), err)
	}
	b.Reset()
	if err := MarshalInt(2*MaxInt).MarshalGQLContext(ctx, &b); err == nil || b.Len() != 0 {
		t.Errorf("MarshalInt(2*MaxInt) wrote %q, %v; want an error and nothing written", b.String(), err)
	}
}
