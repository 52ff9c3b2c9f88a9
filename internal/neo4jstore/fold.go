package neo4jstore

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/athar"
)

// searchIndex is the full-text index over the folded copies of the searched texts (searchedTexts),
// created by migration 3.
const searchIndex = "search_folded"

// RefoldBatch is how many nodes one transaction of the backfill of folded texts (migration 3)
// rewrites by default; Store.SetRefoldBatch changes it.
const RefoldBatch = 2000

// SetRefoldBatch sets how many nodes one transaction of a backfill of folded texts rewrites (at
// least 1). Errors: EINVALID below 1.
func (s *Store) SetRefoldBatch(n int) error {
	if n < 1 {
		return athar.Invalid("refoldBatch", "must be at least 1")
	}
	s.refoldBatch = n
	return nil
}

// refoldTexts writes the folded copies of every entity's searched texts (foldedProps), label by
// label in the order of ids, in transactions of s.refoldBatch nodes, each of which reads and
// writes its nodes so that a concurrent write is never overwritten with an older text's fold. It
// also removes aliasText, which releases before migration 3 kept for their index.
func refoldTexts(ctx context.Context, s *Store) error {
	texts := make([]string, 0, len(searchedTexts)+1)
	for _, f := range append([]string{searchedAliases}, searchedTexts...) {
		texts = append(texts, "."+f)
	}
	batch := s.refoldBatch
	if batch < 1 {
		batch = RefoldBatch
	}
	for _, t := range athar.EntityTypes {
		label := labelOf(t)
		read := fmt.Sprintf("MATCH (n:%s) WHERE n.id > $after WITH n ORDER BY n.id LIMIT $limit RETURN n.id AS id, n {%s} AS texts",
			label, strings.Join(texts, ", "))
		update := fmt.Sprintf("UNWIND $rows AS row MATCH (n:%s {id: row.id}) SET n += row.props REMOVE n.aliasText", label)
		after := ""
		for {
			last, err := write(ctx, s, func(tx neo4j.ManagedTransaction) (string, error) {
				recs, err := collect(ctx, tx, read, map[string]any{"after": after, "limit": int64(batch)})
				if err != nil || len(recs) == 0 {
					return "", err
				}
				rows := make([]map[string]any, len(recs))
				var id string
				for i, rec := range recs {
					if id, _, err = neo4j.GetRecordValue[string](rec, "id"); err != nil {
						return "", err
					}
					p, _, err := neo4j.GetRecordValue[map[string]any](rec, "texts")
					if err != nil {
						return "", err
					}
					props := make(map[string]any, len(foldedKeys))
					for _, k := range foldedKeys {
						props[k] = nil // a text that is gone loses its folded copy
					}
					maps.Copy(props, foldedProps(p))
					rows[i] = map[string]any{"id": id, "props": props}
				}
				if _, err := collect(ctx, tx, update, map[string]any{"rows": rows}); err != nil {
					return "", err
				}
				if len(recs) < batch {
					return "", nil
				}
				return id, nil
			})
			if err != nil {
				return fmt.Errorf("folding the texts of %s nodes: %w", label, translate(err))
			}
			if last == "" {
				break
			}
			after = last
		}
	}
	return nil
}
