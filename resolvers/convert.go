package resolvers

import (
	"errors"

	"github.com/99designs/gqlgen/graphql"
)

// Inputs that create or change an entity come as maps and are decoded by the domain, from each
// entity's description (athar.Decode, athar.Apply). This file holds what is left: optional
// arguments.

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

func asErr[T error](err error, target *T) bool { return errors.As(err, target) }

// optional returns a text as a nullable String: nil when it is empty.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
