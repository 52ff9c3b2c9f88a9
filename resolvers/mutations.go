package resolvers

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/athar-project/athar/graph/model"
	"github.com/athar-project/athar/internal/athar"
)

// create writes a new entity (unless building it from the input already failed) and returns it as
// stored. Errors name the input's fields ("input.name").
func create[T athar.Entity](ctx context.Context, c athar.Curator, e T, buildErr error) (T, error) {
	var zero T
	if buildErr != nil {
		return zero, buildErr
	}
	saved, err := c.Create(ctx, e)
	if err != nil {
		return zero, prefixErr("input", err)
	}
	return saved.(T), nil
}

// update reads the entity of T's label with the id, applies change to it, and writes it, in one
// transaction.
func update[T athar.Entity](ctx context.Context, c athar.Curator, id string, change func(T) error) (T, error) {
	var zero T
	saved, err := c.Update(ctx, zero.Label(), id, func(e athar.Entity) error {
		x, ok := e.(T)
		if !ok {
			return fmt.Errorf("resolvers: %s %q is a %T", zero.Label(), id, e)
		}
		return change(x)
	})
	if err != nil {
		return zero, prefixErr("input", err)
	}
	return saved.(T), nil
}

// linkAttack adds (or removes) one link of an attack to a facility, place or event.
func linkAttack(ctx context.Context, c athar.Curator, attackID string, relation model.AttackRelation, targetID string, add bool) (*athar.Attack, error) {
	saved, err := c.Update(ctx, athar.LabelAttack, attackID, func(e athar.Entity) error {
		a := e.(*athar.Attack)
		list := map[model.AttackRelation]*[]string{
			model.AttackRelationTargeted:   &a.FacilityIDs,
			model.AttackRelationOccurredIn: &a.PlaceIDs,
			model.AttackRelationDuring:     &a.DuringEventIDs,
			model.AttackRelationPartOf:     &a.PartOfEventIDs,
		}[relation]
		if list == nil {
			return athar.Invalid("relation", "%q is not a relation", relation)
		}
		if add {
			*list = append(*list, targetID)
		} else {
			*list = slices.DeleteFunc(*list, func(id string) bool { return id == targetID })
		}
		return nil
	})
	if err != nil {
		// The attack's own validation names its list fields; the caller gave targetId.
		var ps athar.Problems
		var pe *athar.Error
		switch {
		case asErr(err, &ps) && len(ps) > 0:
			pe = ps[0]
		case asErr(err, &pe):
		}
		if pe != nil && pe.Code == athar.EINVALID && strings.Contains(pe.Field, "Ids[") {
			return nil, &athar.Error{Code: athar.EINVALID, Field: "targetId", Message: pe.Message}
		}
		return nil, err
	}
	return saved.(*athar.Attack), nil
}

// citations loads, for each source id, the sources it cites directly or through others.
func citations(ctx context.Context, ids []string) (athar.Citations, error) {
	lists, err := loaders(ctx).citations.LoadAll(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(athar.Citations, len(ids))
	for i, id := range ids {
		out[id] = lists[i]
	}
	return out, nil
}
