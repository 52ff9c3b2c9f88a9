package httpapi

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/athar-project/athar/internal/athar"
)

// filterParameters are the URL query parameters of an attack filter: those taking a list
// (repeatable or comma-separated) and those given at most once.
var (
	listParameters   = []string{"facilityId", "facilityType", "placeId", "actorId", "attackType", "weapon", "sourceId", "datasetId"}
	singleParameters = []string{"from", "to", "near", "minKilled", "text", "withdrawn"}
)

// checkParameters refuses a parameter that is neither the filter's nor one of extra (a format's
// own), naming it with the closest known name and the list of them, so that a misspelt filter
// (facilityTypes for facilityType) is an error rather than an export of everything; and a
// single-valued parameter given more than once. Errors: EINVALID naming each parameter at fault,
// the first maxUnknownReported unknown ones when there are more.
func checkParameters(q url.Values, extra []string) error {
	known := slices.Concat(singleParameters, listParameters, extra)
	var p athar.Problems
	unknown := 0
	for _, name := range slices.Sorted(maps.Keys(q)) {
		switch {
		case !slices.Contains(known, name):
			if unknown++; unknown > maxUnknownReported {
				continue
			}
			hint := ""
			if near := closest(name, known); near != "" {
				hint = fmt.Sprintf("did you mean %s? ", near)
			}
			p.Add(shortName(name), "is not a parameter of this export; %sknown: %s", hint, strings.Join(known, ", "))
		case !slices.Contains(listParameters, name) && len(q[name]) > 1:
			p.Add(name, "is given %d times; give it once", len(q[name]))
		}
	}
	return p.Err()
}

// maxUnknownReported is how many unknown parameters an answer names at most, so that it never
// grows with the query.
const maxUnknownReported = 10

// maxNameBytes is the longest parameter name an answer repeats whole; a longer one is cut short
// and marked "…", so that an answer never grows with what a client sends.
const maxNameBytes = 64

// shortName returns name, cut to maxNameBytes at a character boundary when it is longer.
func shortName(name string) string {
	if len(name) <= maxNameBytes {
		return name
	}
	cut := maxNameBytes
	for cut > 0 && !utf8.RuneStart(name[cut]) {
		cut--
	}
	return name[:cut] + "…"
}

// closest returns the known name nearest to name (ignoring case, at most a third of its letters
// apart), or "" when none is near.
func closest(name string, known []string) string {
	best, bestD := "", len(name)/3+1
	for _, k := range known {
		if d := editDistance(strings.ToLower(name), strings.ToLower(k)); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes. Parameter names are
// short; a name beyond 64 bytes is never near one.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return max(len(a), len(b))
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// attackFilter reads an attack filter from URL query parameters, for tools that do not speak
// GraphQL: from, to (YYYY-MM-DD, years athar.MinYear to athar.MaxYear()), facilityId,
// facilityType, placeId, actorId, attackType, weapon, sourceId, datasetId (each repeatable or
// comma-separated), near=latitude,longitude,radiusMeters, minKilled (0 to athar.MaxCount), text
// and withdrawn (true or false). Parameters it does not know are not its to judge (see checkParameters). Problems name the
// parameter at fault.
func attackFilter(q url.Values) (athar.AttackFilter, error) {
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
	f.DatasetIDs = list("datasetId")
	switch v := q.Get("withdrawn"); v {
	case "":
	case "true", "false":
		w := v == "true"
		f.Withdrawn = &w
	default:
		p.Add("withdrawn", "is %q; give true or false", v)
	}
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
			if err == nil && !math.IsNaN(n) && !math.IsInf(n, 0) {
				nums = append(nums, n)
			}
		}
		if len(nums) != 3 || len(parts) != 3 {
			p.Add("near", "want latitude,longitude,radiusMeters as three numbers")
		} else {
			f.Near = &athar.Near{Latitude: nums[0], Longitude: nums[1], RadiusMeters: nums[2]}
		}
	}
	if v := q.Get("minKilled"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			p.Add("minKilled", "is not a whole number from 0 to %d", athar.MaxCount)
		} else {
			f.MinKilled = &n
		}
	}
	f.Text = q.Get("text")
	if err := p.Err(); err != nil {
		return f, err
	}
	return f, asParameters(f.Validate(""))
}

// parameters maps the fields the domain's filter validation names to the URL parameters they
// were read from, so that an answer names what the client sent.
var parameters = map[string]string{
	"dateRange.from": "from", "dateRange.to": "to", "facilityTypes": "facilityType",
	"attackTypes": "attackType", "weapons": "weapon", "facilityIds": "facilityId", "placeIds": "placeId",
	"actorIds": "actorId", "sourceIds": "sourceId", "datasetIds": "datasetId",
}

// asParameters renames the fields of validation problems to URL parameters ("dateRange.to" is
// "to", "facilityTypes[1]" is "facilityType"); fields that are already parameters ("near.latitude",
// "minKilled") stay as they are.
func asParameters(err error) error {
	if err == nil {
		return nil
	}
	var ps athar.Problems
	if !errors.As(err, &ps) {
		var e *athar.Error
		if !errors.As(err, &e) {
			return err
		}
		ps = athar.Problems{e}
	}
	out := make(athar.Problems, len(ps))
	for i, e := range ps {
		c := *e
		name, _, _ := strings.Cut(c.Field, "[")
		if param, ok := parameters[name]; ok {
			c.Field = param
		}
		out[i] = &c
	}
	return out.Err()
}
