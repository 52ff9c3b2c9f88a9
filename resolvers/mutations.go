package resolvers

import (
	"context"
	"maps"
	"strings"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/gqltypes"
)

// Every mutation answers a payload (Relay's input/payload convention): the entity it wrote, or the
// user errors that stopped it. A mutation's resolver runs the domain and hands what came back to
// answer, which alone decides what is the input's fault (a user error in the payload) and what is
// not (a top-level error, for the error presenter).

// userErrorCodes are the domain codes that are the input's fault, as user error codes. Any other
// code (EUNAVAILABLE, EINTERNAL) is a top-level error.
var userErrorCodes = map[string]gqltypes.UserErrorCode{
	athar.EINVALID:  gqltypes.UserErrorInvalid,
	athar.ENOTFOUND: gqltypes.UserErrorNotFound,
	athar.ECONFLICT: gqltypes.UserErrorConflict,
}

// answer makes a mutation's payload from the entity it wrote and the error it met. An error that is
// the input's fault becomes user errors, one for each problem, each with the path of its field in
// the input argument (input.date.start is ["input", "date", "start"], input.names[1] is
// ["input", "names", "1"]). The domain names the id of the entity a mutation writes "id", and
// may report an id that names nothing (ENOTFOUND) or is taken (ECONFLICT) without a field; all are
// about the input's idField ("id", "attackId"). Any other error is returned as it is: a top-level
// error, and the mutation's field null.
func answer[T athar.Entity](clientMutationID *string, saved T, err error, idField string) (*gqltypes.Payload, error) {
	out := &gqltypes.Payload{ClientMutationID: clientMutationID, UserErrors: []*gqltypes.UserError{}}
	if err == nil {
		out.Entity = saved
		return out, nil
	}
	if _, ok := userErrorCodes[athar.ErrorCode(err)]; !ok {
		return nil, err
	}
	for _, p := range problems(err) {
		field := p.Field
		if field == "id" || field == "" && p.Code != athar.EINVALID {
			field = idField
		}
		code, ok := userErrorCodes[p.Code]
		if !ok {
			code = gqltypes.UserErrorInvalid // a problem is EINVALID unless it says otherwise
		}
		out.UserErrors = append(out.UserErrors, &gqltypes.UserError{Field: inputPath(athar.ClipField(field)), Code: code, Message: athar.ClipMessage(p.Message)})
	}
	return out, nil
}

// problems returns the problems of a domain error: each of Problems, or the one *Error.
func problems(err error) athar.Problems {
	var ps athar.Problems
	var e *athar.Error
	switch {
	case asErr(err, &ps):
		return ps
	case asErr(err, &e):
		return athar.Problems{e}
	}
	return nil
}

// inputPath turns a field as the domain names it ("date.start", "names[1]") into its path from the
// input argument: ["input", "date", "start"], ["input", "names", "1"]. No field gives nil.
func inputPath(field string) []string {
	if field == "" {
		return nil
	}
	field = strings.ReplaceAll(strings.ReplaceAll(field, "[", "."), "]", "")
	return append([]string{"input"}, strings.Split(field, ".")...)
}

// entityInput splits a create or update input into its clientMutationId and the fields the domain
// decodes.
func entityInput(input map[string]any) (clientMutationID *string, fields map[string]any) {
	fields = maps.Clone(input)
	switch v := fields["clientMutationId"].(type) {
	case *string:
		clientMutationID = v
	case string:
		clientMutationID = &v
	}
	delete(fields, "clientMutationId")
	return clientMutationID, fields
}

// create decodes input into a new entity of T's type and writes it. The input's distinctFrom (the
// existing entities the caller says the new one is not) is an argument of the create, not a field.
func create[T athar.Entity](ctx context.Context, c athar.Curator, input map[string]any) (*gqltypes.Payload, error) {
	clientMutationID, fields := entityInput(input)
	distinctFrom, _ := fields["distinctFrom"].([]string)
	delete(fields, "distinctFrom")
	e, err := athar.Decode[T](fields)
	if err == nil {
		e, err = athar.Create(ctx, c, e, distinctFrom...)
	}
	return answer(clientMutationID, e, err, "id")
}

// update applies input to the entity of T's type with the input's id and writes it, in one
// transaction.
func update[T athar.Entity](ctx context.Context, c athar.Curator, input map[string]any) (*gqltypes.Payload, error) {
	clientMutationID, fields := entityInput(input)
	id, _ := fields["id"].(string)
	delete(fields, "id") // the entity to change, not a change: Apply refuses a new id
	saved, err := athar.Update(ctx, c, id, func(x T) error { return athar.Apply(x, fields) })
	return answer(clientMutationID, saved, err, "id")
}

// linkAttack adds (or, with add false, removes) one link of an attack to a facility, place or
// event, whose id the input gives as targetField.
func linkAttack(ctx context.Context, c athar.Curator, clientMutationID *string, attackID string, link athar.AttackLink, targetField, targetID string, add bool) (*gqltypes.Payload, error) {
	saved, err := athar.Update(ctx, c, attackID, func(a *athar.Attack) error { return a.Link(link, targetID, targetField, add) })
	// The attack's own validation names the list the target went into (facilityIds[2]: an id
	// that names nothing); the client gave targetField.
	if athar.ErrorCode(err) == athar.EINVALID {
		ps := problems(err)
		out := make(athar.Problems, len(ps))
		for i, p := range ps {
			out[i] = p
			if p.Code == athar.EINVALID && strings.Contains(p.Field, "Ids[") {
				out[i] = &athar.Error{Code: p.Code, Field: targetField, Message: p.Message}
			}
		}
		err = out
	}
	return answer(clientMutationID, saved, err, "attackId")
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
