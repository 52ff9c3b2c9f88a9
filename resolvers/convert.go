package resolvers

import (
	"errors"

	"github.com/99designs/gqlgen/graphql"

	"github.com/athar-project/athar/graph/model"
	"github.com/athar-project/athar/internal/athar"
)

// This file turns GraphQL inputs into domain entities and applies patches to them. Validation is
// the domain's: nothing here decides whether a value is acceptable, except that a date must parse.

// val returns the value of an optional input field, or the zero value.
func val[T any](o graphql.Omittable[*T]) T {
	if v := o.Value(); v != nil {
		return *v
	}
	var zero T
	return zero
}

// value reads an optional argument, whose schema default gqlgen has already applied, or gives the
// zero value.
func value[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// set copies an optional field into dst when the input gives it; null clears dst.
func set[T any](o graphql.Omittable[*T], dst *T) {
	if o.IsSet() {
		*dst = val(o)
	}
}

// setPtr copies an optional object field into dst when the input gives it; null clears dst.
func setPtr[T any](o graphql.Omittable[*T], dst **T) {
	if o.IsSet() {
		*dst = o.Value()
	}
}

// setList copies an optional list into dst when the input gives it; null or [] clears dst.
func setList[T any](o graphql.Omittable[[]T], dst *[]T) {
	if o.IsSet() {
		*dst = o.Value()
	}
}

// idOrNew returns the id the input gives, or a new one made from the name.
func idOrNew(o graphql.Omittable[*string], label, name string) string {
	if id := val(o); id != "" {
		return id
	}
	return athar.NewID(label, name)
}

// date parses a date input; field names where it stands ("input.date").
func date(field string, in *model.DateInput) (*athar.Date, error) {
	if in == nil {
		return nil, nil
	}
	d, err := athar.ParseDate(in.Start, val(in.End), val(in.Note))
	if err != nil {
		return nil, prefixErr(field, err)
	}
	return &d, nil
}

// setDate applies an optional date input to dst.
func setDate(field string, o graphql.Omittable[*model.DateInput], dst **athar.Date) error {
	if !o.IsSet() {
		return nil
	}
	d, err := date(field, o.Value())
	if err != nil {
		return err
	}
	*dst = d
	return nil
}

// prefixErr puts "input." (or another prefix) in front of the fields a domain error names.
func prefixErr(prefix string, err error) error {
	var ps athar.Problems
	var e *athar.Error
	switch {
	case asErr(err, &ps):
		return ps.Prefixed(prefix).Err()
	case asErr(err, &e):
		return athar.Problems{e}.Prefixed(prefix).Err()
	}
	return err
}

func placeFromInput(in model.PlaceInput) *athar.Place {
	return &athar.Place{ID: idOrNew(in.ID, athar.LabelPlace, in.Name), Name: in.Name, Aliases: in.Aliases.Value(),
		Kind: in.Kind, PartOf: val(in.PartOf), Location: in.Location.Value(), Description: val(in.Description)}
}

func applyPlacePatch(x *athar.Place, in model.PlacePatch) {
	set(in.Name, &x.Name)
	setList(in.Aliases, &x.Aliases)
	set(in.Kind, &x.Kind)
	set(in.PartOf, &x.PartOf)
	setPtr(in.Location, &x.Location)
	set(in.Description, &x.Description)
}

func actorFromInput(in model.ActorInput) *athar.Actor {
	return &athar.Actor{ID: idOrNew(in.ID, athar.LabelActor, in.Name), Name: in.Name, Aliases: in.Aliases.Value(),
		Kind: in.Kind, PartOf: val(in.PartOf), Description: val(in.Description)}
}

func applyActorPatch(x *athar.Actor, in model.ActorPatch) {
	set(in.Name, &x.Name)
	setList(in.Aliases, &x.Aliases)
	set(in.Kind, &x.Kind)
	set(in.PartOf, &x.PartOf)
	set(in.Description, &x.Description)
}

func facilityFromInput(in model.FacilityInput) *athar.Facility {
	return &athar.Facility{ID: idOrNew(in.ID, athar.LabelFacility, in.Name), Name: in.Name, Aliases: in.Aliases.Value(),
		Type: in.Type, PlaceID: val(in.PlaceID), Location: in.Location.Value(), OperatedBy: in.OperatedBy.Value(),
		Description: val(in.Description)}
}

func applyFacilityPatch(x *athar.Facility, in model.FacilityPatch) {
	set(in.Name, &x.Name)
	setList(in.Aliases, &x.Aliases)
	set(in.Type, &x.Type)
	set(in.PlaceID, &x.PlaceID)
	setPtr(in.Location, &x.Location)
	setList(in.OperatedBy, &x.OperatedBy)
	set(in.Description, &x.Description)
}

func sourceFromInput(in model.SourceInput) (*athar.Source, error) {
	published, err := date("input.published", in.Published.Value())
	if err != nil {
		return nil, err
	}
	return &athar.Source{ID: idOrNew(in.ID, athar.LabelSource, in.Title), Title: in.Title, Kind: in.Kind,
		URL: val(in.URL), Published: published, Language: val(in.Language), Author: val(in.Author),
		PublishedBy: in.PublishedBy.Value(), Cites: in.Cites.Value(), Description: val(in.Description)}, nil
}

func applySourcePatch(x *athar.Source, in model.SourcePatch) error {
	set(in.Title, &x.Title)
	set(in.Kind, &x.Kind)
	set(in.URL, &x.URL)
	set(in.Language, &x.Language)
	set(in.Author, &x.Author)
	setList(in.PublishedBy, &x.PublishedBy)
	setList(in.Cites, &x.Cites)
	set(in.Description, &x.Description)
	return setDate("input.published", in.Published, &x.Published)
}

func eventFromInput(in model.EventInput) (*athar.Event, error) {
	d, err := date("input.date", in.Date.Value())
	if err != nil {
		return nil, err
	}
	return &athar.Event{ID: idOrNew(in.ID, athar.LabelEvent, in.Name), Name: in.Name, Kind: in.Kind, Date: d,
		FacilityID: val(in.FacilityID), PlaceIDs: in.PlaceIds.Value(), Description: val(in.Description)}, nil
}

func applyEventPatch(x *athar.Event, in model.EventPatch) error {
	set(in.Name, &x.Name)
	set(in.Kind, &x.Kind)
	set(in.FacilityID, &x.FacilityID)
	setList(in.PlaceIds, &x.PlaceIDs)
	set(in.Description, &x.Description)
	return setDate("input.date", in.Date, &x.Date)
}

func attackFromInput(in model.AttackInput) (*athar.Attack, error) {
	d, err := date("input.date", in.Date)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, athar.Invalid("input.date", "is required")
	}
	return &athar.Attack{ID: idOrNew(in.ID, athar.LabelAttack, in.Title), Title: in.Title, Summary: val(in.Summary),
		Date: *d, TimeOfDay: val(in.TimeOfDay), AttackTypes: in.AttackTypes.Value(), Weapons: in.Weapons.Value(),
		Damage: val(in.Damage), FacilityIDs: in.FacilityIds.Value(), PlaceIDs: in.PlaceIds.Value(),
		DuringEventIDs: in.DuringEventIds.Value(), PartOfEventIDs: in.PartOfEventIds.Value()}, nil
}

