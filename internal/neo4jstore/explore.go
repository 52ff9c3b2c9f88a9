package neo4jstore

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"github.com/athar-project/athar/internal/athar"
)

var _ athar.Explorer = (*Store)(nil)

// cursor is the position after an item of a list: which list and order it belongs to, the item's
// sort key and its id.
type cursor struct {
	List string `json:"l"`
	Key  any    `json:"k"`
	ID   string `json:"id"`
}

// keyKind says what sort key a list's cursors hold.
type keyKind int

const (
	keyDate keyKind = iota
	keyInt
	keyText
	keyFloat
)

func encodeCursor(list string, key any, id string) string {
	b, _ := json.Marshal(cursor{List: list, Key: key, ID: id})
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor of the given list, given as the argument field (after or before),
// and returns its key as a query parameter. A cursor of another list or order, or one that was
// tampered with, is the client's bad input.
func decodeCursor(field, s, list string, kind keyKind) (key any, id string, err error) {
	if s == "" {
		return nil, "", nil
	}
	bad := athar.Invalid(field, "is not a cursor of this list and order")
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c cursor
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.ID == "" || c.List != list {
		return nil, "", bad
	}
	switch kind {
	case keyDate:
		v, ok := c.Key.(string)
		t, perr := time.Parse(time.DateOnly, v)
		if !ok || perr != nil {
			return nil, "", bad
		}
		return neo4j.DateOf(t), c.ID, nil
	case keyInt:
		v, ok := c.Key.(float64)
		if !ok || v != float64(int64(v)) {
			return nil, "", bad
		}
		return int64(v), c.ID, nil
	case keyFloat:
		v, ok := c.Key.(float64)
		if !ok {
			return nil, "", bad
		}
		return v, c.ID, nil
	}
	v, ok := c.Key.(string)
	if !ok {
		return nil, "", bad
	}
	return v, c.ID, nil
}

// pageSize returns how many items a page request wants: 0 is an empty page (which still says
// whether items follow).
func pageSize(r athar.PageRequest) int {
	return max(0, min(r.Size(), athar.MaxPageSize))
}

// keyset is the order of a list paged by its sort key and id: key ascends when keyAsc, and ties
// are broken by id, ascending when idAsc.
type keyset struct {
	key, id       string
	keyAsc, idAsc bool
}

func dir(asc bool) string {
	if asc {
		return ""
	}
	return " DESC"
}

func cmp(asc bool) string {
	if asc {
		return ">"
	}
	return "<"
}

// sort is the ORDER BY of the list, or of the list reversed.
func (k keyset) sort(reversed bool) string {
	return k.key + dir(k.keyAsc != reversed) + ", " + k.id + dir(k.idAsc != reversed)
}

// cond is the condition of the items after the cursor ($afterKey, $afterId), or before it
// ($beforeKey, $beforeId) when before.
func (k keyset) cond(before bool) string {
	p := "$after"
	if before {
		p = "$before"
	}
	return fmt.Sprintf("%s %s %sKey OR (%s = %sKey AND %s %s %sId)",
		k.key, cmp(k.keyAsc != before), p, k.key, p, k.id, cmp(k.idAsc != before), p)
}

// keysetPage adds to q (whose rows are bound to variable v) the cursors' conditions, the order and
// the limit of the page asked for: the first n+1 rows after the cursor after, or, backward, the
// last n+1 rows before the cursor before, in reverse order (pageOf puts them back). It returns
// the new query and n. Errors: EINVALID (a cursor of another list, naming after or before).
func keysetPage(q string, params map[string]any, v string, k keyset, list string, kind keyKind, page athar.PageRequest) (string, int, error) {
	afterKey, afterID, err := decodeCursor("after", page.After, list, kind)
	if err != nil {
		return "", 0, err
	}
	beforeKey, beforeID, err := decodeCursor("before", page.Before, list, kind)
	if err != nil {
		return "", 0, err
	}
	if afterKey != nil {
		params["afterKey"], params["afterId"] = afterKey, afterID
		q += "WITH " + v + " WHERE " + k.cond(false) + "\n"
	}
	if beforeKey != nil {
		params["beforeKey"], params["beforeId"] = beforeKey, beforeID
		q += "WITH " + v + " WHERE " + k.cond(true) + "\n"
	}
	n := pageSize(page)
	params["limit"] = n + 1
	params["list"] = list
	q += fmt.Sprintf("WITH %s ORDER BY %s LIMIT $limit\n", v, k.sort(page.Backward()))
	return q, n, nil
}

// pageOf cuts the rows of a keyset query (up to n+1 of them, reversed for a backward page) to the
// page and says whether items come before and after it.
func pageOf[R any](rows []R, n int, page athar.PageRequest) ([]R, bool, bool) {
	more := len(rows) > n
	if more {
		rows = rows[:n]
	}
	if page.Backward() {
		slices.Reverse(rows)
		return rows, more || page.After != "", page.Before != ""
	}
	return rows, page.After != "", more || page.Before != ""
}

// FindAttacks implements athar.Explorer. With page.Count, the same query also counts every attack
// f matches, as CountAttacks does.
func (s *Store) FindAttacks(ctx context.Context, f athar.AttackFilter, order athar.AttackOrder, page athar.PageRequest) (*athar.Page[*athar.Attack], error) {
	q, params, n, err := attacksQuery(f, order, page)
	if err != nil {
		return nil, err
	}
	if !page.Count {
		return findPage[*athar.Attack](ctx, s, q, params, n, page)
	}
	// The page's rows in its order, then the count, in one row.
	row := "props: props, links: links, key: key, list: list"
	if len(page.Steps) > 0 {
		row += ", steps: steps"
	}
	var query string
	beyondDates := f
	beyondDates.Dates = athar.DateRange{}
	if !reflect.DeepEqual(beyondDates, athar.AttackFilter{}) {
		// A filter beyond dates: one pass over its matches gives both the count and the page, where
		// a second match would read them all again (the floor of athar bench does the same).
		sc := attackScope(f, order)
		rows, _, err := attackRows("UNWIND matched AS a\n", sc.params, order, page)
		if err != nil {
			return nil, err
		}
		params = sc.params
		query = "CALL () {\n" + sc.cypher + "RETURN collect(a) AS matched\n}\nCALL (matched) {\nCALL (matched) {\n" + rows +
			"}\nRETURN collect({" + row + "}) AS rows\n}\nRETURN rows, size(matched) AS n"
	} else {
		// Dates alone or nothing: counted from Neo4j's count store where it can be (countDated).
		count, countParams := countAttacksQuery(f)
		for k, v := range countParams {
			params[k] = v // the same filter: the same values, and the open ends of a date range
		}
		query = "CALL () {\n" + q + "}\nWITH collect({" + row + "}) AS rows\nCALL () {\n" + count + "\n}\nRETURN rows, n"
	}
	recs, err := s.read(ctx, query, params)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("neo4jstore: a counted page of attacks returned no row")
	}
	m := rowOf(recs[0])
	out := pageOfRows[*athar.Attack](mapsAt(m, "rows"), n, page)
	total := int(field[int64](m, "n"))
	out.Total = &total
	return out, nil
}

