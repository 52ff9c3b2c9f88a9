package neo4jstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/athar"
)

// getQuery reads entities of one label by id, with the ids of their owned links.
func getQuery(spec *labelSpec) string {
	return fmt.Sprintf("MATCH (m:%s) WHERE m.id IN $ids RETURN properties(m) AS props, %s AS links", spec.label, linkMap(spec, "m"))
}

// linkMap is a Cypher map of the ids of the owned links of the node v, by relationship type.
func linkMap(spec *labelSpec, v string) string {
	links := make([]string, 0, len(spec.links))
	for _, l := range spec.links {
		if l.derived {
			continue // mirrors a property
		}
		links = append(links, fmt.Sprintf("%s: [(%s)-[:%s]->(t:%s) | t.id]", l.rel, v, l.rel, l.target))
	}
	return "{" + strings.Join(links, ", ") + "}"
}

// entityLists reads records of (id, items), where items are maps {props, links} of one label.
func entityLists(label string, recs []*neo4j.Record) map[string][]athar.Entity {
	spec := specOf(label)
	out := make(map[string][]athar.Entity, len(recs))
	for _, rec := range recs {
		id, _ := rec.Get("id")
		items, _ := rec.Get("items")
		list, _ := items.([]any)
		es := make([]athar.Entity, 0, len(list))
		for _, item := range list {
			m, _ := item.(map[string]any)
			props, _ := m["props"].(map[string]any)
			links, _ := m["links"].(map[string]any)
			e := spec.decodeNode(props, links)
			e.Normalize()
			es = append(es, e)
		}
		out[id.(string)] = es
	}
	return out
}

// Get implements athar.Reader.
func (s *Store) Get(ctx context.Context, label string, ids []string) ([]athar.Entity, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if _, ok := specs[label]; !ok {
		return nil, fmt.Errorf("neo4jstore: unknown label %q", label)
	}
	recs, err := s.read(ctx, getQuery(specOf(label)), map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	return decodeEntities(label, recs), nil
}

func getTx(ctx context.Context, tx neo4j.ManagedTransaction, label string, ids []string) ([]athar.Entity, error) {
	recs, err := collect(ctx, tx, getQuery(specOf(label)), map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	return decodeEntities(label, recs), nil
}

func decodeEntities(label string, recs []*neo4j.Record) []athar.Entity {
	spec := specOf(label)
	out := make([]athar.Entity, 0, len(recs))
	for _, rec := range recs {
		props, _ := rec.Get("props")
		links, _ := rec.Get("links")
		p, _ := props.(map[string]any)
		l, _ := links.(map[string]any)
		e := spec.decodeNode(p, l)
		e.Normalize()
		out = append(out, e)
	}
	return out
}

// Neighbours implements athar.Reader.
func (s *Store) Neighbours(ctx context.Context, rel athar.Relation, ids []string, limit int) (map[string][]athar.Entity, error) {
	if len(ids) == 0 {
		return map[string][]athar.Entity{}, nil
	}
	to, ok := specs[rel.To]
	if _, okFrom := specs[rel.From]; !ok || !okFrom {
		return nil, fmt.Errorf("neo4jstore: unknown relation %+v", rel)
	}
	pattern := fmt.Sprintf("(n:%s {id: id})-[:%s]->(m:%s)", rel.From, rel.Type, rel.To)
	if rel.Reverse {
		pattern = fmt.Sprintf("(n:%s {id: id})<-[:%s]-(m:%s)", rel.From, rel.Type, rel.To)
	}
	query := fmt.Sprintf("UNWIND $ids AS id CALL (id) { MATCH %s WITH m ORDER BY %s LIMIT $limit RETURN m } "+
		"RETURN id, collect({props: properties(m), links: %s}) AS items", pattern, to.order, linkMap(to, "m"))
	recs, err := s.read(ctx, query, map[string]any{"ids": ids, "limit": limitParam(limit)})
	if err != nil {
		return nil, err
	}
	return entityLists(rel.To, recs), nil
}

// AttacksOfFacilities implements athar.Reader.
func (s *Store) AttacksOfFacilities(ctx context.Context, ids []string, r athar.DateRange, limit int) (map[string][]athar.Entity, error) {
	if len(ids) == 0 {
		return map[string][]athar.Entity{}, nil
	}
	recs, err := s.read(ctx, `
UNWIND $ids AS id
CALL (id) {
  MATCH (:Facility {id: id})<-[:TARGETED]-(m:Attack)
  WHERE ($from IS NULL OR m.endDate >= $from) AND ($to IS NULL OR m.startDate <= $to)
  WITH m ORDER BY m.startDate, m.endDate, m.id LIMIT $limit
  RETURN m
}
RETURN id, collect({props: properties(m), links: `+linkMap(specOf(athar.LabelAttack), "m")+`}) AS items`,
		map[string]any{"ids": ids, "from": dateParam(r.From), "to": dateParam(r.To), "limit": limitParam(limit)})
	if err != nil {
		return nil, err
	}
	return entityLists(athar.LabelAttack, recs), nil
}

// Citations implements athar.Reader.
func (s *Store) Citations(ctx context.Context, ids []string) (athar.Citations, error) {
	out := athar.Citations{}
	if len(ids) == 0 {
		return out, nil
	}
	recs, err := s.read(ctx, `
UNWIND $ids AS id
MATCH (s:Source {id: id})
CALL (s) {
  // DISTINCT ends let Neo4j walk the citations breadth-first, each source once, instead of
  // enumerating every path (which sources citing each other would make explode).
  OPTIONAL MATCH (s)-[:CITES*1..10]->(t:Source)
  RETURN DISTINCT t.id AS cited ORDER BY cited
}
RETURN id, collect(cited) AS ids`, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	for id, cited := range idLists(recs) {
		out[id] = cited
	}
	return out, nil
}

func idLists(recs []*neo4j.Record) map[string][]string {
	out := make(map[string][]string, len(recs))
	for _, rec := range recs {
		id, _ := rec.Get("id")
		list, _ := rec.Get("ids")
		out[id.(string)] = strs(map[string]any{"ids": list}, "ids")
	}
	return out
}

// limitParam is a LIMIT for a list: limit, or every item with 0.
func limitParam(limit int) int64 {
	if limit <= 0 {
		return 1 << 62
	}
	return int64(limit)
}

func dateParam(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return neo4j.DateOf(t)
}

// IsEmpty reports whether the database holds no entity of Athar's labels.
func (s *Store) IsEmpty(ctx context.Context) (bool, error) {
	for _, label := range athar.Labels {
		recs, err := s.read(ctx, fmt.Sprintf("MATCH (n:%s) RETURN n.id AS id LIMIT 1", label), nil)
		if err != nil {
			return false, err
		}
		if len(recs) > 0 {
			return false, nil
		}
	}
	return true, nil
}
