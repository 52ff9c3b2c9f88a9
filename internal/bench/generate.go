// Package bench measures Athar on a synthetic graph of realistic shape: it generates the graph,
// loads it through the import path, drives a fixed mix of queries over HTTP with concurrent
// clients, and runs hand-written Cypher for the same answers as the floor to compare with.
package bench

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/athar-project/athar/internal/athar"
)

// Size is how big a synthetic graph is.
type Size struct {
	Attacks, Facilities, Places, Actors, Sources, Claims int
}

// DefaultSize is the graph `athar bench` loads unless told otherwise.
var DefaultSize = Size{Attacks: 100_000, Facilities: 20_000, Places: 2_000, Actors: 5_000, Sources: 50_000, Claims: 400_000}

// Scaled returns the size times f (each count at least 1, places at least 10).
func (s Size) Scaled(f float64) Size {
	sc := func(n, least int) int { return max(least, int(float64(n)*f)) }
	return Size{Attacks: sc(s.Attacks, 1), Facilities: sc(s.Facilities, 1), Places: sc(s.Places, 10),
		Actors: sc(s.Actors, 2), Sources: sc(s.Sources, 1), Claims: sc(s.Claims, 1)}
}

// Records returns how many records a graph of this size has.
func (s Size) Records() int {
	return s.Attacks + s.Facilities + s.Places + s.Actors + s.Sources + s.Claims
}

