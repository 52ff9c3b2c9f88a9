package resolvers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/auth"
	"github.com/athar-project/athar/internal/httpapi"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
	"github.com/athar-project/athar/resolvers"
)

func TestMain(m *testing.M) { os.Exit(neo4jtest.Run(m)) }

// gqlResponse is a GraphQL response as a client sees it.
type gqlResponse struct {
	Data       json.RawMessage `json:"data"`
	Errors     []gqlError      `json:"errors"`
	Extensions map[string]any  `json:"extensions"`
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// client posts GraphQL requests to an Athar HTTP server over a real connection.
type client struct {
	tb     testing.TB
	url    string
	header http.Header
}

// MustServer returns a client of an Athar server over an emptied, migrated database; with seeded
// set, the curated seed data is loaded.
func MustServer(tb testing.TB, seeded bool) *client {
	tb.Helper()
	store := neo4jtest.MustStore(tb)
	if seeded {
		neo4jtest.MustSeed(tb, store)
	}
	return newClient(tb, store)
}

func newClient(tb testing.TB, store *neo4jstore.Store) *client {
	return newClientWithTimeout(tb, store, 0)
}

func newClientWithTimeout(tb testing.TB, store *neo4jstore.Store, timeout time.Duration) *client {
	return serve(tb, store, func(gql *resolvers.Config, web *httpapi.Config) {
		gql.Introspection, web.Playground, web.QueryTimeout = true, true, timeout
	})
}

// newClientRoundTrips returns a client of a server that reports each request's round trips.
// Its loaders wait long for their batches, so that how a request batches does not depend on how busy
// the machine running the tests is.
func newClientRoundTrips(tb testing.TB, store *neo4jstore.Store) *client {
	return serve(tb, store, func(gql *resolvers.Config, _ *httpapi.Config) {
		gql.ReportRoundTrips = true
		gql.BatchWait = 25 * time.Millisecond
	})
}

// serve returns a client of Athar's whole HTTP server over store: the GraphQL endpoint inside
// httpapi, as `athar serve` runs it. configure, when not nil, adjusts the two configurations.
func serve(tb testing.TB, store *neo4jstore.Store, configure func(*resolvers.Config, *httpapi.Config)) *client {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	gql := resolvers.Config{Reader: store, Curator: store, Explorer: store, Changes: store, Accounts: store, Remover: store, Logger: logger}
	web := httpapi.Config{Explorer: store, Changes: store, Pinger: store, Logger: logger}
	if configure != nil {
		configure(&gql, &web)
	}
	web.GraphQL = resolvers.NewGraphQLHandler(gql)
	srv := httptest.NewServer(httpapi.NewServer(web))
	tb.Cleanup(srv.Close)
	return &client{tb: tb, url: srv.URL}
}

// Do posts a query with variables and returns the response.
func (c *client) Do(query string, vars map[string]any) gqlResponse {
	c.tb.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequest(http.MethodPost, c.url+"/graphql", bytes.NewReader(body))
	if err != nil {
		c.tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range c.header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.tb.Fatal(err)
	}
	defer resp.Body.Close()
	var out gqlResponse
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &out); err != nil {
		c.tb.Fatalf("response is not JSON (%v): %s", err, raw)
	}
	return out
}

// MustData posts a query that must succeed and decodes its data into v.
func (c *client) MustData(query string, vars map[string]any, v any) {
	c.tb.Helper()
	resp := c.Do(query, vars)
	if len(resp.Errors) > 0 {
		c.tb.Fatalf("errors: %+v", resp.Errors)
	}
	if err := json.Unmarshal(resp.Data, v); err != nil {
		c.tb.Fatal(err)
	}
}

// MustError posts a query that must fail with the given code and, when field is not empty, name the
// field; it returns the first error.
func (c *client) MustError(query string, vars map[string]any, code, field string) gqlError {
	c.tb.Helper()
	resp := c.Do(query, vars)
	if len(resp.Errors) == 0 {
		c.tb.Fatalf("no error; data %s", resp.Data)
	}
	e := resp.Errors[0]
	if got := e.Extensions["code"]; got != code {
		c.tb.Errorf("code = %v, want %s (error %+v)", got, code, e)
	}
	if field != "" && e.Extensions["field"] != field && !strings.Contains(e.Message, field) {
		c.tb.Errorf("error %q (field %v) does not name %s", e.Message, e.Extensions["field"], field)
	}
	return e
}

// userError is a mutation payload's user error as a client sees it.
type userError struct {
	Field   []string
	Code    string
	Message string
}

