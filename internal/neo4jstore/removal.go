package neo4jstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/athar"
)

// Deletion, restore and merge.
//
// A deleted entity is its own node, kept: it loses its type's label and :Entity and takes
// :Deleted, with deletedType (its type), deletedAt, deletedBy, deletedReason, deletedChange (the
// id of the deletion's change record, which sorts as its time does) and deletedLinks, its
// relationships as they were (linkRecord, one JSON text each), which are then removed. Every read
// matches entities by their type's label (or :Entity), and every index of the search and the
// filters is declared on those labels, so a deleted entity leaves every read without a read
// query changing. The unique constraint on :Deleted(id) keeps the id, and Create refuses it.
//
// What is deleted with an entity (deletedWith: the id of the entity whose deletion took it) is
// what cannot stand without it: a claim is about its attack and read in its source, so deleting
// either deletes its claims. Nothing else cascades: a facility without its place, a place without
// its parent, an attack without its facility are each still a record, which loses the link.
//
// A merge's removed entity becomes :Deleted too, with mergedInto, the id of the kept one, and no
// links (they moved): it is the alias through which the removed id still resolves (Aliases). When
// the kept one is merged in turn, the aliases of it are moved on to the new kept one, so an alias
// is one lookup however long the chain.

// labelDeleted is the label of deleted entities and of the aliases merges leave.
const labelDeleted = "Deleted"

// linkRecord is one relationship of a deleted entity, as deletedLinks keeps it: its type, whether
// it went out of the entity, the other end's id, and its properties (encodeProps). A link to a
// same-incident group (which has no id) keeps the group's other attacks instead.
type linkRecord struct {
	Rel     string          `json:"rel"`
	Out     bool            `json:"out"`
	Other   string          `json:"other,omitempty"`
	Members []string        `json:"members,omitempty"`
	Props   json.RawMessage `json:"props,omitempty"`
}

// relName is what a relationship type must look like to be written into a query.
var relName = regexp.MustCompile(`^[A-Z][A-Z_]*$`)

// encodeProps turns a relationship's properties into JSON: a time as {"$time": RFC 3339}, so that
// decodeProps gives it back as a time and not a text.
func encodeProps(p map[string]any) (json.RawMessage, error) {
	if len(p) == 0 {
		return nil, nil
	}
	out := make(map[string]any, len(p))
	for k, v := range p {
		switch x := v.(type) {
		case time.Time:
			out[k] = map[string]string{"$time": x.Format(time.RFC3339Nano)}
		case string, bool, int64, float64, []any:
			out[k] = x
		default:
			return nil, fmt.Errorf("neo4jstore: relationship property %s of type %T cannot be kept", k, v)
		}
	}
	return json.Marshal(out)
}

// decodeProps reads what encodeProps wrote, with whole numbers as int64.
func decodeProps(raw json.RawMessage) (map[string]any, error) {
	out := map[string]any{}
	if len(raw) == 0 {
		return out, nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	for k, v := range m {
		switch x := v.(type) {
		case json.Number:
			if n, err := x.Int64(); err == nil {
				out[k] = n
			} else if f, err := x.Float64(); err == nil {
				out[k] = f
			}
		case map[string]any:
			s, _ := x["$time"].(string)
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return nil, fmt.Errorf("neo4jstore: relationship property %s: %w", k, err)
			}
			out[k] = t
		default:
			out[k] = x
		}
	}
	return out, nil
}

// entityLabels are the labels of the entity types, which deletion and merge work on.
func entityLabels() []string {
	out := make([]string, len(athar.EntityTypes))
	for i, t := range athar.EntityTypes {
		out[i] = labelOf(t)
	}
	return out
}

// titleOf is what the list of deleted entities shows of one: its name, title or (a claim) text.
func titleOf(p map[string]any) string {
	for _, k := range []string{"name", "title", "text"} {
		if s := str(p, k); s != "" {
			return s
		}
	}
	return ""
}

// cascadeRels are, by entity type, the relationships of the entities deleted with one: a claim
// points to its attack (ABOUT) and its source (REPORTED_IN).
var cascadeRels = map[athar.EntityType]string{
	athar.TypeAttack: relAbout,
	athar.TypeSource: relOf(athar.TypeClaim, "sourceId"),
}

// claimNeeds are the relationships a claim cannot be without: its attack and its source.
var claimNeeds = []string{relAbout, relOf(athar.TypeClaim, "sourceId")}

// singleRel reports whether the relationship rel going out of an entity with the id is a
// single reference (a facility's place, a place's parent): such an entity has at most one.
func singleRel(id, rel string) bool {
	t := athar.TypeOfID(id)
	if t == "" {
		return false
	}
	for _, l := range specOf(t).links {
		if l.rel == rel && l.field != nil && l.field.Shape == athar.ShapeRef {
			return true
		}
	}
	return false
}

