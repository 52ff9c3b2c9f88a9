package athar

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// This file describes each entity and each of its fields once. The description is read from the
// entity structs themselves (entities.go): a field's Go type gives its shape, its json tag its name
// (in bundles, in the API and in error messages), and its athar tag what the shape cannot say:
//
//	required        the field must be given
//	required=WHY    the same, and WHY is added to the message ("is required: WHY")
//	ref=TYPE        the field holds the id (or, for a list, the ids) of entities of TYPE
//	seed            a new id is made from this field (with the other seed fields, in order)
//	verbatim        text kept exactly as given: never trimmed (a claim's quote is evidence)
//	fixed           set when the entity is created and never changed by a patch
//	noinput         not taken from API inputs (a retraction has its own mutation)
//
// Everything else derives from the description or is checked against it by a test: normalizing and
// validating entities, decoding API inputs and applying patches (this package), the bundle's record
// names and lists (bundle.go), the store's properties and links (internal/neo4jstore/mapping.go),
// and the schema's input types (TestSchema_InputsFollowTheDescriptions in resolvers).

// EntityType is a kind of entity of the graph: "Facility", "Attack". In lower case it is the prefix
// of the entity's ids ("facility:ain-jalout-school") and its record name in bundles ("facility").
type EntityType string

// The entity types.
const (
	TypeDataset  EntityType = "Dataset"
	TypePlace    EntityType = "Place"
	TypeActor    EntityType = "Actor"
	TypeFacility EntityType = "Facility"
	TypeSource   EntityType = "Source"
	TypeEvent    EntityType = "Event"
	TypeAttack   EntityType = "Attack"
	TypeClaim    EntityType = "Claim"
)

// Record returns the type's record name and id prefix: "facility" for Facility.
func (t EntityType) Record() string { return strings.ToLower(string(t)) }

// Shape is the form of a field's value, which decides how it is checked, stored and decoded.
type Shape int

// The shapes of fields.
const (
	ShapeText       Shape = iota // a string
	ShapeTextList                // a list of strings whose order means something (aliases)
	ShapeEnum                    // one value of an enum (FacilityType, Stance…)
	ShapeEnumList                // a set of enum values, kept sorted
	ShapeRef                     // the id of another entity
	ShapeRefList                 // a set of ids of other entities, kept sorted
	ShapeDate                    // a Date (the field is a Date or a *Date)
	ShapeLocation                // a *Location
	ShapeRange                   // a *Range
	ShapeRetraction              // a *Retraction
)

// Field describes one field of an entity (the id and the timestamps are not fields: every entity
// has them).
type Field struct {
	Name     string     // as bundles and the API spell it: "placeId"
	Shape    Shape      // the form of its value
	Target   EntityType // for ShapeRef and ShapeRefList: the type of the entities referred to
	Required bool       // it must be given
	Verbatim bool       // text kept exactly as given
	Fixed    bool       // set on creation only
	NoInput  bool       // not taken from API inputs
	Seed     bool       // a new id is made from it
	Enum     []string   // for ShapeEnum and ShapeEnumList: the values allowed, in the API's order

	why   string // added to the "is required" message
	index []int  // where it is in the struct
}

// Description describes one entity type: its names and its fields, in the order of its struct.
type Description struct {
	Type   EntityType
	Plural string // the bundle's list of records of this type: "facilities"
	Fields []*Field

	goType reflect.Type
}

// Record returns the type's record name: "facility".
func (d *Description) Record() string { return d.Type.Record() }

// New returns a new, empty entity of the type.
func (d *Description) New() Entity { return reflect.New(d.goType).Interface().(Entity) }

