package athar

import (
	"cmp"
	"context"
	"math"
	"slices"
	"time"
)

// The same incident is often in several datasets: a school strike that UCDP GED, ACLED and a
// curator's case file each record, in their own words and with their own figures. Athar keeps each
// record as it is and lets a curator say which records are one incident: possible duplicates are
// proposed by a documented rule (RankDuplicates), a curator confirms them (a linked group), and
// summaries over a group count each source once.

// Bounds of a search for possible duplicates.
const (
	// DefaultDuplicateDays is how many days apart two records' dates may be by default: one, since
	// datasets date a strike reported after midnight, or by its local date, a day apart.
	DefaultDuplicateDays = 1
	// MaxDuplicateDays is the widest date window: a year and a day, for records dated by month or year.
	MaxDuplicateDays = 366
	// DefaultDuplicateMeters is how far apart two records' mapped points may be by default, in metres:
	// 5 km, the radius of a town, within which UCDP's and ACLED's coordinates for the same strike
	// usually fall when both are precise to the settlement (UCDP GED codebook, where_prec 1-2;
	// ACLED codebook, geo_precision 1).
	DefaultDuplicateMeters = 5000.0
	// MaxDuplicateMeters is the widest distance, in metres: 100 km.
	MaxDuplicateMeters = 100_000.0
	// DefaultDuplicateCount is how many candidates an answer has by default.
	DefaultDuplicateCount = 10
	// MaxDuplicateCount is the most candidates an answer may have.
	MaxDuplicateCount = 100
	// MinIncidentSize and MaxIncidentSize bound how many attacks one link names.
	MinIncidentSize = 2
	MaxIncidentSize = 50
)

// DuplicateRequest asks for the attacks of other datasets that may record the same incident as
// AttackID: dated within WithinDays of it and mapped within WithinMeters of it (or sharing a
// facility or place), the First best.
type DuplicateRequest struct {
	AttackID     string
	WithinDays   int
	WithinMeters float64
	First        int
}

// DefaultDuplicateRequest is the request for AttackID with the default bounds, the rule
// datasetOverlap's candidate matches follow.
func DefaultDuplicateRequest(attackID string) DuplicateRequest {
	return DuplicateRequest{AttackID: attackID, WithinDays: DefaultDuplicateDays, WithinMeters: DefaultDuplicateMeters, First: DefaultDuplicateCount}
}

// Check reports a request out of bounds, naming the argument: attackId (not an attack id),
// withinDays (outside 0..MaxDuplicateDays), withinMeters (not above 0 or above MaxDuplicateMeters),
// first (outside 1..MaxDuplicateCount).
func (r DuplicateRequest) Check() error {
	var p Problems
	CheckID(&p, "attackId", TypeAttack, r.AttackID)
	if r.WithinDays < 0 || r.WithinDays > MaxDuplicateDays {
		p.Add("withinDays", "must be between 0 and %d days", MaxDuplicateDays)
	}
	if !(r.WithinMeters > 0) || r.WithinMeters > MaxDuplicateMeters || math.IsInf(r.WithinMeters, 0) {
		p.Add("withinMeters", "must be above 0 and at most %.0f metres (100 km)", MaxDuplicateMeters)
	}
	if r.First < 1 || r.First > MaxDuplicateCount {
		p.Add("first", "must be between 1 and %d", MaxDuplicateCount)
	}
	return p.Err()
}

// DuplicateReason says why an attack is a candidate duplicate of another.
type DuplicateReason string

// Why an attack is a candidate; see RankDuplicates.
const (
	// ReasonSameDay: the two date ranges share at least one day.
	ReasonSameDay DuplicateReason = "SAME_DAY"
	// ReasonWithinDays: the date ranges are apart, by no more than the days asked for.
	ReasonWithinDays DuplicateReason = "WITHIN_DAYS"
	// ReasonWithinDistance: the mapped points are no farther apart than the metres asked for.
	ReasonWithinDistance DuplicateReason = "WITHIN_DISTANCE"
	// ReasonSameFacility: both are linked to one facility.
	ReasonSameFacility DuplicateReason = "SAME_FACILITY"
	// ReasonNamesFacility: the title or a claim's quote of one names a facility the other hit, by its
	// name or an alias of two words or more, compared folded as search compares text (SearchKey).
	ReasonNamesFacility DuplicateReason = "NAMES_FACILITY"
	// ReasonSamePlace: a place of one (where it occurred, or its facility's place) is a place of the
	// other or inside it, and that place is smaller than a governorate.
	ReasonSamePlace DuplicateReason = "SAME_PLACE"
	// ReasonCasualtiesAgree: both have killed figures, and their ranges overlap.
	ReasonCasualtiesAgree DuplicateReason = "CASUALTIES_AGREE"
	// ReasonCasualtiesDisagree: both have killed figures, and their ranges do not overlap.
	ReasonCasualtiesDisagree DuplicateReason = "CASUALTIES_DISAGREE"
)

