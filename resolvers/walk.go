package resolvers

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/gqltypes"
)

// A request's tree of entity fields is read in one query: a root field that returns entities (an
// entity by id, a page of a list) looks ahead at its selection, turns every field under it that is a
// walk through the graph into an athar.Walk (walkRules), reads the whole walk at once
// (athar.Walker), and primes the request's loaders with what it read. The field resolvers then run
// as they always do and find everything they load already loaded, so the rules of every field
// (pages, derived summaries) stay where they are, and a field no rule covers is loaded by its
// loader as before: a request never reads a field twice.

// walkRule says how a field of the schema walks: the step it takes from its parent entity, and
// the type of the selection that goes on from what the step reaches ("" when nothing does).
type walkRule struct {
	step func(f graphql.CollectedField, vars map[string]any) (athar.WalkStep, bool)
	// next is the schema type whose selection continues from the entities the step reaches; a
	// connection's nodes and edges' node are followed to it.
	next string
	// via, when set, is a reference field of the entities the step reaches through which the
	// selection continues: Attack.sources reaches the attack's claims and selects their sources.
	via string
	// fixed are steps the field needs from the entities its step reaches when its selection has
	// a field named fixedFor ("" for always): a casualty summary's independentSources needs the
	// sources of its claims and what they cite.
	fixed    []athar.WalkStep
	fixedFor string
	// ref is the reference field of the parent the field reads (ref rules); claimFields are the
	// fields of claims a field derived from an attack's claims reads (its domain rule's).
	ref         string
	claimFields []string
	// instead, when set, is the step that serves the field in place of step when the field's
	// selection allows it (an attack's casualties that ask only what the attack keeps).
	instead func(op *graphql.OperationContext, f graphql.CollectedField) (athar.WalkStep, bool)
}

// ref is the rule of a field resolved from a reference field of its parent (a claim's source).
func ref(field, next string) walkRule {
	return walkRule{step: func(graphql.CollectedField, map[string]any) (athar.WalkStep, bool) {
		return athar.WalkStep{Ref: field}, true
	}, next: next, ref: field}
}

// page is the rule of a connection field over a list that hangs from its parent, paged by its
// arguments as the field's resolver pages it (inList, with list named as the resolver names it).
func page(list athar.ListName, name, next string) walkRule {
	return walkRule{step: func(f graphql.CollectedField, vars map[string]any) (athar.WalkStep, bool) {
		args := f.ArgumentMap(vars)
		w, err := athar.PageWindow(name, athar.PageArgs{First: intPtr(args["first"]), Last: intPtr(args["last"]),
			After: strPtr(args["after"]), Before: strPtr(args["before"])}, athar.DefaultListSize, athar.MaxListSize, nil)
		if err != nil {
			return athar.WalkStep{}, false // the resolver reports it
		}
		st := athar.WalkStep{List: list, Window: w}
		if list == athar.ListAttacksOnFacilities {
			dates, ok := dateRangeArg(args["dateRange"])
			if !ok {
				return athar.WalkStep{}, false
			}
			st.Dates = dates
		}
		return st, true
	}, next: next}
}

// claimsOfAttack is the rule of a field derived from every claim of its attack (attackClaims),
// whose rule reads the claims' fields claimFields.
func claimsOfAttack(next string, claimFields []string, fixed ...athar.WalkStep) walkRule {
	return walkRule{step: func(graphql.CollectedField, map[string]any) (athar.WalkStep, bool) {
		return athar.WalkStep{List: athar.ListClaimsAboutAttacks, Window: athar.All}, true
	}, next: next, fixed: fixed, claimFields: claimFields}
}

// keptOr is the rule r of an attack's casualties, which reads instead the killed figures the
// attack keeps when the selection asks for nothing else (keptSuffices).
func keptOr(r walkRule) walkRule {
	r.instead = func(op *graphql.OperationContext, f graphql.CollectedField) (athar.WalkStep, bool) {
		return athar.WalkStep{KeptKilled: true}, keptSuffices(op, f.Selections)
	}
	return r
}

