package export

import (
	"encoding/json"
	"io"

	"github.com/athar-project/athar/internal/athar"
)

// GeoJSON builds a FeatureCollection of attacks. Attacks with no known point are counted in the
// foreign member "omitted", not drawn; "truncated" says the list was cut at its limit. The GraphQL
// field attacksGeoJSON returns this same object.
func GeoJSON(features []athar.AttackFeature, truncated bool) map[string]any {
	out := make([]any, 0, len(features))
	omitted := 0
	for _, f := range features {
		if f.Location == nil {
			omitted++
			continue
		}
		start, end := f.Date.Format()
		props := map[string]any{
			"id": f.ID, "title": f.Title, "dateStart": f.Date.Start.Format("2006-01-02"),
			"dateEnd": f.Date.End.Format("2006-01-02"), "datePrecision": string(f.Date.Precision), "date": start,
			"facilities": f.Facilities, "places": f.Places, "killedLow": f.KilledLow, "killedHigh": f.KilledHigh,
			"locationPrecision": string(f.Location.Precision),
		}
		if end != "" {
			props["date"] = start + "/" + end
		}
		out = append(out, map[string]any{
			"type": "Feature", "id": f.ID,
			"geometry":   map[string]any{"type": "Point", "coordinates": []float64{f.Location.Longitude, f.Location.Latitude}},
			"properties": props,
		})
	}
	return map[string]any{"type": "FeatureCollection", "features": out, "omitted": omitted, "truncated": truncated}
}

func encodeGeoJSON(w io.Writer, features []athar.AttackFeature, truncated bool) error {
	return json.NewEncoder(w).Encode(GeoJSON(features, truncated))
}
