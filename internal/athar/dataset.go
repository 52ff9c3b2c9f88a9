package athar

import "time"

// DatasetInfo is what the graph knows of a dataset beyond its own fields: when an import last
// wrote its records, and how many records of each type it has.
type DatasetInfo struct {
	ImportedAt *time.Time // nil before any import
	Counts     DatasetCounts
}

// DatasetCounts are how many records of each type a dataset has in the graph, withdrawn ones
// included.
type DatasetCounts struct {
	Attacks          int
	WithdrawnAttacks int
	Claims           int
	Sources          int
	Events           int
	Facilities       int
}

// LocationOrigin says whose point a map uses for an attack.
type LocationOrigin string

// The origins of an attack's mapped point, in the order they are preferred.
const (
	FromAttack   LocationOrigin = "ATTACK"   // the attack's own location
	FromFacility LocationOrigin = "FACILITY" // the first facility it hit, by id, that has one
	FromPlace    LocationOrigin = "PLACE"    // the first place it occurred in, by id, that has one
	// FromEnclosingPlace is the nearest place with a point that holds a place the attack occurred
	// in, or the facility it hit (the facility's own place counts, at distance 0); the nearest by
	// steps up the hierarchy, then by id. Its precision says how wide the place is
	// (PrecisionOfPlaceKind): a map shows only which wider place the attack was in.
	FromEnclosingPlace LocationOrigin = "ENCLOSING_PLACE"
)

// PrecisionOfPlaceKind is the precision of a point that stands for a whole place of the kind: a
// country's or a governorate's centre is COUNTRY or GOVERNORATE (UCDP's where_prec 6 and 4), a
// district's DISTRICT, a city's, town's or village's SETTLEMENT (ACLED's geo_precision 1), any
// other place's CENTROID.
func PrecisionOfPlaceKind(kind PlaceKind) LocationPrecision {
	switch kind {
	case "COUNTRY", "GOVERNORATE", "DISTRICT":
		return LocationPrecision(kind)
	case "CITY", "TOWN", "VILLAGE":
		return "SETTLEMENT"
	}
	return "CENTROID"
}

// MappedLocation is where a map puts an attack: its own location, else its facility's, else its
// place's, else an enclosing place's, and which of them it is. The near filter and the GeoJSON export use the same point.
type MappedLocation struct {
	Location Location
	From     LocationOrigin
}

// Withdrawn reports whether the latest release of the attack's dataset no longer contains it.
func (x *Attack) Withdrawn() bool { return x.WithdrawnIn != "" }

// Withdrawn reports whether the latest release of the claim's dataset no longer contains it.
func (x *Claim) Withdrawn() bool { return x.WithdrawnIn != "" }
