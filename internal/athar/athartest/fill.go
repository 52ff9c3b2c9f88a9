// Package athartest makes entities for tests: every field of every entity filled from the
// entities' descriptions, so that a test of a round trip covers a field as soon as it is described.
package athartest

import (
	"fmt"
	"time"

	"github.com/athar-project/athar/internal/athar"
)

// formats are the values of text fields that must have a form of their own.
var formats = map[string]string{
	"Dataset.url":     "https://example.org/datasets/1",
	"Source.url":      "https://example.org/reports/1",
	"Source.language": "ar",
}

// importedOnly are the fields only an import of a dataset sets (a record's dataset, its id there,
// the release that withdrew it): the full entities leave them out, since a curated entity has none
// and a dataset's records are matched, owned and withdrawn by the import's rules, which the
// store's import tests cover.
var importedOnly = map[string]bool{"datasetId": true, "externalId": true, "withdrawnIn": true}

// Graph returns, for every entity type, one entity with every field filled with a non-zero value
// that passes validation (Full), and one with only its required fields (Plain), which the full
// ones refer to. Retractions are filled only when withRetraction is set, since an API input cannot
// give one. Records are in import order: the plain ones first.
func Graph(withRetraction bool) (full, plain []athar.Entity) {
	target := func(t athar.EntityType) string { return t.Record() + ":plain" }
	for _, d := range athar.Descriptions() {
		p := d.New()
		athar.SetID(p, target(d.Type))
		for _, f := range d.Fields {
			if f.Required {
				fillField(d, f, p, target, true)
			}
		}
		plain = append(plain, p)
	}
	for _, d := range athar.Descriptions() {
		e := d.New()
		athar.SetID(e, d.Type.Record()+":full")
		for _, f := range d.Fields {
			if f.Shape == athar.ShapeRetraction && !withRetraction || importedOnly[f.Name] {
				continue
			}
			fillField(d, f, e, target, false)
		}
		full = append(full, e)
	}
	return full, plain
}

func fillField(d *athar.Description, f *athar.Field, e athar.Entity, target func(athar.EntityType) string, plain bool) {
	name := string(d.Type) + "." + f.Name
	switch f.Shape {
	case athar.ShapeText:
		v := "the " + f.Name + " of " + e.EntityID()
		if fv, ok := formats[name]; ok {
			v = fv
		}
		f.SetText(e, v)
	case athar.ShapeTextList:
		f.SetStrings(e, []string{"first " + f.Name, "second " + f.Name})
	case athar.ShapeEnum:
		// The first value for plain entities, the last for full ones: both not the zero value.
		v := f.Enum[len(f.Enum)-1]
		if plain {
			v = f.Enum[0]
		}
		f.SetText(e, v)
	case athar.ShapeEnumList:
		f.SetStrings(e, []string{f.Enum[0], f.Enum[len(f.Enum)-1]})
	case athar.ShapeRef:
		if f.Target == d.Type && plain {
			return // a plain entity is part of nothing
		}
		if name == "Claim.sideB" {
			f.SetText(e, f.Target.Record()+":full") // not sideA's actor
			return
		}
		f.SetText(e, target(f.Target))
	case athar.ShapeRefList:
		f.SetStrings(e, []string{target(f.Target)})
	case athar.ShapeDate:
		date, err := athar.ParseDate("2014-04-28", "2014-05-02", "as reported by "+e.EntityID())
		if err != nil {
			panic(err)
		}
		f.SetDate(e, &date)
	case athar.ShapeLocation:
		f.SetLocation(e, &athar.Location{Latitude: 36.2021, Longitude: 37.1343, Precision: athar.LocationPrecision(athar.LocationPrecisions[1])})
	case athar.ShapeRange:
		low, best, high := 3, 20, 35
		f.SetRange(e, &athar.Range{Low: &low, Best: &best, High: &high})
	case athar.ShapeRetraction:
		f.SetRetraction(e, &athar.Retraction{Reason: "found wrong", At: time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)})
	default:
		panic(fmt.Sprintf("athartest: no value for %s", name))
	}
}
