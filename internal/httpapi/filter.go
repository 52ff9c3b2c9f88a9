package httpapi

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/athar-project/athar/internal/athar"
)

// attackFilter reads an attack filter from URL query parameters, for tools that do not speak
// GraphQL: from, to (YYYY-MM-DD), facilityId, facilityType, placeId, actorId, attackType, weapon,
// sourceId (each repeatable or comma-separated), near=latitude,longitude,radiusMeters, minKilled
// and text. Problems name the parameter at fault.
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
