package neo4jstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/athar"
)

// Create implements athar.Curator. Its change record (CREATE, with every field given) is written in
// the same transaction.
func (s *Store) Create(ctx context.Context, e athar.Entity, distinctFrom ...string) (athar.Entity, error) {
	athar.Normalize(e)
	problems, refs := athar.Validate(e)
	if err := problems.Err(); err != nil {
		return nil, err
	}
	if err := athar.CheckDistinctFrom(e.EntityType(), distinctFrom); err != nil {
		return nil, err
	}
	if err := athar.CheckWritable(ctx, "accessLevel", e); err != nil {
		return nil, err
	}
	return write(ctx, s, func(tx neo4j.ManagedTransaction) (athar.Entity, error) {
		existing, err := getTx(ctx, tx, e.EntityType(), []string{e.EntityID()})
		if err != nil {
			return nil, err
		}
		if len(existing) > 0 {
			return nil, conflict(e.EntityID())
		}
		if err := deletedConflict(ctx, tx, e.EntityID()); err != nil {
			return nil, err
		}
		if e.EntityType() != athar.TypeDataset {
			// A curated record never takes an id in a dataset's namespace: the dataset's next
			// import would find its own id held by a curator.
			recs, err := collect(ctx, tx, "MATCH (d:Dataset) RETURN collect(d.id) AS ids", nil)
			if err != nil {
				return nil, err
			}
			if ds := namespaceOf(e.EntityID(), strs(rowOf(recs[0]), "ids")); ds != "" {
				return nil, athar.Invalid("id", "%s is in the namespace of %s: a curated record takes an id of its own", e.EntityID(), ds)
			}
		}
		if err := checkDuplicates(ctx, tx, e, distinctFrom, s.now()); err != nil {
			return nil, err
		}
		// CREATE, not the MERGE of the upsert: of two concurrent creates of one id, the second
		// fails on the unique constraint instead of overwriting the first.
		if _, err := collect(ctx, tx, fmt.Sprintf("CREATE (:%s:Entity {id: $id})", labelOf(e.EntityType())), map[string]any{"id": e.EntityID()}); err != nil {
			if athar.ErrorCode(translate(err)) == athar.ECONFLICT {
				return nil, conflict(e.EntityID())
			}
			return nil, err
		}
		saved, err := s.save(ctx, tx, e, refs, nil)
		if err != nil {
			return nil, err
		}
		return saved, s.recordEntityChange(ctx, tx, nil, saved)
	})
}

// Update implements athar.Curator, with its change record (UPDATE, the changed fields before and
// after) in the same transaction. On a dataset's record it also records which fields the curator
// set (curatedFields, a sorted list of field names), so that a re-import of the dataset keeps their
// values (see mergeCurated).
func (s *Store) Update(ctx context.Context, t athar.EntityType, id string, apply func(athar.Entity) error) (athar.Entity, error) {
	if athar.Describe(t) == nil {
		return nil, fmt.Errorf("neo4jstore: no entity type %q", t)
	}
	return write(ctx, s, func(tx neo4j.ManagedTransaction) (athar.Entity, error) {
		// Lock the node before reading it, so that two concurrent updates apply one after the
		// other instead of the second overwriting the first with what it read before.
		lock := fmt.Sprintf("MATCH (n:%s {id: $id}) SET n.updatedAt = n.updatedAt", labelOf(t))
		if t == athar.TypeClaim {
			// A claim's write locks its attack (see lockAttacks): lock it before the claim, in the
			// same query (the count waits for every attack), so that every writer of one attack
			// waits in one queue, not first for the claim and then for the attack behind writers
			// that came later.
			lock = fmt.Sprintf("OPTIONAL MATCH (:Claim {id: $id})-[:%s]->(a:Attack) WITH a ORDER BY a.id "+
				"FOREACH (x IN CASE WHEN a IS NULL THEN [] ELSE [a] END | SET x.updatedAt = x.updatedAt) "+
				"WITH count(*) AS attacks ", relAbout) + lock
		}
		if _, err := collect(ctx, tx, lock, map[string]any{"id": id}); err != nil {
			return nil, err
		}
		found, err := getTx(ctx, tx, t, []string{id})
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, athar.NotFound(t.Record(), id)
		}
		// Material above the writer's clearance is, to them, not there.
		if hidden, err := hiddenIDs(ctx, tx, []string{id}); err != nil || len(hidden) > 0 {
			if err != nil {
				return nil, err
			}
			return nil, athar.NotFound(t.Record(), id)
		}
		e := found[0]
		before := cloneEntity(e)
		if err := apply(e); err != nil {
			return nil, err
		}
		if e.EntityID() != id {
			return nil, athar.Invalid("id", "an entity's id cannot change")
		}
		athar.Normalize(e)
		problems, refs := athar.Validate(e)
		if err := problems.Err(); err != nil {
			return nil, err
		}
		if err := athar.CheckWritable(ctx, "accessLevel", e); err != nil {
			return nil, err
		}
		if err := keepHiddenCitations(ctx, tx, before, e); err != nil {
			return nil, err
		}
		book, err := curatedBook(ctx, tx, before, e)
		if err != nil {
			return nil, err
		}
		saved, err := s.saveChanged(ctx, tx, before, e, refs, book)
		if err != nil {
			return nil, err
		}
		if saved == before {
			return saved, nil // nothing changed: nothing to record
		}
		return saved, s.recordEntityChange(ctx, tx, before, saved)
	})
}

