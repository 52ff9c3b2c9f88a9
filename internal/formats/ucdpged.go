package formats

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/athar-project/athar/internal/athar"
)

// The UCDP Georeferenced Event Dataset (GED), as its codebook describes it: Högbladh, Stina (2024)
// "UCDP GED Codebook version 24.1", Department of Peace and Conflict Research, Uppsala University.
// Its mapping column by column is in docs/formats/ucdp-ged.md.
const (
	ucdpDataset   = "ucdp-ged"
	ucdpName      = "UCDP Georeferenced Event Dataset (GED)"
	ucdpPublisher = "Uppsala Conflict Data Program (UCDP), Department of Peace and Conflict Research, Uppsala University"
	ucdpURL       = "https://ucdp.uu.se/downloads/"
	ucdpLicence   = "CC BY 4.0 (Creative Commons Attribution 4.0 International)"
	ucdpCitation  = "Sundberg, Ralph and Erik Melander (2013) Introducing the UCDP Georeferenced Event Dataset. " +
		"Journal of Peace Research 50(4): 523-532. Davies, Shawn, Therese Pettersson, Margareta Sollenberg " +
		"and Magnus Öberg (2025) Organized violence 1989-2024, and the challenges of identifying civilian " +
		"victims. Journal of Peace Research 62(4)."
)

// ucdpRequired are the columns without which a row is not a GED event; every other column of the
// codebook is optional, and columns it does not name are ignored.
var ucdpRequired = []string{"id", "type_of_violence", "side_a", "side_b", "date_start", "date_end",
	"where_prec", "latitude", "longitude", "country", "best", "low", "high"}

// ucdpViolence are the codebook's types of violence (type_of_violence).
var ucdpViolence = map[int]string{1: "state-based conflict", 2: "non-state conflict", 3: "one-sided violence"}

// ucdpDatePrec are the codebook's date precisions (date_prec): how much of date_start..date_end the
// sources pin down.
var ucdpDatePrec = map[int]string{
	1: "the exact day is known",
	2: "the day is not known, but the event took place within a period of 2 to 6 days",
	3: "only the week is known",
	4: "only the month is known, or a period of 8 to 30 days",
	5: "only the year is known, or a period of more than a month and less than a year",
}

// ucdpWherePrec maps the codebook's location precisions (where_prec) to Athar's:
// 1 the exact place → EXACT; 2 within about 25 km of a known point → NEAR; 3 the second-order
// administrative division, whose centroid is given → DISTRICT; 4 the first-order division →
// GOVERNORATE; 5 a part of a country that is no administrative division ("northern Syria", a road,
// a front line), given by a point chosen in it → APPROXIMATE, not NEAR: the area may be far wider
// than NEAR's 25 km; 6 the country, its centroid → COUNTRY; 7 international waters or airspace,
// or no place within a country → no location.
var ucdpWherePrec = map[int]athar.LocationPrecision{1: "EXACT", 2: "NEAR", 3: "DISTRICT", 4: "GOVERNORATE",
	5: "APPROXIMATE", 6: "COUNTRY"}

