package neo4jstore

import (
	"testing"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/athar/athartest"
)

// BenchmarkDecodeNode measures turning a node's properties and links into an entity, for a claim
// with every field filled: the work the store does for each entity it reads.
func BenchmarkDecodeNode(b *testing.B) {
	full, _ := athartest.Graph(true)
	var claim athar.Entity
	for _, e := range full {
		if e.EntityType() == athar.TypeClaim {
			claim = e
		}
	}
	spec := specOf(athar.TypeClaim)
	props := spec.props(claim)
	props["id"] = claim.EntityID()
	for k, v := range props {
		if list, ok := v.([]string); ok { // the driver reads lists back as []any
			items := make([]any, len(list))
			for i, s := range list {
				items[i] = s
			}
			props[k] = items
		}
	}
	links := map[string]any{}
	for _, l := range spec.links {
		var ids []any
		for _, id := range l.ids(claim) {
			ids = append(ids, id)
		}
		links[l.rel] = ids
	}
	b.ReportAllocs()
	for b.Loop() {
		e := spec.decodeNode(props, links)
		athar.Normalize(e)
	}
}

// BenchmarkProps measures turning an entity into the properties the store writes.
func BenchmarkProps(b *testing.B) {
	full, _ := athartest.Graph(true)
	spec := specOf(athar.TypeClaim)
	claim := full[len(full)-1]
	b.ReportAllocs()
	for b.Loop() {
		_ = spec.props(claim)
	}
}