// keepHiddenCitations keeps, in a source's update, the citations of sources its writer may not
// see: they never saw them, so a new list of citations replaces only those they can.
func keepHiddenCitations(ctx context.Context, tx neo4j.ManagedTransaction, before, after athar.Entity) error {
	was, ok := before.(*athar.Source)
	if !ok || len(was.Cites) == 0 {
		return nil
	}
	hidden, err := hiddenIDs(ctx, tx, was.Cites)
	if err != nil || len(hidden) == 0 {
		return err
	}
	now := after.(*athar.Source)
	for _, id := range hidden {
		if !slices.Contains(now.Cites, id) {
			now.Cites = append(now.Cites, id)
		}
	}
	slices.Sort(now.Cites)
	return nil
}

// curatedBook returns the bookkeeping an update of a dataset's record (or of a dataset's own
// record, see curatedOwner) writes: its curatedFields, those it had and those the update changed;
// nil for a curated record or an update that changes nothing.
func curatedBook(ctx context.Context, tx neo4j.ManagedTransaction, before, after athar.Entity) (map[string]map[string]any, error) {
	if curatedOwner(after) == "" {
		return nil, nil
	}
	changed, err := changedFields(before, after)
	if err != nil || len(changed) == 0 {
		return nil, err
	}
	recs, err := collect(ctx, tx, fmt.Sprintf("MATCH (n:%s {id: $id}) RETURN n.curatedFields AS fields", labelOf(after.EntityType())),
		map[string]any{"id": after.EntityID()})
	if err != nil {
		return nil, err
	}
	fields := changed
	if len(recs) > 0 {
		fields = append(fields, strs(rowOf(recs[0]), "fields")...)
	}
	slices.Sort(fields)
	return map[string]map[string]any{after.EntityID(): {"curatedFields": slices.Compact(fields)}}, nil
}

// save checks that every reference names an existing entity, writes the entity (with the
// bookkeeping properties book gives it, by id; see upsert) and reads it back.
func (s *Store) save(ctx context.Context, tx neo4j.ManagedTransaction, e athar.Entity, refs []athar.Ref, book map[string]map[string]any) (athar.Entity, error) {
	return s.saveChanged(ctx, tx, nil, e, refs, book)
}

// saveChanged is save of an entity that was before (nil for a new one): when its references hold
// and no field differs from before, nothing is written and before is returned, updatedAt and all.
// Callers check that before and e are the same entity.
func (s *Store) saveChanged(ctx context.Context, tx neo4j.ManagedTransaction, before, e athar.Entity, refs []athar.Ref, book map[string]map[string]any) (athar.Entity, error) {
	missing, err := missingRefs(ctx, tx, refs)
	if err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		var p athar.Problems
		for _, r := range missing {
			p = append(p, unknownRef(r))
		}
		return nil, p.Err()
	}
	if before != nil {
		if same, err := sameFields(before, e); err != nil || same {
			return before, err
		}
	}
	if _, err := upsert(ctx, tx, e.EntityType(), []athar.Entity{e}, s.now(), book, nil); err != nil {
		return nil, err
	}
	saved, err := getTx(ctx, tx, e.EntityType(), []string{e.EntityID()})
	if err != nil {
		return nil, err
	}
	if len(saved) != 1 {
		return nil, fmt.Errorf("neo4jstore: %s %q not found after writing it", e.EntityType(), e.EntityID())
	}
	return saved[0], nil
}

// maxDuplicatesNamed is how many existing ids a refused duplicate names at most.
const maxDuplicatesNamed = 5

// checkDuplicates returns athar.Duplicate when an entity of e's type other than those distinctFrom
// lists has e's identity (athar.IdentityOf): the same folded name (read from the range index on
// nameFolded), kind and parent, or no parent for both. Creates of entities of one type take turns
// on the type's AtharLock node (its write lock is held until the transaction ends), so that of two
// concurrent creates of the same entity the second sees the first.
func checkDuplicates(ctx context.Context, tx neo4j.ManagedTransaction, e athar.Entity, distinctFrom []string, now time.Time) error {
	id, ok := athar.IdentityOf(e)
	if !ok {
		return nil
	}
	t := e.EntityType()
	if _, err := collect(ctx, tx, "MERGE (l:AtharLock {id: $lock}) SET l.at = $now",
		map[string]any{"lock": "create:" + labelOf(t), "now": now}); err != nil {
		return err
	}
	q, params := duplicatesQuery(t, id, distinctFrom)
	recs, err := collect(ctx, tx, q, params)
	if err != nil || len(recs) == 0 {
		return err
	}
	ids := make([]string, len(recs))
	for i, rec := range recs {
		if ids[i], _, err = neo4j.GetRecordValue[string](rec, "id"); err != nil {
			return err
		}
	}
	return athar.Duplicate(t, ids)
}

