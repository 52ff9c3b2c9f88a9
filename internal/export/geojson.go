package export

import (
	"bufio"
	"encoding/json"
	"io"

	"github.com/athar-project/athar/internal/athar"
)

// GeoJSON builds a FeatureCollection of attacks. Attacks with no known point are counted in the
// foreign member "omitted", not drawn; "truncated" says the list was cut at its limit. The GraphQL
// field attacksGeoJSON returns this same object; the plain-HTTP export streams it (geojsonEncoder).
func GeoJSON(features []athar.AttackFeature, truncated bool) map[string]any {
	out := make([]any, 0, len(features))
	omitted := 0
	for i := range features {
		if f := feature(&features[i]); f != nil {
			out = append(out, f)
		} else {
			omitted++
		}
	}
	return map[string]any{"type": "FeatureCollection", "features": out, "omitted": omitted, "truncated": truncated}
}

// feature returns the GeoJSON Feature of an attack, or nil when its point is unknown.
func feature(f *athar.AttackFeature) map[string]any {
	if f.Location == nil {
		return nil
	}
	start, end := f.Date.Format()
	props := map[string]any{
		"id": f.ID, "title": f.Title, "dateStart": f.Date.Start.Format("2006-01-02"),
		"dateEnd": f.Date.End.Format("2006-01-02"), "datePrecision": string(f.Date.Precision), "date": start,
		"facilities": f.Facilities, "places": f.Places, "killedLow": f.KilledLow, "killedHigh": f.KilledHigh,
		"locationPrecision": string(f.Location.Precision), "locationFrom": string(f.LocationFrom),
		"datasetId": nilIfEmpty(f.DatasetID), "externalId": nilIfEmpty(f.ExternalID), "withdrawnIn": nilIfEmpty(f.WithdrawnIn),
	}
	if end != "" {
		props["date"] = start + "/" + end
	}
	return map[string]any{
		"type": "Feature", "id": f.ID,
		"geometry":   map[string]any{"type": "Point", "coordinates": []float64{f.Location.Longitude, f.Location.Latitude}},
		"properties": props,
	}
}

// geojsonEncoder streams the FeatureCollection GeoJSON builds: the opening members, each feature
// as it comes, then "omitted" and "truncated" (always false: a stream holds every attack). JSON
// objects are unordered (RFC 8259), so members after "features" are read as any others.
type geojsonEncoder struct {
	w       *bufio.Writer
	started bool
	written int // features written
	omitted int
}

func newGeoJSONEncoder(w io.Writer, _ Options) Encoder {
	return &geojsonEncoder{w: bufio.NewWriter(w)}
}

func (e *geojsonEncoder) start() {
	if !e.started {
		e.started = true
		_, _ = e.w.WriteString(`{"type":"FeatureCollection","features":[`)
	}
}

// Write implements Encoder.
func (e *geojsonEncoder) Write(features []athar.AttackFeature) error {
	e.start()
	for i := range features {
		f := feature(&features[i])
		if f == nil {
			e.omitted++
			continue
		}
		b, err := json.Marshal(f)
		if err != nil {
			return err
		}
		if e.written > 0 {
			_ = e.w.WriteByte(',')
		}
		e.written++
		_, _ = e.w.Write(b)
	}
	return e.w.Flush()
}

// Close implements Encoder.
func (e *geojsonEncoder) Close() error {
	e.start()
	tail, err := json.Marshal(e.omitted)
	if err != nil {
		return err
	}
	_, _ = e.w.WriteString(`],"omitted":` + string(tail) + `,"truncated":false}` + "\n")
	return e.w.Flush()
}

// nilIfEmpty gives JSON null for an empty text: a curated attack has no dataset.
func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
