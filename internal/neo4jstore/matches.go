package neo4jstore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/athar"
)

// matchFields returns the fields of a dataset's match m to the node n, as matchOf reads them.
const matchFields = `{recordId: m.recordId, externalId: m.externalId, name: m.name, rule: m.rule, at: m.at,
  entity: n.id, type: CASE WHEN n:Place THEN 'Place' ELSE 'Actor' END}`

// matchOf reads a map of matchFields.
func matchOf(dataset string, m map[string]any) *athar.DatasetMatch {
	return &athar.DatasetMatch{DatasetID: dataset, RecordID: str(m, "recordId"), ExternalID: str(m, "externalId"), Name: str(m, "name"),
		EntityID: str(m, "entity"), Type: athar.EntityType(str(m, "type")), Rule: athar.MatchRule(str(m, "rule")), At: timeOf(m, "at")}
}

// MatchesOfDatasets implements athar.MatchLister, from the dataset's MATCHED relationships in the order
// of their record ids.
func (s *Store) MatchesOfDatasets(ctx context.Context, ids []string, t athar.EntityType, w athar.Window) (map[string]athar.List[*athar.DatasetMatch], error) {
	out := make(map[string]athar.List[*athar.DatasetMatch], len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var label any
	if t != "" {
		label = labelOf(t)
	}
	recs, err := s.read(ctx, fmt.Sprintf(`UNWIND $ids AS id
MATCH (d:Dataset {id: id})
CALL (d) {
  MATCH (d)-[m:%[1]s]->(n) WHERE $label IS NULL OR $label IN labels(n)
  WITH m, n ORDER BY m.recordId SKIP $offset LIMIT $limit
  RETURN collect(%[2]s) AS items
}
CALL (d) { MATCH (d)-[m:%[1]s]->(n) WHERE $label IS NULL OR $label IN labels(n) RETURN count(m) AS total }
RETURN id, items, total`, relMatched, matchFields),
		map[string]any{"ids": ids, "label": label, "offset": int64(w.Offset), "limit": limitParam(w.Limit)})
	if err != nil {
		return nil, err
	}
	for _, rec := range recs {
		m := rowOf(rec)
		id := str(m, "id")
		l := athar.List[*athar.DatasetMatch]{Total: int(field[int64](m, "total"))}
		for _, item := range mapsAt(m, "items") {
			l.Items = append(l.Items, matchOf(id, item))
		}
		out[id] = l
	}
	for _, id := range ids {
		if _, ok := out[id]; !ok {
			out[id] = athar.List[*athar.DatasetMatch]{}
		}
	}
	return out, nil
}

// CorrectMatch implements athar.MatchCorrector, with a change record of the dataset (CORRECT_MATCH,
// the record's entity before and after) in the same transaction. The links re-pointed are those of the dataset's own
// records (datasetId) to the old node, by every reference field that targets the match's type; the
// re-pointed records get their content hash again, and their datasetHash is left as it was, so
// that a re-import of an unchanged release leaves the correction alone.
func (s *Store) CorrectMatch(ctx context.Context, datasetID, recordID, entityID string) (*athar.DatasetMatch, error) {
	return write(ctx, s, func(tx neo4j.ManagedTransaction) (*athar.DatasetMatch, error) {
		recs, err := collect(ctx, tx, fmt.Sprintf(`MATCH (d:Dataset {id: $dataset})-[m:%s {recordId: $record}]->(n)
RETURN %s AS match`, relMatched, matchFields), map[string]any{"dataset": datasetID, "record": recordID})
		if err != nil {
			return nil, err
		}
		if len(recs) == 0 {
			return nil, athar.NotFound("match of "+datasetID, recordID)
		}
		old := matchOf(datasetID, field[map[string]any](rowOf(recs[0]), "match"))
		t := old.Type
		var p athar.Problems
		athar.CheckID(&p, "entityId", t, entityID)
		if err := p.Err(); err != nil {
			return nil, err
		}
		found, err := collect(ctx, tx, fmt.Sprintf("MATCH (n:%[1]s {id: $id}) OPTIONAL MATCH (o:%[1]s {id: $old}) RETURN n.kind AS kind, o.kind AS was",
			labelOf(t)), map[string]any{"id": entityID, "old": old.EntityID})
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, athar.Invalid("entityId", "no %s has the id %q", t.Record(), entityID)
		}
		// A place is matched to a place of the same kind: a governorate is not a neighbourhood.
		// (An actor may be matched across kinds: a dataset's "Government of Syria" may be the
		// curators' state force.)
		if kind, was := str(rowOf(found[0]), "kind"), str(rowOf(found[0]), "was"); t == athar.TypePlace && was != "" && kind != was {
			return nil, athar.Invalid("entityId", "%q is of kind %s; the dataset's place is matched to one of kind %s: point it at a place of that kind", entityID, kind, was)
		}
		now := s.now()
		if old.EntityID != entityID {
			if err := repoint(ctx, tx, datasetID, t, old.EntityID, entityID, now); err != nil {
				return nil, err
			}
		}
		recs, err = collect(ctx, tx, fmt.Sprintf(`MATCH (d:Dataset {id: $dataset})-[old:%[1]s {recordId: $record}]->()
MATCH (n:%[2]s {id: $entity})
CREATE (d)-[m:%[1]s]->(n)
SET m = properties(old), m.rule = $rule, m.at = $now
DELETE old
RETURN %[3]s AS match`, relMatched, labelOf(t), matchFields),
			map[string]any{"dataset": datasetID, "record": recordID, "entity": entityID, "rule": string(athar.MatchCurator), "now": now})
		if err != nil {
			return nil, err
		}
		m := matchOf(datasetID, field[map[string]any](rowOf(recs[0]), "match"))
		c := newChange(ctx, now, athar.ChangeCorrectMatch, datasetID, string(athar.TypeDataset))
		if c.Before, err = jsonText(map[string]any{"recordId": recordID, "entityId": old.EntityID}); err != nil {
			return nil, err
		}
		if c.After, err = jsonText(map[string]any{"recordId": recordID, "entityId": entityID}); err != nil {
			return nil, err
		}
		return m, writeChange(ctx, tx, c)
	})
}

