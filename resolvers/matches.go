package resolvers

import (
	"context"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/athar-project/athar/graph/model"
	"github.com/athar-project/athar/internal/athar"
)

// matchTypes are the entity types of Dataset.matches' type argument.
var matchTypes = map[model.DatasetMatchType]athar.EntityType{
	model.DatasetMatchTypePlace: athar.TypePlace,
	model.DatasetMatchTypeActor: athar.TypeActor,
}

// matchLoaders returns a loader of datasets' matches per type of match ("" for both), each batching
// the datasets of a level into one query.
func matchLoaders(wait time.Duration, reader athar.Reader) map[athar.EntityType]*dataloadgen.Loader[windowed, athar.List[*athar.DatasetMatch]] {
	out := map[athar.EntityType]*dataloadgen.Loader[windowed, athar.List[*athar.DatasetMatch]]{}
	for _, t := range []athar.EntityType{"", athar.TypePlace, athar.TypeActor} {
		out[t] = windowLoader(wait, func(ctx context.Context, ids []string, w athar.Window) (map[string]athar.List[*athar.DatasetMatch], error) {
			return reader.MatchesOfDatasets(ctx, ids, t, w)
		})
	}
	return out
}

// datasetMatches answers Dataset.matches: a page of the dataset's matches of type t (both when nil).
func datasetMatches(ctx context.Context, id string, t *model.DatasetMatchType, a athar.PageArgs) (*model.DatasetMatchConnection, error) {
	var typ athar.EntityType
	if t != nil {
		typ = matchTypes[*t]
	}
	l := loaders(ctx).matchesOfDataset[typ]
	p, total, err := inList("Dataset.matches", a, func(w athar.Window) (athar.List[*athar.DatasetMatch], error) {
		return l.Load(ctx, windowed{id, w})
	})
	if err != nil {
		return nil, err
	}
	return &model.DatasetMatchConnection{Nodes: p.Items, PageInfo: pageInfo(p), TotalCount: total,
		Edges: edgesOf(p, func(c string, m *athar.DatasetMatch) *model.DatasetMatchEdge {
			return &model.DatasetMatchEdge{Cursor: c, Node: m}
		})}, nil
}

// correctMatch answers the correctMatch mutation; a domain error the client can correct is a user
// error naming input.recordId (no such match) or input.entityId.
func correctMatch(ctx context.Context, c athar.Curator, input model.CorrectMatchInput) (*model.CorrectMatchPayload, error) {
	m, err := c.CorrectMatch(ctx, input.DatasetID, input.RecordID, input.EntityID)
	p, err := answer[athar.Entity](input.ClientMutationID.Value(), nil, err, "recordId")
	if err != nil {
		return nil, err
	}
	out := &model.CorrectMatchPayload{ClientMutationID: p.ClientMutationID, UserErrors: p.UserErrors}
	if len(p.UserErrors) == 0 {
		out.Match = m
	}
	return out, nil
}