// readLinks reads the relationships of the live entities with ids, by id.
func readLinks(ctx context.Context, tx neo4j.ManagedTransaction, ids []string) (map[string][]linkRecord, []string, error) {
	recs, err := collect(ctx, tx, fmt.Sprintf(`UNWIND $ids AS id
MATCH (n:Entity {id: id})
MATCH (n)-[r]-(o)
RETURN n.id AS id, type(r) AS rel, startNode(r) = n AS out, o.id AS other,
  [l IN labels(o) WHERE l IN $labels] AS kinds, properties(r) AS props,
  CASE WHEN o:%[1]s THEN [(m:Attack)-[:%[2]s]->(o) WHERE m.id <> id | m.id] ELSE null END AS members`, labelIncident, relSameIncident),
		map[string]any{"ids": ids, "labels": entityLabels()})
	if err != nil {
		return nil, nil, err
	}
	out := map[string][]linkRecord{}
	var others []string // live entities at the other end
	for _, rec := range recs {
		m := rowOf(rec)
		props, err := encodeProps(field[map[string]any](m, "props"))
		if err != nil {
			return nil, nil, err
		}
		l := linkRecord{Rel: str(m, "rel"), Out: field[bool](m, "out"), Other: str(m, "other"), Props: props}
		if _, ok := m["members"].([]any); ok {
			l.Other = ""
			l.Members = strs(m, "members")
			if l.Members == nil {
				l.Members = []string{}
			}
		} else if l.Other == "" {
			continue // a node without an id: nothing to link back to
		}
		id := str(m, "id")
		out[id] = append(out[id], l)
		if len(strs(m, "kinds")) > 0 {
			others = append(others, l.Other)
		}
	}
	return out, others, nil
}

// Delete implements athar.Remover, in one transaction with its change record (DELETE, on the
// entity, after: {"type", "cascaded"}). A deletion that would record more relationships than the
// store's limit (WithMaxDeleteLinks) is refused: EINVALID on id.
func (s *Store) Delete(ctx context.Context, t athar.EntityType, id string) (*athar.Deleted, error) {
	var p athar.Problems
	athar.CheckID(&p, "id", t, id)
	if err := p.Err(); err != nil {
		return nil, err
	}
	return write(ctx, s, func(tx neo4j.ManagedTransaction) (*athar.Deleted, error) {
		label := labelOf(t)
		recs, err := collect(ctx, tx, fmt.Sprintf(`MATCH (n:%s {id: $id}) SET n.updatedAt = n.updatedAt
RETURN n {.name, .title, .text} AS props, COUNT { (n)<-[:%s]-() } AS records`, label, relInDataset), map[string]any{"id": id})
		if err != nil {
			return nil, err
		}
		if len(recs) == 0 {
			return nil, notLive(ctx, tx, t, id)
		}
		if hidden, err := hiddenIDs(ctx, tx, []string{id}); err != nil || len(hidden) > 0 {
			if err == nil {
				err = athar.NotFound(t.Record(), id)
			}
			return nil, err
		}
		row := rowOf(recs[0])
		if n := field[int64](row, "records"); t == athar.TypeDataset && n > 0 {
			return nil, athar.Invalid("id", "%s still holds %d records: a dataset is deleted once it holds none (its next import would write them again)", id, n)
		}
		ids := []string{id}
		if rel, ok := cascadeRels[t]; ok {
			recs, err := collect(ctx, tx, fmt.Sprintf("MATCH (:%s {id: $id})<-[:%s]-(c:Claim) RETURN c.id AS id ORDER BY id", label, rel), map[string]any{"id": id})
			if err != nil {
				return nil, err
			}
			for _, rec := range recs {
				ids = append(ids, str(rowOf(rec), "id"))
			}
		}
		cascaded := slices.Clone(ids[1:])
		recs, err = collect(ctx, tx, "UNWIND $ids AS id MATCH (n:Entity {id: id}) RETURN sum(COUNT { (n)--() }) AS links", map[string]any{"ids": ids})
		if err != nil {
			return nil, err
		}
		if n := field[int64](rowOf(recs[0]), "links"); n > int64(s.maxDeleteLinks) {
			return nil, athar.Invalid("id", "%s and what is deleted with it have %d links, more than one deletion records (%d, ATHAR_DELETE_MAX_LINKS): merge it into another instead, or raise the limit",
				id, n, s.maxDeleteLinks)
		}
		links, others, err := readLinks(ctx, tx, ids)
		if err != nil {
			return nil, err
		}
		// The summaries of the attacks the deletion touches: the attacks of the deleted claims, and
		// the aggregates and parts of a deleted attack.
		if err := lockAttacks(ctx, tx, attacksOf(others)); err != nil {
			return nil, err
		}
		// The groups of a deleted attack that are left with one attack are removed.
		if _, err := collect(ctx, tx, fmt.Sprintf(`UNWIND $ids AS id
MATCH (:Attack {id: id})-[:%[1]s]->(g:%[2]s)
WITH collect(DISTINCT g) AS groups
UNWIND $ids AS id
MATCH (:Attack {id: id})-[r:%[1]s]->(:%[2]s)
DELETE r
WITH DISTINCT groups
UNWIND groups AS g
WITH g WHERE COUNT { (:Attack)-[:%[1]s]->(g) } < 2
DETACH DELETE g`, relSameIncident, labelIncident), map[string]any{"ids": ids}); err != nil {
			return nil, err
		}
		c := newChange(ctx, s.now(), athar.ChangeDelete, id, string(t))
		byType := map[athar.EntityType][]map[string]any{}
		for i, x := range ids {
			rows := make([]string, 0, len(links[x]))
			for _, l := range links[x] {
				b, err := json.Marshal(l)
				if err != nil {
					return nil, err
				}
				rows = append(rows, string(b))
			}
			props := map[string]any{"deletedType": string(athar.TypeOfID(x)), "deletedAt": c.At, "deletedBy": c.By,
				"deletedReason": nilIfEmpty(c.Reason), "deletedChange": c.ID, "deletedLinks": rows, "contentHash": nil}
			if i > 0 {
				props["deletedWith"] = id
			}
			xt := athar.TypeOfID(x)
			byType[xt] = append(byType[xt], map[string]any{"id": x, "props": props})
		}
		for _, xt := range athar.EntityTypes {
			if len(byType[xt]) == 0 {
				continue
			}
			if _, err := collect(ctx, tx, fmt.Sprintf(`UNWIND $rows AS row
MATCH (n:%s {id: row.id})
CALL (n) { MATCH (n)-[r]-() DELETE r }
REMOVE n:%s:Entity:%s:%s
SET n:%s
SET n += row.props`, labelOf(xt), labelOf(xt), labelReadPublic, labelReadRestricted, labelDeleted), map[string]any{"rows": byType[xt]}); err != nil {
				return nil, err
			}
		}
		if err := afterLinksChanged(ctx, tx, others); err != nil {
			return nil, err
		}
		c.After, err = jsonText(map[string]any{"type": t, "cascaded": cascaded})
		if err != nil {
			return nil, err
		}
		if err := writeChange(ctx, tx, c); err != nil {
			return nil, err
		}
		return &athar.Deleted{ID: id, Type: t, Title: titleOf(field[map[string]any](row, "props")), DeletedAt: c.At,
			DeletedBy: c.By, Reason: c.Reason, Cascaded: cascaded}, nil
	})
}