// attacksQuery builds the query of one page of attacks: up to n+1 rows with their sort keys.
func attacksQuery(f athar.AttackFilter, order athar.AttackOrder, page athar.PageRequest) (q string, params map[string]any, n int, err error) {
	sc := attackScope(f, order)
	q, n, err = attackRows(sc.cypher, sc.params, order, page)
	return q, sc.params, n, err
}

// attackRows adds to from, a query whose rows bind attacks to a, the page of them asked for: up to
// n+1 rows of their fields, sort keys and walks, in the order asked for. Its parameters are added to
// params.
func attackRows(from string, params map[string]any, order athar.AttackOrder, page athar.PageRequest) (q string, n int, err error) {
	k := keyset{key: "a.startDate", id: "a.id", keyAsc: true, idAsc: true}
	kind := keyDate
	switch order {
	case athar.OrderDateDesc:
		k.keyAsc, k.idAsc = false, false
	case athar.OrderKilledDesc:
		kind = keyInt
		k.key, k.keyAsc = figure("a", "killedSort"), false
	case athar.OrderKilledAsc:
		kind = keyInt
		k.key = figure("a", "killedSort")
	default:
		order = athar.OrderDateAsc
	}
	key := k.key
	list := "Attack/" + string(order)
	q, n, err = keysetPage(from, params, "a", k, list, kind, page)
	if err != nil {
		return "", 0, err
	}
	walk, err := walkColumn(specOf(athar.TypeAttack), "a", page.Steps, page.Fields, params)
	if err != nil {
		return "", 0, err
	}
	q += "RETURN " + returnFieldsOf(specOf(athar.TypeAttack), "a", page.Fields) + ", " + key + " AS key, $list AS list" + walk
	return q, n, nil
}

// findPage runs a list query that returns up to n+1 entities of T's type with their sort keys.
func findPage[T athar.Entity](ctx context.Context, s *Store, q string, params map[string]any, n int, page athar.PageRequest) (*athar.Page[T], error) {
	recs, err := s.read(ctx, q, params)
	if err != nil {
		return nil, err
	}
	rows := make([]map[string]any, len(recs))
	for i, rec := range recs {
		rows[i] = rowOf(rec)
	}
	return pageOfRows[T](rows, n, page), nil
}

// pageOfRows reads the rows of a list query (props, links, key, list, and steps when page has
// Steps), up to n+1 of them, into a page.
func pageOfRows[T athar.Entity](rows []map[string]any, n int, page athar.PageRequest) *athar.Page[T] {
	out := &athar.Page[T]{}
	rows, out.HasPreviousPage, out.HasNextPage = pageOf(rows, n, page)
	var zero T
	spec := specOf(zero.EntityType())
	var walked walkDecoder
	if len(page.Steps) > 0 {
		out.Walked = &athar.Walked{}
		walked = newWalkDecoder(out.Walked)
	}
	for _, m := range rows {
		de, ok := decodeRecord(spec, m)
		e, isT := de.(T)
		if !ok || !isT {
			continue // deleted while the page was read
		}
		key := m["key"]
		if d, ok := dateOf(m, "key"); ok {
			key = d.Format(time.DateOnly)
		}
		out.Items = append(out.Items, e)
		out.Cursors = append(out.Cursors, encodeCursor(str(m, "list"), key, e.EntityID()))
		if out.Walked != nil {
			walked.steps(spec, e, field[map[string]any](m, "steps"), page.Steps)
		}
	}
	return out
}

// CountAttacks implements athar.Explorer.
func (s *Store) CountAttacks(ctx context.Context, f athar.AttackFilter) (int, error) {
	q, params := countAttacksQuery(f)
	return s.count(ctx, q, params)
}

// countAttacksQuery is the query that counts the attacks f matches, as n; a filter by dates alone,
// or none, is counted by countDated.
func countAttacksQuery(f athar.AttackFilter) (string, map[string]any) {
	sc := attackScope(f, athar.OrderDateAsc)
	if dated := f; reflect.DeepEqual(athar.AttackFilter{Dates: dated.Dates}, dated) {
		for _, bound := range []string{"from", "to"} {
			if _, ok := sc.params[bound]; !ok {
				sc.params[bound] = nil // an open end
			}
		}
		return countDated(f.Dates), sc.params
	}
	return sc.cypher + "RETURN count(a) AS n", sc.params
}

