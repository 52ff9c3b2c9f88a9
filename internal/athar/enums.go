package athar

import (
	"reflect"
	"slices"
)

// Enum values are stored in Neo4j and written in bundles exactly as GraphQL spells them.

// FacilityType is what a facility is used for.
type FacilityType string

// PlaceKind is the administrative or geographic level of a place.
type PlaceKind string

// ActorKind is what sort of body or person an actor is.
type ActorKind string

// SourceKind is what sort of document a source is.
type SourceKind string

// EventKind is what sort of context an event is: a gathering, a truce, a campaign.
type EventKind string

// AttackType is how an attack was carried out.
type AttackType string

// Weapon is a weapon an account names.
type Weapon string

// TimeOfDay is the part of the day an account gives.
type TimeOfDay string

// ClaimKind is what a claim is about.
type ClaimKind string

// Stance says whether a claim asserts or denies what it states.
type Stance string

// LocationPrecision says how exactly a point marks the spot.
type LocationPrecision string

// AccessLevel is who may read a source or a claim: PUBLIC material anyone who may read at all,
// RESTRICTED material accounts cleared to restricted or confidential, CONFIDENTIAL material
// accounts cleared to confidential only (Clearance). Levels are ordered as AccessLevels lists them.
type AccessLevel string

// The values of each enum, in the order the API lists them.
var (
	FacilityTypes = []FacilityType{"SCHOOL", "HOSPITAL", "CLINIC", "MEDICAL_FACILITY", "BLOOD_BANK",
		"MARKET", "BAKERY", "SHELTER", "MOSQUE", "RESIDENTIAL", "WATER_FACILITY", "OFFICE", "MILITARY_SITE", "OTHER"}
	PlaceKinds = []PlaceKind{"COUNTRY", "GOVERNORATE", "DISTRICT", "CITY", "TOWN", "VILLAGE",
		"NEIGHBOURHOOD", "REGION"}
	ActorKinds = []ActorKind{"STATE_FORCE", "GOVERNMENT", "ARMED_GROUP", "UN_BODY", "NGO", "MEDIA",
		"MONITOR", "COALITION", "PERSON", "OTHER"}
	SourceKinds = []SourceKind{"NEWS", "ARTICLE", "PROFILE", "NGO_REPORT", "UN_REPORT", "STATEMENT",
		"LIVE_BLOG", "VIDEO", "PHOTO", "TESTIMONY", "SOCIAL_MEDIA", "DATASET_RECORD", "OTHER"}
	EventKinds = []EventKind{"EXHIBITION", "CHARITY_MARKET", "GATHERING", "TRUCE", "CAMPAIGN", "SIEGE",
		"ANNOUNCEMENT", "CONFLICT", "DYAD", "OTHER"}
	AttackTypes = []AttackType{"AIRSTRIKE", "HELICOPTER_ATTACK", "SHELLING", "BOMBARDMENT",
		"MISSILE_STRIKE", "MORTAR_FIRE", "CAR_BOMB", "GROUND_ASSAULT", "ARSON", "OTHER"}
	Weapons = []Weapon{"BARREL_BOMB", "MISSILE", "CRUISE_MISSILE", "HIGH_EXPLOSIVE_BOMB",
		"PARACHUTE_BOMB", "MORTAR", "ARTILLERY", "ROCKET", "CLUSTER_MUNITION", "CAR_BOMB", "SMALL_ARMS",
		"CHLORINE", "SARIN", "CHEMICAL_AGENT", "OTHER"}
	TimesOfDay         = []TimeOfDay{"MORNING", "AFTERNOON", "EVENING", "NIGHT"}
	ClaimKinds         = []ClaimKind{"CASUALTIES", "PERPETRATOR", "DENIAL", "WEAPON", "DATE", "LOCATION", "DAMAGE", "WARNING", "NARRATIVE"}
	Stances            = []Stance{"ASSERTS", "DENIES"}
	LocationPrecisions = []LocationPrecision{"EXACT", "APPROXIMATE", "CENTROID", "NEAR", "SETTLEMENT", "DISTRICT", "GOVERNORATE", "COUNTRY"}
	AccessLevels       = []AccessLevel{Public, Restricted, Confidential}
)

// enumValues are the values of every enum type an entity's field may have, in the API's order:
// a field of a type listed here is described as an enum.
var enumValues = map[reflect.Type][]string{
	reflect.TypeFor[FacilityType]():      names(FacilityTypes),
	reflect.TypeFor[PlaceKind]():         names(PlaceKinds),
	reflect.TypeFor[ActorKind]():         names(ActorKinds),
	reflect.TypeFor[SourceKind]():        names(SourceKinds),
	reflect.TypeFor[EventKind]():         names(EventKinds),
	reflect.TypeFor[AttackType]():        names(AttackTypes),
	reflect.TypeFor[Weapon]():            names(Weapons),
	reflect.TypeFor[TimeOfDay]():         names(TimesOfDay),
	reflect.TypeFor[ClaimKind]():         names(ClaimKinds),
	reflect.TypeFor[Stance]():            names(Stances),
	reflect.TypeFor[LocationPrecision](): names(LocationPrecisions),
	reflect.TypeFor[AccessLevel]():       names(AccessLevels),
}

// Claim kinds and stances the derivation rules refer to.
const (
	ClaimCasualties  ClaimKind = "CASUALTIES"
	ClaimPerpetrator ClaimKind = "PERPETRATOR"
	ClaimDenial      ClaimKind = "DENIAL"
	Asserts          Stance    = "ASSERTS"
	Denies           Stance    = "DENIES"
)

// checkEnum records a problem when v is not one of values; an empty v is allowed unless required.
func checkEnum(p *Problems, field string, v string, values []string, required bool) {
	if v == "" {
		if required {
			p.Add(field, "is required")
		}
		return
	}
	if !slices.Contains(values, v) {
		p.Add(field, "%q is not one of %v", string(v), values)
	}
}

// checkEnums checks every element of a list of enum values.
func checkEnums[T ~string](p *Problems, field string, vs []T, values []string) {
	for i, v := range vs {
		checkEnum(p, indexField(field, i), string(v), values, true)
	}
}