// duplicatesQuery is the query of the ids of the entities of type t, but those of distinctFrom,
// with the identity id (up to maxDuplicatesNamed of them), from the range index on nameFolded.
func duplicatesQuery(t athar.EntityType, id athar.Identity, distinctFrom []string) (string, map[string]any) {
	parent := fmt.Sprintf("NOT EXISTS { (n)-[:%s]->() }", relOf(t, id.ParentField))
	if id.Parent != "" {
		parent = fmt.Sprintf("EXISTS { (n)-[:%s]->({id: $parent}) }", relOf(t, id.ParentField))
	}
	return fmt.Sprintf(
			"MATCH (n:%s {nameFolded: $name}) WHERE n.%s = $kind AND NOT n.id IN $distinct AND %s RETURN n.id AS id ORDER BY id LIMIT %d",
			labelOf(t), id.KindField, parent, maxDuplicatesNamed),
		map[string]any{"name": id.Name, "kind": id.Kind, "parent": id.Parent, "distinct": append([]string{}, distinctFrom...)}
}

func conflict(id string) *athar.Error {
	return &athar.Error{Code: athar.ECONFLICT, Field: "id", Message: fmt.Sprintf("%q already exists", id)}
}

func unknownRef(r athar.Ref) *athar.Error {
	return athar.UnknownRef(r)
}

// missingRefs returns the references whose target does not exist, or is a source or claim above
// the writer's clearance (which, to them, does not exist): one query per type referred to.
func missingRefs(ctx context.Context, tx neo4j.ManagedTransaction, refs []athar.Ref) ([]athar.Ref, error) {
	byType := map[athar.EntityType][]string{}
	for _, r := range refs {
		if !slices.Contains(byType[r.Type], r.ID) {
			byType[r.Type] = append(byType[r.Type], r.ID)
		}
	}
	var missing []athar.Ref
	for _, t := range athar.EntityTypes {
		ids := byType[t]
		if len(ids) == 0 {
			continue
		}
		recs, err := collect(ctx, tx, fmt.Sprintf(
			"UNWIND $ids AS id OPTIONAL MATCH (n:%s {id: id}) WITH id, n WHERE n IS NULL OR coalesce(n.accessRank, 0) > $clearance RETURN id", labelOf(t)),
			map[string]any{"ids": ids, "clearance": int64(athar.ClearanceOf(ctx).Rank())})
		if err != nil {
			return nil, err
		}
		absent := map[string]bool{}
		for _, rec := range recs {
			absent[str(rowOf(rec), "id")] = true
		}
		for _, r := range refs {
			if r.Type == t && absent[r.ID] {
				missing = append(missing, r)
			}
		}
	}
	return missing, nil
}

// upsertResult says, per id, whether every link the entity asks for was made. An entity whose link
// target did not exist yet (a place whose parent comes later in an import) is written without its
// content hash, so that it counts as changed until a later write completes it.
type upsertResult map[string]bool