// countDated counts the attacks whose dates overlap r ($from, $to; either may be absent, and
// both), in whichever of two ways reads fewer index entries: when the range spans most of the
// attacks' dates (an estimate from the first and last start date, two index seeks, as if attacks
// were spread evenly), as every attack (Neo4j's count store, which counts one label alone: the
// label is quoted so that readerView leaves it whole) less those the reader may not see (a range
// seek of accessRank over the few above the reader's clearance) and those starting after the range
// and those ending before it (two range seeks over the few outside; no attack is in both, as none
// ends before it starts); else directly, by a range seek of the end the range gives (the start
// date when it gives both or none). Every attack has a date (athar.Attack's date is required, and
// putDate stores both ends), so both ways count the same attacks
// (TestCountAttacks_ByDatesEitherWay).
//
// The way not taken reads nothing: its seek's bound is null unless it is the way taken. A
// condition on the choice alone (WITH wide WHERE NOT wide) did not do: Neo4j planned the seek
// first and the condition after it, reading every attack in the range for a count it threw away.
func countDated(r athar.DateRange) string {
	// The direct way: from the index of the end the range gives; with none, every attack up to
	// the last start date.
	direct := `MATCH (a:Attack) WHERE a.startDate <= CASE WHEN wide THEN null ELSE coalesce($to, last) END
  WITH a WHERE $from IS NULL OR a.endDate >= $from`
	if r.To.IsZero() && !r.From.IsZero() {
		direct = `MATCH (a:Attack) WHERE a.endDate >= CASE WHEN wide THEN null ELSE $from END`
	}
	return `OPTIONAL CALL () { MATCH (a:Attack) WHERE a.startDate IS NOT NULL RETURN a.startDate AS first ORDER BY a.startDate LIMIT 1 }
OPTIONAL CALL () { MATCH (a:Attack) WHERE a.startDate IS NOT NULL RETURN a.startDate AS last ORDER BY a.startDate DESC LIMIT 1 }
WITH first, last, CASE WHEN $from IS NULL OR $from < first THEN first ELSE $from END AS lo,
  CASE WHEN $to IS NULL OR $to > last THEN last ELSE $to END AS hi
WITH last, CASE WHEN first IS NULL OR first = last OR hi < lo THEN false
  ELSE duration.inDays(lo, hi).days * 2 > duration.inDays(first, last).days END AS wide
CALL (wide) {
  CALL () { MATCH (a:` + "`Attack`" + `) RETURN count(a) AS every }
  CALL (wide) { MATCH (a:` + "`Attack`" + `) WHERE a.accessRank > CASE WHEN wide THEN $clearance END RETURN count(a) AS hidden }
  CALL (wide) { MATCH (a:Attack) WHERE a.startDate > CASE WHEN wide THEN $to END RETURN count(a) AS after }
  CALL (wide) { MATCH (a:Attack) WHERE a.endDate < CASE WHEN wide THEN $from END RETURN count(a) AS before }
  RETURN CASE WHEN wide THEN every - hidden - after - before END AS complement
}
CALL (wide, last) {
  ` + direct + `
  RETURN count(a) AS direct
}
RETURN coalesce(complement, direct, 0) AS n`
}

func (s *Store) count(ctx context.Context, q string, params map[string]any) (int, error) {
	recs, err := s.read(ctx, q, params)
	if err != nil {
		return 0, err
	}
	if len(recs) == 0 {
		return 0, nil
	}
	return int(field[int64](rowOf(recs[0]), "n")), nil
}

// findEntities returns a page of the entities of T's type that f matches, in the type's list order.
func findEntities[T athar.Entity](ctx context.Context, s *Store, f athar.EntityFilter, page athar.PageRequest) (*athar.Page[T], error) {
	var zero T
	t := zero.EntityType()
	sc := entityScope(t, f)
	list := string(t)
	key := "m." + listKey(t)
	q, n, err := keysetPage(sc.cypher, sc.params, "m", keyset{key: key, id: "m.id", keyAsc: true, idAsc: true}, list, keyText, page)
	if err != nil {
		return nil, err
	}
	walk, err := walkColumn(specOf(t), "m", page.Steps, page.Fields, sc.params)
	if err != nil {
		return nil, err
	}
	q += "RETURN " + returnFieldsOf(specOf(t), "m", page.Fields) + ", " + key + " AS key, $list AS list" + walk
	return findPage[T](ctx, s, q, sc.params, n, page)
}

// countEntities returns how many entities of type t f matches.
func (s *Store) countEntities(ctx context.Context, t athar.EntityType, f athar.EntityFilter) (int, error) {
	sc := entityScope(t, f)
	return s.count(ctx, sc.cypher+"RETURN count(m) AS n", sc.params)
}

// FindFacilities implements athar.Explorer.
func (s *Store) FindFacilities(ctx context.Context, f athar.EntityFilter, page athar.PageRequest) (*athar.Page[*athar.Facility], error) {
	return findEntities[*athar.Facility](ctx, s, f, page)
}

// FindDatasets implements athar.Explorer.
func (s *Store) FindDatasets(ctx context.Context, f athar.EntityFilter, page athar.PageRequest) (*athar.Page[*athar.Dataset], error) {
	return findEntities[*athar.Dataset](ctx, s, f, page)
}

// CountDatasets implements athar.Explorer.
func (s *Store) CountDatasets(ctx context.Context, f athar.EntityFilter) (int, error) {
	return s.countEntities(ctx, athar.TypeDataset, f)
}

// FindActors implements athar.Explorer.
func (s *Store) FindActors(ctx context.Context, f athar.EntityFilter, page athar.PageRequest) (*athar.Page[*athar.Actor], error) {
	return findEntities[*athar.Actor](ctx, s, f, page)
}

// FindSources implements athar.Explorer.
func (s *Store) FindSources(ctx context.Context, f athar.EntityFilter, page athar.PageRequest) (*athar.Page[*athar.Source], error) {
	return findEntities[*athar.Source](ctx, s, f, page)
}

// FindPlaces implements athar.Explorer.
func (s *Store) FindPlaces(ctx context.Context, f athar.EntityFilter, page athar.PageRequest) (*athar.Page[*athar.Place], error) {
	return findEntities[*athar.Place](ctx, s, f, page)
}

