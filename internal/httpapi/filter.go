package httpapi

import (
	"errors"
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
	return f, asParameters(f.Validate(""))
}

// parameters maps the fields the domain's filter validation names to the URL parameters they
// were read from, so that an answer names what the client sent.
var parameters = map[string]string{
	"dateRange.from": "from", "dateRange.to": "to", "facilityTypes": "facilityType",
	"attackTypes": "attackType", "weapons": "weapon",
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