// attacksOf returns the attack ids among ids.
func attacksOf(ids []string) []string {
	var out []string
	for _, id := range ids {
		if athar.TypeOfID(id) == athar.TypeAttack {
			out = append(out, id)
		}
	}
	return distinct(out)
}

// afterLinksChanged keeps right what the graph keeps about the live entities others, whose links
// a deletion, restore or merge changed: their content hashes go (a later import of one of them
// writes it again, links and all, instead of finding it unchanged), the figures of the attacks
// among them (and their aggregates) are refreshed, and the mapped points of the attacks they may
// have moved (refreshMapped).
func afterLinksChanged(ctx context.Context, tx neo4j.ManagedTransaction, others []string) error {
	others = distinct(others)
	if len(others) == 0 {
		return nil
	}
	if _, err := collect(ctx, tx, "UNWIND $ids AS id MATCH (n:Entity {id: id}) SET n.contentHash = null", map[string]any{"ids": others}); err != nil {
		return err
	}
	if attacks := attacksOf(others); len(attacks) > 0 {
		if _, err := collect(ctx, tx, refreshAttacksQuery, map[string]any{"ids": attacks}); err != nil {
			return err
		}
	}
	// The mapped points of the attacks among them, of those on the facilities among them and of
	// those in (or on facilities in) the places among them and the places inside those.
	byType := map[athar.EntityType][]string{}
	for _, id := range others {
		t := athar.TypeOfID(id)
		byType[t] = append(byType[t], id)
	}
	for _, t := range []athar.EntityType{athar.TypeAttack, athar.TypeFacility, athar.TypePlace} {
		if err := refreshMapped(ctx, tx, t, byType[t]); err != nil {
			return err
		}
	}
	return nil
}

// notLive is the error of an id no live entity of type t has: NOT_FOUND, saying when the entity
// was deleted or merged.
func notLive(ctx context.Context, tx neo4j.ManagedTransaction, t athar.EntityType, id string) error {
	recs, err := collect(ctx, tx, "MATCH (d:Deleted {id: $id}) WHERE coalesce(d.accessRank, 0) <= $clearance RETURN d.mergedInto AS merged",
		map[string]any{"id": id, "clearance": int64(athar.ClearanceOf(ctx).Rank())})
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		return athar.NotFound(t.Record(), id)
	}
	if into := str(rowOf(recs[0]), "merged"); into != "" {
		return &athar.Error{Code: athar.ENOTFOUND, Message: fmt.Sprintf("%s %q was merged into %q", t.Record(), id, into)}
	}
	return &athar.Error{Code: athar.ENOTFOUND, Message: fmt.Sprintf("%s %q is deleted (restore brings it back)", t.Record(), id)}
}

// deletedConflict is the error of a create of an id a deleted or merged entity keeps, or nil when
// none does.
func deletedConflict(ctx context.Context, tx neo4j.ManagedTransaction, id string) error {
	recs, err := collect(ctx, tx, "MATCH (d:Deleted {id: $id}) RETURN d.mergedInto AS merged", map[string]any{"id": id})
	if err != nil || len(recs) == 0 {
		return err
	}
	if into := str(rowOf(recs[0]), "merged"); into != "" {
		return &athar.Error{Code: athar.ECONFLICT, Field: "id", Message: fmt.Sprintf("%q was merged into %q and still names it: choose another id", id, into)}
	}
	return &athar.Error{Code: athar.ECONFLICT, Field: "id", Message: fmt.Sprintf("%q is deleted and can be restored (restore); choose another id to create a new one", id)}
}

// deletedNode is a :Deleted node as restore reads it.
type deletedNode struct {
	id, typ, with, merged string
	links                 []linkRecord
}

