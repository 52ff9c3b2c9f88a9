package athar

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// NewID returns a fresh id for an entity of type t, readable from its name: a slug of the name's
// Latin letters and digits and a random suffix ("facility:al-quds-hospital-3f9a1c").
func NewID(t EntityType, name string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(strings.ToLower(name)) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
			dash = false
		case unicode.Is(unicode.Mn, r):
			// accents fall away: "é" becomes "e"
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	slug := strings.Trim(b.String(), "-")
	suffix := make([]byte, 3)
	_, _ = rand.Read(suffix)
	if slug == "" {
		return t.Record() + ":" + hex.EncodeToString(suffix)
	}
	return t.Record() + ":" + slug + "-" + hex.EncodeToString(suffix)
}
