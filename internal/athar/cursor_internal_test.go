package athar

import (
	"encoding/base64"
	"encoding/json"
	"testing"
)

// A list's cursor is its offsetCursor as json.Marshal writes it, in URL-safe base64, whatever the
// list's name holds: the cursors clients hold from before stay valid.
func TestListCursor(t *testing.T) {
	for _, list := range []string{"Place.attacks", "Attack.claims", "Facility.events", "", "a\"b", "<&>", "é.x", "a b", "x_1.Y"} {
		for _, offset := range []int{0, 1, 99, 12345, maxOffset} {
			b, err := json.Marshal(offsetCursor{List: list, Offset: offset})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := ListCursor(list, offset), base64.RawURLEncoding.EncodeToString(b); got != want {
				t.Errorf("ListCursor(%q, %d) = %s, want %s", list, offset, got, want)
			}
		}
	}
}
