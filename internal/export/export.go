// Package export writes the attacks a filter matches in the formats that tools other than a
// GraphQL client read: CSV for spreadsheets, GeoJSON for maps. Each format is one file of this
// package and one entry of the formats table in export.go, the only place a format is chosen.
package export

import (
	"io"
	"strings"

	"github.com/athar-project/athar/internal/athar"
)

// MaxFeatures is the most attacks an export holds, whether a file or the attacksGeoJSON field;
// beyond it the export says it was cut.
const MaxFeatures = 10_000

// Format is one export format: how it is asked for, what it is served as, and how it is written.
type Format struct {
	// Name is the name the format is asked for by ("csv", "geojson").
	Name string
	// ContentType is the media type of the encoded attacks.
	ContentType string
	// FileName is the name a download of the attacks is saved under ("attacks.csv").
	FileName string
	// Encode writes the attacks to w; truncated says the list was cut at MaxFeatures, for
	// formats that can carry it.
	Encode func(w io.Writer, features []athar.AttackFeature, truncated bool) error
}

// formats are every export format, in the order Formats lists them. Adding a format is a file
// with its encoder and one entry here.
var formats = []Format{
	{Name: "csv", ContentType: "text/csv; charset=utf-8", FileName: "attacks.csv", Encode: encodeCSV},
	{Name: "geojson", ContentType: "application/geo+json", FileName: "attacks.geojson", Encode: encodeGeoJSON},
}

// Formats returns every export format.
func Formats() []Format {
	return append([]Format(nil), formats...)
}

// Lookup returns the format of the given name. Errors: EINVALID (no format has that name).
func Lookup(name string) (Format, error) {
	names := make([]string, len(formats))
	for i, f := range formats {
		if f.Name == name {
			return f, nil
		}
		names[i] = f.Name
	}
	return Format{}, athar.Invalid("format", "%q is not an export format; want one of %s", name, strings.Join(names, ", "))
}
