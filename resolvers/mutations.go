package resolvers

import (
	"context"
	"strings"

	"github.com/athar-project/athar/internal/athar"
)

// create decodes input into a new entity of T's type and writes it, returning it as stored. Errors
// name the input's fields ("input.name").
func create[T athar.Entity](ctx context.Context, c athar.Curator, input map[string]any) (T, error) {
	e, err := athar.Decode[T](input)
	if err != nil {
		return e, prefixErr("input", err)
	}
	saved, err := athar.Create(ctx, c, e)
	return saved, prefixErr("input", err)
}

// update applies input to the entity of T's type with the id and writes it, in one transaction.
// Errors name the input's fields.
func update[T athar.Entity](ctx context.Context, c athar.Curator, id string, input map[string]any) (T, error) {
	saved, err := athar.Update(ctx, c, id, func(x T) error { return athar.Apply(x, input) })
	return saved, prefixErr("input", err)
}

// linkAttack adds (or removes) one link of an attack to a facility, place or event.
func linkAttack(ctx context.Context, c athar.Curator, attackID string, link athar.AttackLink, targetID string, add bool) (*athar.Attack, error) {
	saved, err := athar.Update(ctx, c, attackID, func(a *athar.Attack) error { return a.Link(link, targetID, "targetId", add) })
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
	return saved, nil
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
