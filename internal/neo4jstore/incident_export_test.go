package neo4jstore

import "github.com/athar-project/athar/internal/athar"

// DuplicateFactsQuery exposes the query of possible duplicates to the tests that EXPLAIN it.
func DuplicateFactsQuery(r athar.DuplicateRequest) (string, map[string]any) {
	return duplicateFactsQuery(r)
}

// DatasetOverlapQuery exposes the query of a dataset's overlap to the tests that EXPLAIN it.
func DatasetOverlapQuery(a, b string, f athar.AttackFilter) (string, map[string]any) {
	return datasetOverlapQuery(a, b, f)
}