// DuplicateFacts is what the store finds out about one candidate: how far apart the two attacks'
// date ranges are, in whole days (0 when they share a day); how far apart their mapped points are,
// in metres (nil when either has none); whether they share a facility, whether the words of one
// name a facility of the other (ReasonNamesFacility), whether they share a place; the lowest and
// highest killed figures of each (their claims' summary, nil when none gives one); and whether a
// curator has linked them as one incident.
type DuplicateFacts struct {
	AttackID              string
	DaysApart             int
	DistanceMeters        *float64
	SharesFacility        bool
	NamesFacility         bool
	SharesPlace           bool
	KilledLow, KilledHigh *int // the attack asked about
	OtherLow, OtherHigh   *int // the candidate
	AlreadyLinked         bool
}

// DuplicateCandidate is an attack that may record the same incident as the one asked about, with
// its score (0 to 1, higher is likelier), the facts it rests on, and the reasons a curator reads.
type DuplicateCandidate struct {
	AttackID       string
	Score          float64
	DistanceMeters *float64
	DaysApart      int
	Reasons        []DuplicateReason
	AlreadyLinked  bool
}

// The weights of the duplicate score; they add up to 1.
const (
	scoreDate       = 0.30 // how close the dates are
	scoreDistance   = 0.30 // how close the mapped points are
	scoreShared     = 0.25 // a shared or named facility (all of it) or a shared place (half)
	scoreCasualties = 0.15 // killed figures that agree (all), are unknown on either side (half), or disagree (none)
)

// RankDuplicates scores and orders the candidates the store found for r, best first, and keeps the
// first r.First. A candidate is one whose dates are within r.WithinDays and whose mapped point is
// within r.WithinMeters or that shares a facility, names one (ReasonNamesFacility) or shares a
// place; others are left out. Its score is the sum of:
//   - 0.30 × date closeness: 1 when the date ranges share a day, else 1 − daysApart/(withinDays+1);
//   - 0.30 × nearness: 1 − distance/withinMeters when both have a point within the distance, else 0;
//   - 0.25 × sharing: 1 for a shared or named facility, 0.5 for a shared place only, else 0;
//   - 0.15 × casualty agreement: 1 when both give killed figures and their ranges overlap, 0 when
//     both give figures that do not, 0.5 when either gives none;
//
// rounded to three decimals. Ties go to the fewer days apart, then the nearer, then the id. An
// attack already linked to the one asked about stays in the list, marked AlreadyLinked, so that a
// curator sees the whole group next to the candidates.
func RankDuplicates(r DuplicateRequest, facts []DuplicateFacts) []DuplicateCandidate {
	out := make([]DuplicateCandidate, 0, len(facts))
	for _, f := range facts {
		within := f.DistanceMeters != nil && *f.DistanceMeters <= r.WithinMeters
		if f.DaysApart > r.WithinDays || !(within || f.SharesFacility || f.NamesFacility || f.SharesPlace) {
			continue
		}
		c := DuplicateCandidate{AttackID: f.AttackID, DistanceMeters: f.DistanceMeters, DaysApart: f.DaysApart, AlreadyLinked: f.AlreadyLinked}
		score := 0.0
		if f.DaysApart == 0 {
			c.Reasons = append(c.Reasons, ReasonSameDay)
			score += scoreDate
		} else {
			c.Reasons = append(c.Reasons, ReasonWithinDays)
			score += scoreDate * (1 - float64(f.DaysApart)/float64(r.WithinDays+1))
		}
		if within {
			c.Reasons = append(c.Reasons, ReasonWithinDistance)
			score += scoreDistance * (1 - *f.DistanceMeters/r.WithinMeters)
		}
		switch {
		case f.SharesFacility || f.NamesFacility:
			score += scoreShared
		case f.SharesPlace:
			score += scoreShared / 2
		}
		if f.SharesFacility {
			c.Reasons = append(c.Reasons, ReasonSameFacility)
		}
		if f.NamesFacility {
			c.Reasons = append(c.Reasons, ReasonNamesFacility)
		}
		if f.SharesPlace {
			c.Reasons = append(c.Reasons, ReasonSamePlace)
		}
		switch agree, known := killedAgree(f); {
		case !known:
			score += scoreCasualties / 2
		case agree:
			c.Reasons = append(c.Reasons, ReasonCasualtiesAgree)
			score += scoreCasualties
		default:
			c.Reasons = append(c.Reasons, ReasonCasualtiesDisagree)
		}
		c.Score = math.Round(score*1000) / 1000
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b DuplicateCandidate) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.DaysApart, b.DaysApart),
			cmp.Compare(distanceOrInf(a.DistanceMeters), distanceOrInf(b.DistanceMeters)), cmp.Compare(a.AttackID, b.AttackID))
	})
	if len(out) > r.First {
		out = out[:r.First]
	}
	return out
}