// repoint moves the links of the dataset's records from the node from to the node to (both of type
// t), by every reference field of every type that targets t, and sets the content hashes of the
// records it changed.
func repoint(ctx context.Context, tx neo4j.ManagedTransaction, dataset string, t athar.EntityType, from, to string, now time.Time) error {
	for _, x := range athar.EntityTypes {
		spec := specOf(x)
		if relationships[x]["datasetId"] == "" {
			continue
		}
		var changed []string
		for _, l := range spec.links {
			if l.field == nil || l.field.Target != t || l.field.Name == "datasetId" {
				continue
			}
			recs, err := collect(ctx, tx, fmt.Sprintf(`MATCH (:Dataset {id: $dataset})<-[:%[4]s]-(x:%[1]s)-[r:%[2]s]->(:%[3]s {id: $from})
MATCH (n:%[3]s {id: $to})
MERGE (x)-[:%[2]s]->(n)
DELETE r
RETURN x.id AS id`, spec.label, l.rel, labelOf(t), relOf(x, "datasetId")), map[string]any{"dataset": dataset, "from": from, "to": to})
			if err != nil {
				return err
			}
			for _, rec := range recs {
				changed = append(changed, str(rowOf(rec), "id"))
			}
		}
		if len(changed) == 0 {
			continue
		}
		slices.Sort(changed)
		es, err := getTx(ctx, tx, x, slices.Compact(changed))
		if err != nil {
			return err
		}
		rows := make([]map[string]any, len(es))
		for i, e := range es {
			h, err := ContentHash(e)
			if err != nil {
				return err
			}
			rows[i] = map[string]any{"id": e.EntityID(), "hash": h}
		}
		if _, err := collect(ctx, tx, fmt.Sprintf("UNWIND $rows AS row MATCH (x:%s {id: row.id}) SET x.contentHash = row.hash, x.updatedAt = $now", spec.label),
			map[string]any{"rows": rows, "now": now}); err != nil {
			return err
		}
	}
	return nil
}