// CountFacilities implements athar.Explorer.
func (s *Store) CountFacilities(ctx context.Context, f athar.EntityFilter) (int, error) {
	return s.countEntities(ctx, athar.TypeFacility, f)
}

// CountActors implements athar.Explorer.
func (s *Store) CountActors(ctx context.Context, f athar.EntityFilter) (int, error) {
	return s.countEntities(ctx, athar.TypeActor, f)
}

// CountSources implements athar.Explorer.
func (s *Store) CountSources(ctx context.Context, f athar.EntityFilter) (int, error) {
	return s.countEntities(ctx, athar.TypeSource, f)
}

// CountPlaces implements athar.Explorer.
func (s *Store) CountPlaces(ctx context.Context, f athar.EntityFilter) (int, error) {
	return s.countEntities(ctx, athar.TypePlace, f)
}

// searchList is the cursor list of search hits, which are ordered by score (best first), then id.
const searchList = "Search"

// searchScope is the Cypher that binds each hit of the request's query to node, score and label.
//
// A hit's score ranks it first by how it matches the whole query, folded (athar.SearchKey), then by
// the full-text index's relevance: 3 and more when its name or title is the query, 2 and more when
// one of its aliases is, 1 and more when its name, title or an alias starts with the query, and
// below 1 otherwise; the index's relevance r (0 and up, unbounded) adds r/(1+r), which keeps its
// order and stays below 1. So "UN" gives the United Nations (whose alias is UN) before UNICEF and
// UNRWA, and an exact alias comes before a name that is only near the query. The score is a pure
// function of the node and the query, so pages by score then id (keysetPage) neither skip nor
// repeat a hit.
func searchScope(r athar.SearchRequest) (string, map[string]any) {
	types := r.Types
	if len(types) == 0 {
		types = athar.EntityTypes
	}
	labels := make([]string, len(types))
	for i, t := range types {
		labels[i] = labelOf(t)
	}
	return `
CALL db.index.fulltext.queryNodes('` + searchIndex + `', $text) YIELD node, score AS relevance
WITH node, relevance, [l IN labels(node) WHERE l IN $labels][0] AS label
WHERE label IS NOT NULL
WITH node, label, relevance / (1.0 + relevance) + CASE
  WHEN node.nameFolded = $folded OR node.titleFolded = $folded THEN 3
  WHEN $folded IN node.aliasesFolded THEN 2
  WHEN node.nameFolded STARTS WITH $folded OR node.titleFolded STARTS WITH $folded
    OR any(a IN coalesce(node.aliasesFolded, []) WHERE a STARTS WITH $folded) THEN 1
  ELSE 0 END AS score
`, map[string]any{"text": luceneQuery(r.Query), "folded": athar.SearchKey(r.Query), "labels": labels}
}

// Search implements athar.Explorer.
func (s *Store) Search(ctx context.Context, r athar.SearchRequest) (*athar.Page[athar.SearchHit], error) {
	q, params := searchScope(r)
	q += "WITH node, score, label, node.id AS id\n"
	q, n, err := keysetPage(q, params, "node, score, label, id", keyset{key: "score", id: "id", idAsc: true}, searchList, keyFloat, r.PageRequest)
	if err != nil {
		return nil, err
	}
	// Each hit is read whole (with its links) in the same query, by its type: what the request
	// selects of it when page.Fields says.
	types := r.Types
	if len(types) == 0 {
		types = athar.EntityTypes
	}
	byLabel := map[string]*typeSpec{}
	var cases []string
	for _, t := range types {
		spec := specOf(t)
		byLabel[spec.label] = spec
		cases = append(cases, fmt.Sprintf("WHEN '%s' THEN {props: %s, links: %s}", spec.label, spec.projectionOf("node", r.Fields), linkMapOf(spec, "node", r.Fields)))
	}
	recs, err := s.read(ctx, q+"RETURN label, score, id, CASE label "+strings.Join(cases, " ")+" END AS entity", params)
	if err != nil {
		return nil, err
	}
	page := &athar.Page[athar.SearchHit]{}
	recs, page.HasPreviousPage, page.HasNextPage = pageOf(recs, n, r.PageRequest)
	for _, rec := range recs {
		m := rowOf(rec)
		spec := byLabel[str(m, "label")]
		if spec == nil {
			continue
		}
		e, ok := decodeRecord(spec, field[map[string]any](m, "entity"))
		if !ok {
			continue // deleted while the query read it
		}
		score := field[float64](m, "score")
		page.Items = append(page.Items, athar.SearchHit{Entity: e, Score: score})
		page.Cursors = append(page.Cursors, encodeCursor(searchList, score, e.EntityID()))
	}
	return page, nil
}

// CountSearch implements athar.Explorer.
func (s *Store) CountSearch(ctx context.Context, r athar.SearchRequest) (int, error) {
	q, params := searchScope(r)
	return s.count(ctx, q+"RETURN count(node) AS n", params)
}

