package neo4jstore

import "github.com/athar-project/athar/internal/athar"

// AttacksQuery exposes the attack list query to the tests that EXPLAIN it.
func AttacksQuery(f athar.AttackFilter, order athar.AttackOrder) (string, map[string]any) {
	q, params, _, _ := attacksQuery(f, order, athar.PageRequest{First: athar.DefaultPageSize})
	return q, params
}

// EntityListQuery exposes the scope of an entity list to the tests that EXPLAIN it.
func EntityListQuery(t athar.EntityType, f athar.EntityFilter) (string, map[string]any) {
	sc := entityScope(t, f)
	return sc.cypher + "RETURN m.id", sc.params
}

// Rules exposes the Cypher forms of the domain's rules over claims, for the claim in variable c.
func Rules(c string) (backs, attributing string) { return backsFigures(c), attributes(c) }
