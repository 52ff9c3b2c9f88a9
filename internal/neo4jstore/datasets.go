package neo4jstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/athar"
)

// This file holds the rules an import follows for records read from event datasets (UCDP GED,
// ACLED, another organisation's incident list), beside curated records:
//
//   - Ownership. A record belongs to its dataset (datasetId) or, without one, to the curators. An
//     import never writes a record that the database holds under another owner: the bundle is
//     refused, naming the record, and nothing is written (checkOwnership).
//   - Shared places and actors. A dataset's place or actor record is its mention of a place or
//     actor, resolved to one shared node (resolveShared, whose rule is documented there); the
//     dataset's other records are rewritten to link to that node, and the match is kept in the
//     graph as (:Dataset)-[:MATCHED]->(node) for the next import and for curators to correct.
//   - Curation. A field a curator set through the API (Store.Update records it in curatedFields)
//     keeps its curated value when a release changes the record; the dataset's value is reported
//     as a conflict (mergeCurated). Unchanged releases are recognised by the hash of the record as
//     the dataset gave it (datasetHash), whatever a curator did to it since.
//   - Withdrawal. An import of a release marks the dataset's attacks and claims that it no longer
//     holds as withdrawn in that release (withdrawnIn), never deletes them (withdraw).

// relMatched links a dataset to the shared places and actors its records resolved to.
const relMatched = "MATCHED"

// bookKeys are the properties the store keeps on a node beside its description, which writing the
// entity again keeps (upsertNodesQuery): a dataset record's hash and JSON as last imported, the
// fields a curator set, and a dataset's last import.
var bookKeys = []string{"datasetHash", "datasetRecord", "curatedFields", "importedAt"}

// DatasetSummary is what an import did to the records of one dataset ("" for curated records):
// the counts of records created, updated, unchanged and withdrawn (by this import; a record
// withdrawn earlier is not counted again), its curation conflicts, the claims whose figures
// contradict each other (athar.(*Claim).Inconsistent), and its places and actors by match rule.
type DatasetSummary struct {
	DatasetID    string
	Release      string
	Counts       Counts
	Conflicts    []CurationConflict
	Inconsistent int
	Matches      map[string]int
}

// CurationConflict is a field that a curator set on a dataset's record and that the dataset's new
// release changed too: the curated value is kept. Values are JSON ("" when unset).
type CurationConflict struct {
	RecordID, Field, DatasetValue, CuratedValue string
}

// givenRecord is a dataset's record as the dataset gave it, before its places and actors are
// resolved to shared nodes: what datasetHash and datasetRecord keep.
type givenRecord struct {
	hash string
	json []byte
}

// newMatch is a match an import makes and records.
type newMatch struct {
	recordID, externalID, name, entityID, rule string
}

// importPlan is what an import decided about datasets before writing: the records to write (dataset
// places and actors resolved away, references rewritten), what each dataset record looked like as
// given, the matches to record and the releases whose records it withdraws.
type importPlan struct {
	records   []athar.Record
	given     map[string]givenRecord
	datasets  map[string]*DatasetSummary
	matches   map[string][]newMatch      // by dataset
	present   map[string]map[string]bool // by dataset, the ids of its records in the bundle
	releases  map[string]string          // by dataset whose release this is, the release (or the date)
	resolved  map[athar.EntityType]int   // per type, dataset records resolved to existing nodes
	datasetOf map[string]string          // by record id, its dataset ("" curated)
}

// summary returns the summary of a dataset ("" for curated records), made when first asked for.
func (p *importPlan) summary(dataset string) *DatasetSummary {
	ds := p.datasets[dataset]
	if ds == nil {
		ds = &DatasetSummary{DatasetID: dataset, Matches: map[string]int{}}
		p.datasets[dataset] = ds
	}
	return ds
}

// datasetIDOf returns the record's dataset, "" when curated or of a type without one.
func datasetIDOf(e athar.Entity) string {
	if f := athar.DescriptionOf(e).Field("datasetId"); f != nil {
		return f.Text(e)
	}
	return ""
}