// MustMutate posts a mutation that must succeed: no top-level error and no user error in any of its
// payloads. It decodes the data into v.
func (c *client) MustMutate(query string, vars map[string]any, v any) {
	c.tb.Helper()
	resp := c.Do(query, vars)
	if len(resp.Errors) > 0 {
		c.tb.Fatalf("errors: %+v", resp.Errors)
	}
	var payloads map[string]*struct{ UserErrors []userError }
	if err := json.Unmarshal(resp.Data, &payloads); err != nil {
		c.tb.Fatal(err)
	}
	for name, p := range payloads {
		if p == nil || len(p.UserErrors) > 0 {
			c.tb.Fatalf("%s: payload %+v", name, p)
		}
	}
	if err := json.Unmarshal(resp.Data, v); err != nil {
		c.tb.Fatal(err)
	}
}

// MustUserErrors posts a mutation of one field that must not happen: no top-level error, a payload
// whose object (every field but clientMutationId and userErrors) is null, and at least one user
// error. It returns the user errors.
func (c *client) MustUserErrors(query string, vars map[string]any) []userError {
	c.tb.Helper()
	resp := c.Do(query, vars)
	if len(resp.Errors) > 0 {
		c.tb.Fatalf("top-level errors: %+v", resp.Errors)
	}
	var data map[string]map[string]json.RawMessage
	if err := json.Unmarshal(resp.Data, &data); err != nil || len(data) != 1 {
		c.tb.Fatalf("data %s (%v), want one payload", resp.Data, err)
	}
	var errs []userError
	for name, payload := range data {
		for k, v := range payload {
			if k != "clientMutationId" && k != "userErrors" && string(v) != "null" {
				c.tb.Errorf("%s.%s = %s, want null: the mutation did not happen", name, k, v)
			}
		}
		if err := json.Unmarshal(payload["userErrors"], &errs); err != nil {
			c.tb.Fatal(err)
		}
	}
	if len(errs) == 0 {
		c.tb.Fatalf("no user errors; data %s", resp.Data)
	}
	return errs
}

// MustUserError posts a mutation of one field that must not happen for the reason given: its first
// user error has the code and the field path (null when no field is given), and a message.
func (c *client) MustUserError(query string, vars map[string]any, code string, field ...string) userError {
	c.tb.Helper()
	e := c.MustUserErrors(query, vars)[0]
	if e.Code != code || !slices.Equal(e.Field, field) || e.Message == "" {
		c.tb.Errorf("user error %+v, want code %s at %q", e, code, field)
	}
	return e
}

const ainJaloutQuery = `query ($id: ID!) {
  facility(id: $id) {
    id name aliases type
    attacks { nodes {
      id title
      date { start end precision }
      claims { nodes { id kind stance text quote source { title } claimedBy { name } names { name }
               killed { low high } childrenKilled { low high } injured { low high } } }
      casualties {
        killed { low high claims sources independentSources }
        childrenKilled { low high }
      }
      attributions { actor { id name } asserting { id } denying { id } sources { id } }
      sources { id }
    } }
  }
}`

type figure struct {
	Low, High                           *int
	Claims, Sources, IndependentSources int
}

type facilityResult struct {
	Facility *struct {
		ID, Name, Type string
		Aliases        []string
		Attacks        conn[struct {
			ID, Title string
			Date      struct{ Start, End, Precision string }
			Claims    conn[struct {
				ID, Kind, Stance, Text, Quote string
				Source                        struct{ Title string }
				ClaimedBy                     *struct{ Name string }
				Killed                        *struct{ Low, High *int }
			}]
			Casualties struct {
				Killed, ChildrenKilled figure
			}
			Attributions []struct {
				Actor              struct{ ID, Name string }
				Asserting, Denying []struct{ ID string }
				Sources            []struct{ ID string }
			}
			Sources []struct{ ID string }
		}]
	}
}

