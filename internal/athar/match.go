package athar

import (
	"context"
	"time"
)

// MatchRule says how a dataset's mention of a place or an actor was resolved to a shared node
// (the rule is documented at neo4jstore's resolveShared).
type MatchRule string

// The match rules.
const (
	MatchName    MatchRule = "NAME"    // an existing node with the same folded name, kind and parent
	MatchAlias   MatchRule = "ALIAS"   // an existing node one of whose aliases folds to the name, same kind and parent
	MatchCreated MatchRule = "CREATED" // no node matched: a shared one was made from the dataset's record
	MatchCurator MatchRule = "CURATOR" // a curator pointed the match at this node
)

// MatchRules lists the match rules in the order they are tried.
var MatchRules = []MatchRule{MatchName, MatchAlias, MatchCreated, MatchCurator}

// DatasetMatch is one place or actor a dataset names, as its record gave it (RecordID, the id in
// the dataset's namespace; ExternalID; Name), and the shared node it resolved to (EntityID, of
// Type TypePlace or TypeActor), by Rule, at At.
type DatasetMatch struct {
	DatasetID  string
	RecordID   string
	ExternalID string
	Name       string
	EntityID   string
	Type       EntityType
	Rule       MatchRule
	At         time.Time
}

// MatchLister lists the matches of datasets' places and actors to shared nodes; Reader has it. It
// fails as a Reader's methods do.
type MatchLister interface {
	// MatchesOfDatasets returns, for each dataset id, the window w of its matches of type t
	// (TypePlace or TypeActor; both when ""), in the order of their record ids.
	MatchesOfDatasets(ctx context.Context, ids []string, t EntityType, w Window) (map[string]List[*DatasetMatch], error)
}

// MatchCorrector corrects the matches of datasets' places and actors; Curator has it. It fails as a
// Curator's methods do besides the errors it names.
type MatchCorrector interface {
	// CorrectMatch points the dataset's match of recordID at entityID, an existing node of the
	// match's type, and re-points the links of the dataset's records that used the old node, in
	// one transaction; the match's rule becomes MatchCurator, and later imports keep it.
	// Errors: ENOTFOUND (the dataset has no match of recordID), EINVALID naming entityId (not an
	// id of the match's type, or no such entity).
	CorrectMatch(ctx context.Context, datasetID, recordID, entityID string) (*DatasetMatch, error)
}