// Generate returns a synthetic bundle of the given size, the same for the same seed. Its shape
// follows the seed data's: places in a country/governorate/city/neighbourhood tree, facilities
// located in neighbourhoods with points around their city, attacks on one to three facilities with
// dates at day, month or range precision, and about four claims per attack from different sources,
// some of which cite others, with casualty ranges and attributions (a few denials among them).
func Generate(size Size, seed uint64) *athar.Bundle {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := &athar.Bundle{}
	add := func(e athar.Entity) { b.Records = append(b.Records, athar.Record{Entity: e, Where: e.EntityID()}) }

	// Places: 1 country, ~2% governorates, ~18% cities, the rest neighbourhoods.
	type city struct {
		id       string
		lat, lon float64
	}
	add(&athar.Place{ID: "place:country-0", Name: "Country 0", Kind: "COUNTRY"})
	nGov := max(1, size.Places/50)
	nCity := max(1, size.Places*18/100)
	var govs []string
	var cities []city
	var hoods []string
	for i := 0; i < nGov; i++ {
		id := fmt.Sprintf("place:gov-%d", i)
		govs = append(govs, id)
		add(&athar.Place{ID: id, Name: fmt.Sprintf("Governorate %d", i), Kind: "GOVERNORATE", PartOf: "place:country-0"})
	}
	for i := 0; i < nCity; i++ {
		c := city{id: fmt.Sprintf("place:city-%d", i), lat: 32 + r.Float64()*5, lon: 35.5 + r.Float64()*6}
		cities = append(cities, c)
		add(&athar.Place{ID: c.id, Name: fmt.Sprintf("City %d", i), Aliases: []string{fmt.Sprintf("Madinat %d", i)}, Kind: "CITY",
			PartOf: govs[i%len(govs)], Location: &athar.Location{Latitude: c.lat, Longitude: c.lon, Precision: "CENTROID"}})
	}
	for i := 0; i < size.Places-1-nGov-nCity; i++ {
		id := fmt.Sprintf("place:hood-%d", i)
		hoods = append(hoods, id)
		add(&athar.Place{ID: id, Name: fmt.Sprintf("Neighbourhood %d", i), Kind: "NEIGHBOURHOOD", PartOf: cities[i%len(cities)].id})
	}
	if len(hoods) == 0 {
		for _, c := range cities {
			hoods = append(hoods, c.id)
		}
	}

	// Actors: a few states with forces, armed groups, monitors, media and people.
	actorKinds := []athar.ActorKind{"STATE_FORCE", "ARMED_GROUP", "NGO", "MEDIA", "MONITOR", "PERSON", "UN_BODY"}
	var actors []string
	for i := 0; i < size.Actors; i++ {
		id := fmt.Sprintf("actor:actor-%d", i)
		a := &athar.Actor{ID: id, Name: fmt.Sprintf("Actor %d", i), Kind: actorKinds[i%len(actorKinds)]}
		if i >= 10 && i%5 == 0 {
			a.PartOf = actors[r.IntN(10)]
		}
		if i < 10 {
			a.Kind = "GOVERNMENT"
		}
		actors = append(actors, id)
		add(a)
	}

	// Facilities, located in neighbourhoods, with points near their city.
	facTypes := []athar.FacilityType{"SCHOOL", "SCHOOL", "HOSPITAL", "CLINIC", "MARKET", "BAKERY", "SHELTER", "MOSQUE", "MILITARY_SITE", "BLOOD_BANK"}
	var facilities []string
	for i := 0; i < size.Facilities; i++ {
		id := fmt.Sprintf("facility:fac-%d", i)
		hood := r.IntN(len(hoods))
		c := cities[hood%len(cities)]
		f := &athar.Facility{ID: id, Name: fmt.Sprintf("Facility %d", i), Type: facTypes[i%len(facTypes)], PlaceID: hoods[hood],
			Aliases: []string{fmt.Sprintf("Facility number %d", i)}}
		if r.IntN(10) < 8 {
			f.Location = &athar.Location{Latitude: c.lat + r.NormFloat64()*0.02, Longitude: c.lon + r.NormFloat64()*0.02, Precision: "APPROXIMATE"}
		}
		facilities = append(facilities, id)
		add(f)
	}

	// Sources: a tenth cite an earlier one.
	srcKinds := []athar.SourceKind{"NEWS", "NGO_REPORT", "UN_REPORT", "STATEMENT", "LIVE_BLOG", "VIDEO", "TESTIMONY"}
	var sources []string
	for i := 0; i < size.Sources; i++ {
		id := fmt.Sprintf("source:src-%d", i)
		s := &athar.Source{ID: id, Title: fmt.Sprintf("Report %d on attacks", i), Kind: srcKinds[i%len(srcKinds)],
			PublishedBy: []string{actors[r.IntN(len(actors))]}}
		if i > 0 && r.IntN(10) == 0 {
			s.Cites = []string{sources[r.IntN(len(sources))]}
		}
		sources = append(sources, id)
		add(s)
	}

	// Attacks between 2011 and 2024.
	start := time.Date(2011, 3, 1, 0, 0, 0, 0, time.UTC)
	days := int(time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC).Sub(start).Hours() / 24)
	atkTypes := []athar.AttackType{"AIRSTRIKE", "SHELLING", "HELICOPTER_ATTACK", "MISSILE_STRIKE", "MORTAR_FIRE", "CAR_BOMB", "GROUND_ASSAULT"}
	weapons := []athar.Weapon{"BARREL_BOMB", "MISSILE", "HIGH_EXPLOSIVE_BOMB", "MORTAR", "ARTILLERY", "ROCKET", "CLUSTER_MUNITION", "CAR_BOMB"}
	var attacks []string
	for i := 0; i < size.Attacks; i++ {
		id := fmt.Sprintf("attack:atk-%d", i)
		day := start.AddDate(0, 0, r.IntN(days))
		var d athar.Date
		switch r.IntN(20) {
		case 0:
			d, _ = athar.ParseDate(day.Format("2006-01"), "", "")
		case 1:
			d, _ = athar.ParseDate(day.Format(time.DateOnly), day.AddDate(0, 0, 1+r.IntN(6)).Format(time.DateOnly), "")
		default:
			d, _ = athar.ParseDate(day.Format(time.DateOnly), "", "")
		}
		a := &athar.Attack{ID: id, Title: fmt.Sprintf("Attack %d", i), Summary: fmt.Sprintf("Synthetic attack number %d", i), Date: d,
			AttackTypes: []athar.AttackType{atkTypes[r.IntN(len(atkTypes))]}, Weapons: []athar.Weapon{weapons[r.IntN(len(weapons))]}}
		for range 1 + r.IntN(3)*r.IntN(2) {
			a.FacilityIDs = append(a.FacilityIDs, facilities[zipf(r, len(facilities))])
		}
		a.PlaceIDs = []string{hoods[r.IntN(len(hoods))]}
		attacks = append(attacks, id)
		add(a)
	}

	// Claims: spread over attacks, each from a source; casualties, perpetrators and denials.
	kinds := []athar.ClaimKind{"CASUALTIES", "CASUALTIES", "PERPETRATOR", "WEAPON", "NARRATIVE", "DATE", "LOCATION"}
	for i := 0; i < size.Claims; i++ {
		c := &athar.Claim{ID: fmt.Sprintf("claim:clm-%d", i), AttackID: attacks[i%len(attacks)], SourceID: sources[r.IntN(len(sources))],
			Kind: kinds[r.IntN(len(kinds))], Stance: athar.Asserts, Text: fmt.Sprintf("Statement %d", i),
			Quote: fmt.Sprintf("witnesses said the strike on the facility killed people (%d)", i)}
		switch c.Kind {
		case "CASUALTIES":
			low := r.IntN(40)
			hi := low + r.IntN(20)
			c.Killed = &athar.Range{Low: &low, High: &hi}
			if r.IntN(3) == 0 {
				kids := r.IntN(low + 1)
				c.ChildrenKilled = &athar.Range{Low: &kids}
			}
		case "PERPETRATOR":
			c.Names = []string{actors[r.IntN(min(len(actors), 40))]}
			if r.IntN(8) == 0 {
				c.Kind, c.Stance = "DENIAL", athar.Denies
			}
		}
		if r.IntN(5) == 0 {
			c.ClaimedBy = actors[r.IntN(len(actors))]
		}
		add(c)
	}
	return b
}

// zipf picks an index with a skew: a few facilities are hit again and again, as in real data.
func zipf(r *rand.Rand, n int) int {
	if r.IntN(4) == 0 {
		return r.IntN(max(1, n/50))
	}
	return r.IntN(n)
}