// when returns the rule with its fixed steps taken only for a selection that has a field named
// name, however deep.
func (r walkRule) when(name string) walkRule {
	r.fixedFor = name
	return r
}

// walkRules are the fields that walk, by "Type.field", each as its resolver in schema.resolvers.go
// loads it. Attribution's fields walk from the claims their attribution is derived from.
var walkRules = map[string]walkRule{
	"Facility.place":      ref("placeId", "Place"),
	"Facility.operatedBy": ref("operatedBy", "Actor"),
	"Facility.attacks":    page(athar.ListAttacksOnFacilities, "Facility.attacks", "Attack"),
	"Facility.events":     page(athar.ListEventsAtFacilities, "Facility.events", "Event"),
	"Facility.dataset":    ref("datasetId", "Dataset"),

	"Attack.facilities":   ref("facilityIds", "Facility"),
	"Attack.places":       ref("placeIds", "Place"),
	"Attack.during":       ref("duringEventIds", "Event"),
	"Attack.partOf":       ref("partOfEventIds", "Event"),
	"Attack.claims":       claimsOfAttack("Claim", athar.SelectClaimFields),
	"Attack.casualties":   keptOr(claimsOfAttack("", athar.CasualtyClaimFields, athar.WalkStep{Ref: "sourceId", Citations: true}).when("independentSources")),
	"Attack.attributions": claimsOfAttack("Attribution", athar.AttributionClaimFields),
	"Attack.sources":      {step: claimsOfAttack("", nil).step, via: "sourceId", next: "Source", claimFields: []string{"sourceId"}},
	"Attack.aggregate":    ref("aggregateId", "Attack"),
	"Attack.parts":        page(athar.ListPartsOfAttacks, "Attack.parts", "Attack"),
	"Attack.dataset":      ref("datasetId", "Dataset"),

	"Attribution.actor":   ref("names", "Actor"),
	"Attribution.sources": ref("sourceId", "Source"),

	"Claim.attack":    ref("attackId", "Attack"),
	"Claim.source":    ref("sourceId", "Source"),
	"Claim.claimedBy": ref("claimedBy", "Actor"),
	"Claim.names":     ref("names", "Actor"),
	"Claim.sideA":     ref("sideA", "Actor"),
	"Claim.sideB":     ref("sideB", "Actor"),
	"Claim.places":    ref("placeIds", "Place"),
	"Claim.dataset":   ref("datasetId", "Dataset"),

	"Source.publishedBy": ref("publishedBy", "Actor"),
	"Source.cites":       ref("cites", "Source"),
	"Source.citedBy":     page(athar.ListSourcesCiting, "Source.citedBy", "Source"),
	"Source.claims":      page(athar.ListClaimsInSources, "Source.claims", "Claim"),
	"Source.dataset":     ref("datasetId", "Dataset"),

	"Place.partOf":     ref("partOf", "Place"),
	"Place.parts":      page(athar.ListPartsOfPlaces, "Place.parts", "Place"),
	"Place.facilities": page(athar.ListFacilitiesInPlaces, "Place.facilities", "Facility"),
	"Place.attacks":    page(athar.ListAttacksInPlaces, "Place.attacks", "Attack"),
	"Place.dataset":    ref("datasetId", "Dataset"),

	"Actor.partOf":     ref("partOf", "Actor"),
	"Actor.members":    page(athar.ListMembersOfActors, "Actor.members", "Actor"),
	"Actor.statements": page(athar.ListStatementsOfActors, "Actor.statements", "Claim"),
	"Actor.namedIn":    page(athar.ListClaimsNamingActors, "Actor.namedIn", "Claim"),
	"Actor.published":  page(athar.ListSourcesOfPublishers, "Actor.published", "Source"),
	"Actor.dataset":    ref("datasetId", "Dataset"),

	"Event.facility": ref("facilityId", "Facility"),
	"Event.places":   ref("placeIds", "Place"),
	"Event.attacks":  page(athar.ListAttacksOfEvents, "Event.attacks", "Attack"),
	"Event.dataset":  ref("datasetId", "Dataset"),

	"Dataset.attacks": page(athar.ListAttacksOfDatasets, "Dataset.attacks", "Attack"),
}