// upsert writes entities of one type: properties first, then the time tree their dates need, then
// their owned links, replacing what they had (upsertLinks), each kind of statement once for the
// whole slice, so that entities of one batch may refer to each other in any order. book gives, by
// id, bookkeeping properties (bookKeys) to set beside the description; those a node has and book
// does not name are kept. fresh names the entities the caller found absent in this transaction (an
// import's classifyQuery): they are created (createNodesQuery) rather than matched, and their
// links created rather than merged; nil when every entity exists or may (the API's writes). It
// keeps what attacks hold of others in step: their killed figures (refreshAttacksQuery) and their
// mapped points (refreshMapped).
func upsert(ctx context.Context, tx neo4j.ManagedTransaction, t athar.EntityType, es []athar.Entity, now time.Time,
	book map[string]map[string]any, fresh map[string]bool) (upsertResult, error) {
	spec := specOf(t)
	parent := athar.HierarchyOf(t)
	var created, existing []map[string]any
	var dates []map[string]any
	var kept []string // the ids of existing entities
	for _, e := range es {
		row, err := toRow(spec, e)
		if err != nil {
			return nil, err
		}
		row["book"] = map[string]any{}
		if b, ok := book[e.EntityID()]; ok {
			row["book"] = b
		}
		if fresh[e.EntityID()] {
			if t == athar.TypeAttack {
				// What refreshAttacksQuery gives an attack that no claim is about yet: no figures,
				// and rank 0 (with its readers' labels, createNodesQuery).
				for _, sfx := range figureSuffix {
					row["props"].(map[string]any)["killedSort"+sfx] = int64(-1)
				}
				row["props"].(map[string]any)["accessRank"] = int64(0)
			}
			created = append(created, row)
		} else {
			existing = append(existing, row)
			kept = append(kept, e.EntityID())
		}
		dates = append(dates, timeTreeRows(spec, e)...)
	}
	// The entities a cycle or an aggregate's dates may now be wrong at (checkNoCycle): those that
	// existed, and of the fresh ones those with a parent or a part among es. A fresh entity links
	// to no parent and has no part but those es give it.
	var checked []string
	if parent != nil {
		named := map[string]bool{}
		for _, e := range es {
			named[parent.Text(e)] = true
		}
		for _, e := range es {
			if id := e.EntityID(); !fresh[id] || parent.Text(e) != "" || named[id] {
				checked = append(checked, id)
			}
		}
	}
	// The attacks whose summaries the write changes. Of attacks, those that existed, and the
	// aggregates of fresh ones: a fresh attack has no claim yet, and is given the figures a refresh
	// would give it (none, killedSort -1) as it is created. Of claims, the attacks they are about
	// now and those they were about before (a claim may move to another attack; a new one was
	// about none).
	var attacks []string
	switch t {
	case athar.TypeAttack:
		for _, e := range es {
			if !fresh[e.EntityID()] {
				attacks = append(attacks, e.EntityID())
			} else if agg := parent.Text(e); agg != "" {
				attacks = append(attacks, agg)
			}
		}
	case athar.TypeClaim:
		about := athar.Describe(athar.TypeClaim).Field("attackId")
		if len(kept) > 0 {
			before, err := collect(ctx, tx, fmt.Sprintf("UNWIND $ids AS id MATCH %s MATCH (c)-[:%s]->(a:Attack) RETURN DISTINCT a.id AS id",
				seekID("c", "Claim", "id"), relOf(athar.TypeClaim, about.Name)), map[string]any{"ids": kept})
			if err != nil {
				return nil, err
			}
			for _, rec := range before {
				if id := str(rowOf(rec), "id"); id != "" {
					attacks = append(attacks, id)
				}
			}
		}
		for _, e := range es {
			attacks = append(attacks, about.Text(e))
		}
		if err := lockAttacks(ctx, tx, attacks); err != nil {
			return nil, err
		}
	}
	if len(created) > 0 {
		if _, err := collect(ctx, tx, createNodesQuery(spec), map[string]any{"rows": created, "now": now}); err != nil {
			return nil, err
		}
	}
	if len(existing) > 0 {
		if _, err := collect(ctx, tx, upsertNodesQuery(spec), map[string]any{"rows": existing, "now": now}); err != nil {
			return nil, err
		}
	}
	if len(dates) > 0 {
		if _, err := collect(ctx, tx, timeTreeQuery, map[string]any{"dates": distinctDates(dates), "now": now}); err != nil {
			return nil, err
		}
	}
	result, err := upsertLinks(ctx, tx, spec, es, existing, fresh, now)
	if err != nil {
		return nil, err
	}
	if len(checked) > 0 {
		if err := checkNoCycle(ctx, tx, spec, parent, checked); err != nil {
			return nil, err
		}
	}
	if t == athar.TypeSource || t == athar.TypeClaim {
		ids := make([]string, len(es))
		for i, e := range es {
			ids[i] = e.EntityID()
		}
		more, err := rank(ctx, tx, t, ids)
		if err != nil {
			return nil, err
		}
		if len(more) > 0 {
			if err := lockAttacks(ctx, tx, more); err != nil {
				return nil, err
			}
			attacks = append(attacks, more...)
		}
	}
	if len(attacks) > 0 {
		if _, err := collect(ctx, tx, refreshAttacksQuery, map[string]any{"ids": distinct(attacks)}); err != nil {
			return nil, err
		}
	}
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = e.EntityID()
	}
	if err := refreshMapped(ctx, tx, t, ids); err != nil {
		return nil, err
	}
	return result, nil
}

// seekID is a pattern that finds the node v of label by its id, param (an expression), through
// the unique index on id: `(v:Label {id: param}) USING INDEX v:Label(id)`, to follow a MATCH or
// OPTIONAL MATCH. The import's statements find every node they start from by id; without the
// hint, Neo4j chose for some of them, when their label had few or no nodes yet, a plan that reads
// the whole label, and kept it as the label grew: linking 16,000 claims to their attacks took
// 9-13 s instead of well under 1 s, and with the query option CYPHER replan=skip, which keeps a
// plan whatever the statistics, linking 16,000 attacks to their place took 205 s (measured with
// BenchmarkImport_DatasetRelease, docs/benchmarks.md). Every label an import seeks by id has a
// unique constraint on id (schema.go), whose index the hint names.
func seekID(v, label, param string) string {
	return fmt.Sprintf("(%[1]s:%[2]s {id: %[3]s}) USING INDEX %[1]s:%[2]s(id)", v, label, param)
}

