package neo4jstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/athar"
)

// Change records are (:Change) nodes, not linked to what they are about by a relationship but
// naming it by id (entityId): they stay out of every walk of the graph, and a record outlives
// whatever happens to its entity. Nothing in Athar sets or deletes a Change's properties after it
// is created.

// changeIDTime is the time part of a change's id: fixed width, so that ids sort as their times do.
const changeIDTime = "20060102T150405.000000000Z"

// newChange returns a change record made now by the author of ctx.
func newChange(ctx context.Context, now time.Time, action, entityID, entityType string) athar.Change {
	a := athar.AuthorOf(ctx)
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return athar.Change{
		ID: "change:" + now.UTC().Format(changeIDTime) + "-" + hex.EncodeToString(b),
		At: now.UTC(), By: a.By, Action: action, EntityID: entityID, EntityType: entityType,
		Reason: a.Reason, RequestID: a.RequestID,
	}
}

// createChangesQuery writes records, one per row; like every node each has createdAt and
// updatedAt, both its time.
const createChangesQuery = `UNWIND $rows AS row
CREATE (c:Change) SET c = row, c.createdAt = row.at, c.updatedAt = row.at`

// writeChange writes c in tx: in the transaction of the change it records.
func writeChange(ctx context.Context, tx neo4j.ManagedTransaction, c athar.Change) error {
	return writeChanges(ctx, tx, []athar.Change{c})
}

// writeChanges writes cs in tx, in one query.
func writeChanges(ctx context.Context, tx neo4j.ManagedTransaction, cs []athar.Change) error {
	rows := make([]map[string]any, len(cs))
	for i, c := range cs {
		rows[i] = changeRow(c)
	}
	_, err := collect(ctx, tx, createChangesQuery, map[string]any{"rows": rows})
	return err
}

// changeRow is a record's properties; those it does not have are left out.
func changeRow(c athar.Change) map[string]any {
	row := map[string]any{"id": c.ID, "at": c.At, "by": c.By, "action": c.Action, "entityId": c.EntityID, "entityType": c.EntityType}
	for k, v := range map[string]string{"before": c.Before, "after": c.After, "reason": c.Reason, "requestId": c.RequestID, "otherId": c.OtherID} {
		if v != "" {
			row[k] = v
		}
	}
	if c.EntityIDs != nil {
		row["entityIds"] = c.EntityIDs
	}
	return row
}

// entityChange returns the change record of an entity written from before (nil when created) to
// after: the fields that differ, each as it was and as it is, by its name in the API.
func entityChange(ctx context.Context, now time.Time, before, after athar.Entity) (athar.Change, error) {
	action := athar.ChangeUpdate
	if before == nil {
		action = athar.ChangeCreate
	}
	c := newChange(ctx, now, action, after.EntityID(), string(after.EntityType()))
	was, err := fieldsOf(before)
	if err != nil {
		return c, err
	}
	is, err := fieldsOf(after)
	if err != nil {
		return c, err
	}
	from, to := map[string]json.RawMessage{}, map[string]json.RawMessage{}
	for k, v := range is {
		if k != "id" && !bytes.Equal(was[k], v) {
			to[k] = v
			if old, ok := was[k]; ok {
				from[k] = old
			} else {
				from[k] = json.RawMessage("null")
			}
		}
	}
	for k, v := range was {
		if _, ok := is[k]; !ok && k != "id" {
			from[k], to[k] = v, json.RawMessage("null")
		}
	}
	if before != nil {
		if c.Before, err = jsonText(from); err != nil {
			return c, err
		}
	}
	c.After, err = jsonText(to)
	return c, err
}

// sameFields reports whether a and b have the same fields (their timestamps aside): an update from
// a to b changes nothing.
func sameFields(a, b athar.Entity) (bool, error) {
	x, err := json.Marshal(a)
	if err != nil {
		return false, err
	}
	y, err := json.Marshal(b)
	return bytes.Equal(x, y), err
}

// fieldsOf returns an entity's fields by their JSON names; none for nil.
func fieldsOf(e athar.Entity) (map[string]json.RawMessage, error) {
	out := map[string]json.RawMessage{}
	if e == nil {
		return out, nil
	}
	raw, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	return out, json.Unmarshal(raw, &out)
}