// walkBuilder turns a selection into the steps of a walk.
type walkBuilder struct {
	op   *graphql.OperationContext
	vars map[string]any
}

// steps returns the steps of the fields of typeName selected in set, merged so that two fields
// that take the same step (an attack's claims and its casualties) take it once.
func (b walkBuilder) steps(typeName string, set ast.SelectionSet) []athar.WalkStep {
	var out []athar.WalkStep
	for _, f := range graphql.CollectFields(b.op, set, implementorsOf(typeName)) {
		key := typeName + "." + f.Name
		rule, ok := walkRules[key]
		if !ok {
			continue
		}
		if rule.instead != nil {
			if st, ok := rule.instead(b.op, f); ok {
				out = mergeSteps(out, st)
				continue
			}
		}
		st, ok := rule.step(f, b.vars)
		if !ok {
			continue
		}
		var children []athar.WalkStep
		if rule.next != "" {
			for _, sel := range b.itemSelections(f) {
				for _, child := range b.steps(rule.next, sel) {
					children = mergeSteps(children, child)
				}
			}
		}
		if rule.via != "" {
			children = []athar.WalkStep{{Ref: rule.via, Steps: children}}
		}
		if st.List != "" && st.Window == athar.All {
			// A list read whole for its field to page or summarise (an attack's claims): only the
			// references of its items are followed in the walk, which read one entity per item
			// at most; a list under it would be read for every item, not for the page's alone, and
			// is left to the loaders, which read it for the items the field returns.
			children = refsOnly(children)
		}
		if rule.fixedFor == "" || hasField(f.Selections, rule.fixedFor) {
			st.Steps = cloneSteps(rule.fixed)
		}
		for _, child := range children {
			st.Steps = mergeSteps(st.Steps, child)
		}
		out = mergeSteps(out, st)
	}
	return out
}

// itemSelections returns the selections of the items of a field: a connection's nodes and its
// edges' node, or the field's own selection.
func (b walkBuilder) itemSelections(f graphql.CollectedField) []ast.SelectionSet {
	if f.Definition == nil || !isConnection(f.Definition.Type.Name()) {
		return []ast.SelectionSet{f.Selections}
	}
	conn := f.Definition.Type.Name()
	var out []ast.SelectionSet
	for _, g := range graphql.CollectFields(b.op, f.Selections, []string{conn}) {
		switch g.Name {
		case "nodes":
			out = append(out, g.Selections)
		case "edges":
			for _, h := range graphql.CollectFields(b.op, g.Selections, []string{g.Definition.Type.Name()}) {
				if h.Name == "node" {
					out = append(out, h.Selections)
				}
			}
		}
	}
	return out
}

func isConnection(typeName string) bool { return strings.HasSuffix(typeName, "Connection") }

// implementorsOf is what a selection on typeName may spread: the type, and Node for an entity.
func implementorsOf(typeName string) []string {
	if slices.Contains(athar.EntityTypes, athar.EntityType(typeName)) {
		return []string{typeName, "Node"}
	}
	return []string{typeName}
}

// refsOnly returns the steps that follow references, each with its own references only, and
// those that read what an entity keeps (KeptKilled), one read per item as a reference is.
func refsOnly(steps []athar.WalkStep) []athar.WalkStep {
	var out []athar.WalkStep
	for _, st := range steps {
		if st.Ref != "" || st.KeptKilled {
			st.Steps = refsOnly(st.Steps)
			out = append(out, st)
		}
	}
	return out
}

// trimSteps keeps the first steps of a walk, in the order they are written (each step before the
// steps under it), up to budget in all, and drops the rest: the fields they serve load through the
// loaders. Cypher plans a query in time that grows faster than its subqueries: a walk of a hundred
// steps took seconds to plan.
func trimSteps(steps []athar.WalkStep, budget *int) []athar.WalkStep {
	var out []athar.WalkStep
	for _, st := range steps {
		if *budget <= 0 {
			break
		}
		*budget--
		st.Steps = trimSteps(st.Steps, budget)
		out = append(out, st)
	}
	return out
}