// ReadUCDPGED reads the CSV file of a UCDP GED release (the global dataset or a candidate release,
// any version: columns are matched by name, case-insensitively) into a bundle of the dataset's
// records: per row an attack, its source, its CASUALTIES claim and, for one-sided violence, a
// PERPETRATOR claim; the places of its admin tree, its sides as actors and its conflict and dyad as
// events, each once. The release is opts.Release, else the file's version column, else the version
// in the file's name (GEDEvent_v24_1.csv is 24.1). Errors: athar.Problems naming the row, the
// event's id and the column of every problem (`row 17 (id 214797).latitude: "abc" is not a
// number`); a file without a header row or without a required column is refused naming them.
func ReadUCDPGED(r io.Reader, opts Options) (*Result, error) {
	rg, err := startReading(r, opts, "ucdp-ged", ucdpRequired, athar.Dataset{ID: ucdpDataset, Name: ucdpName, Publisher: ucdpPublisher, URL: ucdpURL,
		Licence: ucdpLicence, Citation: ucdpCitation,
		Description: "Events of organized violence (state-based conflict, non-state conflict, one-sided violence) " +
			"with at least one death, each located and dated as precisely as its sources allow."})
	if err != nil {
		return nil, err
	}
	ds, t, p, rs, res, dataset := rg.ds, rg.t, rg.p, rg.rs, rg.res, rg.res.Dataset
	firstRow := map[string]int{}
	res.Rows = t.each(p, func(n int, rec []string) {
		row := &row{t: t, rec: rec, p: p}
		id := row.text("id")
		row.where = fmt.Sprintf("row %d (id %s)", n, id)
		if id == "" {
			row.where = fmt.Sprintf("row %d", n)
			row.problem("id", "is empty: every GED event has an id")
			return
		}
		if slug(id) != strings.ToLower(id) {
			row.problem("id", "%q is not a GED event id (letters, digits and hyphens)", id)
			return
		}
		if prev, dup := firstRow[id]; dup {
			row.problem("id", "is also the id of row %d", prev)
			return
		}
		firstRow[id] = n
		if dataset.Release == "" && row.text("version") != "" {
			dataset.Release = row.text("version")
		}
		if ucdpEvent(rs, ds, row, strings.ToLower(id)) {
			res.Inconsistent++
		}
		res.Events++
	})
	if dataset.Release == "" {
		dataset.Release = releaseFromName(opts.FileName)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	res.Bundle = rs.finish()
	return res, nil
}

var gedVersion = regexp.MustCompile(`(?i)v(\d{1,2})[._](\d{1,2})(?:[._](\d{1,2}))?`)

// releaseFromName reads the version UCDP writes in its files' names: GEDEvent_v24_1.csv is 24.1,
// the candidate GEDEvent_v25_0_3.csv 25.0.3; "" when the name has none.
func releaseFromName(name string) string {
	m := gedVersion.FindStringSubmatch(name)
	if m == nil {
		return ""
	}
	if m[3] != "" {
		return m[1] + "." + m[2] + "." + m[3]
	}
	return m[1] + "." + m[2]
}

// ucdpEvent adds the records of one GED event; it reports whether its casualties claim is
// inconsistent.
func ucdpEvent(rs *records, ds string, r *row, id string) (inconsistent bool) {
	dsID := "dataset:" + ds
	ext := r.text("id")
	violence := r.code("type_of_violence", 1, 2, 3)
	attack := &athar.Attack{ID: "attack:" + ds + "-" + id, DatasetID: dsID, ExternalID: ext}
	attack.Date = r.ucdpDate()
	if wp := r.code("where_prec", 1, 2, 3, 4, 5, 6, 7); wp != 0 && wp != 7 {
		attack.Location = r.location(ucdpWherePrec[wp])
	} else if r.text("where_prec") == "" && (r.text("latitude") != "" || r.text("longitude") != "") {
		r.problem("where_prec", "is empty: a point needs its precision (1 to 7)")
	}
	place := places(rs, ds, []level{{r.text("country"), "COUNTRY", ""}, {r.text("adm_1"), "GOVERNORATE", ""},
		{r.text("adm_2"), "DISTRICT", ""}}, r.where)
	if place != "" {
		attack.PlaceIDs = []string{place}
	}
	attack.Title = firstOf(r.text("where_description"), r.text("adm_2"), r.text("adm_1"), r.text("country"), "GED event "+ext)
	if violence != 0 {
		attack.Summary = fmt.Sprintf("UCDP GED event %s: %s", ext, ucdpViolence[violence])
		if d := r.text("dyad_name"); d != "" {
			attack.Summary += ", " + d
		}
		attack.Summary += "."
	}
	for _, e := range []struct{ kind, idCol, nameCol string }{{"conflict", "conflict_new_id", "conflict_name"}, {"dyad", "dyad_new_id", "dyad_name"}} {
		eid, name := r.text(e.idCol), r.text(e.nameCol)
		if eid == "" {
			continue
		}
		event := &athar.Event{ID: "event:" + ds + "-" + e.kind + "-" + idPart(eid, 60), Name: firstOf(name, "UCDP "+e.kind+" "+eid),
			Kind: athar.EventKind(strings.ToUpper(e.kind)), DatasetID: dsID, ExternalID: e.kind + "-" + eid}
		if violence != 0 {
			event.Description = fmt.Sprintf("UCDP %s %s (%s).", e.kind, eid, ucdpViolence[violence])
		}
		rs.add(event, r.where+"."+e.idCol)
		attack.PartOfEventIDs = append(attack.PartOfEventIDs, event.ID)
	}
	sideA := ucdpActor(rs, ds, r, "side_a")
	sideB := ucdpActor(rs, ds, r, "side_b")

	source := &athar.Source{ID: "source:" + ds + "-" + id, Title: "UCDP GED event " + ext, Kind: "DATASET_RECORD",
		URL: ucdpURL, DatasetID: dsID, ExternalID: ext}
	source.Description = describeColumns(r, "number_of_sources", "source_office", "source_date", "event_clarity", "code_status")
	rs.add(source, r.where)
	rs.add(attack, r.where)

	quote := ucdpQuote(r)
	cas := &athar.Claim{ID: "claim:" + ds + "-" + id + "-casualties", AttackID: attack.ID, SourceID: source.ID,
		Kind: athar.ClaimCasualties, Quote: quote, DatasetID: dsID, ExternalID: ext + "-casualties"}
	cas.Killed = &athar.Range{Low: r.int("low"), Best: r.int("best"), High: r.int("high")}
	if cas.Killed.Low == nil && cas.Killed.Best == nil && cas.Killed.High == nil {
		cas.Killed = nil
	}
	cas.CiviliansKilled = bestOf(r.int("deaths_civilians"))
	cas.SideA, cas.SideAKilled = sideA, bestOf(r.int("deaths_a"))
	cas.SideB, cas.SideBKilled = sideB, bestOf(r.int("deaths_b"))
	cas.UnknownKilled = bestOf(r.int("deaths_unknown"))
	cas.Text = ucdpCasualtiesText(r, cas)
	rs.add(cas, r.where)
	if violence == 3 && sideA != "" {
		rs.add(&athar.Claim{ID: "claim:" + ds + "-" + id + "-perpetrator", AttackID: attack.ID, SourceID: source.ID,
			Kind: athar.ClaimPerpetrator, Names: []string{sideA}, Quote: quote, DatasetID: dsID, ExternalID: ext + "-perpetrator",
			Text: fmt.Sprintf("UCDP GED codes this as one-sided violence by %s (side_a).", r.text("side_a"))}, r.where)
	}
	return cas.Inconsistent()
}

// ucdpDate reads date_start and date_end (a timestamp "2014-04-30 00:00:00.000" or a day
// "2014-04-30"): the day, or the range of days, the event took place in; date_prec, when it says
// the sources are less precise than a day, becomes the date's note. A range that is a whole
// calendar month or year is that MONTH or YEAR.
func (r *row) ucdpDate() athar.Date {
	start, end := wholePeriod(dayOf(r.text("date_start")), dayOf(r.text("date_end")))
	note := ""
	if prec := r.code("date_prec", 1, 2, 3, 4, 5); prec > 1 {
		note = fmt.Sprintf("UCDP GED date_prec %d: %s", prec, ucdpDatePrec[prec])
	}
	d, err := athar.ParseDate(start, end, note)
	if err != nil {
		r.dateProblem(err, map[string]string{"start": "date_start", "end": "date_end"})
		return athar.Date{}
	}
	return d
}

// dateProblem records the problems of athar.ParseDate under the columns they came from.
func (r *row) dateProblem(err error, cols map[string]string) {
	var ps athar.Problems
	var e *athar.Error
	switch {
	case asProblems(err, &ps):
	case asError(err, &e):
		ps = athar.Problems{e}
	default:
		ps = athar.Problems{athar.Invalid("start", "%v", err)}
	}
	for _, e := range ps {
		col := cols[e.Field]
		if col == "" {
			col = cols["start"]
		}
		r.problem(col, "%s", e.Message)
	}
}

// wholePeriod returns a range of days that is a whole calendar month as the month ("2015-11"), and
// one that is a whole year as the year; any other start and end as they are.
func wholePeriod(start, end string) (string, string) {
	s, err1 := time.Parse("2006-01-02", start)
	e, err2 := time.Parse("2006-01-02", end)
	if err1 != nil || err2 != nil || s.Day() != 1 || e.AddDate(0, 0, 1).Day() != 1 || s.Year() != e.Year() {
		return start, end
	}
	switch {
	case s.Month() == e.Month():
		return s.Format("2006-01"), ""
	case s.Month() == time.January && e.Month() == time.December:
		return s.Format("2006"), ""
	}
	return start, end
}

// dayOf returns the day of a GED timestamp ("2014-04-30 00:00:00.000" is "2014-04-30"); other
// text is returned as it is, for ParseDate to refuse with its own words.
func dayOf(v string) string {
	if len(v) > 10 && (v[10] == ' ' || v[10] == 'T') {
		return v[:10]
	}
	return v
}

// ucdpActor adds the actor of a side (side_a or side_b) and returns its id; "" when the side is
// missing or is civilians (the victims of one-sided violence, not an actor). Its kind follows UCDP's
// naming: a state's side is "Government of Syria" (GOVERNMENT); every other side is an organized
// group (ARMED_GROUP). Its id and externalId are UCDP's actor id (side_a_new_id) when given.
func ucdpActor(rs *records, ds string, r *row, col string) string {
	name := r.text(col)
	if name == "" || strings.EqualFold(name, "civilians") {
		return ""
	}
	ext := r.text(col + "_new_id")
	key := ext
	if key == "" {
		ext, key = name, "name-"+name
	}
	a := &athar.Actor{ID: rs.idOf("actor\x00"+key, func() string { return "actor:" + ds + "-" + idPart(key, 120) }),
		Name: name, Kind: "ARMED_GROUP", DatasetID: "dataset:" + ds, ExternalID: ext}
	if rs.seen[a.ID] {
		return a.ID
	}
	if strings.HasPrefix(strings.ToLower(name), "government of ") {
		a.Kind = "GOVERNMENT"
	}
	rs.add(a, r.where+"."+col)
	return a.ID
}

// ucdpQuote is the quote of an event's claims: the dataset's own source text, each column as it is
// (source_headline, source_article, source_original), one per line; with none of them, the
// figures' columns as the file gives them, and without those its id, so that a quote is never
// empty.
func ucdpQuote(r *row) string {
	var parts []string
	for _, c := range []string{"source_headline", "source_article", "source_original"} {
		if v := r.raw(c); strings.TrimSpace(v) != "" {
			parts = append(parts, v)
		}
	}
	if len(parts) > 0 {
		return strings.Join(parts, "\n")
	}
	if q := describeColumns(r, "best", "low", "high", "deaths_civilians", "deaths_a", "deaths_b", "deaths_unknown"); q != "" {
		return q
	}
	return describeColumns(r, "id")
}

// ucdpCasualtiesText says the claim's figures in words: "UCDP GED gives 5 deaths (low 3, high 9),
// 4 of them civilians; 1 of Government of Syria (side A), 0 of IS (side B), 0 unknown".
func ucdpCasualtiesText(r *row, c *athar.Claim) string {
	k := c.Killed
	if k == nil {
		return "UCDP GED gives no death estimate for this event."
	}
	s := "UCDP GED gives " + figure(k.Best, "deaths")
	if k.Low != nil || k.High != nil {
		s += fmt.Sprintf(" (low %s, high %s)", figure(k.Low, ""), figure(k.High, ""))
	}
	if c.CiviliansKilled != nil {
		s += fmt.Sprintf(", %d of them civilians", *c.CiviliansKilled.Best)
	}
	var sides []string
	if c.SideAKilled != nil {
		sides = append(sides, fmt.Sprintf("%d of %s (side A)", *c.SideAKilled.Best, firstOf(r.text("side_a"), "side A")))
	}
	if c.SideBKilled != nil {
		sides = append(sides, fmt.Sprintf("%d of %s (side B)", *c.SideBKilled.Best, firstOf(r.text("side_b"), "side B")))
	}
	if c.UnknownKilled != nil {
		sides = append(sides, fmt.Sprintf("%d unknown", *c.UnknownKilled.Best))
	}
	if len(sides) > 0 {
		s += "; " + strings.Join(sides, ", ")
	}
	if c.Inconsistent() {
		s += ". The figures contradict each other as the dataset gives them"
	}
	return s + "."
}

// figure writes a figure with its unit, or "no" figure when it is missing.
func figure(n *int, unit string) string {
	v := "no"
	if n != nil {
		v = fmt.Sprint(*n)
	}
	if unit == "" {
		return v
	}
	if n != nil && *n == 1 {
		unit = strings.TrimSuffix(unit, "s")
	}
	return v + " " + unit
}

// bestOf is a count given as a single best estimate.
func bestOf(n *int) *athar.Range {
	if n == nil {
		return nil
	}
	return &athar.Range{Best: n}
}

// describeColumns writes the named columns the row has, with their values as given:
// "source_office: AFP; event_clarity: 1".
func describeColumns(r *row, cols ...string) string {
	var parts []string
	for _, c := range cols {
		if v := r.text(c); v != "" {
			parts = append(parts, c+": "+v)
		}
	}
	return strings.Join(parts, "; ")
}

// firstOf returns the first non-empty value.
func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