// curatedOwner returns the dataset whose record e is, for the rules of curation: its datasetId, or,
// for a dataset's own record (its name, release, citation), the dataset itself; "" for a curated
// record. A curator's description of a dataset survives re-imports as a field of a record does.
func curatedOwner(e athar.Entity) string {
	if e.EntityType() == athar.TypeDataset {
		return e.EntityID()
	}
	return datasetIDOf(e)
}

// isShared reports whether records of type t that a dataset gives are resolved to shared nodes.
func isShared(t athar.EntityType) bool { return t == athar.TypePlace || t == athar.TypeActor }

// planDatasets resolves the bundle's dataset places and actors to shared nodes, rewrites the
// references to them, and checks ownership. It reads and writes nothing else. unresolved are the
// references the bundle does not resolve itself; it returns those still to look up in the database,
// with the problems it found.
func (s *Store) planDatasets(ctx context.Context, b *athar.Bundle, unresolved []athar.Ref, partial bool) (*importPlan, []athar.Ref, athar.Problems, error) {
	p := &importPlan{given: map[string]givenRecord{}, datasets: map[string]*DatasetSummary{},
		matches: map[string][]newMatch{}, present: map[string]map[string]bool{}, releases: map[string]string{},
		resolved: map[athar.EntityType]int{}, datasetOf: map[string]string{}}
	today := s.now().Format(time.DateOnly)
	for _, r := range b.Records {
		e := r.Entity
		if ds, ok := e.(*athar.Dataset); ok {
			p.summary(ds.ID).Release = ds.Release
			if !partial {
				p.releases[ds.ID] = cmpOr(ds.Release, today)
			}
		}
		dataset, owner := datasetIDOf(e), curatedOwner(e)
		p.datasetOf[e.EntityID()] = owner // a dataset's own record counts with its records
		if e.EntityType() != athar.TypeDataset {
			sum := p.summary(dataset)
			if c, ok := e.(*athar.Claim); ok && c.Inconsistent() {
				sum.Inconsistent++
			}
		}
		if owner == "" {
			continue
		}
		if dataset != "" {
			if p.present[dataset] == nil {
				p.present[dataset] = map[string]bool{}
			}
			p.present[dataset][e.EntityID()] = true
		}
		if !isShared(e.EntityType()) {
			raw, err := json.Marshal(e)
			if err != nil {
				return nil, nil, nil, err
			}
			p.given[e.EntityID()] = givenRecord{hash: hashJSON(e.EntityType(), raw), json: raw}
		}
	}
	rewrite := map[string]string{}
	created := map[string]athar.Entity{}
	for _, t := range []athar.EntityType{athar.TypePlace, athar.TypeActor} {
		if err := s.resolveShared(ctx, p, b, t, unresolved, rewrite, created); err != nil {
			return nil, nil, nil, err
		}
	}
	var still []athar.Ref
	for _, r := range unresolved {
		if _, ok := rewrite[r.ID]; !ok {
			still = append(still, r)
		}
	}
	for _, r := range b.Records {
		e := r.Entity
		if isShared(e.EntityType()) && datasetIDOf(e) != "" {
			if c, ok := created[e.EntityID()]; ok {
				p.records = append(p.records, athar.Record{Entity: c, Where: r.Where})
				p.datasetOf[c.EntityID()] = datasetIDOf(e)
			} else {
				p.resolved[e.EntityType()]++
				p.summary(datasetIDOf(e)).Counts.Unchanged++
			}
			continue
		}
		if ds, ok := e.(*athar.Dataset); ok && partial {
			// A subset of a release does not speak for the release: a dataset the database
			// holds keeps its record (its release above all) as the last whole release left it.
			recs, err := s.read(ctx, "MATCH (d:Dataset {id: $id}) RETURN count(d) AS n", map[string]any{"id": ds.ID})
			if err != nil {
				return nil, nil, nil, err
			}
			if field[int64](rowOf(recs[0]), "n") > 0 {
				p.resolved[athar.TypeDataset]++
				p.summary(ds.ID).Counts.Unchanged++
				continue
			}
		}
		p.records = append(p.records, athar.Record{Entity: rewriteRefs(e, rewrite), Where: r.Where})
	}
	problems, err := s.checkOwnership(ctx, p.records)
	return p, still, problems, err
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// rewriteRefs returns e with its references to the dataset's places and actors replaced by the
// shared nodes they resolved to: e itself when none changes, else a copy (the bundle is the
// caller's, and importing it again must find it as given).
func rewriteRefs(e athar.Entity, rewrite map[string]string) athar.Entity {
	if len(rewrite) == 0 {
		return e
	}
	var out athar.Entity
	for _, f := range athar.DescriptionOf(e).Fields {
		if !isShared(f.Target) || (f.Shape != athar.ShapeRef && f.Shape != athar.ShapeRefList) {
			continue
		}
		ids := (linkSpec{field: f}).ids(e)
		changed := false
		for i, id := range ids {
			if to, ok := rewrite[id]; ok {
				ids[i], changed = to, true
			}
		}
		if !changed {
			continue
		}
		if out == nil {
			out = cloneEntity(e)
		}
		if f.Shape == athar.ShapeRef {
			f.SetText(out, ids[0])
		} else {
			slices.Sort(ids)
			f.SetStrings(out, slices.Compact(ids))
		}
	}
	if out == nil {
		return e
	}
	return out
}

// cloneEntity returns a shallow copy of e; its setters replace lists and pointers, never write
// through them.
func cloneEntity(e athar.Entity) athar.Entity {
	v := reflect.New(reflect.TypeOf(e).Elem())
	v.Elem().Set(reflect.ValueOf(e).Elem())
	return v.Interface().(athar.Entity)
}

// resolveShared resolves the dataset records of type t (a place or an actor) to shared nodes, by
// this rule, parents first so that the tree resolves top-down:
//
//  1. a match recorded by an earlier import of the dataset (or a curator's correction of it) is
//     used as it is, without recomputing it;
//  2. else an existing node of the type with the same folded name (athar.SearchKey), the same kind
//     and the same parent (the parent resolved first; no parent for both) is the match (rule NAME);
//  3. else such a node one of whose aliases folds to the name (ALIAS); of several, the lowest id;
//  4. else a new shared node is made from the record, with a plain id (athar.NewIDFor) and no
//     dataset (CREATED). Records of one import with the same name, kind and parent share it.
//
// A dataset never changes a shared node's own fields (name, aliases, kind, parent): a match to an
// existing node writes nothing to it.
func (s *Store) resolveShared(ctx context.Context, p *importPlan, b *athar.Bundle, t athar.EntityType, unresolved []athar.Ref,
	rewrite map[string]string, created map[string]athar.Entity) error {
	byID := map[string]athar.Record{}
	var ids []string
	for _, r := range b.Records {
		if r.Entity.EntityType() == t && datasetIDOf(r.Entity) != "" {
			byID[r.Entity.EntityID()] = r
			ids = append(ids, r.Entity.EntityID())
		}
	}
	for _, r := range unresolved {
		if r.Type == t {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	// 1. The matches recorded before.
	recs, err := s.read(ctx, fmt.Sprintf("UNWIND $ids AS id MATCH (:Dataset)-[m:%s {recordId: id}]->(n:%s) RETURN id, n.id AS entity",
		relMatched, labelOf(t)), map[string]any{"ids": ids})
	if err != nil {
		return err
	}
	for _, rec := range recs {
		m := rowOf(rec)
		rewrite[str(m, "id")] = str(m, "entity")
	}
	// 2 to 4, level by level of the tree: a record waits until its parent is resolved.
	parentField := athar.HierarchyOf(t)
	pending := map[string]bool{}
	for id := range byID {
		if _, ok := rewrite[id]; !ok {
			pending[id] = true
		}
	}
	madeFor := map[string]string{} // identity key -> id of the node made for it in this import
	for len(pending) > 0 {
		var level []athar.Record
		for _, id := range slices.Sorted(maps.Keys(pending)) {
			parent := parentField.Text(byID[id].Entity)
			if !pending[parent] {
				level = append(level, byID[id])
			}
		}
		if len(level) == 0 {
			return nil // a cycle, which the bundle's validation reports
		}
		rows := make([]map[string]any, 0, len(level))
		for _, r := range level {
			e := r.Entity
			parent := parentField.Text(e)
			if to, ok := rewrite[parent]; ok {
				parent = to
			}
			var kind string
			if id, ok := athar.IdentityOf(e); ok {
				kind = id.Kind
			}
			rows = append(rows, map[string]any{"id": e.EntityID(), "name": athar.SearchKey(athar.DescriptionOf(e).Field("name").Text(e)),
				"kind": kind, "parent": nilIfEmpty(parent)})
		}
		found, err := s.read(ctx, matchSharedQuery(t, parentField), map[string]any{"rows": rows})
		if err != nil {
			return err
		}
		matched := map[string][2]string{}
		for _, rec := range found {
			m := rowOf(rec)
			matched[str(m, "id")] = [2]string{str(m, "entity"), str(m, "rule")}
		}
		for i, r := range level {
			e := r.Entity
			dataset := datasetIDOf(e)
			ext := athar.DescriptionOf(e).Field("externalId").Text(e)
			name := athar.DescriptionOf(e).Field("name").Text(e)
			entity, rule := matched[e.EntityID()][0], matched[e.EntityID()][1]
			if entity == "" {
				key := fmt.Sprintf("%s\x00%s\x00%v", rows[i]["name"], rows[i]["kind"], rows[i]["parent"])
				if id, ok := madeFor[key]; ok {
					entity, rule = id, string(athar.MatchCreated)
				} else {
					c := cloneEntity(e)
					id := athar.NewIDFor(c)
					athar.SetID(c, id)
					athar.DescriptionOf(c).Field("datasetId").SetText(c, "")
					athar.DescriptionOf(c).Field("externalId").SetText(c, "")
					if parent, _ := rows[i]["parent"].(string); parent != "" {
						parentField.SetText(c, parent)
					}
					created[e.EntityID()] = c
					madeFor[key] = id
					entity, rule = id, string(athar.MatchCreated)
				}
			}
			rewrite[e.EntityID()] = entity
			p.matches[dataset] = append(p.matches[dataset], newMatch{recordID: e.EntityID(),
				externalID: ext, name: name, entityID: entity, rule: rule})
			p.summary(dataset).Matches[rule]++
			delete(pending, e.EntityID())
		}
	}
	return nil
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// matchSharedQuery finds, for each row {id, name (folded), kind, parent}, the shared node of type t
// it matches (rules 2 and 3 of resolveShared): by name from the range index on nameFolded, else by
// alias. Nodes of a dataset (which the store never makes of places and actors) are left out.
func matchSharedQuery(t athar.EntityType, parent *athar.Field) string {
	rel := relOf(t, parent.Name)
	same := fmt.Sprintf(`n.kind = row.kind AND NOT EXISTS { (n)-[:%[3]s]->() } AND CASE WHEN row.parent IS NULL
      THEN NOT EXISTS { (n)-[:%[1]s]->() } ELSE EXISTS { (n)-[:%[1]s]->(:%[2]s {id: row.parent}) } END`, rel, labelOf(t), relOf(t, "datasetId"))
	return fmt.Sprintf(`
UNWIND $rows AS row
CALL (row) {
  MATCH (n:%[1]s {nameFolded: row.name}) WHERE %[2]s
  RETURN n.id AS entity, 0 AS pref
  UNION
  MATCH (n:%[1]s) WHERE row.name IN n.aliasesFolded AND %[2]s
  RETURN n.id AS entity, 1 AS pref
}
WITH row, entity, pref ORDER BY pref, entity
WITH row, collect([entity, pref])[0] AS best
RETURN row.id AS id, best[0] AS entity, CASE best[1] WHEN 0 THEN '%[3]s' ELSE '%[4]s' END AS rule`,
		labelOf(t), same, athar.MatchName, athar.MatchAlias)
}

// checkOwnership returns a problem for each record whose id the database holds under another owner:
// a dataset's record that is another dataset's or a curated one, a curated record that is a
// dataset's. One query over every id (the unique ids of :Entity), which returns only the records
// at fault.
func (s *Store) checkOwnership(ctx context.Context, records []athar.Record) (athar.Problems, error) {
	var rows []map[string]any
	for _, r := range records {
		if athar.DescriptionOf(r.Entity).Field("datasetId") != nil {
			rows = append(rows, map[string]any{"id": r.Entity.EntityID(), "dataset": datasetIDOf(r.Entity)})
		}
	}
	if len(rows) == 0 {
		return nil, nil
	}
	// Without a dataset in the database or the bundle, every record is curated: nothing to check,
	// and a curated import (athar bench's graph, the seed) pays one count of the Dataset label.
	if !slices.ContainsFunc(records, func(r athar.Record) bool { return datasetIDOf(r.Entity) != "" }) {
		recs, err := s.read(ctx, "MATCH (d:Dataset) RETURN count(d) AS n", nil)
		if err != nil {
			return nil, err
		}
		if field[int64](rowOf(recs[0]), "n") == 0 {
			return nil, nil
		}
	}
	recs, err := s.read(ctx, fmt.Sprintf(`UNWIND $rows AS row
MATCH (n:Entity {id: row.id})
WITH row, coalesce(head([(n)-[:%s]->(d:Dataset) | d.id]), '') AS have
WHERE have <> row.dataset
RETURN row.id AS id, have`, relInDataset), map[string]any{"rows": rows})
	if err != nil {
		return nil, err
	}
	faults := make(map[string]string, len(recs))
	for _, rec := range recs {
		m := rowOf(rec)
		faults[str(m, "id")] = str(m, "have")
	}
	namespaces, publishers, err := s.datasetsOf(ctx, records)
	if err != nil {
		return nil, err
	}
	var problems athar.Problems // in the bundle's order, as its other problems are
	for _, r := range records {
		have, ok := faults[r.Entity.EntityID()]
		switch {
		case ok && have == "":
			problems.Add(r.Where+".id", "%s is a curated record: a dataset's import never overwrites it", r.Entity.EntityID())
		case ok:
			problems.Add(r.Where+".id", "%s belongs to %s: an import writes only its own dataset's records", r.Entity.EntityID(), have)
		case datasetIDOf(r.Entity) == "" && r.Entity.EntityType() != athar.TypeDataset:
			if ds := namespaceOf(r.Entity.EntityID(), namespaces); ds != "" {
				problems.Add(r.Where+".id", "%s is in the namespace of %s: a curated record takes an id of its own", r.Entity.EntityID(), ds)
			}
		}
		if ds, ok := r.Entity.(*athar.Dataset); ok {
			if have, ok := publishers[ds.ID]; ok && have != ds.Publisher {
				problems.Add(r.Where+".publisher", "%s is published by %q, this release by %q: file it under a dataset of its own (athar import --dataset)",
					ds.ID, have, ds.Publisher)
			}
		}
	}
	return problems, nil
}

// datasetsOf returns the ids of every dataset, in the database or among records, and the
// publishers of those of records' Dataset records that the database holds.
func (s *Store) datasetsOf(ctx context.Context, records []athar.Record) ([]string, map[string]string, error) {
	var ids []string
	for _, r := range records {
		if r.Entity.EntityType() == athar.TypeDataset {
			ids = append(ids, r.Entity.EntityID())
		}
	}
	recs, err := s.read(ctx, "MATCH (d:Dataset) RETURN d.id AS id, coalesce(d.publisher, '') AS publisher, d.id IN $ids AS given",
		map[string]any{"ids": append([]string{}, ids...)})
	if err != nil {
		return nil, nil, err
	}
	publishers := map[string]string{}
	for _, rec := range recs {
		m := rowOf(rec)
		if !slices.Contains(ids, str(m, "id")) {
			ids = append(ids, str(m, "id"))
		}
		if field[bool](m, "given") {
			publishers[str(m, "id")] = str(m, "publisher")
		}
	}
	return ids, publishers, nil
}

// namespaceOf returns the dataset among datasets whose namespace holds id (attack:ucdp-ged-1 is
// in dataset:ucdp-ged's), or "".
func namespaceOf(id string, datasets []string) string {
	record, _, _ := strings.Cut(id, ":")
	for _, ds := range datasets {
		if strings.HasPrefix(id, record+":"+strings.TrimPrefix(ds, "dataset:")+"-") {
			return ds
		}
	}
	return ""
}

// curatedState is what the database holds of a dataset record that a curator changed.
type curatedState struct {
	fields []string
	record []byte // datasetRecord: the record as the dataset gave it when last imported
}

// mergeCurated returns the record to write for a dataset record a curator changed: the release's
// values (incoming, references resolved; given, as the dataset gave it) for every field the curator
// did not set, the curated values (current, as stored) for those they did, and a conflict for each
// curated field whose value the release changed.
func mergeCurated(incoming athar.Entity, given []byte, current athar.Entity, st curatedState) (athar.Entity, []CurationConflict, error) {
	var before, now, written, curated map[string]json.RawMessage
	for _, x := range []struct {
		data []byte
		into *map[string]json.RawMessage
	}{{st.record, &before}, {given, &now}} {
		if err := json.Unmarshal(x.data, x.into); err != nil {
			return nil, nil, err
		}
	}
	for _, x := range []struct {
		e    athar.Entity
		into *map[string]json.RawMessage
	}{{incoming, &written}, {current, &curated}} {
		raw, err := json.Marshal(x.e)
		if err != nil {
			return nil, nil, err
		}
		if err := json.Unmarshal(raw, x.into); err != nil {
			return nil, nil, err
		}
	}
	d := athar.DescriptionOf(incoming)
	out := cloneEntity(incoming)
	var conflicts []CurationConflict
	for _, name := range st.fields {
		f := d.Field(name)
		if f == nil || name == "id" {
			continue
		}
		copyField(f, out, current)
		if !bytes.Equal(before[name], now[name]) && !bytes.Equal(written[name], curated[name]) {
			conflicts = append(conflicts, CurationConflict{RecordID: incoming.EntityID(), Field: name,
				DatasetValue: string(written[name]), CuratedValue: string(curated[name])})
		}
	}
	return out, conflicts, nil
}

// copyField sets the field f of dst to its value in src.
func copyField(f *athar.Field, dst, src athar.Entity) {
	switch f.Shape {
	case athar.ShapeText, athar.ShapeEnum, athar.ShapeRef:
		f.SetText(dst, f.Text(src))
	case athar.ShapeTextList, athar.ShapeEnumList, athar.ShapeRefList:
		f.SetStrings(dst, f.Strings(src))
	case athar.ShapeDate:
		f.SetDate(dst, f.Date(src))
	case athar.ShapeLocation:
		f.SetLocation(dst, f.Location(src))
	case athar.ShapeRange:
		f.SetRange(dst, f.Range(src))
	case athar.ShapeRetraction:
		f.SetRetraction(dst, f.Retraction(src))
	}
}

// changedFields returns the fields (by name) whose values differ between two states of an entity.
func changedFields(before, after athar.Entity) ([]string, error) {
	var a, b map[string]json.RawMessage
	for _, x := range []struct {
		e    athar.Entity
		into *map[string]json.RawMessage
	}{{before, &a}, {after, &b}} {
		raw, err := json.Marshal(x.e)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(raw, x.into); err != nil {
			return nil, err
		}
	}
	var out []string
	for _, f := range athar.DescriptionOf(after).Fields {
		if f.Name != "id" && !bytes.Equal(a[f.Name], b[f.Name]) {
			out = append(out, f.Name)
		}
	}
	// A retraction's time is not in its JSON; a new retraction is a change all the same.
	if f := athar.DescriptionOf(after).Field("retracted"); f != nil && f.Shape == athar.ShapeRetraction &&
		!slices.Contains(out, f.Name) && !reflect.DeepEqual(f.Retraction(before), f.Retraction(after)) {
		out = append(out, f.Name)
	}
	return out, nil
}

// withdrawnTypes are the types whose records a release withdraws: those with a withdrawnIn field.
func withdrawnTypes() []athar.EntityType {
	var out []athar.EntityType
	for _, t := range athar.EntityTypes {
		if d := athar.Describe(t); d != nil && d.Field("withdrawnIn") != nil {
			out = append(out, t)
		}
	}
	return out
}

// finishDatasets records, for each dataset the import wrote records of, in one transaction: the
// matches its places and actors resolved to, its importedAt, and, for the release of a dataset
// whose Dataset record the bundle holds, the withdrawal of its attacks and claims that the release
// no longer holds (withdraw). A dry run only counts what would be withdrawn.
func (s *Store) finishDatasets(ctx context.Context, p *importPlan, summary ImportSummary, dryRun bool) error {
	for _, dataset := range slices.Sorted(maps.Keys(p.present)) {
		release, isRelease := p.releases[dataset]
		if dryRun {
			if !isRelease {
				continue
			}
			for _, t := range withdrawnTypes() {
				recs, err := s.read(ctx, withdrawQuery(t, false), map[string]any{"dataset": dataset, "present": presentOf(p, dataset, t), "release": release})
				if err != nil {
					return err
				}
				n := int(field[int64](rowOf(recs[0]), "n"))
				summary.Types[t].Withdrawn += n
				p.summary(dataset).Counts.Withdrawn += n
			}
			continue
		}
		withdrawn, err := write(ctx, s, func(tx neo4j.ManagedTransaction) (map[athar.EntityType]int, error) {
			if ms := p.matches[dataset]; len(ms) > 0 {
				rows := make([]map[string]any, len(ms))
				for i, m := range ms {
					rows[i] = map[string]any{"recordId": m.recordID, "externalId": m.externalID, "name": m.name, "entity": m.entityID, "rule": m.rule}
				}
				if _, err := collect(ctx, tx, fmt.Sprintf(`
MATCH (d:Dataset {id: $dataset})
UNWIND $rows AS row
MATCH (n:Entity {id: row.entity})
MERGE (d)-[m:%s {recordId: row.recordId}]->(n)
  ON CREATE SET m.externalId = row.externalId, m.name = row.name, m.rule = row.rule, m.at = $now`, relMatched),
					map[string]any{"dataset": dataset, "rows": rows, "now": s.now()}); err != nil {
					return nil, err
				}
			}
			if _, err := collect(ctx, tx, "MATCH (d:Dataset {id: $dataset}) SET d.importedAt = $now",
				map[string]any{"dataset": dataset, "now": s.now()}); err != nil {
				return nil, err
			}
			out := map[athar.EntityType]int{}
			if !isRelease {
				return out, nil
			}
			for _, t := range withdrawnTypes() {
				recs, err := collect(ctx, tx, withdrawQuery(t, true), map[string]any{"dataset": dataset, "present": presentOf(p, dataset, t), "release": release})
				if err != nil {
					return nil, err
				}
				out[t] = int(field[int64](rowOf(recs[0]), "n"))
			}
			if out[athar.TypeClaim] > 0 {
				// Withdrawn claims count in no summary: the figures kept on their attacks (and
				// on the aggregates of those) follow, as a write of the claims would make them.
				recs, err := collect(ctx, tx, fmt.Sprintf(
					"MATCH (:Dataset {id: $dataset})<-[:%s]-(c:Claim {withdrawnIn: $release})-[:%s]->(a:Attack) RETURN collect(DISTINCT a.id) AS ids",
					relOf(athar.TypeClaim, "datasetId"), relAbout), map[string]any{"dataset": dataset, "release": release})
				if err != nil {
					return nil, err
				}
				ids := strs(rowOf(recs[0]), "ids")
				if err := lockAttacks(ctx, tx, ids); err != nil {
					return nil, err
				}
				if _, err := collect(ctx, tx, refreshAttacksQuery, map[string]any{"ids": ids}); err != nil {
					return nil, err
				}
			}
			return out, nil
		})
		if err != nil {
			return err
		}
		for t, n := range withdrawn {
			summary.Types[t].Withdrawn += n
			p.summary(dataset).Counts.Withdrawn += n
		}
	}
	return nil
}

// presentOf returns the ids of the dataset's records of type t that the bundle holds.
func presentOf(p *importPlan, dataset string, t athar.EntityType) []string {
	prefix := t.Record() + ":"
	out := []string{} // never nil: NOT n.id IN null would withdraw nothing
	for id := range p.present[dataset] {
		if strings.HasPrefix(id, prefix) {
			out = append(out, id)
		}
	}
	return out
}

// withdrawQuery marks (or, with set false, counts) the records of type t of $dataset that are not
// in $present and not yet withdrawn as withdrawn in $release. A claim is withdrawn with its attack
// too. The content hash goes, since the description changed; the record as the dataset gave it
// (datasetHash) stays, so that a record that comes back is recognised and made current again.
func withdrawQuery(t athar.EntityType, set bool) string {
	label := labelOf(t)
	where := "NOT n.id IN $present"
	if t == athar.TypeClaim {
		where = fmt.Sprintf("(%s OR EXISTS { (n)-[:%s]->(a:Attack) WHERE a.withdrawnIn IS NOT NULL })", where, relOf(athar.TypeClaim, "attackId"))
	}
	q := fmt.Sprintf("MATCH (:Dataset {id: $dataset})<-[:%s]-(n:%s) WHERE n.withdrawnIn IS NULL AND %s\n", relOf(t, "datasetId"), label, where)
	if set {
		q += "SET n.withdrawnIn = $release, n.contentHash = null\n"
	}
	return q + "RETURN count(n) AS n"
}

// entities returns the entities the import writes.
func (p *importPlan) entities() []athar.Entity {
	out := make([]athar.Entity, len(p.records))
	for i, r := range p.records {
		out[i] = r.Entity
	}
	return out
}

// summaries returns the summary of each dataset the bundle holds records of, in id order (the
// curated records, "", first).
func (p *importPlan) summaries() []*DatasetSummary {
	out := make([]*DatasetSummary, 0, len(p.datasets))
	for _, id := range slices.Sorted(maps.Keys(p.datasets)) {
		out = append(out, p.datasets[id])
	}
	return out
}

// classifyRow returns the row classifyQuery reads for e.
func (p *importPlan) classifyRow(e athar.Entity) (map[string]any, error) {
	if g, ok := p.given[e.EntityID()]; ok {
		return map[string]any{"id": e.EntityID(), "hash": g.hash, "given": true}, nil
	}
	h, err := ContentHash(e)
	if err != nil {
		return nil, err
	}
	return map[string]any{"id": e.EntityID(), "hash": h, "given": false}, nil
}

// merge returns es with each record a curator changed (curated) merged with its curated fields,
// whose values are read from current, and the conflicts found.
func (p *importPlan) merge(es []athar.Entity, curated map[string]curatedState, current []athar.Entity) ([]athar.Entity, []CurationConflict, error) {
	byID := make(map[string]athar.Entity, len(current))
	for _, e := range current {
		byID[e.EntityID()] = e
	}
	out := make([]athar.Entity, len(es))
	var conflicts []CurationConflict
	for i, e := range es {
		out[i] = e
		st, ok := curated[e.EntityID()]
		cur := byID[e.EntityID()]
		if !ok || cur == nil {
			continue
		}
		if len(st.record) == 0 {
			st.record = []byte("{}")
		}
		merged, c, err := mergeCurated(e, p.given[e.EntityID()].json, cur, st)
		if err != nil {
			return nil, nil, err
		}
		out[i] = merged
		conflicts = append(conflicts, c...)
	}
	return out, conflicts, nil
}

// book returns, by id, the bookkeeping properties written with each of es: for a dataset's record,
// its hash and JSON as the dataset gave it.
func (p *importPlan) book(es []athar.Entity) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, e := range es {
		if g, ok := p.given[e.EntityID()]; ok {
			out[e.EntityID()] = map[string]any{"datasetHash": g.hash, "datasetRecord": string(g.json)}
		}
	}
	return out
}

// count adds a written batch's outcomes to the summaries of the records' datasets.
func (p *importPlan) count(batch []athar.Entity, state map[string]string, conflicts []CurationConflict) {
	for _, e := range batch {
		p.summary(p.datasetOf[e.EntityID()]).Counts.add(state[e.EntityID()])
	}
	for _, c := range conflicts {
		ds := p.summary(p.datasetOf[c.RecordID])
		ds.Conflicts = append(ds.Conflicts, c)
	}
}
