package athar

import (
	"slices"
	"strings"
	"time"
)

// FigureSummary is what the live claims of an attack say about one count (killed, children killed,
// injured): the lowest and the highest figure any of them states, how many claims and sources state
// a figure, and how many of those sources are independent of each other. The claims themselves stay
// open to the reader; this is a reading aid, never a replacement for them.
type FigureSummary struct {
	Low                *int
	High               *int
	Claims             int
	Sources            int
	IndependentSources int
	// DatasetEstimates are the figures each event dataset gives (its claims' low, best and high:
	// UCDP's estimates), one per claim read from a dataset, in the order of the claims.
	DatasetEstimates []DatasetEstimate
}

// DatasetEstimate is the figure one event dataset's record gives for a count: UCDP's low, best and
// high estimates, ACLED's fatalities.
type DatasetEstimate struct {
	DatasetID       string
	ClaimID         string
	Low, Best, High *int
}

// KeptFigures is the killed count an attack keeps for each reader's clearance (Reader.KeptKilled):
// the lowest and highest killed value (low, best or high) of its claims that back figures
// (Claim.BacksFigures) among those the reader may read, which is SummarizeCasualties' Killed.Low
// and Killed.High over the same claims; nil when none gives one. Every write of an attack's claims
// keeps it, and the lists filter (minKilled) and order (KILLED) by it, so that a list that shows
// only these two reads no claim.
type KeptFigures struct {
	Low, High *int
}

// Casualties summarises the casualty figures of an attack's claims.
type Casualties struct {
	Killed         FigureSummary
	ChildrenKilled FigureSummary
	Injured        FigureSummary
}

// Attribution gathers, for one actor, the live claims that assert and those that deny its
// responsibility for an attack.
type Attribution struct {
	ActorID   string
	Asserting []*Claim
	Denying   []*Claim
}

// SourceIDs returns the ids of the sources of the attribution's claims, sorted.
func (a *Attribution) SourceIDs() []string {
	return claimSourceIDs(slices.Concat(a.Asserting, a.Denying))
}

// Citations tells, for a source id, the ids of every source it cites directly or through others.
type Citations map[string][]string

// IsLive reports whether a claim counts in summaries: it has not been retracted.
func (c *Claim) IsLive() bool { return c.Retracted == nil }

// BacksFigures reports whether the figures a claim gives count in the casualty summaries: it is
// live and does not deny what it states. The store keeps the same rule in Cypher for its indexes
// (neo4jstore's backsFigures); a test holds the two equal on every kind of claim.
func (c *Claim) BacksFigures() bool { return c.counts() && c.Stance != Denies }

// counts reports whether a claim counts in summaries and attributions: it is live, and the latest
// release of its dataset still contains it (a withdrawn record is kept, and shown, but no longer
// counted).
func (c *Claim) counts() bool { return c.IsLive() && c.WithdrawnIn == "" }

// Attributes reports whether a claim holds the actors it names responsible: a live PERPETRATOR
// claim that does not deny. The filter by actor uses the same rule in Cypher (neo4jstore's
// attributes); a test holds the two equal on every kind of claim.
func (c *Claim) Attributes() bool {
	return c.counts() && c.Kind == ClaimPerpetrator && c.Stance != Denies
}

// Rejects reports whether a claim rejects the responsibility of the actors it names: a live DENIAL
// claim, or a live PERPETRATOR claim that denies.
func (c *Claim) Rejects() bool {
	return c.counts() && (c.Kind == ClaimDenial || c.Kind == ClaimPerpetrator && c.Stance == Denies)
}

// CasualtyClaimFields are the fields of claims SummarizeCasualties reads: whether they count
// (stance, retraction, withdrawal; not their kind), their figures, their sources (for how many sources, and how many
// independent ones) and their datasets (each dataset's estimate). A reader may leave the others
// unread (WalkFields).
var CasualtyClaimFields = []string{"stance", "retracted", "withdrawnIn", "killed", "childrenKilled", "injured", "sourceId", "datasetId"}

// AttributionClaimFields are the fields of claims Attributions reads (whether they attribute or
// reject, and the actors named), and that an attribution's sources come from.
var AttributionClaimFields = []string{"kind", "stance", "retracted", "withdrawnIn", "names", "sourceId"}

