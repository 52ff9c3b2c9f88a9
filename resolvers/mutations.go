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
// Problems of the input name its fields ("input.date.start"); an id that is malformed or names no
// entity is the id argument's.
func update[T athar.Entity](ctx context.Context, c athar.Curator, id string, input map[string]any) (T, error) {
	saved, err := athar.Update(ctx, c, id, func(x T) error { return athar.Apply(x, input) })
	switch code := athar.ErrorCode(err); {
	case err == nil:
		return saved, nil
	case code == athar.ENOTFOUND:
		return saved, &athar.Error{Code: code, Field: "id", Message: athar.ErrorMessage(err)}
	case code == athar.EINVALID && fieldOf(err) == "id":
		return saved, err
	}
	return saved, prefixErr("input", err)
}

// fieldOf returns the field a domain error names (its first problem's), or "".
func fieldOf(err error) string {
	var ps athar.Problems
	var e *athar.Error
	switch {
	case asErr(err, &ps) && len(ps) > 0:
		return ps[0].Field
	case asErr(err, &e):
		return e.Field
	}
	return ""
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