func readDeleted(ctx context.Context, tx neo4j.ManagedTransaction, where string, params map[string]any) ([]deletedNode, error) {
	recs, err := collect(ctx, tx, "MATCH (d:Deleted) WHERE "+where+
		" RETURN d.id AS id, d.deletedType AS type, d.deletedWith AS with, d.mergedInto AS merged, d.deletedLinks AS links ORDER BY id", params)
	if err != nil {
		return nil, err
	}
	out := make([]deletedNode, 0, len(recs))
	for _, rec := range recs {
		m := rowOf(rec)
		d := deletedNode{id: str(m, "id"), typ: str(m, "type"), with: str(m, "with"), merged: str(m, "merged")}
		for _, raw := range strs(m, "links") {
			var l linkRecord
			if err := json.Unmarshal([]byte(raw), &l); err != nil {
				return nil, fmt.Errorf("neo4jstore: a link of deleted %s: %w", d.id, err)
			}
			d.links = append(d.links, l)
		}
		out = append(out, d)
	}
	return out, nil
}

// endState is what an id names now: a live entity, a deleted one, or (through a merge) a live one
// under another id.
type endState struct {
	live    bool
	deleted bool
	merged  string // the id it resolves to, when a merge removed it
}

func endStates(ctx context.Context, tx neo4j.ManagedTransaction, ids []string) (map[string]endState, error) {
	out := map[string]endState{}
	if len(ids) == 0 {
		return out, nil
	}
	recs, err := collect(ctx, tx, `UNWIND $ids AS id
OPTIONAL MATCH (e:Entity {id: id})
OPTIONAL MATCH (d:Deleted {id: id})
OPTIONAL MATCH (k:Entity {id: d.mergedInto})
RETURN id, e IS NOT NULL AS live, d IS NOT NULL AND d.mergedInto IS NULL AS deleted, k.id AS merged`, map[string]any{"ids": distinct(ids)})
	if err != nil {
		return nil, err
	}
	for _, rec := range recs {
		m := rowOf(rec)
		out[str(m, "id")] = endState{live: field[bool](m, "live"), deleted: field[bool](m, "deleted"), merged: str(m, "merged")}
	}
	return out, nil
}

// Restore implements athar.Remover, in one transaction with its change record (RESTORE, on the
// entity, after: {"cascaded"}).
func (s *Store) Restore(ctx context.Context, id string) (*athar.Restored, error) {
	t := athar.TypeOfID(id)
	if t == "" {
		return nil, athar.Invalid("id", "%q is not the id of an entity", id)
	}
	return write(ctx, s, func(tx neo4j.ManagedTransaction) (*athar.Restored, error) {
		// What the reader of ctx may not see (a deleted or live source or claim above their
		// clearance) is as unknown to them.
		roots, err := readDeleted(ctx, tx, "d.id = $id AND coalesce(d.accessRank, 0) <= $clearance",
			map[string]any{"id": id, "clearance": int64(athar.ClearanceOf(ctx).Rank())})
		if err != nil {
			return nil, err
		}
		if len(roots) == 0 {
			recs, err := collect(ctx, tx, "MATCH (n:Entity {id: $id}) WHERE coalesce(n.accessRank, 0) <= $clearance RETURN n.id AS id",
				map[string]any{"id": id, "clearance": int64(athar.ClearanceOf(ctx).Rank())})
			if err != nil {
				return nil, err
			}
			if len(recs) > 0 {
				return nil, athar.Invalid("id", "%s is not deleted", id)
			}
			return nil, athar.NotFound(t.Record(), id)
		}
		root := roots[0]
		if root.merged != "" {
			return nil, athar.Invalid("id", "%s was merged into %s: a merge is not undone (its links now belong to %s)", id, root.merged, root.merged)
		}
		if root.with != "" {
			return nil, athar.Invalid("id", "%s was deleted with %s: restoring %s brings it back", id, root.with, root.with)
		}
		if _, err := collect(ctx, tx, "MATCH (d:Deleted {id: $id}) SET d.deletedAt = d.deletedAt", map[string]any{"id": id}); err != nil {
			return nil, err
		}
		set, err := readDeleted(ctx, tx, "d.deletedWith = $id", map[string]any{"id": id})
		if err != nil {
			return nil, err
		}
		set = append([]deletedNode{root}, set...)
		inSet := map[string]bool{}
		for _, d := range set {
			inSet[d.id] = true
		}
		var ends []string
		for _, d := range set {
			for _, l := range d.links {
				if l.Other != "" {
					ends = append(ends, l.Other)
				}
				ends = append(ends, l.Members...)
			}
		}
		states, err := endStates(ctx, tx, ends)
		if err != nil {
			return nil, err
		}
		// resolve is the live id a link to other goes to ("" when none), and whether other is
		// still deleted.
		resolve := func(other string) (string, bool) {
			if inSet[other] {
				return other, false
			}
			st := states[other]
			switch {
			case st.live:
				return other, false
			case st.merged != "":
				return st.merged, false
			}
			return "", st.deleted
		}
		// A claim comes back only with its attack and its source; a cascaded one whose other end is
		// still deleted is handed to that entity's deletion, and comes back with it.
		var restored []deletedNode
		handed := map[string][]string{} // deleted id -> the claims handed to it
		for i, d := range set {
			var missing string
			if d.typ == string(athar.TypeClaim) {
				for _, l := range d.links {
					if l.Out && slices.Contains(claimNeeds, l.Rel) {
						if to, _ := resolve(l.Other); to == "" {
							missing = l.Other
						}
					}
				}
			}
			switch {
			case missing == "":
				restored = append(restored, d)
			case i == 0:
				return nil, athar.Invalid("id", "%s is about or read in %s, which is deleted: restore %s first", id, missing, missing)
			default:
				handed[missing] = append(handed[missing], d.id)
				delete(inSet, d.id)
			}
		}
		for to, claims := range handed {
			if _, err := collect(ctx, tx, "UNWIND $ids AS id MATCH (d:Deleted {id: id}) SET d.deletedWith = $to",
				map[string]any{"ids": claims, "to": to}); err != nil {
				return nil, err
			}
		}
		byType := map[string][]string{}
		for _, d := range restored {
			byType[d.typ] = append(byType[d.typ], d.id)
		}
		for _, xt := range athar.EntityTypes {
			if len(byType[string(xt)]) == 0 {
				continue
			}
			if _, err := collect(ctx, tx, fmt.Sprintf(`UNWIND $ids AS id
MATCH (n:%s {id: id})
REMOVE n:%s
SET n:%s:Entity
REMOVE n.deletedType, n.deletedAt, n.deletedBy, n.deletedReason, n.deletedChange, n.deletedLinks, n.deletedWith, n.contentHash`,
				labelDeleted, labelDeleted, labelOf(xt)), map[string]any{"ids": byType[string(xt)]}); err != nil {
				return nil, err
			}
		}
		others, err := s.relink(ctx, tx, restored, resolve)
		if err != nil {
			return nil, err
		}
		// Restored sources and claims take again the labels of the readers who may see them.
		for _, xt := range []athar.EntityType{athar.TypeSource, athar.TypeClaim} {
			if ids := byType[string(xt)]; len(ids) > 0 {
				attacks, err := rank(ctx, tx, xt, ids)
				if err != nil {
					return nil, err
				}
				others = append(others, attacks...)
			}
		}
		var ids []string
		for _, d := range restored {
			ids = append(ids, d.id)
		}
		if err := afterLinksChanged(ctx, tx, append(others, ids...)); err != nil {
			return nil, err
		}
		cascaded := slices.Clone(ids[1:])
		c := newChange(ctx, s.now(), athar.ChangeRestore, id, string(t))
		if c.After, err = jsonText(map[string]any{"cascaded": cascaded}); err != nil {
			return nil, err
		}
		if err := writeChange(ctx, tx, c); err != nil {
			return nil, err
		}
		es, err := getTx(ctx, tx, t, []string{id})
		if err != nil {
			return nil, err
		}
		if len(es) != 1 {
			return nil, fmt.Errorf("neo4jstore: %s not found after restoring it", id)
		}
		return &athar.Restored{Entity: es[0], Cascaded: cascaded}, nil
	})
}