// SummarizeCasualties derives an attack's casualty figures from its claims. Retracted claims do not
// count. A claim's figures count whatever its kind, so a NARRATIVE claim that gives a number is not
// lost. A source is independent unless it cites, directly or through others, another source that
// backs the same figure: a report that only repeats another adds no independent confirmation.
func SummarizeCasualties(claims []*Claim, cites Citations) Casualties {
	return Casualties{
		Killed:         summarize(claims, cites, func(c *Claim) *Range { return c.Killed }),
		ChildrenKilled: summarize(claims, cites, func(c *Claim) *Range { return c.ChildrenKilled }),
		Injured:        summarize(claims, cites, func(c *Claim) *Range { return c.Injured }),
	}
}

func summarize(claims []*Claim, cites Citations, figure func(*Claim) *Range) FigureSummary {
	var s FigureSummary
	var backing []*Claim
	for _, c := range claims {
		r := figure(c)
		if r == nil || !c.BacksFigures() {
			continue
		}
		backing = append(backing, c)
		if c.DatasetID != "" {
			s.DatasetEstimates = append(s.DatasetEstimates, DatasetEstimate{DatasetID: c.DatasetID, ClaimID: c.ID, Low: r.Low, Best: r.Best, High: r.High})
		}
		for _, v := range r.Values() {
			if s.Low == nil || v < *s.Low {
				s.Low = ptr(v)
			}
			if s.High == nil || v > *s.High {
				s.High = ptr(v)
			}
		}
	}
	s.Claims = len(backing)
	sources := claimSourceIDs(backing)
	s.Sources = len(sources)
	s.IndependentSources = countIndependent(sources, cites)
	return s
}

// countIndependent counts the sources that cite none of the others.
func countIndependent(sources []string, cites Citations) int {
	n := 0
	for _, id := range sources {
		dependent := false
		for _, cited := range cites[id] {
			if cited != id && slices.Contains(sources, cited) {
				dependent = true
				break
			}
		}
		if !dependent {
			n++
		}
	}
	return n
}

// Attributions derives, from an attack's claims, who is said to be responsible and who denies it:
// a claim that Attributes names the actors it holds responsible, one that Rejects names the actors
// whose responsibility it rejects. Actors come in the order of their first claim; claims keep the
// order they were given in.
func Attributions(claims []*Claim) []*Attribution {
	var out []*Attribution
	byActor := map[string]*Attribution{}
	for _, c := range claims {
		denies := c.Rejects()
		if !denies && !c.Attributes() {
			continue
		}
		for _, actor := range c.Names {
			a := byActor[actor]
			if a == nil {
				a = &Attribution{ActorID: actor}
				byActor[actor] = a
				out = append(out, a)
			}
			if denies {
				a.Denying = append(a.Denying, c)
			} else {
				a.Asserting = append(a.Asserting, c)
			}
		}
	}
	return out
}

// ClaimSourceIDs returns the distinct source ids of the given claims, sorted.
func ClaimSourceIDs(claims []*Claim) []string { return claimSourceIDs(claims) }

func claimSourceIDs(claims []*Claim) []string {
	var ids []string
	for _, c := range claims {
		if !slices.Contains(ids, c.SourceID) {
			ids = append(ids, c.SourceID)
		}
	}
	slices.Sort(ids)
	return ids
}

func ptr[T any](v T) *T { return &v }

// Retract marks the claim retracted for the reason given. A retraction is kept as it was made: a
// claim already retracted is not retracted again. Errors: EINVALID (no reason, or one longer than
// any text may be), ECONFLICT (already retracted).
func (c *Claim) Retract(reason string) error {
	if c.Retracted != nil {
		return Errorf(ECONFLICT, "the claim was already retracted on %s: %s", c.Retracted.At.Format(time.DateOnly), c.Retracted.Reason)
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Invalid("reason", "say why the claim is retracted")
	}
	if len(reason) > maxText {
		return Invalid("reason", "is longer than %d bytes", maxText)
	}
	c.Retracted = &Retraction{Reason: reason, At: time.Now().UTC()}
	return nil
}
