package gqltypes

import (
	"strings"
	"testing"
	"time"

	"github.com/athar-project/athar/internal/athar"
)

// A Date that is not one is the client's bad input, and its message, as a client sees it, names no
// Go type and quotes at most a glimpse of the value.
func TestUnmarshalDate_RefusesWithoutEcho(t *testing.T) {
	marker := "ECHO-" + strings.Repeat("x", 400)
	for _, v := range []any{5, 5.5, true, []any{"2016-11-18"}, map[string]any{"y": 2016}, nil,
		"2016-02-30", "18/11/2016", marker, "2016-11-18T00:00:00Z" + marker} {
		_, err := UnmarshalDate(v)
		if athar.ErrorCode(err) != athar.EINVALID {
			t.Errorf("UnmarshalDate(%#v) = %v, want an EINVALID error", v, err)
			continue
		}
		msg := athar.ErrorMessage(err)
		for _, leak := range []string{strings.Repeat("x", 50), "int", "float", "bool", "[]interface", "map[", "<nil>"} {
			if strings.Contains(msg, leak) {
				t.Errorf("UnmarshalDate(%#v): message %q carries %q", v, msg, leak)
			}
		}
	}
	got, err := UnmarshalDate("2016-11-18")
	if err != nil || !got.Equal(time.Date(2016, 11, 18, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("UnmarshalDate(2016-11-18) = %v, %v", got, err)
	}
}