func TestFacility_AttacksAcrossTheYears(t *testing.T) {
	c := MustServer(t, true)
	var got facilityResult
	c.MustData(ainJaloutQuery, map[string]any{"id": "facility:ain-jalout-school"}, &got)
	f := got.Facility
	if f == nil || f.Name == "" || f.Type != "SCHOOL" {
		t.Fatalf("facility = %+v", f)
	}
	var dates []string
	for _, a := range f.Attacks {
		dates = append(dates, a.Date.Start)
	}
	if len(dates) != 3 || dates[0] != "2013-08-06" || dates[1] != "2014-04-30" || !strings.HasPrefix(dates[2], "2016-04") {
		t.Fatalf("attack dates = %v, want 2013-08-06, 2014-04-30, 2016-04-27 in order", dates)
	}
	a2014 := f.Attacks[1]
	t.Run("both accounts of the death toll stay apart", func(t *testing.T) {
		var fromProfile, fromAMC bool
		for _, cl := range a2014.Claims {
			if cl.Killed == nil {
				continue
			}
			if cl.Killed.High != nil && *cl.Killed.High == 35 {
				fromProfile = true
			}
			if cl.Killed.Low != nil && *cl.Killed.Low == 26 && cl.Killed.High == nil && cl.ClaimedBy != nil && cl.ClaimedBy.Name != "" {
				fromAMC = true
			}
			if cl.Quote == "" || cl.Source.Title == "" {
				t.Errorf("claim %s has no quote or source", cl.ID)
			}
		}
		if !fromProfile || !fromAMC {
			t.Errorf("claims lost an account: 35 killed %v, more than 25 (claimed by the media centre) %v", fromProfile, fromAMC)
		}
	})
	t.Run("casualties span the accounts", func(t *testing.T) {
		k := a2014.Casualties.Killed
		if k.High == nil || *k.High != 35 || k.Low == nil || *k.Low > 26 {
			t.Errorf("killed = low %v high %v, want high 35 and low at most 26", deref(k.Low), deref(k.High))
		}
		if k.Sources != 2 || k.IndependentSources != 2 {
			t.Errorf("killed backed by %d sources, %d independent; want 2 and 2", k.Sources, k.IndependentSources)
		}
		if ck := a2014.Casualties.ChildrenKilled; ck.Low == nil || *ck.Low != 33 {
			t.Errorf("children killed low = %v, want 33", deref(ck.Low))
		}
	})
	t.Run("attributions name the accused with their claims", func(t *testing.T) {
		if len(a2014.Attributions) == 0 {
			t.Fatal("no attributions")
		}
		for _, at := range a2014.Attributions {
			if at.Actor.ID == "" || len(at.Asserting)+len(at.Denying) == 0 || len(at.Sources) == 0 {
				t.Errorf("attribution %+v lacks actor, claims or sources", at)
			}
		}
	})
	t.Run("2016: Russia's denial is kept beside the accusation", func(t *testing.T) {
		var denied bool
		for _, at := range f.Attacks[2].Attributions {
			denied = denied || len(at.Denying) > 0
		}
		if !denied {
			t.Errorf("no denial among the 2016 attributions: %+v", f.Attacks[2].Attributions)
		}
	})
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestQuery_UnknownIDIsNull(t *testing.T) {
	c := MustServer(t, false)
	var got struct {
		Facility, Attack, Actor, Source, Place *struct{ ID string }
	}
	c.MustData(`{ facility(id: "facility:nope") { id } attack(id: "attack:nope") { id } actor(id: "actor:nope") { id }
	  source(id: "source:nope") { id } place(id: "place:nope") { id } }`, nil, &got)
	if got.Facility != nil || got.Attack != nil || got.Actor != nil || got.Source != nil || got.Place != nil {
		t.Errorf("unknown ids gave %+v, want nulls", got)
	}
}

func TestMutations_RoundTrip(t *testing.T) {
	c := MustServer(t, false)
	var place struct {
		CreatePlace struct {
			ClientMutationID string
			Place            struct{ ID string }
		}
	}
	c.MustMutate(`mutation { createPlace(input: {clientMutationId: "req-1", name: "Aleppo", kind: CITY, aliases: ["حلب"]}) {
	  clientMutationId place { id } userErrors { field code message } } }`, nil, &place)
	if !strings.HasPrefix(place.CreatePlace.Place.ID, "place:aleppo-") {
		t.Errorf("generated id %q, want place:aleppo-…", place.CreatePlace.Place.ID)
	}
	if place.CreatePlace.ClientMutationID != "req-1" {
		t.Errorf("clientMutationId = %q, want it echoed", place.CreatePlace.ClientMutationID)
	}
	var fac struct {
		CreateFacility struct {
			Facility struct {
				ID    string
				Place struct{ Name string }
			}
		}
	}
	c.MustMutate(`mutation ($p: ID!) { createFacility(input: {id: "facility:school", name: "A school", type: SCHOOL, placeId: $p}) { facility { id place { name } } userErrors { code } } }`,
		map[string]any{"p": place.CreatePlace.Place.ID}, &fac)
	if fac.CreateFacility.Facility.Place.Name != "Aleppo" {
		t.Errorf("facility place = %+v", fac.CreateFacility)
	}
	c.MustMutate(`mutation {
	  s: createSource(input: {id: "source:report", title: "A report", kind: NGO_REPORT, published: {start: "2014-05"}}) { source { id } userErrors { code } }
	  a: createActor(input: {id: "actor:army", name: "An army", kind: STATE_FORCE}) { actor { id } userErrors { code } }
	  x: createAttack(input: {id: "attack:one", title: "One", date: {start: "2014-04-30"}, facilityIds: ["facility:school"]}) { attack { id } userErrors { code } }
	  y: createAttack(input: {id: "attack:two", title: "Two", date: {start: "2013-08"}}) { attack { id } userErrors { code } }
	  e: createEvent(input: {id: "event:siege", name: "The siege", kind: SIEGE}) { event { id } userErrors { code } }
	}`, nil, &struct{}{})
	var linked struct {
		AddAttackFacility struct {
			Attack struct{ Facilities []struct{ ID string } }
		}
	}
	c.MustMutate(`mutation { addAttackFacility(input: {attackId: "attack:two", facilityId: "facility:school"}) { attack { facilities { id } } userErrors { code } } }`, nil, &linked)
	if f := linked.AddAttackFacility.Attack.Facilities; len(f) != 1 || f[0].ID != "facility:school" {
		t.Errorf("linked facilities = %+v", f)
	}
	var claim struct {
		AddClaim struct{ Claim struct{ ID string } }
	}
	c.MustMutate(`mutation { addClaim(input: {id: "claim:one-killed", attackId: "attack:one", sourceId: "source:report", kind: CASUALTIES,
	  text: "Ten killed", quote: "ten people died", killed: {low: 10, high: 10}}) { claim { id } userErrors { code } } }`, nil, &claim)
	if claim.AddClaim.Claim.ID != "claim:one-killed" {
		t.Errorf("added claim = %+v", claim)
	}
	c.MustMutate(`mutation { addClaim(input: {id: "claim:one-blame", attackId: "attack:one", sourceId: "source:report", kind: PERPETRATOR,
	  text: "The army did it", quote: "the army struck", names: ["actor:army"]}) { claim { id } userErrors { code } } }`, nil, &struct{}{})

	var got struct {
		Facility struct {
			Attacks conn[struct {
				ID         string
				Date       struct{ Start, End, Precision string }
				Casualties struct{ Killed figure }
			}]
		}
	}
	q := `{ facility(id: "facility:school") { attacks { nodes { id date { start end precision } casualties { killed { low high claims sources independentSources } } } } } }`
	c.MustData(q, nil, &got)
	as := got.Facility.Attacks
	if len(as) != 2 || as[0].ID != "attack:two" || as[0].Date.Precision != "MONTH" || as[0].Date.Start != "2013-08-01" || as[0].Date.End != "2013-08-31" {
		t.Fatalf("attacks = %+v, want the month-precise 2013 attack first", as)
	}
	if k := as[1].Casualties.Killed; k.Low == nil || *k.Low != 10 || k.Sources != 1 {
		t.Errorf("casualties = %+v", k)
	}

	t.Run("a retracted claim leaves the summary but stays readable", func(t *testing.T) {
		var r struct {
			RetractClaim struct {
				ClientMutationID *string
				Claim            struct {
					Retracted struct{ Reason string }
				}
			}
		}
		c.MustMutate(`mutation { retractClaim(input: {id: "claim:one-killed", reason: "misread the report"}) { clientMutationId claim { retracted { reason } } userErrors { code } } }`, nil, &r)
		if r.RetractClaim.Claim.Retracted.Reason != "misread the report" || r.RetractClaim.ClientMutationID != nil {
			t.Errorf("retraction = %+v", r)
		}
		c.MustData(q, nil, &got)
		if k := got.Facility.Attacks[1].Casualties.Killed; k.Low != nil || k.Claims != 0 {
			t.Errorf("retracted claim still counts: %+v", k)
		}
		var claims struct {
			Attack struct{ Live, All conn[struct{ ID string }] }
		}
		c.MustData(`{ attack(id: "attack:one") { live: claims { nodes { id } } all: claims(includeRetracted: true) { nodes { id } } } }`, nil, &claims)
		if len(claims.Attack.Live) != 1 || len(claims.Attack.All) != 2 {
			t.Errorf("claims live %d, all %d; want 1 and 2", len(claims.Attack.Live), len(claims.Attack.All))
		}
	})
	t.Run("update changes only what it is given; null clears", func(t *testing.T) {
		var u struct {
			UpdateFacility struct {
				Facility struct {
					Name, Description string
					Aliases           []string
					Place             *struct{ ID string }
				}
			}
		}
		c.MustMutate(`mutation { updateFacility(input: {id: "facility:school", aliases: ["Madrasa"], placeId: null}) { facility { name aliases description place { id } } userErrors { code } } }`, nil, &u)
		if f := u.UpdateFacility.Facility; f.Name != "A school" || len(f.Aliases) != 1 || f.Place != nil {
			t.Errorf("updated facility = %+v", f)
		}
	})
	t.Run("each link of an attack has its own mutations", func(t *testing.T) {
		type attack struct {
			Facilities, Places, During, PartOf []struct{ ID string }
		}
		sel := `attack { facilities { id } places { id } during { id } partOf { id } } userErrors { code }`
		var added struct{ P, E, F struct{ Attack attack } }
		c.MustMutate(`mutation {
		  p: addAttackPlace(input: {attackId: "attack:two", placeId: "`+place.CreatePlace.Place.ID+`"}) { `+sel+` }
		  e: addAttackEvent(input: {attackId: "attack:two", eventId: "event:siege", relation: DURING}) { `+sel+` }
		  f: addAttackFacility(input: {attackId: "attack:two", facilityId: "facility:school"}) { `+sel+` }
		}`, nil, &added)
		if a := added.F.Attack; len(a.Facilities) != 1 || len(a.Places) != 1 || len(a.During) != 1 || len(a.PartOf) != 0 {
			t.Errorf("after adding a place, an event (DURING) and the facility again: %+v", a)
		}
		var removed struct{ P, E, F struct{ Attack attack } }
		c.MustMutate(`mutation {
		  e: removeAttackEvent(input: {attackId: "attack:two", eventId: "event:siege", relation: PART_OF}) { `+sel+` }
		  p: removeAttackPlace(input: {attackId: "attack:two", placeId: "`+place.CreatePlace.Place.ID+`"}) { `+sel+` }
		  f: removeAttackFacility(input: {attackId: "attack:two", facilityId: "facility:school"}) { `+sel+` }
		}`, nil, &removed)
		if a := removed.F.Attack; len(a.Facilities) != 0 || len(a.Places) != 0 || len(a.During) != 1 {
			t.Errorf("after removing the place, the facility, and an event link (PART_OF) that is not there: %+v", a)
		}
		c.MustMutate(`mutation { e: removeAttackEvent(input: {attackId: "attack:two", eventId: "event:siege", relation: DURING}) { `+sel+` } }`, nil, &removed)
		if a := removed.E.Attack; len(a.During) != 0 {
			t.Errorf("after removing the DURING link: %+v", a)
		}
	})
}

func TestMutations_BadInput(t *testing.T) {
	c := MustServer(t, false)
	c.MustMutate(`mutation { createSource(input: {id: "source:s", title: "S", kind: NEWS}) { userErrors { code } }
	  createAttack(input: {id: "attack:a", title: "A", date: {start: "2014"}}) { userErrors { code } }
	  createActor(input: {id: "actor:a", name: "A", kind: STATE_FORCE}) { userErrors { code } }
	  addClaim(input: {id: "claim:c", attackId: "attack:a", sourceId: "source:s", kind: NARRATIVE, text: "t", quote: "q"}) { userErrors { code } } }`, nil, &struct{}{})
	const payload = `{ clientMutationId userErrors { field code message } }`
	cases := []struct {
		name, mutation, code string
		field                []string
	}{
		{"empty name", `createPlace(input: {name: "", kind: CITY})`, "INVALID", []string{"input", "name"}},
		{"date that does not exist", `createAttack(input: {title: "X", date: {start: "2014-02-30"}})`, "INVALID", []string{"input", "date", "start"}},
		{"end before start", `createAttack(input: {title: "X", date: {start: "2014-05", end: "2014-04-01"}})`, "INVALID", []string{"input", "date", "end"}},
		{"a negative figure", `addClaim(input: {attackId: "attack:a", sourceId: "source:s", kind: CASUALTIES, text: "t", quote: "q", killed: {low: -9, high: 3}})`, "INVALID", []string{"input", "killed", "low"}},
		{"claim without quote", `addClaim(input: {attackId: "attack:a", sourceId: "source:s", kind: NARRATIVE, text: "t", quote: " "})`, "INVALID", []string{"input", "quote"}},
		{"unknown reference", `addClaim(input: {attackId: "attack:nope", sourceId: "source:s", kind: NARRATIVE, text: "t", quote: "q"})`, "INVALID", []string{"input", "attackId"}},
		{"an item of a list", `addClaim(input: {attackId: "attack:a", sourceId: "source:s", kind: PERPETRATOR, text: "t", quote: "q", names: ["actor:a", "source:s"]})`, "INVALID", []string{"input", "names", "1"}},
		{"link to unknown target", `addAttackFacility(input: {attackId: "attack:a", facilityId: "facility:nope"})`, "INVALID", []string{"input", "facilityId"}},
		{"link to a target of another type", `addAttackEvent(input: {attackId: "attack:a", eventId: "place:p", relation: PART_OF})`, "INVALID", []string{"input", "eventId"}},
		{"link of unknown attack", `addAttackPlace(input: {attackId: "attack:nope", placeId: "place:p"})`, "NOT_FOUND", []string{"input", "attackId"}},
		{"update of unknown id", `updatePlace(input: {id: "place:nope", name: "Y"})`, "NOT_FOUND", []string{"input", "id"}},
		{"update of an id of another type", `updatePlace(input: {id: "actor:a", name: "Y"})`, "INVALID", []string{"input", "id"}},
		{"update that clears a required field", `updateAttack(input: {id: "attack:a", title: null})`, "INVALID", []string{"input", "title"}},
		{"id of the wrong kind", `createPlace(input: {id: "actor:x", name: "X", kind: CITY})`, "INVALID", []string{"input", "id"}},
		{"existing id", `createSource(input: {id: "source:s", title: "Again", kind: NEWS})`, "CONFLICT", []string{"input", "id"}},
		{"retraction of unknown claim", `retractClaim(input: {id: "claim:nope", reason: "wrong"})`, "NOT_FOUND", []string{"input", "id"}},
		{"retraction without reason", `retractClaim(input: {id: "claim:c", reason: " "})`, "INVALID", []string{"input", "reason"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := neo4jtest.Count(t, "MATCH (n) RETURN count(n) AS n", nil)
			c.MustUserError("mutation { "+tc.mutation+" "+payload+" }", nil, tc.code, tc.field...)
			if after := neo4jtest.Count(t, "MATCH (n) RETURN count(n) AS n", nil); after != before {
				t.Errorf("%d nodes written by a failed mutation", after-before)
			}
		})
	}
	t.Run("the clientMutationId comes back with the user errors", func(t *testing.T) {
		resp := c.Do(`mutation { createPlace(input: {clientMutationId: "req-7", name: "", kind: CITY}) `+payload+` }`, nil)
		var got struct {
			CreatePlace struct{ ClientMutationID string }
		}
		if err := json.Unmarshal(resp.Data, &got); err != nil || got.CreatePlace.ClientMutationID != "req-7" {
			t.Errorf("data %s (%v), want clientMutationId req-7", resp.Data, err)
		}
	})
	t.Run("several problems are each reported", func(t *testing.T) {
		errs := c.MustUserErrors(`mutation { createFacility(input: {id: "facility:f", name: "", type: SCHOOL, placeId: "place:nope", location: {latitude: 91, longitude: 0, precision: EXACT}}) `+payload+` }`, nil)
		fields := map[string]bool{}
		for _, e := range errs {
			fields[strings.Join(e.Field, ".")] = e.Code == "INVALID"
		}
		for _, f := range []string{"input.name", "input.location.latitude"} {
			if !fields[f] {
				t.Errorf("no INVALID user error at %s; got %+v", f, errs)
			}
		}
	})
	t.Run("GraphQL's own validation stays a top-level error", func(t *testing.T) {
		c.MustError(`mutation { createPlace(input: {name: "X", kind: PLANET}) { place { id } } }`, nil, "BAD_USER_INPUT", "PLANET")
		c.MustError(`mutation ($k: PlaceKind!) { createPlace(input: {name: "X", kind: $k}) { place { id } } }`, map[string]any{"k": "PLANET"}, "BAD_USER_INPUT", "PLANET")
		c.MustError(`query ($d: Date!) { day(date: $d) { id } }`, map[string]any{"d": "2014-02-30"}, "BAD_USER_INPUT", "2014-02-30")
		c.MustError(`mutation { addAttackEvent(input: {attackId: "attack:a", eventId: "event:e", relation: TARGETED}) { attack { id } } }`, nil, "BAD_USER_INPUT", "TARGETED")
		c.MustError(`mutation { updatePlace(input: {name: "Y"}) { place { id } } }`, nil, "BAD_USER_INPUT", "UpdatePlaceInput.id")
	})
}

func TestErrors_NothingLeaks(t *testing.T) {
	t.Run("malformed query", func(t *testing.T) {
		c := MustServer(t, false)
		e := c.MustError(`{ facility(id: "x") { id `, nil, "GRAPHQL_PARSE_FAILED", "")
		if e.Message == "" {
			t.Error("empty message")
		}
	})
	t.Run("too deep", func(t *testing.T) {
		c := MustServer(t, false)
		deep := `{ facility(id: "x") ` + strings.Repeat(`{ attacks { nodes { facilities `, 7) + `{ id }` + strings.Repeat(` } } }`, 7) + ` }`
		c.MustError(deep, nil, "BAD_USER_INPUT", "")
	})
	t.Run("introspection is not limited: the playground loads the schema", func(t *testing.T) {
		c := MustServer(t, false)
		var got struct {
			Schema struct{ Types []struct{ Name string } } `json:"__schema"`
		}
		q := `{ __schema { types { name fields { name type ` + strings.Repeat(`{ name ofType `, 9) + `{ name }` + strings.Repeat(` }`, 9) + ` } } } }`
		c.MustData(q, nil, &got)
		if len(got.Schema.Types) < 20 {
			t.Errorf("introspection returned %d types", len(got.Schema.Types))
		}
	})
	t.Run("database failing", func(t *testing.T) {
		// A store over a database that does not exist: every query fails inside the driver.
		store := neo4jstore.New(neo4jtest.Driver(t), "nosuchdatabase")
		c := newClient(t, store)
		e := c.MustError(`{ facility(id: "facility:x") { id } }`, nil, "INTERNAL", "")
		assertNoLeak(t, e)
		if e.Extensions["requestId"] == "" || e.Extensions["requestId"] == nil {
			t.Errorf("no request id in %+v", e)
		}
	})
	t.Run("database unreachable", func(t *testing.T) {
		driver, err := neo4j.NewDriverWithContext("bolt://127.0.0.1:1", neo4j.NoAuth())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { driver.Close(context.Background()) })
		c := newClientWithTimeout(t, neo4jstore.New(driver, "neo4j"), 2*time.Second)
		e := c.MustError(`mutation { createPlace(input: {name: "X", kind: CITY}) { place { id } userErrors { code } } }`, nil, "SERVICE_UNAVAILABLE", "")
		assertNoLeak(t, e)
		// The wait the error gives in extensions.retryAfter is also the answer's Retry-After.
		res, err := http.Post(c.url+"/graphql", "application/json", strings.NewReader(`{"query": "{ facility(id: \"facility:x\") { id } }"}`))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if after, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || after < 1 {
			t.Errorf("Retry-After %q on an unavailable database's answer, want a number of seconds", res.Header.Get("Retry-After"))
		}
	})
}