// Timeline implements athar.Explorer.
func (s *Store) Timeline(ctx context.Context, f athar.AttackFilter, interval athar.TimelineInterval) ([]athar.TimelineBucket, error) {
	unit := map[athar.TimelineInterval]string{athar.IntervalYear: "year", athar.IntervalMonth: "month", athar.IntervalDay: "day"}[interval]
	if unit == "" {
		return nil, athar.Invalid("interval", "%q is not YEAR, MONTH or DAY", interval)
	}
	sc := attackScope(f, athar.OrderDateAsc)
	sc.params["unit"] = unit
	// An attack whose date fits one interval counts in that interval's bucket. One whose date
	// spans more (known only to the month, on a timeline by day) counts in a bucket of its own that
	// spans its date: it is never put on the first day of its month. Each incident and each death
	// counts once: an aggregate report adds only its deaths beyond its parts' (killedCounted*), a
	// withdrawn attack counts nowhere, and the attacks a curator linked as one incident
	// (linkSameIncident) count as one, in the bucket of the first of them by id, with the range of
	// their figures (the lowest low, the highest high), as Attack.incidentCasualties gives it.
	recs, err := s.read(ctx, sc.cypher+`
WITH a, date.truncate($unit, a.startDate) AS first, date.truncate($unit, a.endDate) AS last
WITH a, CASE WHEN first = last THEN first ELSE a.startDate END AS bucket,
  CASE WHEN first = last THEN null ELSE a.endDate END AS wide
WITH a, bucket, wide, EXISTS { (a)<-[:`+relAggregatedIn+`]-(:Attack) } OR a.withdrawnIn IS NOT NULL AS uncounted,
  head(COLLECT { MATCH (a)-[:`+relSameIncident+`]->(g:`+labelIncident+`) RETURN elementId(g) }) AS g
WITH bucket, wide, g,
  count(CASE WHEN g IS NULL AND NOT uncounted THEN a END) AS attacks,
  sum(CASE WHEN g IS NULL THEN coalesce(a.killedCountedLow§, a.killedLow§, 0) ELSE 0 END) AS low,
  sum(CASE WHEN g IS NULL THEN coalesce(a.killedCountedHigh§, a.killedHigh§, 0) ELSE 0 END) AS high,
  count(CASE WHEN g IS NULL AND NOT uncounted THEN a.killedHigh§ END) AS withFigures,
  collect(CASE WHEN g IS NOT NULL AND NOT uncounted THEN {id: a.id, bucket: bucket, wide: wide, low: a.killedLow§, high: a.killedHigh§} END) AS members
WITH g, collect({bucket: bucket, wide: wide, attacks: attacks, low: low, high: high, withFigures: withFigures, members: members}) AS rows
WITH g, rows, [m IN reduce(ms = [], r IN rows | ms + r.members) WHERE m IS NOT NULL] AS counted
WITH g, rows, counted, reduce(rep = head(counted), m IN counted | CASE WHEN m.id < rep.id THEN m ELSE rep END) AS rep
UNWIND CASE
  WHEN g IS NULL THEN rows
  WHEN rep IS NULL THEN []
  ELSE [{bucket: rep.bucket, wide: rep.wide, attacks: 1,
    low: coalesce(reduce(x = null, m IN counted | CASE WHEN m.low IS NULL THEN x WHEN x IS NULL OR m.low < x THEN m.low ELSE x END), 0),
    high: coalesce(reduce(x = null, m IN counted | CASE WHEN m.high IS NULL THEN x WHEN x IS NULL OR m.high > x THEN m.high ELSE x END), 0),
    withFigures: CASE WHEN any(m IN counted WHERE m.high IS NOT NULL) THEN 1 ELSE 0 END}] END AS r
RETURN r.bucket AS bucket, r.wide AS wide, sum(r.attacks) AS attacks, sum(r.low) AS low, sum(r.high) AS high, sum(r.withFigures) AS withFigures
ORDER BY bucket, wide`, sc.params)
	if err != nil {
		return nil, err
	}
	out := make([]athar.TimelineBucket, 0, len(recs))
	for _, rec := range recs {
		m := rowOf(rec)
		start, ok := dateOf(m, "bucket")
		if !ok {
			continue // an attack whose date was removed while the timeline was read
		}
		var end time.Time
		switch wide, ok := dateOf(m, "wide"); {
		case ok:
			end = wide
		case interval == athar.IntervalYear:
			end = start.AddDate(1, 0, -1)
		case interval == athar.IntervalMonth:
			end = start.AddDate(0, 1, -1)
		default:
			end = start
		}
		// Sums over many attacks saturate at what a GraphQL Int carries (athar.SaturatedInt).
		out = append(out, athar.TimelineBucket{Start: start, End: end, Attacks: athar.SaturatedInt(field[int64](m, "attacks")),
			KilledLow: athar.SaturatedInt(field[int64](m, "low")), KilledHigh: athar.SaturatedInt(field[int64](m, "high")),
			AttacksWithFigures: athar.SaturatedInt(field[int64](m, "withFigures"))})
	}
	return out, nil
}

// AttacksByFacility implements athar.Explorer. Each facility's attacks come as three lists in step
// (ids, starts, ends), which Bolt carries and the driver decodes for less than a map per attack: a
// governorate's facilities can have thousands.
func (s *Store) AttacksByFacility(ctx context.Context, f athar.AttackFilter, minAttacks int) (map[string][]athar.DatedAttack, error) {
	sc := attackScope(f, athar.OrderDateAsc)
	sc.params["min"] = int64(max(minAttacks, 1))
	recs, err := s.read(ctx, sc.cypher+`
MATCH (a)-[:`+relTargeted+`]->(fac:Facility)
WITH fac, a ORDER BY a.startDate, a.id
WITH fac, collect(a.id) AS ids, collect(a.startDate) AS starts, collect(a.endDate) AS ends
WHERE size(ids) >= $min
RETURN fac.id AS id, ids, starts, ends`, sc.params)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]athar.DatedAttack, len(recs))
	for _, rec := range recs {
		row := rowOf(rec)
		id := str(row, "id")
		ids, starts, ends := field[[]any](row, "ids"), field[[]any](row, "starts"), field[[]any](row, "ends")
		if id == "" || len(starts) != len(ids) || len(ends) != len(ids) {
			continue // changed while the query read it
		}
		for i := range ids {
			attack, _ := ids[i].(string)
			start, ok1 := starts[i].(dbtype.Date)
			end, ok2 := ends[i].(dbtype.Date)
			if attack == "" || !ok1 || !ok2 {
				continue // changed while the query read it
			}
			out[id] = append(out[id], athar.DatedAttack{ID: attack, Start: start.Time().UTC(), End: end.Time().UTC()})
		}
	}
	return out, nil
}

