package resolvers

import (
	"context"
	"time"

	"github.com/athar-project/athar/graph/model"
	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/auth"
	"github.com/athar-project/athar/internal/gqltypes"
)

// accounts is the accounts field: every account, for admins only.
func accounts(ctx context.Context, a athar.Accounts) ([]*athar.Account, error) {
	if err := requireAdmin(ctx, "accounts"); err != nil {
		return nil, err
	}
	list, err := a.ListAccounts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*athar.Account, len(list))
	for i := range list {
		out[i] = &list[i]
	}
	return out, nil
}

// addAccount adds an account and answers its token, once; admins only. Bad input is user errors.
func addAccount(ctx context.Context, a athar.Accounts, in model.AddAccountInput) (*model.AddAccountPayload, error) {
	if err := requireAdmin(ctx, "addAccount"); err != nil {
		return nil, err
	}
	out := &model.AddAccountPayload{ClientMutationID: in.ClientMutationID.Value(), UserErrors: []*gqltypes.UserError{}}
	acct := athar.Account{Name: in.Name}
	var ps athar.Problems
	if err := athar.CheckAccountName("name", in.Name); err != nil {
		ps = append(ps, problems(err)...)
	}
	var err error
	if acct.Role, err = athar.ParseRole("role", in.Role); err != nil {
		ps = append(ps, problems(err)...)
	}
	if acct.Clearance, err = athar.ParseClearance("clearance", in.Clearance); err != nil {
		ps = append(ps, problems(err)...)
	}
	if at := in.ExpiresAt.Value(); at != nil {
		if !at.After(time.Now()) {
			ps.Add("expiresAt", "must be in the future")
		}
		acct.ExpiresAt = at.UTC()
	}
	if len(ps) == 0 && acct.Role != athar.RoleAdmin {
		// The first account ends a single-user instance: made for anyone but an admin, it would
		// leave nobody able to manage accounts, and everyone locked out.
		list, err := a.ListAccounts(ctx)
		if err != nil {
			return nil, err
		}
		if activeAdmins(list) == 0 {
			ps.Add("role", "the first account must be an admin's: once an account exists every request needs a token, and only an admin manages accounts")
		}
	}
	if len(ps) == 0 {
		token, id := auth.NewToken()
		_, secret, _ := auth.ParseToken(token)
		acct.TokenID, acct.TokenHash = id, auth.HashSecret(secret)
		if err = a.CreateAccount(ctx, acct); err == nil {
			acct.TokenHash, acct.CreatedAt = "", time.Now().UTC()
			out.Account, out.Token = &acct, &token
			return out, nil
		}
		if _, ok := userErrorCodes[athar.ErrorCode(err)]; !ok {
			return nil, err
		}
		ps = problems(err)
	}
	out.UserErrors = accountUserErrors(ps)
	return out, nil
}

// revokeAccount revokes an account's token; admins only. An unknown name is a user error.
func revokeAccount(ctx context.Context, a athar.Accounts, in model.RevokeAccountInput) (*model.RevokeAccountPayload, error) {
	if err := requireAdmin(ctx, "revokeAccount"); err != nil {
		return nil, err
	}
	out := &model.RevokeAccountPayload{ClientMutationID: in.ClientMutationID.Value(), UserErrors: []*gqltypes.UserError{}}
	if err := a.RevokeAccount(ctx, in.Name, true); err != nil {
		if _, ok := userErrorCodes[athar.ErrorCode(err)]; !ok {
			return nil, err
		}
		out.UserErrors = accountUserErrors(problems(err))
		return out, nil
	}
	list, err := a.ListAccounts(ctx)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].Name == in.Name {
			out.Account = &list[i]
		}
	}
	return out, nil
}

// accountUserErrors are the problems of an account's input as user errors, each on its input field.
func accountUserErrors(ps athar.Problems) []*gqltypes.UserError {
	out := make([]*gqltypes.UserError, len(ps))
	for i, p := range ps {
		code, ok := userErrorCodes[p.Code]
		if !ok {
			code = gqltypes.UserErrorInvalid
		}
		out[i] = &gqltypes.UserError{Field: inputPath(p.Field), Code: code, Message: athar.ClipMessage(p.Message)}
	}
	return out
}

// optionalTime is a time that may be unset (zero), as null.
func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// activeAdmins counts the admins of list whose token still works (not revoked, not expired).
func activeAdmins(list []athar.Account) int {
	n, now := 0, time.Now()
	for _, acct := range list {
		if acct.Role == athar.RoleAdmin && acct.RevokedAt.IsZero() && (acct.ExpiresAt.IsZero() || now.Before(acct.ExpiresAt)) {
			n++
		}
	}
	return n
}