// linkRow is a relationship to create: from start to end, with its properties.
type linkRow struct {
	rel        string
	start, end string
	props      map[string]any
	key        string // rel, ends and properties, to make each once
}

// relink makes again the recorded links of the restored entities: each whose other end is live (or
// merged into a live one), once; a link to an entity still deleted is handed to that entity's
// record, which makes it when it is restored. It returns the live entities at the other ends.
func (s *Store) relink(ctx context.Context, tx neo4j.ManagedTransaction, restored []deletedNode, resolve func(string) (string, bool)) ([]string, error) {
	var rows []linkRow
	seen := map[string]bool{}
	handOver := map[string][]string{} // deleted id -> link records to add to it
	var others []string
	for _, d := range restored {
		for _, l := range d.links {
			if l.Members != nil {
				if err := s.rejoinIncident(ctx, tx, d.id, l, resolve, handOver); err != nil {
					return nil, err
				}
				continue
			}
			if !relName.MatchString(l.Rel) {
				return nil, fmt.Errorf("neo4jstore: a recorded link of %s has the type %q", d.id, l.Rel)
			}
			to, stillDeleted := resolve(l.Other)
			if to == "" {
				if stillDeleted {
					back := linkRecord{Rel: l.Rel, Out: !l.Out, Other: d.id, Props: l.Props}
					b, err := json.Marshal(back)
					if err != nil {
						return nil, err
					}
					handOver[l.Other] = append(handOver[l.Other], string(b))
				}
				continue
			}
			props, err := decodeProps(l.Props)
			if err != nil {
				return nil, err
			}
			r := linkRow{rel: l.Rel, start: d.id, end: to, props: props}
			if !l.Out {
				r.start, r.end = to, d.id
			}
			r.key = r.rel + "\x00" + r.start + "\x00" + r.end + "\x00" + string(l.Props)
			if seen[r.key] {
				continue
			}
			seen[r.key] = true
			rows = append(rows, r)
			others = append(others, to)
		}
	}
	byRel := map[string][]map[string]any{}
	var rels []string
	for _, r := range rows {
		if _, ok := byRel[r.rel]; !ok {
			rels = append(rels, r.rel)
		}
		byRel[r.rel] = append(byRel[r.rel], map[string]any{"start": r.start, "end": r.end, "props": r.props, "single": singleRel(r.start, r.rel)})
	}
	for _, rel := range rels {
		// A single reference (a facility's place) the other end took again while this one was
		// deleted stays as it is.
		if _, err := collect(ctx, tx, fmt.Sprintf(`UNWIND $pairs AS p
MATCH (a:Entity {id: p.start})
MATCH (b:Entity {id: p.end})
WITH a, b, p
WHERE NOT EXISTS { MATCH (a)-[x:%[1]s]->(b) WHERE properties(x) = p.props }
  AND NOT (p.single AND EXISTS { (a)-[:%[1]s]->() })
CREATE (a)-[r:%[1]s]->(b)
SET r = p.props`, rel), map[string]any{"pairs": byRel[rel]}); err != nil {
			return nil, err
		}
	}
	if len(handOver) > 0 {
		var hand []map[string]any
		for id, ls := range handOver {
			hand = append(hand, map[string]any{"id": id, "links": ls})
		}
		if _, err := collect(ctx, tx, "UNWIND $rows AS row MATCH (d:Deleted {id: row.id}) SET d.deletedLinks = coalesce(d.deletedLinks, []) + row.links",
			map[string]any{"rows": hand}); err != nil {
			return nil, err
		}
	}
	return others, nil
}