// Nearby implements athar.Explorer.
func (s *Store) Nearby(ctx context.Context, near athar.Near, types []athar.FacilityType, w athar.Window) (athar.List[athar.NearbyFacility], error) {
	params := map[string]any{"point": neo4j.Point2D{X: near.Longitude, Y: near.Latitude, SpatialRefId: 4326},
		"radius": near.RadiusMeters, "offset": int64(w.Offset), "limit": limitParam(w.Limit), "types": nil}
	if len(types) > 0 {
		params["types"] = texts(types)
	}
	recs, err := s.read(ctx, `
MATCH (f:Facility) WHERE point.distance(f.location, $point) <= $radius
  AND ($types IS NULL OR f.type IN $types)
WITH f, point.distance(f.location, $point) AS d ORDER BY d, f.id
WITH collect({id: f.id, d: d}) AS found
RETURN found[$offset..$offset + $limit] AS hits, size(found) AS total`, params)
	if err != nil || len(recs) == 0 {
		return athar.List[athar.NearbyFacility]{}, err
	}
	return nearbyList(recs[0].AsMap()), nil
}

// nearbyList reads a record of hits ({id, d} maps) and their total.
func nearbyList(m map[string]any) athar.List[athar.NearbyFacility] {
	total, _ := m["total"].(int64)
	out := athar.List[athar.NearbyFacility]{Total: int(total)}
	for _, hit := range mapsAt(m, "hits") {
		d, ok := hit["d"].(float64)
		if str(hit, "id") == "" || !ok {
			continue // moved or deleted while the query read it
		}
		out.Items = append(out.Items, athar.NearbyFacility{FacilityID: str(hit, "id"), DistanceMeters: d})
	}
	return out
}

// NearbyOf implements athar.Explorer.
func (s *Store) NearbyOf(ctx context.Context, reqs []athar.NearbyRequest) ([]athar.List[athar.NearbyFacility], error) {
	rows := make([]map[string]any, len(reqs))
	for i, r := range reqs {
		var types any
		if len(r.Types) > 0 {
			types = texts(r.Types)
		}
		rows[i] = map[string]any{"i": int64(i), "id": r.FacilityID, "radius": r.RadiusMeters, "types": types,
			"offset": int64(r.Window.Offset), "limit": limitParam(r.Window.Limit)}
	}
	recs, err := s.read(ctx, `
UNWIND $rows AS row
MATCH (o:Facility {id: row.id}) WHERE o.location IS NOT NULL
CALL (o, row) {
  MATCH (f:Facility) WHERE point.distance(f.location, o.location) <= row.radius AND f <> o
    AND (row.types IS NULL OR f.type IN row.types)
  WITH f, point.distance(f.location, o.location) AS d ORDER BY d, f.id
  RETURN collect({id: f.id, d: d}) AS found
}
RETURN row.i AS i, found[row.offset..row.offset + row.limit] AS hits, size(found) AS total`, map[string]any{"rows": rows})
	if err != nil {
		return nil, err
	}
	out := make([]athar.List[athar.NearbyFacility], len(reqs))
	for _, rec := range recs {
		m := rowOf(rec)
		if i, ok := m["i"].(int64); ok && i >= 0 && int(i) < len(out) {
			out[i] = nearbyList(m)
		}
	}
	return out, nil
}