func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// recordEntityChange writes the change record of an entity written from before to after in tx.
func (s *Store) recordEntityChange(ctx context.Context, tx neo4j.ManagedTransaction, before, after athar.Entity) error {
	c, err := entityChange(ctx, s.now(), before, after)
	if err != nil {
		return err
	}
	return writeChange(ctx, tx, c)
}

// RecordExport implements athar.Changes.
func (s *Store) RecordExport(ctx context.Context, which, filter string) error {
	c := newChange(ctx, s.now(), athar.ChangeExport, "export:"+which, "Export")
	c.After = filter
	// The filter is what the exporter typed, which may name material of their clearance: the
	// record is read at it (accessRank, visibleChange).
	row := changeRow(c)
	row["accessRank"] = int64(athar.ClearanceOf(ctx).Rank())
	_, err := write(ctx, s, func(tx neo4j.ManagedTransaction) (struct{}, error) {
		_, err := collect(ctx, tx, createChangesQuery, map[string]any{"rows": []map[string]any{row}})
		return struct{}{}, err
	})
	return err
}

// changeFields are what a change record's row returns.
const changeFields = `c {.id, .at, .by, .action, .entityId, .entityType, .otherId, .before, .after, .reason, .requestId}`

// History implements athar.Changes, through the indexes on entityId and otherId: the records naming
// the id (as the entity changed, or as the kept entity of a merge), and the import batches of the
// entity's dataset (or of curated bundles, "bundle") that list it in entityIds. A dataset has a
// record per batch, so the last part reads a few hundred records at most, not the dataset's
// entities.
func (s *Store) History(ctx context.Context, id string, page athar.PageRequest) (*athar.Page[*athar.Change], error) {
	params := map[string]any{"entity": id}
	q := "CALL () {\n  MATCH (c:Change {entityId: $entity}) RETURN c\n  UNION\n  MATCH (c:Change {otherId: $entity}) RETURN c\n"
	if t := athar.TypeOfID(id); t != "" && t != athar.TypeDataset {
		q += fmt.Sprintf(`  UNION
  MATCH (n:%s {id: $entity})
  OPTIONAL MATCH (n)-[:%s]->(d:Dataset)
  WITH coalesce(d.id, 'bundle') AS owner
  MATCH (c:Change {entityId: owner}) WHERE c.action = '%s' AND $entity IN c.entityIds
  RETURN c
`, labelOf(t), relInDataset, athar.ChangeImport)
	}
	return s.changePage(ctx, q+"}\nWITH c WHERE "+visibleChange+"\n", params, "history", page)
}

// Changes implements athar.Changes, through the index on at (or on by, when f names an account).
func (s *Store) Changes(ctx context.Context, f athar.ChangeFilter, page athar.PageRequest) (*athar.Page[*athar.Change], error) {
	params := map[string]any{}
	q := "MATCH (c:Change)\nWHERE " + visibleChange
	if f.By != "" {
		q += " AND c.by = $by"
		params["by"] = f.By
	}
	if !f.Since.IsZero() {
		q += " AND c.at >= $since"
		params["since"] = f.Since.UTC()
	}
	if !f.Until.IsZero() {
		q += " AND c.at < $until"
		params["until"] = f.Until.UTC()
	}
	return s.changePage(ctx, q+"\n", params, "changes", page)
}

// visibleChange is the condition that the reader may see the change record c: a record of a
// source or claim needs a clearance at its level (readerView hides the node from a lower one, so
// that its records read as those of no entity); the record of an import batch, which counts
// records of every level, a clearance of confidential; the record of an export, whose filter may
// name material its exporter could read, the exporter's clearance (accessRank; confidential for
// the records of exports made before access levels). The records of a deleted source or claim
// are read at the level it had. A reader cleared to confidential sees every record.
var visibleChange = fmt.Sprintf(`($clearance >= 2 OR (c.action <> '%s'
  AND (c.action <> '%s' OR coalesce(c.accessRank, 2) <= $clearance)
  AND (NOT c.entityType IN ['%s', '%s'] OR EXISTS { MATCH (x:Entity {id: c.entityId}) }
    OR EXISTS { MATCH (x:%s {id: c.entityId}) WHERE coalesce(x.accessRank, 0) <= $clearance })))`,
	athar.ChangeImport, athar.ChangeExport, athar.TypeSource, athar.TypeClaim, labelDeleted)

