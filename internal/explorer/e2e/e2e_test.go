package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/auth"
	"github.com/athar-project/athar/internal/bench"
	"github.com/athar-project/athar/internal/httpapi"
	"github.com/athar-project/athar/internal/neo4jstore"
	"github.com/athar-project/athar/internal/neo4jtest"
	"github.com/athar-project/athar/resolvers"
)

func TestMain(m *testing.M) { os.Exit(neo4jtest.Run(m)) }

// chromium returns the browser's path, or fails (under CI) or skips the test when there is none.
func chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("ATHAR_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium: install it (apt-get install chromium) or name it in ATHAR_CHROMIUM"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// browser is one headless Chromium with a fresh profile, and what it saw: console errors,
// exceptions, browser log errors (a request the CSP refused among them), and requests to any other
// origin than Athar's.
type browser struct {
	ctx    context.Context
	origin string
	shots  string

	mu       sync.Mutex
	problems []string
	outside  []string
	requests int
}

func newBrowser(t testing.TB, origin string) *browser {
	t.Helper()
	shots := os.Getenv("ATHAR_E2E_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join(t.TempDir(), "screenshots")
	}
	shots = filepath.Join(shots, t.Name())
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", shots)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1400, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	// The first run starts the browser, which lives as long as ctx: it takes no timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	b := &browser{ctx: ctx, origin: origin, shots: shots}
	err := chromedp.Listen(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				b.problems = append(b.problems, "console."+string(ev.Type)+": "+strings.Join(args, " "))
			}
		case *runtime.EventExceptionThrown:
			b.problems = append(b.problems, "exception: "+ev.ExceptionDetails.Text+" "+exceptionText(ev.ExceptionDetails))
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level == cdplog.EntryLevelError {
				b.problems = append(b.problems, "log: "+ev.Entry.Text+" "+ev.Entry.URL)
			}
		case *network.EventRequestWillBeSent:
			b.requests++
			u := ev.Request.URL
			// data: URLs (GraphiQL's fonts, Chromium's own icons) are read from the page, not fetched.
			if u != b.origin && !strings.HasPrefix(u, b.origin+"/") && !strings.HasPrefix(u, "data:") {
				b.outside = append(b.outside, u)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d.Exception != nil {
		return d.Exception.Description
	}
	return ""
}

// do runs the steps, each within 30 seconds, failing the test with what for when one fails.
func (b *browser) do(t testing.TB, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// value runs one action and returns its value, failing the test when it fails.
func value[T any](t testing.TB, b *browser, what string, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// shot saves a screenshot of the window as <n>-<name>.png.
func (b *browser) shot(t testing.TB, n int, name string) {
	t.Helper()
	png := value(t, b, "screenshot "+name, chromedp.CaptureScreenshot())
	path := filepath.Join(b.shots, fmt.Sprintf("%02d-%s.png", n, name))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// bodyInt reads a data- attribute of the page's body, which the app sets once a view is drawn.
func (b *browser) bodyInt(t testing.TB, name string) int {
	t.Helper()
	s := value(t, b, "read "+name, chromedp.Evaluate[string](`document.body.dataset.`+name+` || ""`))
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("body data-%s = %q", name, s)
	}
	return n
}

// waitFor waits until the script is true in the page.
func waitFor(script string) chromedp.Action[chromedp.Void] {
	poll := chromedp.Poll[any](script, chromedp.WithPollingTimeout(25*time.Second))
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := poll(ctx, t)
		return chromedp.Void{}, err
	}
}

// eval runs a script in the page, its value unused.
func eval(script string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[any](script)(ctx, t)
		return err
	})
}

// held says the left button is down during a mouse move (a drag); once, a single click.
func held(p *input.DispatchMouseEventParams) { p.Buttons = 1 }
func once(p *input.DispatchMouseEventParams) { p.ClickCount = 1 }

func text(t testing.TB, b *browser, sel string) string {
	t.Helper()
	return value(t, b, "text of "+sel, chromedp.Text(chromedp.CSS(sel)))
}

// server starts Athar's HTTP server (the GraphQL endpoint, the playground and the explorer) over
// store, as `athar serve` runs it, and returns its URL.
func server(tb testing.TB, store *neo4jstore.Store) string {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(httpapi.NewServer(httpapi.Config{
		GraphQL:  resolvers.NewGraphQLHandler(resolvers.Config{Reader: store, Curator: store, Explorer: store, Logger: logger, Introspection: true}),
		Explorer: store, Pinger: store, Logger: logger, Playground: true, ExploreApp: true,
	}))
	tb.Cleanup(srv.Close)
	return srv.URL
}

// noProblems fails the test when the browser reported an error or asked another host for anything.
func (b *browser) noProblems(t testing.TB) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.problems) > 0 {
		t.Errorf("the browser reported:\n%s", strings.Join(b.problems, "\n"))
	}
	if len(b.outside) > 0 || b.requests == 0 {
		t.Errorf("%d requests, to other hosts: %v", b.requests, b.outside)
	}
}