// cloneSteps copies steps deep, so that merging into the copy leaves a rule's steps alone.
func cloneSteps(steps []athar.WalkStep) []athar.WalkStep {
	if steps == nil {
		return nil
	}
	out := make([]athar.WalkStep, len(steps))
	for i, st := range steps {
		st.Steps = cloneSteps(st.Steps)
		out[i] = st
	}
	return out
}

// mergeSteps adds st to steps, or merges it into the step that is the same (same reference field,
// or same list, window and dates, or both KeptKilled): their steps merged in turn, citations read
// if either asks.
func mergeSteps(steps []athar.WalkStep, st athar.WalkStep) []athar.WalkStep {
	for i, s := range steps {
		if s.Ref == st.Ref && s.List == st.List && s.Window == st.Window && s.Dates == st.Dates && s.KeptKilled == st.KeptKilled {
			for _, child := range st.Steps {
				s.Steps = mergeSteps(s.Steps, child)
			}
			s.Citations = s.Citations || st.Citations
			steps[i] = s
			return steps
		}
	}
	return append(steps, st)
}

// walkFrom reads, in one query, the entities of type t with the ids and everything the current
// field's selection walks to from them (the field returns them, or a connection of them), and
// primes the request's loaders with it. With nothing to walk it reads nothing: the field's loader
// reads the entities as before.
func walkFrom(ctx context.Context, t athar.EntityType, ids []string) error {
	steps := walkSteps(ctx, t)
	if len(steps) == 0 || len(ids) == 0 {
		return nil
	}
	walked, err := loaders(ctx).walker.Walk(ctx, athar.Walk{Type: t, IDs: ids, Steps: steps, Fields: walkFields(ctx)})
	if err != nil {
		return err
	}
	loaders(ctx).prime(walked)
	return nil
}

// fieldsRead are the fields that are neither a field of their type's description nor a walk, with
// the fields of the description their resolvers read of their object: none when they read its id
// alone (through a loader of their own). A field selected on an entity type that neither this
// table, the walk rules nor the description covers has the type read whole.
var fieldsRead = map[string][]string{
	"Attack.day": {"date"}, "Attack.month": {"date"}, "Attack.year": {"date"},
	"Attack.withdrawn": {"withdrawnIn"}, "Claim.withdrawn": {"withdrawnIn"},
	"Attack.mappedLocation": nil, "Attack.sameDay": nil, "Attack.sameIncident": nil, "Attack.incidentNote": nil,
	"Attack.incidentLinkedAt": nil, "Facility.nearby": nil, "Dataset.counts": nil, "Dataset.importedAt": nil, "Dataset.matches": nil,
}

// requestFields returns the fields the request's walks read (athar.WalkFields): for each entity
// type, the fields of its description that a field selected on it anywhere in the operation reads
// (the field itself, its rule's reference field, fieldsRead, the claims' fields a summary derived
// from them reads). A type with a field selected whose resolver nothing describes is read whole.
// Every field the request will ever resolve on an entity is in the operation's document, so what a
// walk primes has all it needs.
func requestFields(op *graphql.OperationContext) athar.WalkFields {
	fields := athar.WalkFields{}
	for _, t := range athar.EntityTypes {
		fields[t] = []string{}
	}
	whole := map[athar.EntityType]bool{}
	add := func(t athar.EntityType, names ...string) {
		for _, f := range names {
			if !slices.Contains(fields[t], f) {
				fields[t] = append(fields[t], f)
			}
		}
	}
	field := func(f *ast.Field) {
		if f.ObjectDefinition == nil || f.Name == "id" || strings.HasPrefix(f.Name, "__") {
			return
		}
		parent := f.ObjectDefinition.Name
		key := parent + "." + f.Name
		t := athar.EntityType(parent)
		if (f.Name == "createdAt" || f.Name == "updatedAt") && slices.Contains(athar.EntityTypes, t) {
			add(t, f.Name) // read only when asked for (a timestamp is a date-time to send and decode)
			return
		}
		read, described := fieldsRead[key]
		switch {
		case key == "Attribution.actor":
			add(athar.TypeClaim, "names")
		case key == "Attribution.sources":
			add(athar.TypeClaim, "sourceId")
		case key == "Attack.incidentCasualties":
			add(athar.TypeClaim, athar.CasualtyClaimFields...)
		case key == "Attack.incidentAttributions":
			add(athar.TypeClaim, athar.AttributionClaimFields...)
		case f.ObjectDefinition.IsAbstractType():
			for _, t := range athar.EntityTypes {
				whole[t] = true // a field of an interface: read every type whole
			}
		case !slices.Contains(athar.EntityTypes, t):
		case key == "Attack.casualties":
			add(athar.TypeClaim, casualtyClaimFields(f.SelectionSet)...)
		case walkRules[key].step != nil:
			rule := walkRules[key]
			if rule.ref != "" {
				add(t, rule.ref)
			}
			add(athar.TypeClaim, rule.claimFields...)
		case athar.Describe(t).Field(f.Name) != nil:
			add(t, f.Name)
		case described:
			add(t, read...)
		default:
			whole[t] = true
		}
	}
	if op.Operation != nil {
		eachField(op.Operation.SelectionSet, field)
	}
	for t := range whole {
		delete(fields, t)
	}
	return fields
}