func applyAttackPatch(x *athar.Attack, in model.AttackPatch) error {
	set(in.Title, &x.Title)
	set(in.Summary, &x.Summary)
	set(in.TimeOfDay, &x.TimeOfDay)
	setList(in.AttackTypes, &x.AttackTypes)
	setList(in.Weapons, &x.Weapons)
	set(in.Damage, &x.Damage)
	setList(in.FacilityIds, &x.FacilityIDs)
	setList(in.PlaceIds, &x.PlaceIDs)
	setList(in.DuringEventIds, &x.DuringEventIDs)
	setList(in.PartOfEventIds, &x.PartOfEventIDs)
	if in.Date.IsSet() {
		d := &x.Date
		if err := setDate("input.date", in.Date, &d); err != nil {
			return err
		}
		if d == nil {
			return athar.Invalid("input.date", "an attack's date cannot be cleared")
		}
		x.Date = *d
	}
	return nil
}

func claimFromInput(in model.ClaimInput) *athar.Claim {
	return &athar.Claim{ID: idOrNew(in.ID, athar.LabelClaim, in.AttackID+" "+string(in.Kind)), AttackID: in.AttackID,
		SourceID: in.SourceID, Kind: in.Kind, Stance: val(in.Stance), Text: in.Text, Quote: in.Quote,
		ClaimedBy: val(in.ClaimedBy), Names: in.Names.Value(), Killed: in.Killed.Value(),
		ChildrenKilled: in.ChildrenKilled.Value(), Injured: in.Injured.Value(), Weapons: in.Weapons.Value(),
		TimeOfDay: val(in.TimeOfDay), PlaceIDs: in.PlaceIds.Value()}
}

func applyClaimPatch(x *athar.Claim, in model.ClaimPatch) {
	set(in.Kind, &x.Kind)
	set(in.Stance, &x.Stance)
	set(in.Text, &x.Text)
	set(in.Quote, &x.Quote)
	set(in.ClaimedBy, &x.ClaimedBy)
	setList(in.Names, &x.Names)
	setPtr(in.Killed, &x.Killed)
	setPtr(in.ChildrenKilled, &x.ChildrenKilled)
	setPtr(in.Injured, &x.Injured)
	setList(in.Weapons, &x.Weapons)
	set(in.TimeOfDay, &x.TimeOfDay)
	setList(in.PlaceIds, &x.PlaceIDs)
}

func asErr[T error](err error, target *T) bool { return errors.As(err, target) }
