package resolvers

import (
	"errors"

	"github.com/99designs/gqlgen/graphql"

	"github.com/athar-project/athar/internal/athar"
)

// Inputs that create or change an entity come as maps and are decoded by the domain, from each
// entity's description (athar.Decode, athar.Apply). This file holds what is left: optional
// arguments and the prefix of the fields errors name.

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

// prefixErr puts "input." (or another prefix) in front of the fields a domain error names; nil
// stays nil.
func prefixErr(prefix string, err error) error {
	var ps athar.Problems
	var e *athar.Error
	switch {
	case err == nil:
		return nil
	case asErr(err, &ps):
		return ps.Prefixed(prefix).Err()
	case asErr(err, &e):
		return athar.Problems{e}.Prefixed(prefix).Err()
	}
	return err
}

func asErr[T error](err error, target *T) bool { return errors.As(err, target) }
