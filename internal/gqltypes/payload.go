package gqltypes

import "github.com/athar-project/athar/internal/athar"

// Payload is what every mutation answers (CreatePlacePayload, AddAttackFacilityPayload, …, in
// Relay's input/payload convention): the client's clientMutationId, echoed; the entity the mutation
// wrote, nil when it did not happen; and the user errors that stopped it. One Go type serves every
// payload type of the schema: each reads only the entity field it declares (place, attack, …)
// through the typed methods below, so a new payload needs a line in gqlgen.yml, not a new type.
type Payload struct {
	ClientMutationID *string
	Entity           athar.Entity // nil when the mutation did not happen
	UserErrors       []*UserError // never nil: the schema's userErrors is a non-null list
}

// Dataset is the dataset the mutation wrote, or nil.
func (p *Payload) Dataset() *athar.Dataset { return entity[*athar.Dataset](p) }

// Place is the place the mutation wrote, or nil.
func (p *Payload) Place() *athar.Place { return entity[*athar.Place](p) }

// Actor is the actor the mutation wrote, or nil.
func (p *Payload) Actor() *athar.Actor { return entity[*athar.Actor](p) }

// Facility is the facility the mutation wrote, or nil.
func (p *Payload) Facility() *athar.Facility { return entity[*athar.Facility](p) }

// Source is the source the mutation wrote, or nil.
func (p *Payload) Source() *athar.Source { return entity[*athar.Source](p) }

// Event is the event the mutation wrote, or nil.
func (p *Payload) Event() *athar.Event { return entity[*athar.Event](p) }

// Attack is the attack the mutation wrote, or nil.
func (p *Payload) Attack() *athar.Attack { return entity[*athar.Attack](p) }

// Claim is the claim the mutation wrote, or nil.
func (p *Payload) Claim() *athar.Claim { return entity[*athar.Claim](p) }

func entity[T athar.Entity](p *Payload) T {
	e, _ := p.Entity.(T)
	return e
}

// UserError is a problem with a mutation's input that the client can correct (GraphQL UserError).
type UserError struct {
	Field   []string // the path into the arguments ("input", "date", "start"); nil when about no one field
	Code    UserErrorCode
	Message string
}

// UserErrorCode is what kind of user error it is.
type UserErrorCode string

// The user error codes, one for each domain code that is the input's fault.
const (
	UserErrorInvalid  UserErrorCode = "INVALID"   // athar.EINVALID
	UserErrorNotFound UserErrorCode = "NOT_FOUND" // athar.ENOTFOUND
	UserErrorConflict UserErrorCode = "CONFLICT"  // athar.ECONFLICT
)

// DeletePayload is what every delete mutation answers (DeletePlacePayload, …): the id deleted and
// those deleted with it, or the user errors that stopped it.
type DeletePayload struct {
	ClientMutationID *string
	DeletedID        *string  // nil when nothing was deleted
	CascadedIDs      []string // the ids deleted with it; nil when nothing was deleted
	UserErrors       []*UserError
}

// RestorePayload is what restore answers: the entity restored and the ids restored with it, or the
// user errors that stopped it.
type RestorePayload struct {
	ClientMutationID *string
	Node             athar.Entity // nil when nothing was restored
	CascadedIDs      []string
	UserErrors       []*UserError
}

// MergePayload is what every merge mutation answers (MergePlacesPayload, …): the kept entity, read
// through the typed method its payload declares, and the id merged away, or the user errors that
// stopped it.
type MergePayload struct {
	ClientMutationID *string
	Entity           athar.Entity // the kept entity; nil when nothing was merged
	RemovedID        *string
	UserErrors       []*UserError
}

// Place is the kept place, or nil.
func (p *MergePayload) Place() *athar.Place { e, _ := p.Entity.(*athar.Place); return e }

// Actor is the kept actor, or nil.
func (p *MergePayload) Actor() *athar.Actor { e, _ := p.Entity.(*athar.Actor); return e }

// Facility is the kept facility, or nil.
func (p *MergePayload) Facility() *athar.Facility { e, _ := p.Entity.(*athar.Facility); return e }

// Source is the kept source, or nil.
func (p *MergePayload) Source() *athar.Source { e, _ := p.Entity.(*athar.Source); return e }