// Field returns the field with the given name, or nil.
func (d *Description) Field(name string) *Field {
	for _, f := range d.Fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// descriptions are the entity types in the order an import writes them: a record refers only to
// records of its own type or of a type before it (claims refer to everything).
var descriptions = []*Description{
	describe[Dataset](TypeDataset, "datasets"),
	describe[Place](TypePlace, "places"),
	describe[Actor](TypeActor, "actors"),
	describe[Facility](TypeFacility, "facilities"),
	describe[Source](TypeSource, "sources"),
	describe[Event](TypeEvent, "events"),
	describe[Attack](TypeAttack, "attacks"),
	describe[Claim](TypeClaim, "claims"),
}

// EntityTypes lists the entity types in the order an import writes them.
var EntityTypes = func() []EntityType {
	out := make([]EntityType, len(descriptions))
	for i, d := range descriptions {
		out[i] = d.Type
	}
	return out
}()

// Descriptions returns the description of every entity type, in import order.
func Descriptions() []*Description { return slices.Clone(descriptions) }

// Describe returns the description of an entity type, or nil for a type that does not exist.
func Describe(t EntityType) *Description {
	for _, d := range descriptions {
		if d.Type == t {
			return d
		}
	}
	return nil
}

// DescriptionOf returns the description of an entity's type.
func DescriptionOf(e Entity) *Description { return Describe(e.EntityType()) }

// TypeOfID returns the entity type an id's prefix names, or "" when it names none.
func TypeOfID(id string) EntityType {
	prefix, _, ok := strings.Cut(id, ":")
	if !ok {
		return ""
	}
	for _, d := range descriptions {
		if d.Record() == prefix {
			return d.Type
		}
	}
	return ""
}

func names[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// describe reads the description of the entity struct T. A field it cannot describe is a
// programming error, found when the package loads.
func describe[T any](t EntityType, plural string) *Description {
	st := reflect.TypeFor[T]()
	d := &Description{Type: t, Plural: plural, goType: st}
	if _, ok := reflect.New(st).Interface().(Entity); !ok {
		panic(fmt.Sprintf("athar: %s is not an Entity", st))
	}
	for i := range st.NumField() {
		sf := st.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if sf.Anonymous || name == "-" || name == "id" {
			continue
		}
		f := &Field{Name: name, index: sf.Index}
		var ref string
		for _, opt := range strings.Split(sf.Tag.Get("athar"), ",") {
			key, value, _ := strings.Cut(opt, "=")
			switch key {
			case "":
			case "required":
				f.Required, f.why = true, value
			case "ref":
				ref = value
			case "seed":
				f.Seed = true
			case "verbatim":
				f.Verbatim = true
			case "fixed":
				f.Fixed = true
			case "noinput":
				f.NoInput = true
			default:
				panic(fmt.Sprintf("athar: %s.%s: unknown athar tag option %q", st.Name(), sf.Name, key))
			}
		}
		f.Shape, f.Enum = shapeOf(sf.Type, ref != "")
		if ref != "" {
			f.Target = EntityType(ref)
			if f.Shape != ShapeRef && f.Shape != ShapeRefList {
				panic(fmt.Sprintf("athar: %s.%s: ref= on a field that is not a string or a list of strings", st.Name(), sf.Name))
			}
		}
		d.Fields = append(d.Fields, f)
	}
	return d
}

func shapeOf(t reflect.Type, ref bool) (Shape, []string) {
	switch {
	case t == reflect.TypeFor[string]() && ref:
		return ShapeRef, nil
	case t == reflect.TypeFor[string]():
		return ShapeText, nil
	case t == reflect.TypeFor[[]string]() && ref:
		return ShapeRefList, nil
	case t == reflect.TypeFor[[]string]():
		return ShapeTextList, nil
	case t == reflect.TypeFor[Date]() || t == reflect.TypeFor[*Date]():
		return ShapeDate, nil
	case t == reflect.TypeFor[*Location]():
		return ShapeLocation, nil
	case t == reflect.TypeFor[*Range]():
		return ShapeRange, nil
	case t == reflect.TypeFor[*Retraction]():
		return ShapeRetraction, nil
	case t.Kind() == reflect.String && enumValues[t] != nil:
		return ShapeEnum, enumValues[t]
	case t.Kind() == reflect.Slice && enumValues[t.Elem()] != nil:
		return ShapeEnumList, enumValues[t.Elem()]
	}
	panic(fmt.Sprintf("athar: no shape for a field of type %s", t))
}

// value returns the struct field f of e, settable.
func (f *Field) value(e Entity) reflect.Value {
	return reflect.ValueOf(e).Elem().FieldByIndex(f.index)
}

// Text returns the value of a text, enum or reference field ("" when unset).
func (f *Field) Text(e Entity) string { return f.value(e).String() }

// SetText sets a text, enum or reference field.
func (f *Field) SetText(e Entity, s string) { f.value(e).SetString(s) }

// Strings returns the value of a list field as strings; nil when it is empty.
func (f *Field) Strings(e Entity) []string {
	v := f.value(e)
	if v.Len() == 0 {
		return nil
	}
	out := make([]string, v.Len())
	for i := range out {
		out[i] = v.Index(i).String()
	}
	return out
}

// SetStrings sets a list field; an empty list clears it.
func (f *Field) SetStrings(e Entity, ss []string) {
	v := f.value(e)
	if len(ss) == 0 {
		v.SetZero()
		return
	}
	list := reflect.MakeSlice(v.Type(), len(ss), len(ss))
	for i, s := range ss {
		list.Index(i).SetString(s)
	}
	v.Set(list)
}

// Date returns the value of a date field, nil when it is unset.
func (f *Field) Date(e Entity) *Date {
	switch d := f.value(e).Addr().Interface().(type) {
	case *Date:
		if d.IsZero() {
			return nil
		}
		c := *d
		return &c
	case **Date:
		if *d == nil || (*d).IsZero() {
			return nil
		}
		c := **d
		return &c
	}
	return nil
}

// SetDate sets a date field; nil clears it.
func (f *Field) SetDate(e Entity, d *Date) {
	switch p := f.value(e).Addr().Interface().(type) {
	case *Date:
		if d == nil {
			*p = Date{}
		} else {
			*p = *d
		}
	case **Date:
		*p = d
	}
}

// Location returns the value of a location field, or nil.
func (f *Field) Location(e Entity) *Location { return pointerValue[Location](f, e) }

// SetLocation sets a location field; nil clears it.
func (f *Field) SetLocation(e Entity, l *Location) { setPointer(f, e, l) }

// Range returns the value of a range field, or nil.
func (f *Field) Range(e Entity) *Range { return pointerValue[Range](f, e) }

// SetRange sets a range field; nil clears it.
func (f *Field) SetRange(e Entity, r *Range) { setPointer(f, e, r) }

// Retraction returns the value of a retraction field, or nil.
func (f *Field) Retraction(e Entity) *Retraction { return pointerValue[Retraction](f, e) }

// SetRetraction sets a retraction field; nil clears it.
func (f *Field) SetRetraction(e Entity, r *Retraction) { setPointer(f, e, r) }

func pointerValue[T any](f *Field, e Entity) *T {
	p, _ := f.value(e).Interface().(*T)
	return p
}

func setPointer[T any](f *Field, e Entity, p *T) {
	if p == nil {
		f.value(e).SetZero()
		return
	}
	f.value(e).Set(reflect.ValueOf(p))
}

// IsZero reports whether the field is unset on e.
func (f *Field) IsZero(e Entity) bool {
	v := f.value(e)
	if v.Kind() == reflect.Slice {
		return v.Len() == 0
	}
	if f.Shape == ShapeDate {
		return f.Date(e) == nil
	}
	return v.IsZero()
}

// Normalize trims text (but never verbatim text), drops empty and repeated list entries, and sorts
// lists of ids and of enum values, so that two descriptions of the same entity compare equal. The
// type's own rules (a claim's stance defaults to ASSERTS) then apply.
func Normalize(e Entity) {
	d := DescriptionOf(e)
	id := reflect.ValueOf(e).Elem().FieldByName("ID")
	id.SetString(strings.TrimSpace(id.String()))
	for _, f := range d.Fields {
		switch f.Shape {
		case ShapeText, ShapeRef:
			if !f.Verbatim {
				f.SetText(e, strings.TrimSpace(f.Text(e)))
			}
		case ShapeTextList:
			f.SetStrings(e, cleanList(f.Strings(e), false))
		case ShapeEnumList, ShapeRefList:
			f.SetStrings(e, cleanList(f.Strings(e), true))
		case ShapeRetraction:
			if r := f.Retraction(e); r != nil {
				r.Reason = strings.TrimSpace(r.Reason)
			}
		}
	}
	if n, ok := e.(interface{ normalizeRules() }); ok {
		n.normalizeRules()
	}
}

// Validate returns the problems of an entity's own fields, each naming its field, and the
// references it makes to other entities, which the caller checks exist.
func Validate(e Entity) (Problems, []Ref) {
	d := DescriptionOf(e)
	var p Problems
	var refs []Ref
	CheckID(&p, "id", d.Type, e.EntityID())
	for _, f := range d.Fields {
		switch f.Shape {
		case ShapeText:
			v := f.Text(e)
			if f.Verbatim && strings.TrimSpace(v) == "" {
				v = ""
			}
			if v == "" && f.Required && f.why != "" {
				p.Add(f.Name, "is required: %s", f.why)
			} else if f.Seed && len(v) > MaxNameBytes {
				p.Add(f.Name, "is %d bytes long; a name or title is at most %d bytes", len(v), MaxNameBytes)
			} else {
				checkText(&p, f.Name, v, f.Required)
			}
		case ShapeTextList:
			for i, v := range f.Strings(e) {
				checkText(&p, indexField(f.Name, i), v, true)
			}
		case ShapeEnum:
			checkEnum(&p, f.Name, f.Text(e), f.Enum, f.Required)
		case ShapeEnumList:
			checkEnums(&p, f.Name, f.Strings(e), f.Enum)
		case ShapeRef:
			refs = appendRef(&p, refs, f.Name, f.Target, f.Text(e))
		case ShapeRefList:
			refs = appendRefList(&p, refs, f.Name, f.Target, f.Strings(e))
		case ShapeDate:
			dp := f.value(e).Addr().Interface()
			if dd, ok := dp.(**Date); ok {
				dp = *dd
			}
			checkDate(&p, f.Name, dp.(*Date), f.Required)
		case ShapeLocation:
			checkLocation(&p, f.Name, f.Location(e))
		case ShapeRange:
			checkRange(&p, f.Name, f.Range(e))
		case ShapeRetraction:
			if r := f.Retraction(e); r != nil {
				checkText(&p, f.Name+".reason", r.Reason, false)
				if r.Reason == "" {
					p.Add(f.Name+".reason", "is required: say why the claim was retracted")
				}
			}
		}
	}
	for _, f := range d.Fields {
		if f.Shape == ShapeRef && f.Required && f.Text(e) == "" {
			if f.why != "" {
				p.Add(f.Name, "is required: %s", f.why)
			} else {
				p.Add(f.Name, "is required")
			}
		}
	}
	checkProvenance(&p, d, e)
	if c, ok := e.(interface{ checkRules(*Problems) }); ok {
		c.checkRules(&p)
	}
	return p, refs
}

// checkProvenance holds a record read from a dataset to the rule that keeps datasets apart: its id
// is in the dataset's namespace (the records of dataset:ucdp-ged have ids such as
// attack:ucdp-ged-214797), and it says its id in the dataset (externalId).
func checkProvenance(p *Problems, d *Description, e Entity) {
	ds, ext := d.Field("datasetId"), d.Field("externalId")
	if ds == nil || ext == nil {
		return
	}
	dataset, external := ds.Text(e), ext.Text(e)
	switch {
	case dataset == "" && external != "":
		p.Add("externalId", "is the id of a record in a dataset: give datasetId too")
	case dataset == "":
	case external == "":
		p.Add("externalId", "is required for a record of a dataset: its id there (UCDP's id, ACLED's event_id_cnty)")
	default:
		slug := strings.TrimPrefix(dataset, "dataset:")
		if !strings.HasPrefix(e.EntityID(), d.Record()+":"+slug+"-") {
			p.Add("id", "%q is not in the namespace of %s: a record of a dataset has an id starting with %q",
				e.EntityID(), dataset, d.Record()+":"+slug+"-")
		}
	}
	if len(external) > MaxNameBytes {
		p.Add("externalId", "is %d bytes long; at most %d", len(external), MaxNameBytes)
	}
}

// NewIDFor returns a fresh id for e, readable from its seed fields (NewID).
func NewIDFor(e Entity) string {
	var parts []string
	for _, f := range DescriptionOf(e).Fields {
		if f.Seed {
			parts = append(parts, f.Text(e))
		}
	}
	return NewID(e.EntityType(), strings.Join(parts, " "))
}

// HierarchyOf returns the field by which entities of type t nest in one another (a place's partOf
// names the place it is part of), or nil when they do not.
func HierarchyOf(t EntityType) *Field {
	d := Describe(t)
	if d == nil {
		return nil
	}
	for _, f := range d.Fields {
		if f.Shape == ShapeRef && f.Target == t {
			return f
		}
	}
	return nil
}

// How deep the queries walk a hierarchy or a chain of citations. A place nests at most as deep as
// country > governorate > district > subdistrict > city > neighbourhood with room to spare; actors
// (a unit of a force of a government) nest less; a chain of sources citing each other is followed
// as far as a place hierarchy.
const (
	MaxPlaceDepth    = 10
	MaxActorDepth    = 5
	MaxCitationDepth = 10
)