// rejoinIncident puts a restored attack back into the same-incident group of the attacks it was
// grouped with: the group of the first of them (by id) that is in one, or a new group with those of
// them that are live and in none. Those still deleted are handed the link, so that restoring one
// of them groups it with this attack again.
func (s *Store) rejoinIncident(ctx context.Context, tx neo4j.ManagedTransaction, id string, l linkRecord,
	resolve func(string) (string, bool), handOver map[string][]string) error {
	var live []string
	for _, m := range l.Members {
		to, stillDeleted := resolve(m)
		switch {
		case to != "":
			live = append(live, to)
		case stillDeleted:
			b, err := json.Marshal(linkRecord{Rel: l.Rel, Out: true, Members: []string{id}, Props: l.Props})
			if err != nil {
				return err
			}
			handOver[m] = append(handOver[m], string(b))
		}
	}
	if len(live) == 0 {
		return nil
	}
	slices.Sort(live)
	props, err := decodeProps(l.Props)
	if err != nil {
		return err
	}
	_, err = collect(ctx, tx, fmt.Sprintf(`MERGE (lock:AtharLock {id: $lock}) SET lock.at = $now
WITH lock
MATCH (a:Attack {id: $id})
OPTIONAL MATCH (m:Attack)-[:%[1]s]->(g:%[2]s) WHERE m.id IN $live
WITH a, m, g ORDER BY m.id
WITH a, head(collect(g)) AS g
CALL (a, g) {
  WITH a, g WHERE g IS NOT NULL
  MERGE (a)-[r:%[1]s]->(g) ON CREATE SET r = $props
}
CALL (a, g) {
  WITH a, g WHERE g IS NULL
  MATCH (m:Attack) WHERE m.id IN $live AND NOT EXISTS { (m)-[:%[1]s]->() }
  WITH a, collect(m) AS ms WHERE size(ms) > 0
  CREATE (n:%[2]s {createdAt: $now})
  CREATE (a)-[r:%[1]s]->(n) SET r = $props
  WITH ms, n
  UNWIND ms AS m
  CREATE (m)-[:%[1]s {at: $now}]->(n)
}`, relSameIncident, labelIncident), map[string]any{"lock": incidentLock, "now": s.now(), "id": id, "live": live, "props": props})
	return err
}

// DeletedEntities implements athar.Remover: the deletions restore can undo (not the entities
// deleted with another, nor merges), the latest first.
func (s *Store) DeletedEntities(ctx context.Context, page athar.PageRequest) (*athar.Page[*athar.Deleted], error) {
	params := map[string]any{}
	q, n, err := keysetPage("MATCH (d:Deleted) WHERE d.deletedChange IS NOT NULL AND d.deletedWith IS NULL AND d.mergedInto IS NULL AND coalesce(d.accessRank, 0) <= $clearance\n",
		params, "d", keyset{key: "d.deletedChange", id: "d.id"}, "deleted", keyText, page)
	if err != nil {
		return nil, err
	}
	recs, err := s.read(ctx, q+`RETURN d {.id, .deletedType, .deletedAt, .deletedBy, .deletedReason, .deletedChange, .name, .title, .text,
  cascaded: COLLECT { MATCH (c:Deleted) WHERE c.deletedWith = d.id AND coalesce(c.accessRank, 0) <= $clearance RETURN c.id ORDER BY c.id }} AS d`, params)
	if err != nil {
		return nil, err
	}
	rows := make([]map[string]any, len(recs))
	for i, rec := range recs {
		rows[i] = field[map[string]any](rowOf(rec), "d")
	}
	rows, hasPrev, hasNext := pageOf(rows, n, page)
	out := &athar.Page[*athar.Deleted]{HasNextPage: hasNext, HasPreviousPage: hasPrev}
	for _, m := range rows {
		out.Items = append(out.Items, &athar.Deleted{ID: str(m, "id"), Type: athar.EntityType(str(m, "deletedType")), Title: titleOf(m),
			DeletedAt: timeOf(m, "deletedAt"), DeletedBy: str(m, "deletedBy"), Reason: str(m, "deletedReason"), Cascaded: strs(m, "cascaded")})
		out.Cursors = append(out.Cursors, encodeCursor("deleted", str(m, "deletedChange"), str(m, "id")))
	}
	return out, nil
}

// Aliases implements athar.Remover, through the unique index on :Deleted(id).
func (s *Store) Aliases(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	recs, err := s.read(ctx, "UNWIND $ids AS id MATCH (d:Deleted {id: id}) WHERE d.mergedInto IS NOT NULL RETURN d.id AS id, d.mergedInto AS into",
		map[string]any{"ids": distinct(ids)})
	if err != nil {
		return nil, err
	}
	for _, rec := range recs {
		m := rowOf(rec)
		out[str(m, "id")] = str(m, "into")
	}
	return out, nil
}

