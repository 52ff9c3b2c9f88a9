package athar

import "context"

// ListName names a list that hangs from an entity, as the Reader's list methods read it: the
// attacks on a facility (ListAttacksOnFacilities, Reader.AttacksOnFacilities), the claims about an
// attack, and so on.
type ListName string

// The lists a Walk can follow, one per list method of Reader.
const (
	ListAttacksOnFacilities ListName = "attacksOnFacilities"
	ListAttacksInPlaces     ListName = "attacksInPlaces"
	ListFacilitiesInPlaces  ListName = "facilitiesInPlaces"
	ListPartsOfPlaces       ListName = "partsOfPlaces"
	ListMembersOfActors     ListName = "membersOfActors"
	ListStatementsOfActors  ListName = "statementsOfActors"
	ListClaimsNamingActors  ListName = "claimsNamingActors"
	ListSourcesOfPublishers ListName = "sourcesOfPublishers"
	ListClaimsInSources     ListName = "claimsInSources"
	ListSourcesCiting       ListName = "sourcesCiting"
	ListClaimsAboutAttacks  ListName = "claimsAboutAttacks"
	ListAttacksOfEvents     ListName = "attacksOfEvents"
	ListEventsAtFacilities  ListName = "eventsAtFacilities"
	ListAttacksOfDatasets   ListName = "attacksOfDatasets"
	ListPartsOfAttacks      ListName = "partsOfAttacks"
)

// Walk is a tree of reads that starts from entities of one type and follows their references and
// their lists, as one request needs them: a facility, the window of its attacks, every claim of
// each attack, the source of each claim and what each source cites. A Walker reads a whole Walk in
// one query, where the Reader's methods read it level by level.
type Walk struct {
	Type  EntityType
	IDs   []string
	Steps []WalkStep
	// Fields, when given, limits the fields read of the entities the steps reach (WalkFields).
	Fields WalkFields
}

// WalkFields names, for each entity type, the fields of its description (json names) a walk reads
// of the entities of that type it reaches: reference fields (the ids they link to, one expansion in
// the graph each) and properties alike. The others are left at their zero value; an entity's id is
// always read, its timestamps when named ("createdAt", "updatedAt"). A type it does not name is read whole. A request that selects an
// attack's title and date, and neither its places nor anything derived from them, has no use for
// their ids nor for its summary: a claim has 44 properties, most of them figures.
type WalkFields map[EntityType][]string

// WalkStep is one step of a Walk from each entity reached by the step above it: either the entities
// one of its reference fields names (Ref, a field of its type's description such as a claim's
// sourceId), or a window of one of its lists (List, Window, and Dates for
// ListAttacksOnFacilities), or, from an attack, the killed figures kept on it (KeptKilled, as
// Reader.KeptKilled reads them; no entity is reached). Citations, on a step that reaches sources,
// also reads what each of them cites, as Reader.Citations does. Steps go on from the entities the
// step reaches.
type WalkStep struct {
	Ref        string
	List       ListName
	Window     Window
	Dates      DateRange
	KeptKilled bool
	Citations  bool
	Steps      []WalkStep
}

// WalkedList is a list a Walk read: the window of the list named List of the entity ID, as the
// Reader's list method would answer it for the same window (and Dates).
type WalkedList struct {
	List   ListName
	ID     string
	Window Window
	Dates  DateRange
	Items  []Entity
	Total  int
}

// Walked is what a Walk read: every entity it reached (whole, as the Reader's ...ByID methods read
// them; each once, in no particular order), every list window, the citations of the sources of
// the steps that asked for them (as Reader.Citations), and the kept killed figures of the attacks
// of the KeptKilled steps, by attack id (as Reader.KeptKilled).
type Walked struct {
	Entities   []Entity
	Lists      []WalkedList
	Citations  Citations
	KeptKilled map[string]KeptFigures
}

// Walker reads a Walk in one query. A step it cannot follow (a Ref that is not a reference field
// of its type, a List that does not hang from it) fails with EINVALID naming the step; the other
// errors are a Reader's.
type Walker interface {
	Walk(ctx context.Context, w Walk) (Walked, error)
}
