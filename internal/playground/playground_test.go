package playground

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, method, target string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

var refRE = regexp.MustCompile(`(?:src|href)="([^"]*)"`)

// pageRefs returns the src and href attribute values of the page.
func pageRefs(t *testing.T, page string) []string {
	t.Helper()
	var refs []string
	for _, m := range refRE.FindAllStringSubmatch(page, -1) {
		refs = append(refs, m[1])
	}
	if len(refs) == 0 {
		t.Fatal("page references no assets")
	}
	return refs
}

func TestPage(t *testing.T) {
	h := Handler("Athar <test> playground", "/graphql")
	rec := get(t, h, http.MethodGet, "/", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET / = %d", rec.Code)
	}
	page := rec.Body.String()
	hd := rec.Header()

	if ct := hd.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if got := hd.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q", got)
	}
	if got := hd.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q", got)
	}

	csp := hd.Get("Content-Security-Policy")
	for _, want := range []string{
		"default-src 'none'", "script-src 'self';", "connect-src 'self';",
		"base-uri 'none'", "frame-ancestors 'none'",
	} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	for _, bad := range []string{"unsafe-inline", "unsafe-eval", "http:", "https:", "*"} {
		if strings.Contains(csp, bad) {
			t.Errorf("CSP %q contains %q", csp, bad)
		}
	}
	nonce := regexp.MustCompile(`style-src 'self' 'nonce-([A-Za-z0-9]+)'`).FindStringSubmatch(csp)
	if nonce == nil {
		t.Fatalf("CSP %q has no style nonce", csp)
	}
	if !strings.Contains(page, `data-style-nonce="`+nonce[1]+`"`) {
		t.Error("page does not pass the CSP style nonce to the bootstrap script")
	}
	if again := get(t, h, http.MethodGet, "/", nil).Header().Get("Content-Security-Policy"); again == csp {
		t.Error("style nonce is not fresh per response")
	}

	for _, s := range []string{"http://", "https://", "//cdn", "unpkg", "jsdelivr"} {
		if strings.Contains(page, s) {
			t.Errorf("page contains %q", s)
		}
	}
	if strings.Contains(page, "<test>") || !strings.Contains(page, "<title>Athar &lt;test&gt; playground</title>") {
		t.Error("title is missing or not HTML-escaped")
	}
	if !strings.Contains(page, `data-endpoint="/graphql"`) {
		t.Error("page does not pass the endpoint")
	}
	if !strings.Contains(page, `facility(id: &#34;facility:ain-jalout-school&#34;)`) {
		t.Error("page lacks the example default query")
	}
	// No inline scripts: every <script> has a src.
	if n, m := strings.Count(page, "<script"), strings.Count(page, "<script src="); n != m || n == 0 {
		t.Errorf("%d <script> tags, %d with src", n, m)
	}
	if strings.Contains(page, "<style") || strings.Contains(page, " style=") {
		t.Error("page has inline styles")
	}
}

func TestPageAssetsServed(t *testing.T) {
	h := Handler("", "")
	page := get(t, h, http.MethodGet, "/", nil).Body.String()
	want := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
	seen := map[string]bool{}
	for _, ref := range pageRefs(t, page) {
		if ref == "data:," { // the empty favicon, so browsers do not ask for /favicon.ico
			continue
		}
		if ref == "/explore" { // the link to the explorer, a page of its own, not an asset
			continue
		}
		if !strings.HasPrefix(ref, AssetsPath) {
			t.Errorf("reference %q is not under %s", ref, AssetsPath)
			continue
		}
		rec := get(t, h, http.MethodGet, ref, nil)
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s = %d", ref, rec.Code)
			continue
		}
		name := strings.TrimPrefix(ref[:strings.Index(ref, "?")], AssetsPath)
		seen[name] = true
		ext := name[strings.LastIndex(name, "."):]
		if ct := rec.Header().Get("Content-Type"); ct != want[ext] {
			t.Errorf("%s: Content-Type = %q, want %q", ref, ct, want[ext])
		}
		if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options = %q", ref, got)
		}
		if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") {
			t.Errorf("%s: Cache-Control = %q", ref, cc)
		}
		if rec.Header().Get("ETag") == "" {
			t.Errorf("%s: no ETag", ref)
		}
		if !bytes.Equal(rec.Body.Bytes(), assets[name].body) {
			t.Errorf("%s: body differs from the embedded file", ref)
		}
	}
	for _, name := range []string{"react.production.min.js", "react-dom.production.min.js", "graphiql.min.js", "graphiql.min.css", "playground.js", "playground.css"} {
		if !seen[name] {
			t.Errorf("page does not reference %s", name)
		}
	}
}