// upsertLinks replaces the owned links of the entities es by those they ask for, touching only the
// links that change: for the entities that existed (existing, the rows of toRow), one statement
// deletes the links to targets no longer named, and one statement per kind of link (linkSpec)
// merges the others, which finds a link that exists without locking anything. Deleting and
// re-creating every link, as a first version did, took a lock on every target, shared nodes
// included (a facility, a place, a weapon, a day of the time tree): under 50 concurrent writers of
// attacks and claims on the same facility the writers queued on those locks and deadlocked (athar
// load, docs/benchmarks.md). The links of fresh entities, which have none yet, are created.
//
// Each statement returns how many links it made; only when that is fewer than it was asked for
// does a second statement find the targets that do not exist (yet), and the entities that name one
// are incomplete: their content hash is removed, and the result says so.
func upsertLinks(ctx context.Context, tx neo4j.ManagedTransaction, spec *typeSpec, es []athar.Entity, existing []map[string]any,
	fresh map[string]bool, now time.Time) (upsertResult, error) {
	result := make(upsertResult, len(es))
	for _, e := range es {
		result[e.EntityID()] = true
	}
	if len(spec.links) == 0 {
		return result, nil
	}
	if len(existing) > 0 {
		rows := make([]map[string]any, len(existing))
		for i, r := range existing {
			rows[i] = map[string]any{"id": r["id"], "keep": r["keep"]}
		}
		if _, err := collect(ctx, tx, deleteStaleLinksQuery(spec), map[string]any{"rows": rows}); err != nil {
			return nil, err
		}
	}
	for _, l := range spec.links {
		var made, merged []map[string]any
		var targets []string
		for _, e := range es {
			id := e.EntityID()
			for _, tid := range distinct(l.ids(e)) {
				p := map[string]any{"n": id, "t": tid}
				if fresh[id] {
					made = append(made, p)
				} else {
					merged = append(merged, p)
				}
				targets = append(targets, tid)
			}
		}
		if len(targets) == 0 {
			continue
		}
		if l.derived != nil && l.target != labelTimeNode {
			// A weapon's or attack type's shared node is made when first used.
			if _, err := collect(ctx, tx, fmt.Sprintf(`UNWIND $ids AS tid
MERGE (t:%s:Entity {id: tid}) ON CREATE SET t.name = split(tid, ':')[1], t.createdAt = $now, t.updatedAt = $now`, l.target),
				map[string]any{"ids": distinct(targets), "now": now}); err != nil {
				return nil, err
			}
		}
		for _, x := range []struct {
			pairs []map[string]any
			verb  string
		}{{made, "CREATE"}, {merged, "MERGE"}} {
			if len(x.pairs) == 0 {
				continue
			}
			recs, err := collect(ctx, tx, linkQuery(spec, l, x.verb), map[string]any{"pairs": x.pairs})
			if err != nil {
				return nil, err
			}
			if int(field[int64](rowOf(recs[0]), "linked")) == len(x.pairs) {
				continue
			}
			recs, err = collect(ctx, tx, fmt.Sprintf(`UNWIND $pairs AS p
OPTIONAL MATCH %s
WITH p WHERE t IS NULL
RETURN DISTINCT p.n AS id`, seekID("t", l.target, "p.t")), map[string]any{"pairs": x.pairs})
			if err != nil {
				return nil, err
			}
			for _, rec := range recs {
				result[str(rowOf(rec), "id")] = false
			}
		}
	}
	var incomplete []string
	for _, e := range es {
		if !result[e.EntityID()] {
			incomplete = append(incomplete, e.EntityID())
		}
	}
	if len(incomplete) > 0 {
		if _, err := collect(ctx, tx, fmt.Sprintf("UNWIND $ids AS id MATCH %s SET n.contentHash = null", seekID("n", spec.label, "id")),
			map[string]any{"ids": incomplete}); err != nil {
			return nil, err
		}
	}
	return result, nil
}

// linkQuery links each pair {n, t} of $pairs, n an entity of spec's type and t a node of l's
// target, by l's relationship, with verb: MERGE, which leaves a link that exists as it is, or
// CREATE, for an entity created in the same transaction, which has no link yet. It returns the
// number of links made or found (linked): a pair whose target does not exist makes none.
func linkQuery(spec *typeSpec, l linkSpec, verb string) string {
	return fmt.Sprintf(`UNWIND $pairs AS p
MATCH %s
MATCH %s
%s (n)-[:%s]->(t)
RETURN count(*) AS linked`, seekID("n", spec.label, "p.n"), seekID("t", l.target, "p.t"), verb, l.rel)
}

// deleteStaleLinksQuery deletes, for each row {id, keep}, the owned links of the row's node whose
// target is not among those keep lists under the link's relationship type.
func deleteStaleLinksQuery(spec *typeSpec) string {
	var rels []string
	for _, l := range spec.links {
		if !slices.Contains(rels, l.rel) {
			rels = append(rels, l.rel)
		}
	}
	return fmt.Sprintf(`UNWIND $rows AS row
MATCH %s
MATCH (n)-[r:%s]->(t)
WHERE NOT t.id IN coalesce(row.keep[type(r)], [])
DELETE r`, seekID("n", spec.label, "row.id"), strings.Join(rels, "|"))
}