// selectedFields returns the fields the current field's selection has on the type it returns (and,
// for an entity, through Node), however they are spread; none when there is no selection to read.
func selectedFields(ctx context.Context) []graphql.CollectedField {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil || fc.Field.Definition == nil || !graphql.HasOperationContext(ctx) {
		return nil
	}
	return graphql.CollectFields(graphql.GetOperationContext(ctx), fc.Field.Selections, implementorsOf(fc.Field.Definition.Type.Name()))
}

// onlyNames reports whether fields holds fields of those names alone, and at least one.
func onlyNames(fields []graphql.CollectedField, names ...string) bool {
	for _, f := range fields {
		if !slices.Contains(names, f.Name) {
			return false
		}
	}
	return len(fields) > 0
}

// selects reports whether the current field's selection has a field of that name (a connection's
// totalCount), however it is spread.
func selects(ctx context.Context, name string) bool {
	return slices.ContainsFunc(selectedFields(ctx), func(f graphql.CollectedField) bool { return f.Name == name })
}

// selectsOnly reports whether the current field's selection has fields of those names alone (a
// connection of which only totalCount is asked), however they are spread.
func selectsOnly(ctx context.Context, names ...string) bool {
	return onlyNames(selectedFields(ctx), names...)
}

// idsOnly reports whether the current field's selection reads nothing of the entities it returns
// but their ids (id and __typename, however spread), so that a resolver that already holds ids just
// read from the store need not read the entities: the repeated targets' attacks { id } were 800
// attacks read whole for their ids.
func idsOnly(ctx context.Context) bool { return selectsOnly(ctx, "id", "__typename") }

// loadTargets loads, in one batch each, the facilities and the attacks of the repeated targets of a
// page that its items select (the attacks unless they are selected for their ids alone, which the
// targets hold), so that they cost one round trip each however many targets there are: each
// target's fields resolve on their own goroutine, and under load their loads missed a batch and
// took a round trip of their own.
func loadTargets(ctx context.Context, targets []*athar.RepeatedTarget) error {
	fc := graphql.GetFieldContext(ctx)
	if len(targets) == 0 || fc == nil || fc.Field.Field == nil || !graphql.HasOperationContext(ctx) {
		return nil
	}
	op := graphql.GetOperationContext(ctx)
	var facility, attacks bool
	for _, sel := range (walkBuilder{op: op, vars: op.Variables}).itemSelections(fc.Field) {
		for _, f := range graphql.CollectFields(op, sel, []string{"RepeatedTarget"}) {
			switch f.Name {
			case "facility":
				facility = true
			case "attacks":
				attacks = attacks || !onlyNames(graphql.CollectFields(op, f.Selections, implementorsOf("Attack")), "id", "__typename")
			}
		}
	}
	var facilityIDs, attackIDs []string
	for _, t := range targets {
		facilityIDs = append(facilityIDs, t.FacilityID)
		attackIDs = append(attackIDs, t.AttackIDs...)
	}
	if facility {
		if _, err := many(ctx, loaders(ctx).facilities, facilityIDs); err != nil {
			return err
		}
	}
	if attacks {
		if _, err := many(ctx, loaders(ctx).attacks, attackIDs); err != nil {
			return err
		}
	}
	return nil
}