func assertNoLeak(t *testing.T, e gqlError) {
	t.Helper()
	raw, _ := json.Marshal(e)
	for _, leak := range []string{"Neo4j", "Neo.", "neo4j", "Cypher", "MATCH", "bolt", "127.0.0.1", "nosuchdatabase"} {
		if strings.Contains(string(raw), leak) {
			t.Errorf("error shows %q to the client: %s", leak, raw)
		}
	}
}

// Mutations need an editor's (or an admin's) account: an anonymous reader is refused as
// unauthenticated, a viewer as forbidden, and neither writes.
func TestRoles_GuardMutations(t *testing.T) {
	MustServer(t, true)
	store := neo4jstore.New(neo4jtest.Driver(t), neo4jtest.Database)
	viewer := neo4jtest.MustAccount(t, store, "viewer", athar.RoleViewer, time.Time{})
	editor := neo4jtest.MustAccount(t, store, "editor", athar.RoleEditor, time.Time{})
	c := serve(t, store, func(_ *resolvers.Config, web *httpapi.Config) {
		web.Auth = auth.New(auth.Config{Accounts: store, PublicRead: true})
	})
	create := `mutation { createPlace(input: {id: "place:guarded", name: "Guarded", kind: CITY}) { place { id } userErrors { code } } }`

	var read struct{ Facility struct{ Name string } }
	c.MustData(`{ facility(id: "facility:ain-jalout-school") { name } }`, nil, &read)
	if read.Facility.Name == "" {
		t.Error("an anonymous read failed with ATHAR_PUBLIC_READ")
	}
	c.MustError(create, nil, "UNAUTHENTICATED", "")
	c.header = http.Header{"Authorization": {"Bearer " + viewer}}
	c.MustError(create, nil, "FORBIDDEN", "")
	if n := neo4jtest.Count(t, "MATCH (p:Place {id: 'place:guarded'}) RETURN count(p) AS n", nil); n != 0 {
		t.Fatal("a refused mutation wrote")
	}
	if n := neo4jtest.Count(t, "MATCH (c:Change {entityId: 'place:guarded'}) RETURN count(c) AS n", nil); n != 0 {
		t.Fatal("a refused mutation left a change record")
	}
	c.header = http.Header{"Authorization": {"Bearer " + editor}}
	var ok struct {
		CreatePlace struct{ Place struct{ ID string } }
	}
	c.MustMutate(create, nil, &ok)
	if ok.CreatePlace.Place.ID != "place:guarded" {
		t.Errorf("with the editor's token: %+v", ok)
	}
}

