package resolvers

import (
	"context"

	"github.com/athar-project/athar/graph/model"
	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/gqltypes"
)

// incidentClaims loads every claim about the attack and about each attack linked with it as the
// same incident, in one batch for the whole group: the group's summaries are derived from all of
// them.
func incidentClaims(ctx context.Context, id string) ([]*athar.Claim, error) {
	link, err := loaders(ctx).sameIncident.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	keys := []windowed{{id, athar.All}}
	for _, other := range link.Others {
		keys = append(keys, windowed{other, athar.All})
	}
	lists, err := loaders(ctx).claimsAboutAttack.LoadAll(ctx, keys)
	if err != nil {
		return nil, err
	}
	var all []*athar.Claim
	for _, l := range lists {
		all = append(all, primed(loaders(ctx).claims, l.Items)...)
	}
	return all, nil
}

// possibleDuplicates checks the request, reads the facts of its candidates and ranks them.
func possibleDuplicates(ctx context.Context, x athar.Explorer, r athar.DuplicateRequest) ([]*athar.DuplicateCandidate, error) {
	if err := r.Check(); err != nil {
		return nil, err
	}
	facts, err := x.DuplicateFacts(ctx, r)
	if err != nil {
		return nil, err
	}
	return pointers(athar.RankDuplicates(r, facts)), nil
}

// datasetOverlap compares dataset a with b, and pages a's unmatched attacks.
func datasetOverlap(ctx context.Context, x athar.Explorer, a, b string, filter *model.AttackFilter, args athar.PageArgs) (*model.DatasetOverlap, error) {
	var p athar.Problems
	athar.CheckID(&p, "a", athar.TypeDataset, a)
	athar.CheckID(&p, "b", athar.TypeDataset, b)
	if len(p) == 0 && a == b {
		p.Add("b", "is the dataset a: compare two datasets")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	f, err := attackFilter(ctx, filter)
	if err != nil {
		return nil, err
	}
	const list = "datasetOverlap.unmatched"
	if _, err := athar.PageWindow(list, args, athar.DefaultListSize, athar.MaxListSize, nil); err != nil {
		return nil, err
	}
	o, err := x.DatasetOverlap(ctx, a, b, f)
	if err != nil {
		return nil, err
	}
	page, total, err := inList(list, args, func(w athar.Window) (athar.List[*athar.Attack], error) {
		ids := athar.Slice(o.Unmatched, w)
		attacks, err := many(ctx, loaders(ctx).attacks, ids.Items)
		return athar.List[*athar.Attack]{Items: attacks, Total: ids.Total}, err
	})
	if err != nil {
		return nil, err
	}
	return &model.DatasetOverlap{Matched: o.Matched, Confirmed: o.Confirmed, Total: o.Total, Unmatched: attackList(page, total)}, nil
}

// incidentUserErrors makes the user errors of a link or unlink that did not happen; any error that
// is not the input's fault is returned as it is.
func incidentUserErrors(err error) ([]*gqltypes.UserError, error) {
	out, err := answer[*athar.Attack](nil, nil, err, "attackId")
	if err != nil {
		return nil, err
	}
	return out.UserErrors, nil
}
