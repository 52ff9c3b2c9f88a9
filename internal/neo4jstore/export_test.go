package neo4jstore

import "github.com/athar-project/athar/internal/athar"

// AttacksQuery exposes the attack list query to the tests that EXPLAIN it.
func AttacksQuery(f athar.AttackFilter, order athar.AttackOrder) (string, map[string]any) {
	q, params, _, _ := attacksQuery(f, order, athar.PageRequest{First: athar.DefaultPageSize})
	return q, params
}

// EntityListQuery exposes the scope of an entity list to the tests that EXPLAIN it.
func EntityListQuery(label string, f athar.EntityFilter) (string, map[string]any) {
	sc, _ := entityScope(label, f)
	return sc.cypher + "RETURN m.id", sc.params
}