// distinct returns ids without repetitions, in their first order.
func distinct(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// distinctDates returns the rows of timeTreeRows once per node of the time tree they name: a batch
// of events of one day merges that day once.
func distinctDates(rows []map[string]any) []map[string]any {
	seen := make(map[string]bool, len(rows))
	out := rows[:0:0]
	for _, r := range rows {
		key := fmt.Sprint(r["year"], r["month"], r["day"])
		if !seen[key] {
			seen[key] = true
			out = append(out, r)
		}
	}
	return out
}

// lockAttacks takes the write locks of the attacks a write of claims will refresh, in id order,
// before the write touches anything else. Linking a claim to its attack takes a shared lock on the
// attack and the refresh then needs the exclusive one: two writers of claims about one attack each
// held the shared lock and waited for the other to let go of it (Neo4j's DeadlockDetected), and
// the driver's retries, pausing 1, 2, 4 s, made such writes take seconds under load (athar load,
// docs/benchmarks.md). Taken first, the exclusive lock makes them wait their turn instead.
func lockAttacks(ctx context.Context, tx neo4j.ManagedTransaction, ids []string) error {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	_, err := collect(ctx, tx, "UNWIND $ids AS id MATCH "+seekID("a", "Attack", "id")+" SET a.updatedAt = a.updatedAt", map[string]any{"ids": ids})
	return err
}

// refreshAttacksQuery keeps on each attack its access rank and its readers' labels (the lowest rank
// of its claims, public with none: an attack only hidden claims tell of is hidden with them), and
// the lowest and highest killed figure its live claims
// give (killedLow, killedHigh, and killedSort, which is -1 where there is none so that KILLED_DESC
// reads every attack in index order), so that minKilled, KILLED_DESC and timelines are served by
// an index. It is the rule of athar.SummarizeCasualties (backsFigures), kept in the graph; a test
// checks they agree.
//
// It also keeps what each attack adds to a sum of deaths (killedCountedLow, killedCountedHigh), so
// that timelines count each death once: an attack that is no aggregate adds its own figures; an
// aggregate report (one with parts, through aggregateId) adds only what its figures exceed the sum
// of its parts' by ("at least 116 killed across Syria" beside its parts' 20 adds 96). The refreshed
// attacks' aggregates are refreshed with them.
//
// It keeps these figures three times over (figureSuffix, access.go): from every claim, and from
// the claims a reader cleared to public (killedLowPublic…) and to restricted
// (killedLowRestricted…) may read (accessRank), so that no reader's filter, order, map or timeline
// is moved by a claim they may not see.
var refreshAttacksQuery = refreshAttacks()

// refreshAttacks builds refreshAttacksQuery.
func refreshAttacks() string {
	var b strings.Builder
	b.WriteString("UNWIND $ids AS id\nMATCH " + seekID("a", "Attack", "id") + "\n")
	// The attack's own rank: the lowest of its claims' (retracted and withdrawn ones too: they
	// tell of it all the same), public when it has none; and the labels of its readers.
	fmt.Fprintf(&b, `CALL (a) {
  OPTIONAL MATCH (a)<-[:%s]-(c:Claim)
  RETURN coalesce(min(c.accessRank), 0) AS ar
}
SET a.accessRank = ar
%s
WITH a
`, relAbout, setRankLabels("a", "ar"))
	for r, sfx := range figureSuffix {
		fmt.Fprintf(&b, `CALL (a) {
  OPTIONAL MATCH (a)<-[:%[1]s]-(c:Claim)
  WHERE %[2]s AND coalesce(c.accessRank, 0) <= %[3]d
  UNWIND [c.killedLow, c.killedBest, c.killedHigh] AS v
  RETURN min(v) AS low%[4]s, max(v) AS high%[4]s
}
SET a.killedLow%[4]s = low%[4]s, a.killedHigh%[4]s = high%[4]s, a.killedSort%[4]s = coalesce(high%[4]s, -1)
WITH a
`, relAbout, backsFigures("c"), r, sfx)
	}
	fmt.Fprintf(&b, `WITH collect(a) AS written
CALL (written) {
  UNWIND written AS a
  OPTIONAL MATCH (a)-[:%[1]s]->(agg:Attack)
  RETURN collect(DISTINCT agg) AS aggregates
}
UNWIND written + aggregates AS t
WITH DISTINCT t
`, relAggregatedIn)
	for _, sfx := range figureSuffix {
		fmt.Fprintf(&b, `CALL (t) {
  OPTIONAL MATCH (t)<-[:%[1]s]-(p:Attack)
  RETURN count(p) AS parts, sum(coalesce(p.killedLow%[2]s, 0)) AS partsLow, sum(coalesce(p.killedHigh%[2]s, p.killedLow%[2]s, 0)) AS partsHigh
}
SET t.killedCountedLow%[2]s = CASE WHEN parts = 0 OR t.killedLow%[2]s IS NULL THEN t.killedLow%[2]s
      WHEN t.killedLow%[2]s > partsLow THEN t.killedLow%[2]s - partsLow ELSE 0 END,
    t.killedCountedHigh%[2]s = CASE WHEN parts = 0 OR t.killedHigh%[2]s IS NULL THEN t.killedHigh%[2]s
      WHEN t.killedHigh%[2]s > partsHigh THEN t.killedHigh%[2]s - partsHigh ELSE 0 END
WITH t
`, relAggregatedIn, sfx)
	}
	b.WriteString("RETURN count(t) AS refreshed")
	return b.String()
}

// cycleSearchDepth is how far checkNoCycle looks for a way back to the written entity: well beyond
// any hierarchy the queries walk (athar.MaxPlaceDepth), so that a cycle is found before it matters.
const cycleSearchDepth = 50

// checkNoCycle fails when a written entity has become, through others, part of itself.
func checkNoCycle(ctx context.Context, tx neo4j.ManagedTransaction, spec *typeSpec, parent *athar.Field, ids []string) error {
	recs, err := collect(ctx, tx, fmt.Sprintf(
		"UNWIND $ids AS id MATCH (n:%s {id: id}) WHERE EXISTS { (n)-[:%s*1..%d]->(n) } RETURN n.id AS id LIMIT 1",
		spec.label, relOf(spec.d.Type, parent.Name), cycleSearchDepth),
		map[string]any{"ids": ids})
	if err != nil {
		return err
	}
	if len(recs) > 0 {
		return athar.Invalid(parent.Name, "%q would become, through others, part of itself", str(rowOf(recs[0]), "id"))
	}
	if spec.d.Type == athar.TypeAttack {
		return checkAggregateDates(ctx, tx, ids)
	}
	return nil
}

// checkAggregateDates fails when a written attack's dates fall outside those of the aggregate
// report it is a part of, or leave out one of its own parts: an aggregate holds its parts, and a
// timeline counts its deaths beyond theirs in its own bucket, so a part outside its dates would
// move deaths from one bucket to another.
func checkAggregateDates(ctx context.Context, tx neo4j.ManagedTransaction, ids []string) error {
	recs, err := collect(ctx, tx, fmt.Sprintf(`UNWIND $ids AS id
MATCH (n:Attack {id: id})
OPTIONAL MATCH (n)-[:%[1]s]->(agg:Attack) WHERE n.startDate < agg.startDate OR n.endDate > agg.endDate
OPTIONAL MATCH (part:Attack)-[:%[1]s]->(n) WHERE part.startDate < n.startDate OR part.endDate > n.endDate
WITH n, agg, part WHERE agg IS NOT NULL OR part IS NOT NULL
RETURN n.id AS id, agg.id AS aggregate, part.id AS part LIMIT 1`, relAggregatedIn), map[string]any{"ids": ids})
	if err != nil || len(recs) == 0 {
		return err
	}
	m := rowOf(recs[0])
	if agg := str(m, "aggregate"); agg != "" {
		return athar.Invalid("aggregateId", "%q is dated outside the dates of its aggregate %q: a part lies within its aggregate's dates", str(m, "id"), agg)
	}
	return athar.Invalid("date", "%q would leave out its part %q: an aggregate's dates hold those of its parts", str(m, "id"), str(m, "part"))
}

// ContentHash returns the hash of an entity's description, by which a write that changes nothing is
// recognised and skipped.
func ContentHash(e athar.Entity) (string, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return "", err
	}
	return hashJSON(e.EntityType(), b), nil
}