// selectsBelow reports whether the current field's selection has a field of that name at any depth
// (a casualty summary's independentSources), however it is spread.
func selectsBelow(ctx context.Context, name string) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil {
		return true // unknown: as if selected
	}
	return hasField(fc.Field.Selections, name)
}

// hasField reports whether set has a field of that name at any depth, through fragments.
func hasField(set ast.SelectionSet, name string) bool {
	found := false
	eachField(set, func(f *ast.Field) { found = found || f.Name == name })
	return found
}

// eachField calls fn with every field of set, at any depth, in the order they are written, through
// inline fragments and fragment spreads (each named fragment once).
func eachField(set ast.SelectionSet, fn func(*ast.Field)) {
	seen := map[string]bool{}
	var visit func(set ast.SelectionSet)
	visit = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				fn(s)
				visit(s.SelectionSet)
			case *ast.InlineFragment:
				visit(s.SelectionSet)
			case *ast.FragmentSpread:
				if !seen[s.Name] && s.Definition != nil {
					seen[s.Name] = true
					visit(s.Definition.SelectionSet)
				}
			}
		}
	}
	visit(set)
}

// walkFields returns the fields the request's walks read (requestFields), worked out once a
// request.
func walkFields(ctx context.Context) athar.WalkFields {
	l := loaders(ctx)
	l.fieldsOnce.Do(func() {
		if graphql.HasOperationContext(ctx) {
			l.fields = requestFields(graphql.GetOperationContext(ctx))
		}
	})
	return l.fields
}

// walkSteps returns the steps the current field's selection walks from each entity of type t it
// returns (itself, or the items of its connection); none when the request reads level by level.
// A page of a list walks them in the page's own query (athar.PageRequest.Steps).
func walkSteps(ctx context.Context, t athar.EntityType) []athar.WalkStep {
	fc := graphql.GetFieldContext(ctx)
	l := loaders(ctx)
	if fc == nil || fc.Field.Field == nil || l.walker == nil || l.walkMaxSteps <= 0 || !graphql.HasOperationContext(ctx) {
		return nil
	}
	op := graphql.GetOperationContext(ctx)
	b := walkBuilder{op: op, vars: op.Variables}
	var steps []athar.WalkStep
	for _, sel := range b.itemSelections(fc.Field) {
		for _, st := range b.steps(string(t), sel) {
			steps = mergeSteps(steps, st)
		}
	}
	budget := l.walkMaxSteps
	return trimSteps(steps, &budget)
}

