package athar

import (
	"context"
	"time"
)

// Change is the record of one change: a mutation of one entity, one batch of an import, an
// export, or a change to an account. The store writes it in the transaction of the change itself,
// so that a change is recorded exactly when it happens; no API changes or deletes it.
type Change struct {
	ID string // change:<time>-<random>, in the order changes were made
	At time.Time
	// By is the account that made the change, LocalName for the single-user instance and the
	// command line, or AnonymousName for an anonymous export.
	By string
	// Action says what was done: ChangeCreate, ChangeUpdate, ChangeLink, ChangeUnlink,
	// ChangeCorrectMatch, ChangeImport, ChangeExport, ChangeAccountAdd, ChangeAccountRevoke,
	// ChangeDelete, ChangeRestore, ChangeMerge.
	Action string
	// EntityID and EntityType name what changed: an entity (attack:…, Attack), a dataset an
	// import batch wrote (dataset:…, Dataset; "bundle", Bundle for curated records), an export
	// (export:attacks.csv, Export), an account (account:NAME, Account).
	EntityID   string
	EntityType string
	// OtherID names the second entity a change is about, whose history shows it too: the kept
	// entity of a merge (EntityID is the removed one); "" for every other change.
	OtherID string
	// Before and After are JSON objects of the fields that changed, as they were and as they are
	// (for an entity, by their names in the API); Before is "" for what did not exist before.
	// An import batch's After holds the dataset, the record type and the counts; an export's its
	// filter.
	Before, After string
	// EntityIDs are, for an import batch, the ids of the entities it created or updated (sorted):
	// an imported entity's history holds the batches that wrote it. Nil for other records.
	EntityIDs []string
	Reason    string
	RequestID string
}

// The actions of change records.
const (
	ChangeCreate        = "CREATE"
	ChangeUpdate        = "UPDATE"
	ChangeLink          = "LINK_SAME_INCIDENT"
	ChangeUnlink        = "UNLINK_SAME_INCIDENT"
	ChangeCorrectMatch  = "CORRECT_MATCH"
	ChangeImport        = "IMPORT"
	ChangeExport        = "EXPORT"
	ChangeAccountAdd    = "ACCOUNT_ADD"
	ChangeAccountRevoke = "ACCOUNT_REVOKE"
)

// ChangeFilter selects change records: made at or after Since and before Until (zero bounds are
// open), by the account By ("" for anyone).
type ChangeFilter struct {
	Since, Until time.Time
	By           string
}

// Changes reads change records, newest first. Errors: EINVALID (a cursor of another list, naming
// after), and as a Reader's methods.
type Changes interface {
	// History returns the changes of the entity (or dataset, export, account) with the id: those
	// naming it, and the import batches that created or updated it.
	History(ctx context.Context, id string, page PageRequest) (*Page[*Change], error)
	// Changes returns the changes f selects.
	Changes(ctx context.Context, f ChangeFilter, page PageRequest) (*Page[*Change], error)
	// RecordExport records an export (which, with its filter as a JSON object) by the request's
	// principal, in a transaction of its own, before the export is sent.
	RecordExport(ctx context.Context, which, filter string) error
}
