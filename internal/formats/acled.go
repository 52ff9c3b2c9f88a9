package formats

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/athar-project/athar/internal/athar"
)

// ACLED's event data, as its codebook describes it: "Armed Conflict Location & Event Data Project
// (ACLED) Codebook" (2024), the columns of its current export (since the column changes of March
// 2023: disorder_type, civilian_targeting and tags added). Its mapping column by column is in
// docs/formats/acled.md.
const (
	acledDataset   = "acled"
	acledName      = "Armed Conflict Location & Event Data (ACLED)"
	acledPublisher = "ACLED (Armed Conflict Location & Event Data)"
	acledURL       = "https://acleddata.com/"
	acledLicence   = "ACLED Terms of Use (https://acleddata.com/terms-of-use/): use with attribution; redistribution of the data itself is restricted"
	acledCitation  = "Armed Conflict Location & Event Data (ACLED); www.acleddata.com. Raleigh, Clionadh, Andrew Linke, " +
		"Håvard Hegre and Joakim Karlsen (2010) Introducing ACLED: An Armed Conflict Location and Event Dataset. " +
		"Journal of Peace Research 47(5): 651-660."
)

// acledRequired are the columns without which a row is not an ACLED event.
var acledRequired = []string{"event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type",
	"actor1", "country", "latitude", "longitude", "geo_precision", "fatalities"}

// acledViolence are the event types of political violence: the rows kept. Protests, riots and
// strategic developments (agreements, arrests, base establishments...) are not attacks and are
// counted as skipped.
var acledViolence = []string{"battles", "explosions/remote violence", "violence against civilians"}

// acledOther are the event types that are not political violence.
var acledOther = []string{"protests", "riots", "strategic developments"}

// acledGeoPrec maps the codebook's geo_precision: 1 the coordinates are of the settlement named
// (SETTLEMENT); 2 the event took place near it, in a part of a region, and the nearest settlement
// is coded (NEAR); 3 only a larger region is known, and its capital or centroid is coded
// (GOVERNORATE).
var acledGeoPrec = map[int]athar.LocationPrecision{1: "SETTLEMENT", 2: "NEAR", 3: "GOVERNORATE"}

// acledAttackTypes are the sub-event types that name how an attack was carried out.
var acledAttackTypes = map[string]athar.AttackType{
	"air/drone strike":                  "AIRSTRIKE",
	"shelling/artillery/missile attack": "SHELLING",
}

// acledInter maps ACLED's actor types (inter1, inter2), as codes (exports before 2024) or as the
// names that replaced them, to an actor kind; civilians (7) are the victims, not an actor.
var acledInter = map[string]athar.ActorKind{
	"1": "STATE_FORCE", "state forces": "STATE_FORCE",
	"2": "ARMED_GROUP", "rebel group": "ARMED_GROUP", "rebel groups": "ARMED_GROUP",
	"3": "ARMED_GROUP", "political militia": "ARMED_GROUP", "political militias": "ARMED_GROUP",
	"4": "ARMED_GROUP", "identity militia": "ARMED_GROUP", "identity militias": "ARMED_GROUP",
	"5": "OTHER", "rioters": "OTHER",
	"6": "OTHER", "protesters": "OTHER",
	"7": "", "civilians": "",
	"8": "OTHER", "external/other forces": "OTHER", "external/other force": "OTHER",
}