func TestAssetCachingAndEncoding(t *testing.T) {
	h := Handler("", "")
	a := assets["graphiql.min.js"]
	versioned := AssetsPath + a.name + "?v=" + a.version

	// Unversioned or stale URLs must be revalidated.
	if cc := get(t, h, http.MethodGet, AssetsPath+a.name, nil).Header().Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("unversioned Cache-Control = %q", cc)
	}
	if cc := get(t, h, http.MethodGet, AssetsPath+a.name+"?v=old", nil).Header().Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("stale-version Cache-Control = %q", cc)
	}

	rec := get(t, h, http.MethodGet, versioned, map[string]string{"Accept-Encoding": "br, gzip;q=0.8"})
	if rec.Header().Get("Content-Encoding") != "gzip" || !strings.Contains(rec.Header().Get("Vary"), "Accept-Encoding") {
		t.Fatalf("gzip not served: %v", rec.Header())
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(plain, a.body) {
		t.Fatalf("gzip body does not decode to the asset (err %v)", err)
	}

	rec = get(t, h, http.MethodGet, versioned, map[string]string{"Accept-Encoding": "gzip;q=0"})
	if rec.Header().Get("Content-Encoding") != "" || !bytes.Equal(rec.Body.Bytes(), a.body) {
		t.Error("gzip served although refused with q=0")
	}

	etag := get(t, h, http.MethodGet, versioned, nil).Header().Get("ETag")
	if rec := get(t, h, http.MethodGet, versioned, map[string]string{"If-None-Match": etag}); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match = %d, want 304", rec.Code)
	}

	if rec := get(t, h, http.MethodHead, versioned, nil); rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Errorf("HEAD = %d with %d body bytes", rec.Code, rec.Body.Len())
	}
}

func TestNotFoundAndMethods(t *testing.T) {
	h := Handler("", "")
	for _, p := range []string{
		AssetsPath + "nope.js",
		AssetsPath,
		AssetsPath + "../page.html",
		AssetsPath + "assets/graphiql.min.js",
		"/playground/page.html",
		"/index.html",
		"/graphql",
	} {
		rec := get(t, h, http.MethodGet, p, nil)
		if rec.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, rec.Code)
		}
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no nosniff header", p)
		}
	}
	for _, p := range []string{"/", AssetsPath + "playground.js"} {
		rec := get(t, h, http.MethodPost, p, nil)
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("POST %s = %d (Allow %q)", p, rec.Code, rec.Header().Get("Allow"))
		}
	}
	if rec := get(t, h, http.MethodHead, "/", nil); rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Errorf("HEAD / = %d with %d body bytes", rec.Code, rec.Body.Len())
	}
}

func TestCrossOriginEndpoint(t *testing.T) {
	rec := get(t, Handler("", "https://api.example.org/graphql"), http.MethodGet, "/", nil)
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "connect-src 'self' https://api.example.org;") {
		t.Errorf("CSP %q does not allow the endpoint's origin", csp)
	}
}

// TestVendoredAssetsUnchanged checks the vendored files against
// assets/SHA256SUMS, written by update-assets.sh.
func TestVendoredAssetsUnchanged(t *testing.T) {
	sums, ok := assets["SHA256SUMS"]
	if !ok {
		t.Fatal("assets/SHA256SUMS missing; run update-assets.sh")
	}
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(sums.body))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		want, name, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("bad SHA256SUMS line %q", line)
		}
		a, ok := assets[name]
		if !ok {
			t.Errorf("%s listed in SHA256SUMS but not embedded", name)
			continue
		}
		sum := sha256.Sum256(a.body)
		if got := hex.EncodeToString(sum[:]); got != want {
			t.Errorf("%s: sha256 %s, SHA256SUMS says %s (edited by hand? re-run update-assets.sh)", name, got, want)
		}
		n++
	}
	if n < 7 {
		t.Errorf("SHA256SUMS lists %d files, want the 7 vendored ones", n)
	}
	for _, lic := range []string{"LICENSE-graphiql.txt", "LICENSE-react.txt", "LICENSE-react-dom.txt"} {
		rec := get(t, Handler("", ""), http.MethodGet, AssetsPath+lic, nil)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/plain; charset=utf-8" {
			t.Errorf("GET %s = %d %q", lic, rec.Code, rec.Header().Get("Content-Type"))
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	for in, want := range map[string]bool{
		"":                     false,
		"gzip":                 true,
		"GZIP":                 true,
		"deflate, gzip":        true,
		"br;q=1.0, gzip;q=0.5": true,
		"gzip;q=0":             false,
		"gzip; q=0.000":        false,
		"*":                    true,
		"identity":             false,
		"x-gzip2":              false,
	} {
		if got := acceptsGzip([]string{in}); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", in, got, want)
		}
	}
}