// Merge implements athar.Remover, in one transaction with its change record (MERGE, on the
// removed entity and, through otherId, the kept one; before: {"aliases"} of the kept one; after:
// {"mergedInto", "aliases", "removedName"}, the removed one's name or title).
func (s *Store) Merge(ctx context.Context, t athar.EntityType, keep, remove string) (athar.Entity, error) {
	if !athar.Mergeable(t) {
		return nil, fmt.Errorf("neo4jstore: %s entities are not merged", t)
	}
	var p athar.Problems
	athar.CheckID(&p, "keep", t, keep)
	athar.CheckID(&p, "remove", t, remove)
	if err := p.Err(); err != nil {
		return nil, err
	}
	if keep == remove {
		return nil, athar.Invalid("remove", "is the entity to keep: an entity is not merged into itself")
	}
	label := labelOf(t)
	return write(ctx, s, func(tx neo4j.ManagedTransaction) (athar.Entity, error) {
		pair := []string{keep, remove}
		slices.Sort(pair)
		recs, err := collect(ctx, tx, fmt.Sprintf("UNWIND $ids AS id MATCH (n:%s {id: id}) SET n.updatedAt = n.updatedAt RETURN n.id AS id", label),
			map[string]any{"ids": pair})
		if err != nil {
			return nil, err
		}
		found := map[string]bool{}
		for _, rec := range recs {
			found[str(rowOf(rec), "id")] = true
		}
		hidden, err := hiddenIDs(ctx, tx, pair)
		if err != nil {
			return nil, err
		}
		for _, h := range hidden {
			delete(found, h)
		}
		for _, x := range []struct{ field, id string }{{"keep", keep}, {"remove", remove}} {
			if !found[x.id] {
				err := notLive(ctx, tx, t, x.id)
				if e, ok := err.(*athar.Error); ok {
					e.Field = x.field
				}
				return nil, err
			}
		}
		if t == athar.TypeSource {
			// A claim is read at its source's level or higher: moving claims to a source of
			// another level would show them to readers their source was kept from, or hide them.
			recs, err := collect(ctx, tx, "MATCH (k:Source {id: $keep}), (r:Source {id: $remove}) RETURN k.accessLevel AS keep, r.accessLevel AS remove",
				map[string]any{"keep": keep, "remove": remove})
			if err != nil {
				return nil, err
			}
			if len(recs) > 0 {
				m := rowOf(recs[0])
				if k, r := str(m, "keep"), str(m, "remove"); k != r {
					return nil, athar.Invalid("remove", "is %s and %s is %s: give them one access level (updateSource) before merging them", r, keep, k)
				}
			}
		}
		if err := checkMergeCycle(ctx, tx, t, keep, remove); err != nil {
			return nil, err
		}
		es, err := getTx(ctx, tx, t, []string{keep, remove})
		if err != nil {
			return nil, err
		}
		var kept, removed athar.Entity
		for _, e := range es {
			if e.EntityID() == keep {
				kept = e
			} else {
				removed = e
			}
		}
		before := cloneEntity(kept)
		var aliases []string
		if f := athar.Describe(t).Field(searchedAliases); f != nil {
			name := athar.Describe(t).Field("name")
			have := map[string]bool{athar.SearchKey(name.Text(kept)): true}
			aliases = f.Strings(kept)
			for _, a := range aliases {
				have[athar.SearchKey(a)] = true
			}
			for _, a := range append([]string{name.Text(removed)}, f.Strings(removed)...) {
				if k := athar.SearchKey(a); k != "" && !have[k] {
					have[k] = true
					aliases = append(aliases, a)
				}
			}
			f.SetStrings(kept, aliases)
		}
		// keep's aliases are written before links move to it: a write replaces an entity's owned
		// links with those its description lists, which the moved ones are not among.
		if _, err := s.save(ctx, tx, kept, nil, nil); err != nil {
			return nil, err
		}
		// The relationships of remove, moved to keep: each that keep has not already (the same type,
		// direction, other end and properties), and no second single reference (a place's parent).
		recs, err = collect(ctx, tx, fmt.Sprintf(`MATCH (r0:%s {id: $remove})
MATCH (r0)-[r]-(o)
RETURN type(r) AS rel, startNode(r) = r0 AS out, elementId(o) AS other, o.id AS otherId, properties(r) AS props`, label), map[string]any{"remove": remove})
		if err != nil {
			return nil, err
		}
		byRel := map[string][]map[string]any{}
		var rels, others []string
		for _, rec := range recs {
			m := rowOf(rec)
			rel := str(m, "rel")
			if !relName.MatchString(rel) {
				return nil, fmt.Errorf("neo4jstore: %s has a relationship of type %q", remove, rel)
			}
			if str(m, "otherId") == keep {
				continue // a link between the two: merged, it would link keep to itself
			}
			if rel == relInDataset {
				continue // keep is not made a record of remove's dataset; the tombstone stays its record
			}
			if _, ok := byRel[rel]; !ok {
				rels = append(rels, rel)
			}
			out := field[bool](m, "out")
			byRel[rel] = append(byRel[rel], map[string]any{"other": str(m, "other"), "out": out, "props": field[map[string]any](m, "props"),
				"single": out && singleRel(keep, rel)})
			if id := str(m, "otherId"); id != "" {
				others = append(others, id)
			}
		}
		for _, rel := range rels {
			if _, err := collect(ctx, tx, fmt.Sprintf(`MATCH (k:%[2]s {id: $keep})
UNWIND $rows AS row
MATCH (o) WHERE elementId(o) = row.other
CALL (k, o, row) {
  WITH k, o, row WHERE row.out
    AND NOT EXISTS { MATCH (k)-[x:%[1]s]->(o) WHERE properties(x) = row.props }
    AND NOT (row.single AND EXISTS { (k)-[:%[1]s]->() })
  CREATE (k)-[r:%[1]s]->(o) SET r = row.props
}
CALL (k, o, row) {
  WITH k, o, row WHERE NOT row.out
    AND NOT EXISTS { MATCH (o)-[x:%[1]s]->(k) WHERE properties(x) = row.props }
  CREATE (o)-[r:%[1]s]->(k) SET r = row.props
}`, rel, label), map[string]any{"keep": keep, "rows": byRel[rel]}); err != nil {
				return nil, err
			}
		}
		c := newChange(ctx, s.now(), athar.ChangeMerge, remove, string(t))
		c.OtherID = keep
		if _, err := collect(ctx, tx, fmt.Sprintf(`MATCH (n:%[1]s {id: $remove})
CALL (n) { MATCH (n)-[r]-() DELETE r }
REMOVE n:%[1]s:Entity
SET n:%[2]s, n.deletedType = $type, n.deletedAt = $at, n.deletedBy = $by, n.deletedReason = $reason,
  n.mergedInto = $keep, n.contentHash = null
WITH n
OPTIONAL MATCH (a:%[2]s {mergedInto: $remove})
SET a.mergedInto = $keep`, label, labelDeleted),
			map[string]any{"remove": remove, "keep": keep, "type": string(t), "at": c.At, "by": c.By, "reason": nilIfEmpty(c.Reason)}); err != nil {
			return nil, err
		}
		if err := afterLinksChanged(ctx, tx, append(others, keep)); err != nil {
			return nil, err
		}
		if t == athar.TypeSource {
			// The claims moved to keep: their attacks' figures follow the claims of live sources.
			recs, err := collect(ctx, tx, fmt.Sprintf("MATCH (:Source {id: $keep})<-[:%s]-(:Claim)-[:%s]->(a:Attack) RETURN collect(DISTINCT a.id) AS ids",
				relOf(athar.TypeClaim, "sourceId"), relAbout), map[string]any{"keep": keep})
			if err != nil {
				return nil, err
			}
			if ids := strs(rowOf(recs[0]), "ids"); len(ids) > 0 {
				if _, err := collect(ctx, tx, refreshAttacksQuery, map[string]any{"ids": ids}); err != nil {
					return nil, err
				}
			}
		}
		was, err := fieldsOf(before)
		if err != nil {
			return nil, err
		}
		c.Before, err = jsonText(map[string]any{"aliases": was[searchedAliases]})
		if err != nil {
			return nil, err
		}
		removedName := "" // a source's title: a source has no aliases to keep it in
		for _, k := range []string{"name", "title"} {
			if f := athar.Describe(t).Field(k); f != nil {
				removedName = f.Text(removed)
				break
			}
		}
		if c.After, err = jsonText(map[string]any{"mergedInto": keep, "aliases": aliases, "removedName": removedName}); err != nil {
			return nil, err
		}
		if err := writeChange(ctx, tx, c); err != nil {
			return nil, err
		}
		saved, err := getTx(ctx, tx, t, []string{keep})
		if err != nil {
			return nil, err
		}
		if len(saved) != 1 {
			return nil, fmt.Errorf("neo4jstore: %s not found after merging into it", keep)
		}
		return saved[0], nil
	})
}

