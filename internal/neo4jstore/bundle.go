package neo4jstore

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/metrics"
)

// DefaultBatchSize is how many records an import writes per transaction.
const DefaultBatchSize = 2000

// ImportOptions tune an import.
type ImportOptions struct {
	BatchSize int
	// Progress, when set, is called after each batch with the records done and the total.
	Progress func(done, total int)
	// DryRun validates and counts what would change, and writes nothing.
	DryRun bool
	// Partial says the bundle is a subset of its datasets' releases (an ACLED export of one year):
	// records of theirs that it does not hold are not withdrawn.
	Partial bool
}

// Counts is what an import did to the entities of one type, or of one dataset: records created,
// updated, unchanged, and withdrawn (no longer in their dataset's release).
type Counts struct {
	Created, Updated, Unchanged, Withdrawn int
}

// ImportSummary is what an import did, per entity type and per dataset (Datasets, in id order,
// curated records under the DatasetID "").
type ImportSummary struct {
	Types    map[athar.EntityType]*Counts
	Datasets []*DatasetSummary
}

// Total returns the counts summed over types.
func (s ImportSummary) Total() Counts {
	var t Counts
	for _, c := range s.Types {
		t.Created += c.Created
		t.Updated += c.Updated
		t.Unchanged += c.Unchanged
		t.Withdrawn += c.Withdrawn
	}
	return t
}

// Conflicts returns the curation conflicts of every dataset.
func (s ImportSummary) Conflicts() []CurationConflict {
	var out []CurationConflict
	for _, d := range s.Datasets {
		out = append(out, d.Conflicts...)
	}
	return out
}

// Import validates the whole bundle, references to the database included, and reports every problem
// (as athar.Problems naming record and field, or an *athar.Report past its limit: the bundle's
// problems of reading first, then its records', then its unknown references) without writing
// anything. Then it writes the records
// in type order, in batches of one transaction each: a record that is already in the database as
// described is left untouched, so importing the same bundle twice changes nothing. An import that
// is interrupted leaves whole batches behind, and running it again completes it.
//
// Records of datasets follow the rules of datasets.go: a record the database holds under another
// owner (another dataset, or the curators) is a problem and nothing is written; a dataset's places
// and actors resolve to shared nodes (resolveShared); fields a curator set survive, and a release
// that changed them too is reported as a conflict; a release's missing attacks and claims are
// withdrawn unless opts.Partial.
//
// Each written batch is counted in internal/metrics (athar_import_records_total, with the outcome
// withdrawn, and athar_import_conflicts_total), and an import that stops in
// athar_import_failures_total.
func (s *Store) Import(ctx context.Context, b *athar.Bundle, opts ImportOptions) (summary ImportSummary, err error) {
	defer func() {
		var problems athar.Problems
		var report *athar.Report
		switch {
		case err == nil:
		case errors.As(err, &report):
			metrics.ImportFailed(metrics.ImportInvalid, report.Len())
		case errors.As(err, &problems):
			metrics.ImportFailed(metrics.ImportInvalid, len(problems))
		default:
			metrics.ImportFailed(metrics.ImportDatabase, 0)
		}
	}()
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	// The file's problems of form, its records' and its unknown references, in one report; then
	// the owners of its records (checkOwnership), and its dataset places and actors resolved.
	report, unresolved := b.Check()
	b.CheckWritable(ctx, report)
	if err := s.checkHiddenRecords(ctx, b, report); err != nil {
		return summary, err
	}
	plan, unresolved, owned, err := s.planDatasets(ctx, b, unresolved, opts.Partial)
	if err != nil {
		return summary, err
	}
	report.Add(owned...)
	if len(unresolved) > 0 {
		missing, err := s.missingInDB(ctx, unresolved)
		if err != nil {
			return summary, err
		}
		for _, r := range missing {
			report.Add(athar.UnknownRef(r))
		}
	}
	if err := report.Err(); err != nil {
		return summary, err
	}

	summary = ImportSummary{Types: map[athar.EntityType]*Counts{}}
	for _, t := range athar.EntityTypes {
		summary.Types[t] = &Counts{Unchanged: plan.resolved[t]}
	}
	defer func() { summary.Datasets = plan.summaries() }()
	byType := groupByType(plan.entities())
	total, done := len(b.Records), len(b.Records)-len(plan.records)
	var incomplete []athar.Entity
	for _, t := range athar.EntityTypes {
		es := dependencyOrder(byType[t])
		for start := 0; start < len(es); start += opts.BatchSize {
			batch := es[start:min(start+opts.BatchSize, len(es))]
			left, err := s.importBatch(ctx, t, batch, summary.Types[t], plan, opts.DryRun)
			if err != nil {
				return summary, fmt.Errorf("writing %s records %d to %d: %w", t.Record(), start+1, start+len(batch), err)
			}
			incomplete = append(incomplete, left...)
			done += len(batch)
			if opts.Progress != nil {
				opts.Progress(done, total)
			}
		}
	}
	if opts.DryRun {
		return summary, s.finishDatasets(ctx, plan, summary, true)
	}
	// Links to records of a later batch of the same type (sources citing each other) are made now
	// that every record exists.
	for t, es := range groupByType(incomplete) {
		result, err := write(ctx, s, func(tx neo4j.ManagedTransaction) (upsertResult, error) {
			return upsert(ctx, tx, t, es, s.now(), plan.book(es), nil)
		})
		if err != nil {
			return summary, err
		}
		for id, complete := range result {
			if !complete {
				return summary, fmt.Errorf("neo4jstore: %s %q: a link target is missing after the import", t, id)
			}
		}
	}
	if err := s.finishDatasets(ctx, plan, summary, false); err != nil {
		return summary, err
	}
	var withdrawn, conflicts int
	for _, d := range plan.datasets {
		withdrawn += d.Counts.Withdrawn
		conflicts += len(d.Conflicts)
	}
	metrics.ImportedDatasetOutcomes(withdrawn, conflicts)
	return summary, nil
}

