// Package export writes the attacks a filter matches in the formats that tools other than a
// GraphQL client read: CSV for spreadsheets, GeoJSON for maps. Each format is one file of this
// package and one entry of the formats table in export.go, the only place a format is chosen.
//
// Formats are written as streams: an Encoder takes the attacks a page at a time, as the store
// reads them, so that an export of any size holds one page in memory.
package export

import (
	"io"
	"strings"

	"github.com/athar-project/athar/internal/athar"
)

// MaxFeatures is the most attacks the GraphQL field attacksGeoJSON holds in its one answer; beyond
// it the object says it was cut ("truncated": true). The plain-HTTP exports stream every attack
// and have no such limit.
const MaxFeatures = 10_000

// Options say how a client asked for a file to be written.
type Options struct {
	// Excel writes a CSV file the way spreadsheet programs read it: a UTF-8 byte-order mark first
	// (without it Excel takes the file for the system's legacy code page and garbles Arabic) and
	// CRLF line ends, as RFC 4180 section 2 writes records.
	Excel bool
}

// Encoder writes attacks to a stream as they come. It buffers at most one call's worth: each
// Write ends with its rows handed to the underlying writer, so that the caller can flush them to
// the client.
type Encoder interface {
	// Write writes the attacks after those of earlier calls.
	Write(features []athar.AttackFeature) error
	// Close completes the file (a CSV header when no attack came, a GeoJSON collection's closing
	// members). It does not close the underlying writer.
	Close() error
}

// Format is one export format: how it is asked for, what it is served as, and how it is written.
type Format struct {
	// Name is the name the format is asked for by ("csv", "geojson").
	Name string
	// ContentType is the media type of the encoded attacks.
	ContentType string
	// FileName is the name a download of the attacks is saved under ("attacks.csv").
	FileName string
	// Params are the query parameters the format takes besides the filter's ("excel"); any other
	// is refused.
	Params []string
	// NewEncoder returns an encoder that writes the format to w.
	NewEncoder func(w io.Writer, o Options) Encoder
}

// formats are every export format, in the order Formats lists them. Adding a format is a file
// with its encoder and one entry here.
var formats = []Format{
	{Name: "csv", ContentType: "text/csv; charset=utf-8", FileName: "attacks.csv", Params: []string{"excel"}, NewEncoder: newCSVEncoder},
	{Name: "geojson", ContentType: "application/geo+json", FileName: "attacks.geojson", NewEncoder: newGeoJSONEncoder},
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

// Encode writes the attacks to w in the format, whole: one Write and Close of its encoder.
func (f Format) Encode(w io.Writer, features []athar.AttackFeature, o Options) error {
	enc := f.NewEncoder(w, o)
	if err := enc.Write(features); err != nil {
		return err
	}
	return enc.Close()
}
