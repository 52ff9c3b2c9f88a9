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
)

// MappedLocation is where a map puts an attack: its own location, else its facility's, else its
// place's, and which of them it is. The near filter and the GeoJSON export use the same point.
type MappedLocation struct {
	Location Location
	From     LocationOrigin
}

// Withdrawn reports whether the latest release of the attack's dataset no longer contains it.
func (x *Attack) Withdrawn() bool { return x.WithdrawnIn != "" }

// Withdrawn reports whether the latest release of the claim's dataset no longer contains it.
func (x *Claim) Withdrawn() bool { return x.WithdrawnIn != "" }
