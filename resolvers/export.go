package resolvers

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/athar-project/athar/internal/athar"
)

// filterFromQuery reads an attack filter from URL query parameters, for tools that do not speak
// GraphQL: from, to (YYYY-MM-DD), facilityId, facilityType, placeId, actorId, attackType, weapon,
// sourceId (each repeatable or comma-separated), near=latitude,longitude,radiusMeters, minKilled
// and text.
func filterFromQuery(q url.Values) (athar.AttackFilter, error) {
	var f athar.AttackFilter
	var p athar.Problems
	list := func(name string) []string {
		var out []string
		for _, v := range q[name] {
			for _, part := range strings.Split(v, ",") {
				if part = strings.TrimSpace(part); part != "" {
					out = append(out, part)
				}
			}
		}
		return out
	}
	day := func(name string) time.Time {
		v := q.Get(name)
		if v == "" {
			return time.Time{}
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			p.Add(name, "%q is not a date YYYY-MM-DD that exists", v)
		}
		return t
	}
	f.Dates = athar.DateRange{From: day("from"), To: day("to")}
	f.FacilityIDs = list("facilityId")
	f.PlaceIDs = list("placeId")
	f.ActorIDs = list("actorId")
	f.SourceIDs = list("sourceId")
	for _, v := range list("facilityType") {
		f.FacilityTypes = append(f.FacilityTypes, athar.FacilityType(v))
	}
	for _, v := range list("attackType") {
		f.AttackTypes = append(f.AttackTypes, athar.AttackType(v))
	}
	for _, v := range list("weapon") {
		f.Weapons = append(f.Weapons, athar.Weapon(v))
	}
	if v := q.Get("near"); v != "" {
		parts := strings.Split(v, ",")
		var nums []float64
		for _, s := range parts {
			n, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err == nil {
				nums = append(nums, n)
			}
		}
		if len(nums) != 3 || len(parts) != 3 {
			p.Add("near", "want latitude,longitude,radiusMeters")
		} else {
			f.Near = &athar.Near{Latitude: nums[0], Longitude: nums[1], RadiusMeters: nums[2]}
		}
	}
	if v := q.Get("minKilled"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			p.Add("minKilled", "%q is not a whole number", v)
		} else {
			f.MinKilled = &n
		}
	}
	f.Text = q.Get("text")
	if err := p.Err(); err != nil {
		return f, err
	}
	return f, f.Validate("")
}

// exportHandler serves the attacks a filter matches as GeoJSON or CSV.
func exportHandler(x athar.Explorer, logger *slog.Logger, format string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		f, err := filterFromQuery(r.URL.Query())
		if err != nil {
			writeProblem(w, http.StatusBadRequest, err)
			return
		}
		features, more, err := x.AttackFeatures(ctx, f, maxFeatures)
		if err != nil {
			logger.ErrorContext(ctx, "export failed", "request_id", RequestID(ctx), "err", err)
			status := http.StatusInternalServerError
			if athar.ErrorCode(err) == athar.EUNAVAILABLE {
				status = http.StatusServiceUnavailable
			}
			writeProblem(w, status, err)
			return
		}
		w.Header().Set("X-Athar-Truncated", strconv.FormatBool(more))
		if format == "csv" {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="attacks.csv"`)
			writeCSV(w, features)
			return
		}
		w.Header().Set("Content-Type", "application/geo+json")
		w.Header().Set("Content-Disposition", `attachment; filename="attacks.geojson"`)
		_ = json.NewEncoder(w).Encode(GeoJSON(features, more))
	})
}

// csvColumns are the columns of /export/attacks.csv.
var csvColumns = []string{"id", "title", "date_start", "date_end", "date_precision", "facilities", "facility_ids",
	"places", "killed_low", "killed_high", "latitude", "longitude", "location_precision"}

func writeCSV(w http.ResponseWriter, features []athar.AttackFeature) {
	cw := csv.NewWriter(w)
	_ = cw.Write(csvColumns)
	num := func(n *int) string {
		if n == nil {
			return ""
		}
		return strconv.Itoa(*n)
	}
	for _, f := range features {
		lat, lon, prec := "", "", ""
		if f.Location != nil {
			lat = strconv.FormatFloat(f.Location.Latitude, 'f', -1, 64)
			lon = strconv.FormatFloat(f.Location.Longitude, 'f', -1, 64)
			prec = string(f.Location.Precision)
		}
		_ = cw.Write([]string{f.ID, csvSafe(f.Title), f.Date.Start.Format(time.DateOnly), f.Date.End.Format(time.DateOnly),
			string(f.Date.Precision), csvSafe(strings.Join(f.Facilities, "; ")), strings.Join(f.FacilityIDs, "; "),
			csvSafe(strings.Join(f.Places, "; ")), num(f.KilledLow), num(f.KilledHigh), lat, lon, prec})
	}
	cw.Flush()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// writeProblem answers a plain-HTTP request with a JSON error that names the parameter at fault,
// never with internal detail.
func writeProblem(w http.ResponseWriter, status int, err error) {
	body := map[string]any{"error": athar.ErrorMessage(err)}
	var e *athar.Error
	if errors.As(err, &e) && e.Field != "" {
		body["parameter"] = e.Field
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