func TestExplorer_InABrowser(t *testing.T) {
	chromium(t)
	store := neo4jtest.MustStore(t)
	neo4jtest.MustSeed(t, store)
	url := server(t, store)
	b := newBrowser(t, url)

	// 1. The page loads: every seed attack listed, 11 of them on the map (the others are in places
	// neither the gazetteer nor a place around them has a point for), the timeline drawn, the
	// outlines and their attribution shown.
	b.do(t, "open /explore",
		chromedp.Navigate(url+"/explore"),
		waitFor(`document.body.dataset.attacks !== undefined && document.body.dataset.buckets !== undefined && document.querySelectorAll('select[name=facilityType] option').length > 1`))
	if n := b.bodyInt(t, "attacks"); n != 15 {
		t.Errorf("%d attacks listed, want the seed's 15", n)
	}
	if n := b.bodyInt(t, "drawn"); n != 11 {
		t.Errorf("%d attacks on the map, want 11", n)
	}
	points := value(t, b, "points", chromedp.Evaluate[int](`document.querySelectorAll('#map path.attack-point').length`))
	clusters := value(t, b, "clusters", chromedp.Evaluate[int](`document.querySelectorAll('#map .marker-cluster').length`))
	outlines := value(t, b, "outlines", chromedp.Evaluate[int](`document.querySelectorAll('#map path:not(.attack-point)').length`))
	attribution := text(t, b, ".leaflet-control-attribution")
	// The three Ain Jalout attacks and the six in eastern Aleppo share Aleppo's centre: a cluster,
	// plus Azaz and Batabo.
	if points+3*clusters < 5 || clusters == 0 {
		t.Errorf("%d points and %d clusters drawn, want the three at Aleppo clustered", points, clusters)
	}
	if outlines < 15 || !strings.Contains(attribution, "Natural Earth") || !strings.Contains(attribution, "GeoNames") {
		t.Errorf("%d outlines, attribution %q", outlines, attribution)
	}
	allBuckets := timelineSum(t, b)
	b.shot(t, 1, "loaded")

	// 2. A filter changes the map, the list, the timeline and the URL.
	b.do(t, "filter schools",
		eval(`(() => { const s = document.querySelector('select[name=facilityType]'); s.value = 'SCHOOL'; s.dispatchEvent(new Event('change', {bubbles: true})); })()`),
		waitFor(`location.search.includes('facilityType=SCHOOL') && document.body.dataset.attacks !== '15'`))
	schools := b.bodyInt(t, "attacks")
	if schools == 0 || schools >= 15 {
		t.Errorf("%d attacks on schools", schools)
	}
	b.do(t, "timeline redrawn", waitFor(`document.body.dataset.timelineSum !== '`+strconv.Itoa(allBuckets)+`'`))
	if got := timelineSum(t, b); got >= allBuckets || got == 0 {
		t.Errorf("the timeline counts %d attacks on schools, %d in all", got, allBuckets)
	}
	if n := b.bodyInt(t, "drawn"); n != 4 {
		t.Errorf("%d attacks on schools on the map, want the three at Ain Jalout and al-Shaar's", n)
	}
	b.shot(t, 2, "filtered-schools")

	// Dragging across the timeline from its left edge to its middle sets the date filter, which
	// the URL, the list and the map follow.
	box := value(t, b, "the timeline's box", chromedp.Evaluate[[]float64](`(() => { const r = document.querySelector('#timeline .u-over').getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`))
	y := box[1] + box[3]/2
	b.do(t, "brush the timeline",
		chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, box[0]+2, y, chromedp.ButtonLeft, held, once),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, box[0]+box[2]/4, y, chromedp.ButtonLeft, held),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, box[0]+box[2]/2, y, chromedp.ButtonLeft, held),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, box[0]+box[2]/2, y, chromedp.ButtonLeft, once),
		waitFor(`location.search.includes('from=') && location.search.includes('to=') && document.body.dataset.attacks !== '`+strconv.Itoa(schools)+`'`))
	if n := b.bodyInt(t, "attacks"); n == 0 || n >= schools {
		t.Errorf("after brushing the first half of the timeline, %d attacks on schools of %d", n, schools)
	}
	b.shot(t, 3, "brushed-timeline")
	b.do(t, "clear the dates", eval(`(() => { const f = document.getElementById('filters'); f.elements.from.value = ''; f.elements.to.value = ''; f.requestSubmit(); })()`),
		waitFor(`!location.search.includes('from=') && document.body.dataset.attacks === '`+strconv.Itoa(schools)+`'`))

	// 4. The 2014 attack's evidence card: the 13–35 killed, each account with its quote, the
	// weapons the accounts disagree on.
	b.do(t, "select the 2014 attack",
		chromedp.Click(chromedp.CSS(`#attacks li[data-id="attack:ain-jalout-school-2014-04-30"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`#card section[data-kind="CASUALTIES"] .disagreement`)))
	casualties := text(t, b, `#card section[data-kind="CASUALTIES"]`)
	weapons := value(t, b, "weapons", chromedp.Evaluate[string](`(document.querySelector('#card section[data-kind="WEAPON"] .disagreement') || {}).textContent || ''`))
	href := value(t, b, "the playground link", chromedp.AttributeValue(chromedp.CSS(`#card-playground`), "href")).Value
	for _, want := range []string{"13–35", "Casualties: Approx. 35 people (at least 33 children)",
		"more than 25 people had been killed", "more than a dozen bodies", "Aleppo Media Center", "Reuters"} {
		if !strings.Contains(casualties, want) {
			t.Errorf("the casualties on the card lack %q:\n%s", want, casualties)
		}
	}
	// The article only relays Reuters' and the Aleppo Media Center's reports, which it cites.
	if relayed := value(t, b, "relayed", chromedp.Evaluate[string](`Array.from(document.querySelectorAll('#card section[data-kind="CASUALTIES"] .relayed')).map(e => e.textContent).join('|')`)); !strings.Contains(relayed, "not independent: relays") ||
		!strings.Contains(relayed, "Reuters") {
		t.Errorf("the claims the article relays are not marked: %q", relayed)
	}
	if !strings.Contains(weapons, "barrel bomb") {
		t.Errorf("the card marks no disagreement on the weapon: %q", weapons)
	}
	// The accounts' killed figures differ (Reuters at least 13, the Aleppo Media Center at least 26,
	// the profile up to 35): the box says which account gives which.
	disagreement := text(t, b, `#card section[data-kind="CASUALTIES"] .disagreement`)
	for _, want := range []string{"different figures for killed (13–35 in all)", "at least 13 (Reuters", "at least 26 (Aleppo Media Center", "up to 35 (“Ain Jalout”)"} {
		if !strings.Contains(disagreement, want) {
			t.Errorf("the casualties' disagreement lacks %q: %q", want, disagreement)
		}
	}
	noOneClaims(t, b)
	if !strings.Contains(href, "/?query=") || !strings.Contains(href, "EvidenceCard") {
		t.Errorf("the playground link is %q", href)
	}
	b.do(t, "scroll to the card", chromedp.ScrollIntoView(chromedp.CSS(`#card`)))
	b.shot(t, 4, "evidence-ain-jalout-2014")

	// 5. Its network, the links named.
	b.do(t, "open the network",
		chromedp.Click(chromedp.CSS(`#open-network`)),
		waitFor(`document.querySelector('#network canvas') !== null && document.querySelector('#network-legend p') !== null`))
	legend := text(t, b, "#network-legend p")
	if !strings.Contains(legend, "TARGETED") || !strings.Contains(legend, "nodes") {
		t.Errorf("the network's legend: %q", legend)
	}
	b.shot(t, 5, "network-ain-jalout-2014")
	noOneClaims(t, b)

	// One claim giving a range (3–12 killed) is no disagreement, and its figures say "1 claim": the
	// 2013 attack, whose only other casualty claim gives the injured, gets such a claim.
	b.do(t, "add a claim of 3–12 killed", eval(`fetch('/graphql', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({query:
		'mutation { addClaim(input: {id: "claim:ain-jalout-2013-killed-range", attackId: "attack:ain-jalout-school-2013-08-06", sourceId: "source:ain-jalout-school-profile", kind: CASUALTIES, text: "3 to 12 were killed.", quote: "between 3 and 12 killed", killed: {low: 3, high: 12}}) { userErrors { message } claim { id } } }'})})
		.then((r) => r.json()).then((d) => { document.body.dataset.added = JSON.stringify(d); })`),
		waitFor(`document.body.dataset.added !== undefined`))
	if added := value(t, b, "added", chromedp.Evaluate[string](`document.body.dataset.added`)); !strings.Contains(added, `"claim:ain-jalout-2013-killed-range"`) {
		t.Fatalf("adding the claim: %s", added)
	}
	b.do(t, "select the 2013 attack", chromedp.Navigate(url+"/explore?attack=attack:ain-jalout-school-2013-08-06"),
		waitFor(`document.querySelector('#card section[data-kind="CASUALTIES"] [data-claim="claim:ain-jalout-2013-killed-range"]') !== null`))
	if n := value(t, b, "disagreements", chromedp.Evaluate[int](`document.querySelectorAll('#card .disagreement').length`)); n != 0 {
		t.Errorf("the 2013 attack's card shows %d disagreements: %q", n, text(t, b, "#card"))
	}
	if figures := text(t, b, "#card .figures"); !strings.Contains(figures, "3–12") || !strings.Contains(figures, "(1 claim, 1 source, ") {
		t.Errorf("the 2013 attack's figures: %q", figures)
	}
	noOneClaims(t, b)
	b.shot(t, 6, "evidence-one-range-2013")

	// 6. An actor's attacks, and apart from them those it denies: Russia denies the strike of
	// 27 April 2016 on the school and Al Quds hospital.
	b.do(t, "choose Russia", chromedp.Navigate(url+"/explore?actor=actor:russia"),
		waitFor(`!document.getElementById('denials').hidden && document.querySelector('#denials li') !== null && document.body.dataset.attacks !== undefined`))
	if denials := text(t, b, "#denials"); !strings.Contains(denials, "Denied by Russia") || !strings.Contains(denials, "denied responsibility") ||
		!strings.Contains(denials, "Al Quds") || strings.Contains(denials, "null") {
		t.Errorf("Russia's denials: %q", denials)
	}
	b.shot(t, 7, "actor-russia-denials")

	// 7. The card's query opens in the playground.
	b.do(t, "open the playground", chromedp.Navigate(url+href),
		waitFor(`document.querySelector('.graphiql-query-editor') !== null && document.querySelector('.graphiql-query-editor').textContent.includes('EvidenceCard')`))
	b.shot(t, 8, "playground-card-query")
	b.noProblems(t)

	// 8. A filter value Athar refuses (from a shared URL) is named in a plain sentence, Athar's own
	// message kept beneath it. Athar answers it with an HTTP error, which the browser logs: it comes
	// after the check for errors.
	b.do(t, "a facility type that is none", chromedp.Navigate(url+"/explore?facilityType=NO_SUCH_TYPE"),
		waitFor(`document.querySelector('#status .api-error') !== null`))
	status := text(t, b, "#status")
	raw := value(t, b, "Athar's message", chromedp.Evaluate[string](`(document.querySelector('#status .api-error details code') || {}).textContent || ''`))
	tip := value(t, b, "the tooltip", chromedp.Evaluate[string](`document.querySelector('#status .api-error').title`))
	if !strings.HasPrefix(status, "Athar did not accept the Facility filter") || !strings.Contains(raw, "NO_SUCH_TYPE") || tip != raw {
		t.Errorf("the status shows %q, Athar's message %q, the tooltip %q", status, raw, tip)
	}
	b.shot(t, 9, "refused-filter")
}

// noOneClaims fails the test when the page writes a count of one with a plural ("1 claims").
func noOneClaims(t testing.TB, b *browser) {
	t.Helper()
	found := value(t, b, "counts of one", chromedp.Evaluate[[]string](`document.body.innerText.match(/(?<![\d.,])1 (claims|sources|attacks|buckets|nodes|links|accounts)\b/g) || []`))
	if len(found) > 0 {
		t.Errorf("the page writes %q", found)
	}
}

// benchGraph loads the synthetic graph of athar bench (internal/bench) at scale into an emptied
// database: 100,000 attacks at scale 1, each on facilities with points around its city.
func benchGraph(tb testing.TB, scale float64) *neo4jstore.Store {
	tb.Helper()
	store := neo4jtest.MustStore(tb)
	if _, err := store.Import(context.Background(), bench.Generate(bench.DefaultSize.Scaled(scale), 1), neo4jstore.ImportOptions{}); err != nil {
		tb.Fatal(err)
	}
	return store
}

// TestExplorer_ClustersManyAttacksOnTheServer checks the map of more attacks than the page draws
// one by one (1,000, athar bench's graph at scale 0.01): it draws the clusters Athar groups for its
// view (attackClusters), which hold every mapped attack, and asks again for the new view when a
// cluster is clicked.
func TestExplorer_ClustersManyAttacksOnTheServer(t *testing.T) {
	chromium(t)
	url := server(t, benchGraph(t, 0.01))
	b := newBrowser(t, url)
	b.do(t, "open /explore", chromedp.Navigate(url+"/explore"),
		waitFor(`document.body.dataset.mode === 'clusters' && document.body.dataset.mapDrawnAt !== undefined`))
	total, drawn, clusters := b.bodyInt(t, "attacks"), b.bodyInt(t, "drawn"), b.bodyInt(t, "clusters")
	// The graph's attacks are around its three cities (scale 0.01); those whose facilities have no
	// point, or whose point is outside the first view, are not drawn.
	if total != 1000 || drawn < total/2 || drawn > total || clusters < 2 || clusters >= drawn {
		t.Errorf("%d attacks, %d drawn in %d clusters; want most of the 1,000 drawn, grouped", total, drawn, clusters)
	}
	discs := value(t, b, "discs", chromedp.Evaluate[int](`document.querySelectorAll('#map .server-cluster').length`))
	listed := value(t, b, "listed", chromedp.Evaluate[int](`document.querySelectorAll('#attacks li').length`))
	if discs == 0 || listed != 100 {
		t.Errorf("%d cluster discs on the map, %d attacks listed (want the first page, 100)", discs, listed)
	}
	b.shot(t, 1, "clusters")
	before := value(t, b, "drawn at", chromedp.Evaluate[string](`document.body.dataset.mapDrawnAt`))
	b.do(t, "zoom into a cluster",
		chromedp.Click(chromedp.CSS(`#map .server-cluster`)),
		waitFor(`document.body.dataset.mapDrawnAt !== '`+before+`'`))
	if n := b.bodyInt(t, "drawn"); n >= drawn || n == 0 {
		t.Errorf("after zooming in, %d attacks drawn of %d", n, drawn)
	}
	b.shot(t, 2, "clusters-zoomed-in")
	b.noProblems(t)
}

// BenchmarkExplorer_DrawsTheMap measures how long after a page load starts the map is drawn, over
// athar bench's graph at the scale ATHAR_E2E_BENCH_SCALE gives (0.01 unless set; 1 is its 100,000
// attacks), in ms-to-map: the page's own clock (performance.now()) when the map's points or clusters
// are on screen. ms-to-script is when the app's script began (the page loaded and parsed),
// ms-to-clusters when the clusters' answer came, ms-to-list when the first page of the list's did.
// Each iteration loads the page anew in the same browser.
func BenchmarkExplorer_DrawsTheMap(b *testing.B) {
	chromium(b)
	scale := 0.01
	if v := os.Getenv("ATHAR_E2E_BENCH_SCALE"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 {
			b.Fatalf("ATHAR_E2E_BENCH_SCALE=%q: give a positive number", v)
		}
		scale = f
	}
	url := server(b, benchGraph(b, scale))
	br := newBrowser(b, url)
	marks := []string{"mapDrawnAt", "scriptAt", "clustersAt", "firstPageAt"}
	sums := make([]float64, len(marks))
	n := 0
	for b.Loop() {
		br.do(b, "open /explore", chromedp.Navigate(url+"/explore?load="+strconv.Itoa(n)),
			waitFor(`document.body.dataset.mapDrawnAt !== undefined`))
		for i, m := range marks {
			sums[i] += value(b, br, m, chromedp.Evaluate[float64](`Number(document.body.dataset.`+m+` || 0)`))
		}
		n++
	}
	for i, unit := range []string{"ms-to-map", "ms-to-script", "ms-to-clusters", "ms-to-list"} {
		b.ReportMetric(sums[i]/float64(n), unit)
	}
	b.ReportMetric(float64(br.bodyInt(b, "drawn")), "attacks-drawn")
}

// timelineSum is how many attacks the timeline's buckets hold in all.
func timelineSum(t testing.TB, b *browser) int {
	t.Helper()
	return b.bodyInt(t, "timelineSum")
}

// On an instance where requests need a token, the page says so instead of drawing an empty map; a
// token pasted in its token field is kept for the tab and every request carries it.
func TestExplorer_TakesAToken(t *testing.T) {
	chromium(t)
	store := neo4jtest.MustStore(t)
	neo4jtest.MustSeed(t, store)
	token := neo4jtest.MustAccount(t, store, "researcher", athar.RoleViewer, time.Time{})
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(httpapi.NewServer(httpapi.Config{
		GraphQL:  resolvers.NewGraphQLHandler(resolvers.Config{Reader: store, Curator: store, Explorer: store, Logger: logger}),
		Explorer: store, Pinger: store, Logger: logger, Playground: true, ExploreApp: true,
		Auth: auth.New(auth.Config{Accounts: store}), // not loopback-only: every request needs a token
	}))
	t.Cleanup(srv.Close)
	b := newBrowser(t, srv.URL)

	b.do(t, "open /explore without a token", chromedp.Navigate(srv.URL+"/explore"),
		waitFor(`document.getElementById('status').textContent.includes('API token')`))
	if got := text(t, b, "#status"); !strings.Contains(got, "needs an API token") {
		t.Errorf("status without a token: %q", got)
	}
	b.shot(t, 1, "needs-a-token")

	b.do(t, "paste the token", chromedp.SendKeys(`#token input[name=token]`, token), chromedp.Click(`#token-use`))
	reloaded(t, b, `document.body.dataset.attacks !== undefined`)
	if n := b.bodyInt(t, "attacks"); n != 15 {
		t.Errorf("%d attacks listed with the token, want the seed's 15", n)
	}
	if got := text(t, b, "#token-state"); !strings.Contains(got, "token") {
		t.Errorf("token state %q", got)
	}
	b.shot(t, 2, "with-the-token")

	b.do(t, "forget it", chromedp.Click(`#token-forget`))
	reloaded(t, b, `document.getElementById('status').textContent.includes('needs an API token')`)
}

// reloaded waits for the page the last step reloaded until the script is true in it: a poll that
// starts before the reload loses its page, so it is tried again.
func reloaded(t *testing.T, b *browser, script string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	for {
		_, err := chromedp.Run(ctx, waitFor(script))
		if err == nil {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("waiting for %s after the reload: %v", script, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
