package neo4jstore

import (
	"github.com/athar-project/athar/internal/athar"
)

// BareLink is one kind of link an entity asks for: the relationship type, the label of the targets
// and their ids.
type BareLink struct {
	Rel, Target string
	IDs         []string
}

// BareNode returns what an import writes of a new record e, for BenchmarkNeo4jCeiling_BareCreate:
// its label, its properties (the description with its folded texts, and the content hash) and its
// links.
func BareNode(e athar.Entity) (string, map[string]any, []BareLink, error) {
	spec := specOf(e.EntityType())
	row, err := toRow(spec, e)
	if err != nil {
		return "", nil, nil, err
	}
	props := row["props"].(map[string]any)
	props["contentHash"] = row["hash"]
	var links []BareLink
	for _, l := range spec.links {
		if ids := l.ids(e); len(ids) > 0 {
			links = append(links, BareLink{Rel: l.rel, Target: l.target, IDs: ids})
		}
	}
	return spec.label, props, links, nil
}