// hashJSON is ContentHash of an entity of type t whose JSON is b.
func hashJSON(t athar.EntityType, b []byte) string {
	sum := sha256.Sum256(append([]byte(string(t)+"\x00"), b...))
	return hex.EncodeToString(sum[:])
}

// toRow returns the row the node statements write for e: {id, hash (ContentHash), props (its
// properties), keep (by relationship type, the ids of the targets it links to)}.
func toRow(spec *typeSpec, e athar.Entity) (map[string]any, error) {
	hash, err := ContentHash(e)
	if err != nil {
		return nil, err
	}
	props := spec.props(e)
	props["id"] = e.EntityID()
	keep := map[string]any{}
	for _, l := range spec.links {
		ids, _ := keep[l.rel].([]string)
		keep[l.rel] = append(ids, l.ids(e)...)
	}
	return map[string]any{"id": e.EntityID(), "hash": hash, "props": props, "keep": keep}, nil
}

// timeTreeRows returns the Year, Month and Day nodes an entity's date hangs from.
func timeTreeRows(spec *typeSpec, e athar.Entity) []map[string]any {
	f := spec.d.Field(datedField)
	if f == nil || f.Shape != athar.ShapeDate {
		return nil
	}
	d, ids := timeTreeOf(f, e)
	if len(ids) == 0 {
		return nil
	}
	row := map[string]any{"year": ids[0], "y": int64(d.Start.Year()), "month": nil, "day": nil}
	if len(ids) > 1 {
		row["month"] = ids[1]
		row["m"] = int64(d.Start.Month())
	}
	if len(ids) > 2 {
		row["day"] = ids[2]
		row["date"] = neo4j.DateOf(d.Start)
	}
	return []map[string]any{row}
}