// idWindows runs a query that returns, per id, a window of ids and the list's total.
func (s *Store) idWindows(ctx context.Context, query string, ids []string, w athar.Window) (map[string]athar.List[string], error) {
	out := make(map[string]athar.List[string], len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	recs, err := s.read(ctx, query, map[string]any{"ids": ids, "offset": int64(w.Offset), "limit": limitParam(w.Limit)})
	if err != nil {
		return nil, err
	}
	for _, rec := range recs {
		m := rowOf(rec)
		if id := str(m, "id"); id != "" {
			out[id] = athar.List[string]{Items: strs(m, "ids"), Total: int(field[int64](m, "total"))}
		}
	}
	for _, id := range ids {
		if _, ok := out[id]; !ok {
			out[id] = athar.List[string]{}
		}
	}
	return out, nil
}

// SameDay implements athar.Explorer.
func (s *Store) SameDay(ctx context.Context, ids []string, w athar.Window) (map[string]athar.List[string], error) {
	return s.idWindows(ctx, `
UNWIND $ids AS id
CALL (id) {
  MATCH (a:Attack {id: id})-[:ON]->(:Day)<-[:ON]-(m:Attack)
  WHERE m <> a
  WITH m ORDER BY m.startDate, m.id
  RETURN collect(m.id) AS found
}
RETURN id, found[$offset..$offset + $limit] AS ids, size(found) AS total`, ids, w)
}

// TimeNodes implements athar.Explorer.
func (s *Store) TimeNodes(ctx context.Context, ids []string) ([]athar.TimeNode, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	recs, err := s.read(ctx, `
MATCH (t:TimeNode) WHERE t.id IN $ids
RETURN t.id AS id, [l IN labels(t) WHERE l IN ['Year', 'Month', 'Day']][0] AS kind, t.year AS year, t.month AS month, t.date AS date`,
		map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	out := make([]athar.TimeNode, 0, len(recs))
	for _, rec := range recs {
		m := rowOf(rec)
		n := athar.TimeNode{ID: str(m, "id"), Kind: str(m, "kind")}
		if n.ID == "" || n.Kind == "" {
			continue // deleted while the query read it
		}
		if y, ok := m["year"].(int64); ok {
			n.Year = int(y)
		}
		if mo, ok := m["month"].(int64); ok {
			n.Month = int(mo)
		}
		if d, ok := m["date"].(dbtype.Date); ok {
			n.Date = d.Time().UTC()
			n.Year, n.Month = n.Date.Year(), int(n.Date.Month())
		}
		out = append(out, n)
	}
	return out, nil
}

// TimeAttacks implements athar.Explorer.
func (s *Store) TimeAttacks(ctx context.Context, ids []string, w athar.Window) (map[string]athar.List[string], error) {
	return s.idWindows(ctx, `
UNWIND $ids AS id
CALL (id) {
  MATCH (:TimeNode {id: id})<-[:IN*0..2]-(:TimeNode)<-[:ON]-(m:Attack)
  WITH DISTINCT m ORDER BY m.startDate, m.id
  RETURN collect(m.id) AS found
}
RETURN id, found[$offset..$offset + $limit] AS ids, size(found) AS total`, ids, w)
}

// TimeChildren implements athar.Explorer.
func (s *Store) TimeChildren(ctx context.Context, ids []string) (map[string][]string, error) {
	if len(ids) == 0 {
		return map[string][]string{}, nil
	}
	recs, err := s.read(ctx, `
UNWIND $ids AS id
MATCH (:TimeNode {id: id})<-[:IN]-(m:TimeNode)
WITH id, m ORDER BY m.id
RETURN id, collect(m.id) AS ids`, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	return idLists(recs), nil
}

// graphNodeFields reads what a network view shows of a node m, as columns; graphNodeMap as a map.
var graphNodeFields, graphNodeMap = func() (string, string) {
	exprs := [][2]string{{"id", "m.id"}, {"label", "[l IN labels(m) WHERE NOT l IN ['Entity', 'TimeNode']][0]"},
		{"type", "coalesce(m.type, m.kind)"},
		{"name", "coalesce(m.name, m.title, CASE WHEN m.kind IS NOT NULL AND m.text IS NOT NULL THEN m.kind + ': ' + m.text END, m.id)"}}
	var fields, entries []string
	for _, e := range exprs {
		fields = append(fields, e[1]+" AS "+e[0])
		entries = append(entries, e[0]+": "+e[1])
	}
	return strings.Join(fields, ", "), "{" + strings.Join(entries, ", ") + "}"
}()

// hubLabels are the shared nodes a walk shows but does not go through: a weapon, an attack type,
// a month or a year links to thousands of attacks, and a neighbourhood through them is noise.
var hubLabels = map[string]bool{labelWeapon: true, labelAttackType: true, "Month": true, "Year": true}

// hubList is hubLabels as a list, the parameter graphSecondHop tests labels against.
var hubList = slices.Sorted(maps.Keys(hubLabels))

// graphHop is the query of one hop of a Graph from the nodes $ids: at most $cap links, in the order
// of the nodes they reach, then their type. Its rows are bound to from, r, out (whether r leaves
// from's node) and m (the node reached).
var graphHop = graphHopFrom("$ids")

// graphHopFrom is graphHop from the ids of the list expression ids.
func graphHopFrom(ids string) string {
	return "UNWIND " + ids + ` AS from
MATCH (n:Entity {id: from})-[r]-(m:Entity)
WITH from, r, m, startNode(r) = n AS out ORDER BY m.id, type(r)
LIMIT $cap
`
}

// graphSecondHop reads, with the first hop (hop) from the starts, the second: from the nodes the
// first reached that are not starts and not hubs, as the walk goes on (Graph's take), unless the
// first hop already filled the graph (more links than $cap, more nodes than $limit), after which
// the walk stops and a second hop would be read for nothing.
var graphSecondHop = `CALL (starts, hop) {
  WITH [s IN starts | s.id] AS seen, hop
  WITH hop, size(seen) + size(COLLECT { UNWIND hop AS x WITH x.id AS id WHERE id IS NOT NULL AND NOT id IN seen RETURN DISTINCT id }) AS nodes,
    COLLECT { UNWIND hop AS x WITH x WHERE x.id IS NOT NULL AND x.rel IS NOT NULL AND NOT x.id IN seen AND NOT x.label IN $hubs RETURN DISTINCT x.id AS id } AS next
  WITH next WHERE size(hop) < $cap AND nodes <= $limit
  ` + graphHopFrom("next") + `RETURN collect(` + graphHopRow + `) AS hop2
}
`

// graphHopRow is what a hop's query returns of each link: graphNodeMap of the node it reaches,
// with from, rel and out.
var graphHopRow = strings.Replace(graphNodeMap, "{", "{from: from, rel: type(r), out: out, ", 1)

// Graph implements athar.Explorer: a breadth-first walk, one query per hop but the second; the
// first query reads the nodes the walk starts from and their first two hops together
// (graphSecondHop).
func (s *Store) Graph(ctx context.Context, ids []string, depth, limit int) (*athar.Graph, error) {
	g := &athar.Graph{}
	if len(ids) == 0 {
		return g, nil
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids))) // each start once, so that the first hop reads each once
	hopCap := limit * 20
	first := "CALL () { MATCH (m:Entity) WHERE m.id IN $ids WITH m ORDER BY m.id RETURN collect(" + graphNodeMap + ") AS starts }\n"
	if depth > 0 {
		first += "CALL () { " + graphHop + "RETURN collect(" + graphHopRow + ") AS hop }\n"
	} else {
		first += "WITH starts, [] AS hop\n"
	}
	if depth > 1 {
		first += graphSecondHop
	} else {
		first += "WITH starts, hop, [] AS hop2\n"
	}
	recs, err := s.read(ctx, first+"RETURN starts, hop, hop2", map[string]any{"ids": ids, "cap": int64(hopCap), "limit": int64(limit), "hubs": hubList})
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("neo4jstore: the start of a graph returned no row")
	}
	row := rowOf(recs[0])
	seen := map[string]bool{}
	// addNode adds the node m describes, and returns false when the graph is full. A node deleted
	// while the walk read it (its id is null) is left out.
	addNode := func(m map[string]any) bool {
		id := str(m, "id")
		if id == "" {
			return true
		}
		if seen[id] {
			return true
		}
		if len(g.Nodes) >= limit {
			g.Truncated = true
			return false
		}
		seen[id] = true
		n := athar.GraphNode{ID: athar.GraphNodeID(id), EntityID: id}
		n.Label, n.Type, n.Name = str(m, "label"), str(m, "type"), str(m, "name")
		g.Nodes = append(g.Nodes, n)
		return true
	}
	var frontier []string
	for _, m := range mapsAt(row, "starts") {
		if id := str(m, "id"); id != "" && addNode(m) {
			frontier = append(frontier, id)
		}
	}
	edges := map[string]bool{}
	// take adds the nodes and links of one hop's rows, and returns the nodes the next hop starts from.
	take := func(rows []map[string]any) []string {
		if len(rows) >= hopCap {
			g.Truncated = true // the hop had more links than were read
		}
		var next []string
		for _, m := range rows {
			id, rel := str(m, "id"), str(m, "rel")
			if id == "" || rel == "" {
				continue // the node or the link was deleted while the hop read it
			}
			isNew := !seen[id]
			if !addNode(m) {
				continue
			}
			if isNew && !hubLabels[str(m, "label")] {
				next = append(next, id)
			}
			src, dst := str(m, "from"), id
			if !field[bool](m, "out") {
				src, dst = dst, src
			}
			e := athar.GraphEdge{ID: src + "|" + rel + "|" + dst, Source: athar.GraphNodeID(src), Target: athar.GraphNodeID(dst), Type: rel}
			if !edges[e.ID] {
				edges[e.ID] = true
				g.Edges = append(g.Edges, e)
			}
		}
		return next
	}
	for hop := 0; hop < depth && len(frontier) > 0 && !g.Truncated; hop++ {
		var rows []map[string]any
		switch hop {
		case 0:
			// Read with the starts: every start that exists is in the frontier, as the graph is
			// not yet truncated.
			rows = mapsAt(row, "hop")
		case 1:
			// Read with the starts too, from the same frontier: the first hop's new nodes that
			// are not hubs (graphSecondHop); the graph is not truncated, or the walk would
			// have stopped.
			rows = mapsAt(row, "hop2")
		default:
			recs, err := s.read(ctx, graphHop+"RETURN from, type(r) AS rel, out, "+graphNodeFields,
				map[string]any{"ids": frontier, "cap": int64(hopCap)})
			if err != nil {
				return nil, err
			}
			for _, rec := range recs {
				rows = append(rows, rowOf(rec))
			}
		}
		frontier = take(rows)
	}
	slices.SortFunc(g.Edges, func(a, b athar.GraphEdge) int { return strings.Compare(a.ID, b.ID) })
	return g, nil
}