// killedAgree reports whether the two killed ranges overlap; known is false when either attack
// gives no killed figure. A range given by one bound only is that bound at both ends.
func killedAgree(f DuplicateFacts) (agree, known bool) {
	lo1, hi1, ok1 := bounds(f.KilledLow, f.KilledHigh)
	lo2, hi2, ok2 := bounds(f.OtherLow, f.OtherHigh)
	if !ok1 || !ok2 {
		return false, false
	}
	return lo1 <= hi2 && lo2 <= hi1, true
}

func bounds(low, high *int) (lo, hi int, ok bool) {
	switch {
	case low != nil && high != nil:
		return *low, *high, true
	case low != nil:
		return *low, *low, true
	case high != nil:
		return *high, *high, true
	}
	return 0, 0, false
}

func distanceOrInf(d *float64) float64 {
	if d == nil {
		return math.Inf(1)
	}
	return *d
}

// LinkRequest says that the attacks AttackIDs record one incident, with an optional note (why the
// curator thinks so).
type LinkRequest struct {
	AttackIDs []string
	Note      string
}

// Check reports a link request that cannot be made: fewer than MinIncidentSize or more than
// MaxIncidentSize attacks (naming attackIds), an id that is not an attack id or is given twice
// (naming attackIds[i]), a note longer than any text may be (naming note).
func (r *LinkRequest) Check() error {
	var p Problems
	if len(r.AttackIDs) < MinIncidentSize || len(r.AttackIDs) > MaxIncidentSize {
		p.Add("attackIds", "give between %d and %d attacks", MinIncidentSize, MaxIncidentSize)
	}
	for i, id := range r.AttackIDs {
		field := indexField("attackIds", i)
		CheckID(&p, field, TypeAttack, id)
		if slices.Index(r.AttackIDs, id) < i {
			p.Add(field, "is given twice")
		}
	}
	if len(r.Note) > maxText {
		p.Add("note", "is longer than %d bytes", maxText)
	}
	return p.Err()
}

// DatasetOverlap says how many of the attacks of dataset A (those a filter matches) have a match in
// dataset B: Confirmed, linked to one of B's by a curator; Matched, confirmed or with a candidate in
// B by the default rule (DefaultDuplicateRequest, RankDuplicates); Total, how many there are; and
// Unmatched, the ids of those with neither, in date order (then id).
type DatasetOverlap struct {
	Matched, Confirmed, Total int
	Unmatched                 []string
}

// IncidentLink is an attack's membership of a linked group: the other attacks of the group, by id,
// and the note and time (UTC) of the link that put the attack in it.
type IncidentLink struct {
	Others   []string
	Note     string
	LinkedAt time.Time
}

// Incidents reads the groups of attacks curators linked as one incident and proposes new ones.
// Every method fails as a Reader's do.
type Incidents interface {
	// DuplicateFacts returns the facts of every attack that may be a duplicate of r.AttackID: of
	// another dataset than its own (a curated attack, of none, is its own), dated within
	// r.WithinDays, and mapped within r.WithinMeters, sharing a facility, naming one
	// (ReasonNamesFacility) or sharing a place (ReasonSamePlace).
	// An attack whose date range spans years and shares no facility is not found unless it starts
	// or ends within the days. RankDuplicates scores them. Errors: ENOTFOUND (no such attack, naming
	// attackId).
	DuplicateFacts(ctx context.Context, r DuplicateRequest) ([]DuplicateFacts, error)
	// SameIncident returns, for each attack id in a linked group, the link that put it there and
	// the other attacks of the group; an attack in none is left out.
	SameIncident(ctx context.Context, ids []string) (map[string]IncidentLink, error)
	// DatasetOverlap compares the attacks of dataset a that f matches with dataset b.
	// Errors: ENOTFOUND (a or b names no dataset, naming a or b).
	DatasetOverlap(ctx context.Context, a, b string, f AttackFilter) (*DatasetOverlap, error)
}

// IncidentCurator links and unlinks attacks as one incident. Each call is one transaction, and
// fails as a Curator's methods do.
type IncidentCurator interface {
	// LinkSameIncident records that the attacks are one incident. Groups are transitive: an attack
	// already in a group brings its whole group, so linking A with B and then B with C makes A, B
	// and C one group. Linking attacks already in one group changes nothing but the note. It returns
	// the ids of the whole group, sorted. Errors: EINVALID (as LinkRequest.Check), ENOTFOUND (an id
	// names no attack, naming attackIds[i]).
	LinkSameIncident(ctx context.Context, r LinkRequest) ([]string, error)
	// UnlinkSameIncident takes the attack out of its group; a group left with one attack is
	// dissolved. It returns the ids of the attacks left in the group (none when it was dissolved, or
	// the attack was in none). Errors: EINVALID (not an attack id, naming attackId), ENOTFOUND
	// (naming attackId).
	UnlinkSameIncident(ctx context.Context, attackID string) ([]string, error)
}