// changePage pages the change records q matches (bound to c), newest first: by id, which sorts
// as their times do.
func (s *Store) changePage(ctx context.Context, q string, params map[string]any, list string, page athar.PageRequest) (*athar.Page[*athar.Change], error) {
	q, n, err := keysetPage(q, params, "c", keyset{key: "c.id", id: "c.id"}, list, keyText, page)
	if err != nil {
		return nil, err
	}
	recs, err := s.read(ctx, q+"RETURN "+changeFields+" AS change", params)
	if err != nil {
		return nil, err
	}
	rows := make([]*athar.Change, len(recs))
	for i, rec := range recs {
		m := field[map[string]any](rowOf(rec), "change")
		rows[i] = &athar.Change{
			ID: str(m, "id"), At: timeOf(m, "at").UTC(), By: str(m, "by"), Action: str(m, "action"),
			EntityID: str(m, "entityId"), EntityType: str(m, "entityType"), OtherID: str(m, "otherId"), Before: str(m, "before"),
			After: str(m, "after"), Reason: str(m, "reason"), RequestID: str(m, "requestId"),
		}
	}
	unseen, err := s.redactChanges(ctx, rows)
	if err != nil {
		return nil, err
	}
	items, hasPrev, hasNext := pageOf(rows, n, page)
	// An update whose every change the reader may not see is not theirs to read: it would tell
	// them that something they cannot see changed. The page may come out shorter for it.
	items = slices.DeleteFunc(items, func(c *athar.Change) bool { return unseen[c.ID] })
	out := &athar.Page[*athar.Change]{Items: items, HasNextPage: hasNext, HasPreviousPage: hasPrev, Cursors: make([]string, len(items))}
	for i, c := range items {
		out.Cursors[i] = encodeCursor(list, c.ID, c.ID)
	}
	return out, nil
}

// redactChanges removes from the fields before and after of rows what the reader of ctx may not
// read: the fields that identify people below the identities clearance (athar.IdentitiesVisible),
// and the ids of cited sources above their clearance; a field the same before and after once
// redacted is left out of both. It returns the ids of the updates left with no field.
func (s *Store) redactChanges(ctx context.Context, rows []*athar.Change) (map[string]bool, error) {
	unseen := map[string]bool{}
	identities, all := athar.IdentitiesVisible(ctx), athar.ClearanceOf(ctx).Rank() >= 2
	if identities && all {
		return unseen, nil
	}
	var cited []string
	parsed := make([][2]map[string]json.RawMessage, len(rows))
	for i, c := range rows {
		for j, text := range []string{c.Before, c.After} {
			var m map[string]json.RawMessage
			if text == "" || json.Unmarshal([]byte(text), &m) != nil {
				continue
			}
			parsed[i][j] = m
			var ids []string
			if json.Unmarshal(m["cites"], &ids) == nil {
				cited = append(cited, ids...)
			}
		}
	}
	visible := map[string]bool{}
	if len(cited) > 0 && !all {
		recs, err := s.read(ctx, "MATCH (x:Source) WHERE x.id IN $ids RETURN x.id AS id", map[string]any{"ids": distinct(cited)})
		if err != nil {
			return nil, err
		}
		for _, rec := range recs {
			visible[str(rowOf(rec), "id")] = true
		}
	}
	for i, c := range rows {
		for j := range 2 {
			m := parsed[i][j]
			if m == nil {
				continue
			}
			if !identities {
				delete(m, "author")
				delete(m, "protectedText")
			}
			var ids []string
			if !all && json.Unmarshal(m["cites"], &ids) == nil {
				kept := []string{}
				for _, id := range ids {
					if visible[id] {
						kept = append(kept, id)
					}
				}
				m["cites"], _ = json.Marshal(kept)
			}
		}
		if before, after := parsed[i][0], parsed[i][1]; before != nil && after != nil {
			for k, v := range after {
				if w, ok := before[k]; ok && bytes.Equal(v, w) {
					delete(before, k)
					delete(after, k)
				}
			}
			if c.Action == athar.ChangeUpdate && len(before) == 0 && len(after) == 0 {
				unseen[c.ID] = true
			}
		}
		for j, text := range []*string{&c.Before, &c.After} {
			if parsed[i][j] == nil {
				continue
			}
			out, err := jsonText(parsed[i][j])
			if err != nil {
				return nil, err
			}
			*text = out
		}
	}
	return unseen, nil
}