// checkMergeCycle refuses a merge that would make an entity part of itself: a place or actor inside
// the other (through PART_OF), or a source citing the other (through CITES), either way.
func checkMergeCycle(ctx context.Context, tx neo4j.ManagedTransaction, t athar.EntityType, keep, remove string) error {
	var rel, what string
	switch t {
	case athar.TypePlace, athar.TypeActor:
		rel, what = relOf(t, "partOf"), "part of itself"
	case athar.TypeSource:
		rel, what = relOf(t, "cites"), "a source citing itself"
	default:
		return nil
	}
	recs, err := collect(ctx, tx, fmt.Sprintf(`MATCH (k:%[1]s {id: $keep}), (r:%[1]s {id: $remove})
RETURN EXISTS { (k)-[:%[2]s*1..%[3]d]->(r) } AS keepInRemove, EXISTS { (r)-[:%[2]s*1..%[3]d]->(k) } AS removeInKeep`,
		labelOf(t), rel, cycleSearchDepth), map[string]any{"keep": keep, "remove": remove})
	if err != nil || len(recs) == 0 {
		return err
	}
	m := rowOf(recs[0])
	switch {
	case field[bool](m, "keepInRemove"):
		return athar.Invalid("keep", "%s is linked to %s through %s: merged, it would be %s", keep, remove, rel, what)
	case field[bool](m, "removeInKeep"):
		return athar.Invalid("remove", "%s is linked to %s through %s: merged, it would be %s", remove, keep, rel, what)
	}
	return nil
}