// attackFeaturesQuery builds the query of a page of what maps and spreadsheets show of the attacks
// f matches: up to limit+1 of them in date order, then by id, after the cursor after. The cursor's
// condition opens with a range on the start date, which lets Neo4j seek the start-date index to
// where the page begins rather than read past every attack before it.
func attackFeaturesQuery(f athar.AttackFilter, after *athar.FeatureCursor, limit int) (string, map[string]any) {
	sc := attackScope(f, athar.OrderDateAsc)
	sc.params["limit"] = int64(limit + 1)
	k := keyset{key: "a.startDate", id: "a.id", keyAsc: true, idAsc: true}
	if after != nil {
		sc.params["afterKey"], sc.params["afterId"] = neo4j.DateOf(after.Start), after.ID
		sc.cypher += "WITH a WHERE a.startDate >= $afterKey AND (" + k.cond(false) + ")\n"
	}
	return sc.cypher + `
WITH a ORDER BY ` + k.sort(false) + ` LIMIT $limit
CALL (a) {
  OPTIONAL MATCH (a)-[:` + relTargeted + `]->(f:Facility)
  WITH f ORDER BY f.id
  RETURN collect(f.name) AS facilities, collect(f.id) AS facilityIds
}
CALL (a) {
  OPTIONAL MATCH (a)-[:` + relOccurredIn + `]->(p:Place)
  WITH p ORDER BY p.id
  RETURN collect(p.name) AS places
}
` + storedMapped("a", "loc") + `
OPTIONAL MATCH (a)-[:` + relOf(athar.TypeAttack, "datasetId") + `]->(ds:Dataset)
RETURN properties(a) AS props, facilities, facilityIds, places, loc, ds.id AS dataset`, sc.params
}

// AttackFeatures implements athar.Explorer.
func (s *Store) AttackFeatures(ctx context.Context, f athar.AttackFilter, after *athar.FeatureCursor, limit int) ([]athar.AttackFeature, bool, error) {
	q, params := attackFeaturesQuery(f, after, limit)
	recs, err := s.read(ctx, q, params)
	if err != nil {
		return nil, false, err
	}
	more := len(recs) > limit
	if more {
		recs = recs[:limit]
	}
	out := make([]athar.AttackFeature, 0, len(recs))
	for _, rec := range recs {
		m := rowOf(rec)
		props := field[map[string]any](m, "props")
		if str(props, "id") == "" {
			continue // deleted while the query read it
		}
		ft := athar.AttackFeature{ID: str(props, "id"), Title: str(props, "title"),
			Facilities: strs(m, "facilities"), FacilityIDs: strs(m, "facilityIds"), Places: strs(m, "places"),
			DatasetID: str(m, "dataset"), ExternalID: str(props, "externalId"), WithdrawnIn: str(props, "withdrawnIn")}
		if d := date(props, datedField); d != nil {
			ft.Date = *d
		}
		if v, ok := props[figureOf(ctx, "killedLow")].(int64); ok {
			n := int(v)
			ft.KilledLow = &n
		}
		if v, ok := props[figureOf(ctx, "killedHigh")].(int64); ok {
			n := int(v)
			ft.KilledHigh = &n
		}
		if loc, ok := mappedLocationOf(m["loc"]); ok {
			ft.Location = &loc.Location
			ft.LocationFrom = loc.From
		}
		out = append(out, ft)
	}
	return out, more, nil
}