// timeTreeQuery merges the time tree (Day)-[:IN]->(Month)-[:IN]->(Year) for a set of dates.
const timeTreeQuery = `
UNWIND $dates AS d
MERGE (y:Year:TimeNode:Entity {id: d.year})
  ON CREATE SET y.year = d.y, y.name = split(d.year, ':')[1], y.createdAt = $now, y.updatedAt = $now
WITH y, d
CALL (y, d) {
  WITH * WHERE d.month IS NOT NULL
  MERGE (m:Month:TimeNode:Entity {id: d.month})
    ON CREATE SET m.year = d.y, m.month = d.m, m.name = split(d.month, ':')[1], m.createdAt = $now, m.updatedAt = $now
  MERGE (m)-[:IN]->(y)
  WITH m, d WHERE d.day IS NOT NULL
  MERGE (day:Day:TimeNode:Entity {id: d.day})
    ON CREATE SET day.date = d.date, day.name = split(d.day, ':')[1], day.createdAt = $now, day.updatedAt = $now
  MERGE (day)-[:IN]->(m)
}`

// upsertNodesQuery writes the properties of each row's node (toRow) and its content hash (which
// upsertLinks removes again from an entity whose links are incomplete), creating the node when it
// does not exist. The id is among the properties, unchanged, and a node that exists is matched, not merged:
// a MERGE on the unique id, and a SET that removes the id and puts it back, take the exclusive lock
// of the id's index entry, while every writer waiting to lock the node (Update's first statement)
// holds the shared lock its MATCH took on that entry: each waited for the other (Neo4j's
// DeadlockDetected), and the driver's retries, pausing 1, 2, 4 s, made writes to one attack take
// seconds under load (athar load, docs/benchmarks.md).
func upsertNodesQuery(spec *typeSpec) string {
	find := fmt.Sprintf(`UNWIND $rows AS row
OPTIONAL MATCH %[2]s
FOREACH (_ IN CASE WHEN existing IS NULL THEN [1] ELSE [] END | MERGE (:%[1]s {id: row.id}))
WITH row
MATCH %[3]s`, spec.label, seekID("existing", spec.label, "row.id"), seekID("n", spec.label, "row.id"))
	// The bookkeeping beside the description (bookKeys: a dataset record as last imported, the
	// fields a curator set, a dataset's last import) is kept, and row.book sets what it names.
	book := fmt.Sprintf("n {.%s} AS book", strings.Join(bookKeys, ", ."))
	retraction := spec.retractionProps()
	if retraction == nil {
		return find + fmt.Sprintf(`
WITH n, row, coalesce(n.createdAt, $now) AS createdAt, %s
SET n = row.props
SET n:Entity, n.createdAt = createdAt, n.updatedAt = $now, n.contentHash = row.hash
SET n += book
SET n += row.book`, book)
	}
	// A retraction is a curator's decision: writing an entity whose description does not retract
	// it (an import of an older file) keeps the retraction it has.
	flag := retraction[0]
	return find + fmt.Sprintf(`
WITH n, row, coalesce(n.createdAt, $now) AS createdAt, n {.%s} AS kept, %s
SET n = row.props
SET n:Entity, n.createdAt = createdAt, n.updatedAt = $now, n.contentHash = row.hash
SET n += CASE WHEN row.props.%s IS NULL AND kept.%s THEN kept ELSE {} END
SET n += book
SET n += row.book`,
		strings.Join(retraction, ", ."), book, flag, flag)
}

// createNodesQuery creates the node of each row (toRow) with its properties, its content hash and
// the bookkeeping row.book gives: rows an import found absent in the same transaction. A node of
// the same id that a concurrent writer created in the meantime makes the statement fail on the
// unique constraint on id (ECONFLICT), and nothing of the transaction is written; Import then runs
// the batch again, which finds it (importBatch).
func createNodesQuery(spec *typeSpec) string {
	labels := spec.label + ":Entity"
	if spec.d.Type == athar.TypeAttack {
		// A new attack has no claim yet: every reader may see it (refreshAttacksQuery).
		labels += ":" + labelReadPublic + ":" + labelReadRestricted
	}
	return fmt.Sprintf(`UNWIND $rows AS row
CREATE (n:%s)
SET n = row.props, n.createdAt = $now, n.updatedAt = $now, n.contentHash = row.hash
SET n += row.book`, labels)
}