// importBatch writes one batch in one transaction (writeBatch), skipping unchanged records, and
// returns the records whose links could not all be made yet. A dataset record that a curator
// changed is merged with its curated fields first (importPlan.merge). A batch that fails on the
// unique constraint on id (a concurrent import created one of its new records first) is run again,
// up to batchAttempts times in all.
func (s *Store) importBatch(ctx context.Context, t athar.EntityType, batch []athar.Entity, counts *Counts, plan *importPlan, dryRun bool) ([]athar.Entity, error) {
	hashes := make([]map[string]any, len(batch))
	for i, e := range batch {
		row, err := plan.classifyRow(e)
		if err != nil {
			return nil, err
		}
		hashes[i] = row
	}
	if dryRun {
		recs, err := s.read(ctx, classifyQuery(t), map[string]any{"rows": hashes})
		if err != nil {
			return nil, err
		}
		state, curated := classify(recs), curatedStates(recs)
		var conflicts []CurationConflict
		if len(curated) > 0 {
			current, err := readTx(ctx, s, func(tx neo4j.ManagedTransaction) ([]athar.Entity, error) {
				return getTx(ctx, tx, t, slices.Sorted(maps.Keys(curated)))
			})
			if err != nil {
				return nil, err
			}
			if _, conflicts, err = plan.merge(batch, curated, current); err != nil {
				return nil, err
			}
		}
		for _, e := range batch {
			counts.add(state[e.EntityID()])
		}
		plan.count(batch, state, conflicts)
		return nil, nil
	}
	// A batch whose records a concurrent import created after this one classified them fails on
	// the unique constraint (createNodesQuery), which the driver does not retry: the batch is run
	// again, and classifies them as they are now.
	var o batchOutcome
	var err error
	for attempt := 1; ; attempt++ {
		o, err = s.writeBatch(ctx, t, batch, hashes, plan)
		if err == nil || attempt == batchAttempts || athar.ErrorCode(err) != athar.ECONFLICT {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	metrics.ImportedRecords(o.created, o.updated, o.unchanged)
	counts.Created += o.created
	counts.Updated += o.updated
	counts.Unchanged += o.unchanged
	plan.count(batch, o.state, o.conflicts)
	return o.incomplete, nil
}

// batchAttempts is how many times importBatch runs a batch that a concurrent import's records made
// fail on the unique constraint on id: after the first retry the batch finds them, so a third
// failure is a conflict of another kind.
const batchAttempts = 3

// batchOutcome is what writing a batch did.
type batchOutcome struct {
	created, updated, unchanged int
	incomplete                  []athar.Entity
	state                       map[string]string
	conflicts                   []CurationConflict
}

// writeBatch classifies and writes one batch (rows of classifyRow: hashes) in one transaction.
func (s *Store) writeBatch(ctx context.Context, t athar.EntityType, batch []athar.Entity, hashes []map[string]any, plan *importPlan) (batchOutcome, error) {
	return write(ctx, s, func(tx neo4j.ManagedTransaction) (batchOutcome, error) {
		var o batchOutcome
		recs, err := collect(ctx, tx, classifyQuery(t), map[string]any{"rows": hashes})
		if err != nil {
			return o, err
		}
		o.state = classify(recs)
		var changed []athar.Entity
		for _, e := range batch {
			switch o.state[e.EntityID()] {
			case "unchanged":
				o.unchanged++
			case "updated":
				o.updated++
				changed = append(changed, e)
			default:
				o.created++
				changed = append(changed, e)
			}
		}
		if len(changed) == 0 {
			return o, nil
		}
		if curated := curatedStates(recs); len(curated) > 0 {
			current, err := getTx(ctx, tx, t, slices.Sorted(maps.Keys(curated)))
			if err != nil {
				return o, err
			}
			if changed, o.conflicts, err = plan.merge(changed, curated, current); err != nil {
				return o, err
			}
		}
		if err := keepUnseen(ctx, tx, t, changed, o.state); err != nil {
			return o, err
		}
		fresh := map[string]bool{}
		for _, e := range changed {
			if o.state[e.EntityID()] == "created" {
				fresh[e.EntityID()] = true
			}
		}
		result, err := upsert(ctx, tx, t, changed, s.now(), plan.book(changed), fresh)
		if err != nil {
			return o, err
		}
		for _, e := range changed {
			if !result[e.EntityID()] {
				o.incomplete = append(o.incomplete, e)
			}
		}
		return o, writeChange(ctx, tx, batchChange(ctx, s.now(), t, changed, o))
	})
}

// batchChange is the one change record of an import batch that changed something: about its
// dataset (or "bundle" for curated records; the first dataset's id when a batch mixes them, all
// of them listed in After), with the record type, the counts, and the ids of the entities it
// wrote (changed) in EntityIDs.
func batchChange(ctx context.Context, now time.Time, t athar.EntityType, changed []athar.Entity, o batchOutcome) athar.Change {
	var datasets []string
	ids := make([]string, len(changed))
	for i, e := range changed {
		ids[i] = e.EntityID()
		if d := curatedOwner(e); d != "" && !slices.Contains(datasets, d) {
			datasets = append(datasets, d)
		}
	}
	slices.Sort(ids)
	id, typ := "bundle", "Bundle"
	if len(datasets) > 0 {
		id, typ = datasets[0], string(athar.TypeDataset)
	}
	c := newChange(ctx, now, athar.ChangeImport, id, typ)
	c.After, _ = jsonText(map[string]any{"datasets": datasets, "type": t, "records": o.created + o.updated + o.unchanged,
		"created": o.created, "updated": o.updated, "unchanged": o.unchanged})
	c.EntityIDs = ids
	return c
}

// classifyQuery tells, per row {id, hash, given}, whether the record exists and is the same: by
// its content hash, or, for a dataset's record (given), by the hash of the record as the dataset
// gave it (datasetHash), so that a record a curator changed is the same while its dataset does not
// change it, and a withdrawn one is not. It also returns a dataset record's curated fields and the
// record as last imported, which importPlan.merge needs. A record whose id a deleted or merged
// entity keeps (:Deleted) is the same: a deletion is a curator's decision, which an import of the
// record (a dataset's next release) leaves as it is, as it does a retraction.
func classifyQuery(t athar.EntityType) string {
	return fmt.Sprintf(`UNWIND $rows AS row
OPTIONAL MATCH %s
RETURN row.id AS id, n IS NOT NULL AS exists,
  EXISTS { MATCH (d:%s {id: row.id}) } OR coalesce(CASE WHEN row.given
    THEN n.datasetHash = row.hash AND n.contentHash IS NOT NULL AND n.withdrawnIn IS NULL
    ELSE n.contentHash = row.hash END, false) AS same,
  CASE WHEN row.given THEN n.curatedFields END AS curated,
  CASE WHEN row.given AND n.curatedFields IS NOT NULL THEN n.datasetRecord END AS record`, seekID("n", labelOf(t), "row.id"), labelDeleted)
}

// classify reads the result of classifyQuery: per id, "created", "updated" or "unchanged".
func classify(recs []*neo4j.Record) map[string]string {
	state := make(map[string]string, len(recs))
	for _, rec := range recs {
		m := rowOf(rec)
		id := str(m, "id")
		switch {
		case field[bool](m, "same"):
			state[id] = "unchanged"
		case field[bool](m, "exists"):
			state[id] = "updated"
		default:
			state[id] = "created"
		}
	}
	return state
}

// curatedStates reads the result of classifyQuery: the changed dataset records a curator changed.
func curatedStates(recs []*neo4j.Record) map[string]curatedState {
	out := map[string]curatedState{}
	for _, rec := range recs {
		m := rowOf(rec)
		if fields := strs(m, "curated"); len(fields) > 0 && !field[bool](m, "same") {
			out[str(m, "id")] = curatedState{fields: fields, record: []byte(str(m, "record"))}
		}
	}
	return out
}

func (c *Counts) add(state string) {
	switch state {
	case "unchanged":
		c.Unchanged++
	case "updated":
		c.Updated++
	default:
		c.Created++
	}
}

// missingInDB returns the references that name no entity in the database.
func (s *Store) missingInDB(ctx context.Context, refs []athar.Ref) ([]athar.Ref, error) {
	return readTx(ctx, s, func(tx neo4j.ManagedTransaction) ([]athar.Ref, error) {
		return missingRefs(ctx, tx, refs)
	})
}

// dependencyOrder puts entities that others of the same type refer to (a parent place, a cited
// source) before those that refer to them, so that a batch finds its link targets written. Cycles,
// possible among sources, are left to the import's final pass.
func dependencyOrder(es []athar.Entity) []athar.Entity {
	if len(es) == 0 {
		return es
	}
	spec := specOf(es[0].EntityType())
	byID := make(map[string]athar.Entity, len(es))
	for _, e := range es {
		byID[e.EntityID()] = e
	}
	out := make([]athar.Entity, 0, len(es))
	state := make(map[string]int, len(es)) // 0 new, 1 in progress, 2 done
	var visit func(e athar.Entity)
	visit = func(e athar.Entity) {
		id := e.EntityID()
		if state[id] != 0 {
			return
		}
		state[id] = 1
		for _, l := range spec.links {
			if l.field == nil || l.field.Target != spec.d.Type {
				continue
			}
			for _, t := range l.ids(e) {
				if dep, ok := byID[t]; ok {
					visit(dep)
				}
			}
		}
		state[id] = 2
		out = append(out, e)
	}
	for _, e := range es {
		visit(e)
	}
	return out
}

func groupByType(es []athar.Entity) map[athar.EntityType][]athar.Entity {
	out := map[athar.EntityType][]athar.Entity{}
	for _, e := range es {
		out[e.EntityType()] = append(out[e.EntityType()], e)
	}
	return out
}

// checkHiddenRecords reports, in report, each record of b whose id is that of a source or claim
// above the importer's clearance: such a record would overwrite material its writer may not read.
// It is refused as an id already taken, the answer a create of the id gets.
func (s *Store) checkHiddenRecords(ctx context.Context, b *athar.Bundle, report *athar.Report) error {
	if athar.ClearanceOf(ctx).Rank() >= athar.Confidential.Rank() {
		return nil
	}
	where := map[string]string{}
	var ids []string
	for _, r := range b.Records {
		if t := r.Entity.EntityType(); t == athar.TypeSource || t == athar.TypeClaim {
			ids = append(ids, r.Entity.EntityID())
			where[r.Entity.EntityID()] = r.Where
		}
	}
	if len(ids) == 0 {
		return nil
	}
	hidden, err := write(ctx, s, func(tx neo4j.ManagedTransaction) ([]string, error) { return hiddenIDs(ctx, tx, ids) })
	if err != nil {
		return err
	}
	for _, id := range hidden {
		report.Addf(where[id]+".id", "an entity with the id %q already exists", id)
	}
	return nil
}

// Export reads every entity the reader of ctx may see, type by type in id order, into a bundle,
// without what identifies people when the reader may not read it (athar.Redact).
func (s *Store) Export(ctx context.Context) (*athar.Bundle, error) {
	b := &athar.Bundle{}
	const page = 5000
	for _, t := range athar.EntityTypes {
		spec := specOf(t)
		query := fmt.Sprintf("MATCH (m:%s) WHERE m.id > $after RETURN %s ORDER BY m.id LIMIT $limit", spec.label, returnFields(spec, "m"))
		after := ""
		for {
			recs, err := s.read(ctx, query, map[string]any{"after": after, "limit": page})
			if err != nil {
				return nil, err
			}
			es := decodeEntities(t, recs)
			for _, e := range es {
				b.Records = append(b.Records, athar.Record{Entity: athar.Redact(ctx, e), Where: e.EntityID()})
			}
			if len(es) < page {
				break
			}
			after = es[len(es)-1].EntityID()
		}
	}
	b.Sort()
	return b, nil
}