// The GraphQL endpoint trusts only the principal httpapi records: served without it, it refuses
// every mutation rather than let one through unchecked.
func TestRoles_WithoutHTTPAPIMutationsAreRefused(t *testing.T) {
	MustServer(t, false)
	store := neo4jstore.New(neo4jtest.Driver(t), neo4jtest.Database)
	srv := httptest.NewServer(resolvers.NewGraphQLHandler(resolvers.Config{Reader: store, Curator: store, Explorer: store,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	t.Cleanup(srv.Close)
	c := &client{tb: t, url: srv.URL} // the bare handler answers on any path, /graphql too
	c.MustError(`mutation { createPlace(input: {id: "place:unguarded", name: "Unguarded", kind: CITY}) { place { id } } }`, nil, "UNAUTHENTICATED", "")
	if n := neo4jtest.Count(t, "MATCH (p:Place {id: 'place:unguarded'}) RETURN count(p) AS n", nil); n != 0 {
		t.Fatal("a refused mutation wrote")
	}
	var read struct {
		Typename string `json:"__typename"`
	}
	c.MustData(`{ __typename }`, nil, &read)
}

// Every entity is a Node: node(id:) and nodes(ids:) fetch any of them by its global id, and a
// network view's nodes have ids of their own, naming the entity they stand for.
func TestNode_FetchesAnyEntityByID(t *testing.T) {
	c := MustServer(t, true)
	var got struct {
		Node  *struct{ Typename, ID, Name string }
		Nodes []*struct {
			Typename string `json:"__typename"`
			ID       string
		}
		Nothing *struct{ ID string }
		Graph   struct {
			Nodes []struct {
				ID, EntityID, Label string
				Entity              *struct {
					Typename string `json:"__typename"`
					ID       string
				}
			}
		}
	}
	c.MustData(`{
	  node(id: "facility:ain-jalout-school") { Typename: __typename id ... on Facility { name } }
	  nodes(ids: ["attack:ain-jalout-school-2014-04-30", "facility:nowhere", "day:2014-04-30", "source:ain-jalout-2014-article"]) { __typename id }
	  nothing: node(id: "not-an-id") { id }
	  graph(ids: ["attack:ain-jalout-school-2014-04-30"], depth: 1) { nodes { id entityId label entity { __typename id } } }
	}`, nil, &got)
	if got.Node == nil || got.Node.Typename != "Facility" || got.Node.Name == "" {
		t.Errorf("node: %+v", got.Node)
	}
	if len(got.Nodes) != 4 || got.Nodes[0] == nil || got.Nodes[0].Typename != "Attack" || got.Nodes[1] != nil || got.Nodes[2] != nil ||
		got.Nodes[3] == nil || got.Nodes[3].Typename != "Source" {
		t.Errorf("nodes, in the order asked, null where none: %+v", got.Nodes)
	}
	if got.Nothing != nil {
		t.Errorf("a malformed id gave %+v", got.Nothing)
	}
	days := 0
	for _, n := range got.Graph.Nodes {
		switch {
		case n.ID != "graphnode:"+n.EntityID:
			t.Errorf("graph node %q stands for %q", n.ID, n.EntityID)
		case n.Label == "Day" || n.Label == "Weapon" || n.Label == "AttackType":
			if n.Label == "Day" {
				days++
			}
			if n.Entity != nil {
				t.Errorf("the shared node %s has an entity: %+v", n.EntityID, n.Entity)
			}
		case n.Entity == nil || n.Entity.ID != n.EntityID || n.Entity.Typename != n.Label:
			t.Errorf("graph node %+v: its entity is %+v", n, n.Entity)
		}
	}
	if days != 1 || len(got.Graph.Nodes) < 5 {
		t.Errorf("graph around the 2014 attack: %+v", got.Graph.Nodes)
	}
	c.MustError(`query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": make([]string, 101)}, "BAD_USER_INPUT", "ids")
}

// conn decodes a connection as the slice of its nodes, so that a test reads a page as the list it
// holds.
type conn[T any] []T

// UnmarshalJSON implements json.Unmarshaler.
func (c *conn[T]) UnmarshalJSON(b []byte) error {
	var v struct {
		Nodes []T `json:"nodes"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*c = v.Nodes
	return nil
}