// ReadACLED reads a CSV file of ACLED's export (columns matched by name, case-insensitively) into a
// bundle of the dataset's records: per row of political violence an attack, its source, its
// CASUALTIES claim, a PERPETRATOR claim when ACLED codes civilian targeting and a WEAPON claim
// when it codes a chemical weapon; the places of its admin tree and its actors, each once. Rows of
// demonstrations and strategic developments are skipped (Result.Skipped). The release is
// opts.Release, else the day of the file's latest timestamp. Errors: athar.Problems naming the
// row, the event's id and the column of every problem; a file without a header row or without a
// required column is refused naming them.
func ReadACLED(r io.Reader, opts Options) (*Result, error) {
	rg, err := startReading(r, opts, "acled", acledRequired, athar.Dataset{ID: acledDataset, Name: acledName, Publisher: acledPublisher, URL: acledURL,
		Licence: acledLicence, Citation: acledCitation,
		Description: "Political violence and demonstration events, each dated, located and coded by type, " +
			"actors and reported fatalities from ACLED's sources. Only its political violence is imported."})
	if err != nil {
		return nil, err
	}
	ds, t, p, rs, res, dataset := rg.ds, rg.t, rg.p, rg.rs, rg.res, rg.res.Dataset
	firstRow := map[string]int{}
	var latest int64
	res.Rows = t.each(p, func(n int, rec []string) {
		row := &row{t: t, rec: rec, p: p}
		id := row.text("event_id_cnty")
		row.where = fmt.Sprintf("row %d (id %s)", n, id)
		if id == "" {
			row.where = fmt.Sprintf("row %d", n)
			row.problem("event_id_cnty", "is empty: every ACLED event has an id")
			return
		}
		if slug(id) != strings.ToLower(id) {
			row.problem("event_id_cnty", "%q is not an ACLED event id (letters, digits and hyphens, such as SYR12345)", id)
			return
		}
		// Ids differ by case only in the file, not in Athar's (lower-case) ids.
		if prev, dup := firstRow[strings.ToLower(id)]; dup {
			row.problem("event_id_cnty", "is also the id of row %d", prev)
			return
		}
		firstRow[strings.ToLower(id)] = n
		if ts := row.text("timestamp"); ts != "" {
			v, err := strconv.ParseInt(ts, 10, 64)
			switch {
			case err != nil || v < 0:
				row.problem("timestamp", "%q is not a Unix time in seconds", ts)
			case time.Unix(v, 0).UTC().Year() > athar.MaxYear():
				row.problem("timestamp", "%d is after the year %d", v, athar.MaxYear())
			case v > latest:
				latest = v
			}
		}
		eventType := strings.ToLower(row.text("event_type"))
		switch {
		case slices.Contains(acledViolence, eventType):
		case slices.Contains(acledOther, eventType):
			res.Skipped++
			return
		default:
			row.problem("event_type", "%q is not one of ACLED's event types (Battles, Explosions/Remote violence, "+
				"Violence against civilians, Protests, Riots, Strategic developments)", row.text("event_type"))
			return
		}
		if acledEvent(rs, ds, row, strings.ToLower(id)) {
			res.Inconsistent++
		}
		res.Events++
	})
	if dataset.Release == "" && latest > 0 {
		dataset.Release = time.Unix(latest, 0).UTC().Format("2006-01-02")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	res.Bundle = rs.finish()
	return res, nil
}

// acledEvent adds the records of one ACLED event; it reports whether a claim of it is inconsistent
// (never, as ACLED gives a single figure, but counted the same way as every format's).
func acledEvent(rs *records, ds string, r *row, id string) (inconsistent bool) {
	dsID := "dataset:" + ds
	ext := r.text("event_id_cnty")
	attack := &athar.Attack{ID: "attack:" + ds + "-" + id, DatasetID: dsID, ExternalID: ext}
	attack.Date = r.acledDate()
	if gp := r.code("geo_precision", 1, 2, 3); gp != 0 {
		attack.Location = r.location(acledGeoPrec[gp])
	} else if r.text("geo_precision") == "" && (r.text("latitude") != "" || r.text("longitude") != "") {
		r.problem("geo_precision", "is empty: a point needs its precision (1, 2 or 3)")
	}
	place := places(rs, ds, acledPlaces(r), r.where)
	if place != "" {
		attack.PlaceIDs = []string{place}
	}
	sub := r.text("sub_event_type")
	attack.Title = firstOf(sub, r.text("event_type")) + " in " + firstOf(r.text("location"), r.text("admin3"), r.text("admin2"), r.text("admin1"), r.text("country"))
	attack.Summary = fmt.Sprintf("ACLED event %s: %s, %s", ext, r.text("event_type"), sub)
	if a2 := r.text("actor2"); a2 != "" {
		attack.Summary += fmt.Sprintf("; %s and %s", r.text("actor1"), a2)
	} else {
		attack.Summary += "; " + r.text("actor1")
	}
	attack.Summary += "."
	if at, ok := acledAttackTypes[strings.ToLower(sub)]; ok {
		attack.AttackTypes = []athar.AttackType{at}
	}
	attack.Weapons = acledWeapons(sub, r.raw("notes"))

	actor1 := acledActors(rs, ds, r, "actor1", "inter1", "assoc_actor_1")
	acledActors(rs, ds, r, "actor2", "inter2", "assoc_actor_2")

	source := &athar.Source{ID: "source:" + ds + "-" + id, Title: "ACLED event " + ext, Kind: "DATASET_RECORD",
		URL: acledURL, DatasetID: dsID, ExternalID: ext}
	source.Description = describeColumns(r, "source", "source_scale", "tags", "timestamp")
	rs.add(source, r.where)
	rs.add(attack, r.where)

	quote := r.raw("notes")
	if strings.TrimSpace(quote) == "" {
		quote = describeColumns(r, "event_id_cnty", "event_type", "sub_event_type", "actor1", "actor2", "civilian_targeting", "fatalities")
	}
	claim := func(part string, kind athar.ClaimKind, text string) *athar.Claim {
		return &athar.Claim{ID: "claim:" + ds + "-" + id + "-" + part, AttackID: attack.ID, SourceID: source.ID,
			Kind: kind, Quote: quote, Text: text, DatasetID: dsID, ExternalID: ext + "-" + part}
	}
	if f := r.int("fatalities"); f != nil {
		// ACLED's fatalities is its one figure and, by its rule, the most conservative its sources
		// report: the dataset's best estimate and a floor, so low and best, no high.
		c := claim("casualties", athar.ClaimCasualties,
			fmt.Sprintf("ACLED gives %s, its conservative estimate (the lowest figure its sources report).", figure(f, "fatalities")))
		c.Killed = &athar.Range{Low: f, Best: intp(*f)}
		rs.add(c, r.where)
		inconsistent = c.Inconsistent()
	}
	if strings.EqualFold(r.text("civilian_targeting"), "Civilian targeting") && actor1 != "" {
		c := claim("perpetrator", athar.ClaimPerpetrator,
			fmt.Sprintf("ACLED codes this event as civilian targeting by %s (actor1).", r.text("actor1")))
		c.Names = []string{actor1}
		rs.add(c, r.where)
	}
	if len(attack.Weapons) > 0 {
		c := claim("weapon", "WEAPON", acledWeaponText(attack.Weapons))
		c.Weapons = attack.Weapons
		rs.add(c, r.where)
	}
	return inconsistent
}

// acledPlaces is the place tree of a row: country, admin1 (a governorate in Syria), admin2 (a
// district), admin3 (a sub-district, REGION: Athar has no kind of its own for it) and location.
// A location "Aleppo - Ansari" is ACLED's way of naming a neighbourhood of a city: the city Aleppo
// and, in it, the neighbourhood Ansari. A location of the name of its governorate or district is
// that unit's seat (CITY); any other is a TOWN.
func acledPlaces(r *row) []level {
	levels := []level{{r.text("country"), "COUNTRY", ""}, {r.text("admin1"), "GOVERNORATE", ""},
		{r.text("admin2"), "DISTRICT", ""}, {r.text("admin3"), "REGION", ""}}
	loc := r.text("location")
	if city, quarter, ok := strings.Cut(loc, " - "); ok && strings.TrimSpace(city) != "" && strings.TrimSpace(quarter) != "" {
		return append(levels, level{strings.TrimSpace(city), "CITY", ""}, level{loc, "NEIGHBOURHOOD", strings.TrimSpace(quarter)})
	}
	if loc == "" {
		return levels
	}
	kind := athar.PlaceKind("TOWN")
	if strings.EqualFold(loc, r.text("admin1")) || strings.EqualFold(loc, r.text("admin2")) {
		kind = "CITY"
	}
	return append(levels, level{loc, kind, ""})
}

// acledDate reads event_date (2014-04-30, 30 April 2014, 30-April-2014 or 30/04/2014, as ACLED's
// exports have written it) with time_precision: 1 the day; 2 a week, of which ACLED codes the
// middle day: the seven days around it (RANGE); 3 a month, of which ACLED codes the middle: that
// month (MONTH).
func (r *row) acledDate() athar.Date {
	v := r.text("event_date")
	day, ok := acledDay(v)
	if !ok {
		r.problem("event_date", "%q is not a date (want YYYY-MM-DD, such as 2014-04-30, or 30 April 2014)", v)
		return athar.Date{}
	}
	var start, end, note string
	switch r.code("time_precision", 1, 2, 3) {
	case 2:
		start, end = day.AddDate(0, 0, -3).Format("2006-01-02"), day.AddDate(0, 0, 3).Format("2006-01-02")
		note = "ACLED time_precision 2: only the week is known; the date the file gives, ACLED's middle of it, is " + day.Format("2006-01-02")
	case 3:
		start = day.Format("2006-01")
		note = "ACLED time_precision 3: only the month is known; the date the file gives is " + day.Format("2006-01-02")
	default:
		start = day.Format("2006-01-02")
	}
	d, err := athar.ParseDate(start, end, note)
	if err != nil {
		r.dateProblem(err, map[string]string{"start": "event_date", "end": "event_date"})
		return athar.Date{}
	}
	return d
}

// acledDay parses an event_date in the layouts ACLED's exports use.
func acledDay(v string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02", "2 January 2006", "02 January 2006", "2-January-2006", "02-January-2006",
		"02/01/2006", "2/1/2006", "02-01-2006", "2 Jan 2006"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// acledActors adds the actor of a column (actor1 or actor2) and its associated actors
// (assoc_actor_1, several separated by ";"), and returns the main actor's id. Civilians (inter
// code 7, or a name such as "Civilians (Syria)" when inter is missing) are the victims, not actors,
// and so are the actors associated with them. An associated actor has the kind of the actor it is
// associated with (ACLED gives it no type of its own). ACLED has no actor ids: its actor names,
// which its actor list keeps stable, are the external ids.
func acledActors(rs *records, ds string, r *row, col, interCol, assocCol string) string {
	name := r.text(col)
	if name == "" {
		return ""
	}
	inter := strings.ToLower(r.text(interCol))
	kind, known := acledInter[inter]
	switch {
	case inter == "" && strings.HasPrefix(strings.ToLower(name), "civilians"):
		return ""
	case inter == "":
		kind = "OTHER"
	case !known:
		r.problem(interCol, "%q is not one of ACLED's actor types (1 to 8, or State forces, Rebel group, Political militia, "+
			"Identity militia, Rioters, Protesters, Civilians, External/Other forces)", r.text(interCol))
		return ""
	case kind == "":
		return ""
	}
	id := acledActor(rs, ds, name, kind, r.where+"."+col)
	for _, assoc := range strings.Split(r.text(assocCol), ";") {
		if assoc = strings.TrimSpace(assoc); assoc != "" {
			acledActor(rs, ds, assoc, kind, r.where+"."+assocCol)
		}
	}
	return id
}

func acledActor(rs *records, ds, name string, kind athar.ActorKind, where string) string {
	id := rs.idOf("actor\x00"+name, func() string { return "actor:" + ds + "-" + idPart(name, 120) })
	if !rs.seen[id] {
		rs.add(&athar.Actor{ID: id, Name: name, Kind: kind, DatasetID: "dataset:" + ds, ExternalID: name}, where)
	}
	return id
}

// acledWeapons are the weapons a row names: ACLED's sub-event type "Chemical weapon" is a chemical
// agent, and chlorine or sarin when its notes name them. ACLED codes no other weapon.
func acledWeapons(sub, notes string) []athar.Weapon {
	if !strings.EqualFold(sub, "Chemical weapon") {
		return nil
	}
	n := strings.ToLower(notes)
	var ws []athar.Weapon
	if strings.Contains(n, "chlorine") {
		ws = append(ws, "CHLORINE")
	}
	if strings.Contains(n, "sarin") {
		ws = append(ws, "SARIN")
	}
	if len(ws) == 0 {
		ws = append(ws, "CHEMICAL_AGENT")
	}
	return ws
}

func acledWeaponText(ws []athar.Weapon) string {
	switch {
	case slices.Contains(ws, "CHLORINE") && slices.Contains(ws, "SARIN"):
		return "ACLED codes a chemical weapon; its notes name chlorine and sarin."
	case slices.Contains(ws, "CHLORINE"):
		return "ACLED codes a chemical weapon; its notes name chlorine."
	case slices.Contains(ws, "SARIN"):
		return "ACLED codes a chemical weapon; its notes name sarin."
	}
	return "ACLED codes a chemical weapon; its notes name no agent."
}
