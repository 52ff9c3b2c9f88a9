package neo4jstore

import (
	"context"

	"github.com/athar-project/athar/internal/athar"
)

// DuplicateFactsQuery exposes the query of possible duplicates to the tests that EXPLAIN it, as a
// reader cleared to confidential runs it.
func DuplicateFactsQuery(r athar.DuplicateRequest) (string, map[string]any) {
	q, params := duplicateFactsQuery(r)
	return readerView(context.Background(), q, params)
}

// DatasetOverlapQuery exposes the query of a dataset's overlap to the tests that EXPLAIN it, as a
// reader cleared to confidential runs it.
func DatasetOverlapQuery(a, b string, f athar.AttackFilter) (string, map[string]any) {
	q, params := datasetOverlapQuery(a, b, f)
	return readerView(context.Background(), q, params)
}