// prime puts what a walk read into the loaders, under the keys the resolvers load them by.
func (l *Loaders) prime(w athar.Walked) {
	for _, e := range w.Entities {
		id := e.EntityID()
		l.entities.Prime(id, e)
		switch e := e.(type) {
		case *athar.Dataset:
			l.datasets.Prime(id, e)
		case *athar.Place:
			l.places.Prime(id, e)
		case *athar.Actor:
			l.actors.Prime(id, e)
		case *athar.Facility:
			l.facilities.Prime(id, e)
		case *athar.Source:
			l.sources.Prime(id, e)
		case *athar.Event:
			l.events.Prime(id, e)
		case *athar.Attack:
			l.attacks.Prime(id, e)
		case *athar.Claim:
			l.claims.Prime(id, e)
		}
	}
	for id, cited := range w.Citations {
		l.citations.Prime(id, cited)
	}
	for id, kept := range w.KeptKilled {
		l.keptKilled.Prime(id, kept)
	}
	for _, list := range w.Lists {
		key := windowed{list.ID, list.Window}
		switch list.List {
		case athar.ListAttacksOnFacilities:
			l.attacksOnFacility.Prime(facilityDates{list.ID, list.Dates.From, list.Dates.To, list.Window}, listOf[*athar.Attack](list))
		case athar.ListAttacksInPlaces:
			l.attacksInPlace.Prime(key, listOf[*athar.Attack](list))
		case athar.ListFacilitiesInPlaces:
			l.facilitiesInPlace.Prime(key, listOf[*athar.Facility](list))
		case athar.ListPartsOfPlaces:
			l.partsOfPlace.Prime(key, listOf[*athar.Place](list))
		case athar.ListMembersOfActors:
			l.membersOfActor.Prime(key, listOf[*athar.Actor](list))
		case athar.ListStatementsOfActors:
			l.statementsOfActor.Prime(key, listOf[*athar.Claim](list))
		case athar.ListClaimsNamingActors:
			l.claimsNamingActor.Prime(key, listOf[*athar.Claim](list))
		case athar.ListSourcesOfPublishers:
			l.sourcesOfPublisher.Prime(key, listOf[*athar.Source](list))
		case athar.ListClaimsInSources:
			l.claimsInSource.Prime(key, listOf[*athar.Claim](list))
		case athar.ListSourcesCiting:
			l.sourcesCiting.Prime(key, listOf[*athar.Source](list))
		case athar.ListClaimsAboutAttacks:
			l.claimsAboutAttack.Prime(key, listOf[*athar.Claim](list))
		case athar.ListAttacksOfEvents:
			l.attacksOfEvent.Prime(key, listOf[*athar.Attack](list))
		case athar.ListEventsAtFacilities:
			l.eventsAtFacility.Prime(key, listOf[*athar.Event](list))
		case athar.ListAttacksOfDatasets:
			l.attacksOfDataset.Prime(key, listOf[*athar.Attack](list))
		case athar.ListPartsOfAttacks:
			l.partsOfAttack.Prime(key, listOf[*athar.Attack](list))
		}
	}
}

// listOf is a walked list as the list loaders hold it.
func listOf[T athar.Entity](l athar.WalkedList) athar.List[T] {
	items := make([]T, 0, len(l.Items))
	for _, e := range l.Items {
		if t, ok := e.(T); ok {
			items = append(items, t)
		}
	}
	return athar.List[T]{Items: items, Total: l.Total}
}

// dateRangeArg reads a dateRange argument as Facility.attacks reads its DateRangeInput; false when
// it is not one (the resolver reports it).
func dateRangeArg(v any) (athar.DateRange, bool) {
	var r athar.DateRange
	if v == nil {
		return r, true
	}
	m, ok := v.(map[string]any)
	if !ok {
		return r, false
	}
	day := func(key string) (time.Time, bool) {
		if m[key] == nil {
			return time.Time{}, true
		}
		t, err := gqltypes.UnmarshalDate(m[key])
		return t, err == nil
	}
	from, okFrom := day("from")
	to, okTo := day("to")
	r = athar.DateRange{From: from, To: to}
	return r, okFrom && okTo && r.Check("dateRange") == nil
}

func intPtr(v any) *int {
	n, ok := intArg(v)
	if !ok {
		return nil
	}
	return &n
}

func strPtr(v any) *string {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	return &s
}

// casualtyClaimFields are the fields of claims a casualty summary with the selection set reads:
// of athar.CasualtyClaimFields, whether a claim counts, the figures selected (killed,
// childrenKilled, injured), the sources when it asks how many sources back them, and the datasets
// when it asks for each dataset's estimate. The summary's other figures are then derived from
// claims read without them, and are not in the answer. Names are looked for anywhere under the
// selection, through fragments: a name found where it means something else only reads more.
func casualtyClaimFields(set ast.SelectionSet) []string {
	names := map[string]bool{}
	eachField(set, func(f *ast.Field) { names[f.Name] = true })
	out := []string{"stance", "retracted", "withdrawnIn"}
	for _, figure := range []string{"killed", "childrenKilled", "injured"} {
		if names[figure] {
			out = append(out, figure)
		}
	}
	if names["sources"] || names["independentSources"] {
		out = append(out, "sourceId")
	}
	if names["datasetEstimates"] {
		out = append(out, "datasetId")
	}
	return out
}
