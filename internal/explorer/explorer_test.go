package explorer

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestBuild_IsNotStale fails when the sources in explorer/ (or its lockfile) changed since dist/ was
// built, or when a built file no longer is what the build wrote: rebuild with
// `cd explorer && npm ci && npm run build` and commit dist/.
func TestBuild_IsNotStale(t *testing.T) {
	m, err := ReadManifest()
	if err != nil {
		t.Fatal(err)
	}
	got, err := SourceHash(os.DirFS("../../explorer"))
	if err != nil {
		t.Fatal(err)
	}
	if got != m.SourceHash {
		t.Errorf("explorer/ hashes to %s, the build was made from %s: the committed build is stale; run `cd explorer && npm ci && npm run build` and commit internal/explorer/dist", got, m.SourceHash)
	}
	seen := map[string]bool{}
	err = fs.WalkDir(Files(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == "manifest.json" {
			return err
		}
		seen[p] = true
		f, ok := m.Files[p]
		if !ok {
			t.Errorf("dist/%s is not in the manifest: not written by the build", p)
			return nil
		}
		b, err := fs.ReadFile(Files(), p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != f.SHA256 || len(b) != f.Bytes {
			t.Errorf("dist/%s (%d bytes) is not the file the build wrote (%d bytes)", p, len(b), f.Bytes)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for p := range m.Files {
		if !seen[p] {
			t.Errorf("the manifest lists dist/%s, which is missing", p)
		}
	}
}

// TestSourceHash_SeesEveryChange checks that the hash changes with a file's content, its name, a
// new file, and not with node_modules/.
func TestSourceHash_SeesEveryChange(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.MkdirAll(dir+"/"+name[:strings.LastIndex(name, "/")+1], 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dir+"/"+name, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hash := func() string {
		t.Helper()
		h, err := SourceHash(os.DirFS(dir))
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	write("package-lock.json", "{}")
	write("src/main.js", "a")
	h0 := hash()
	write("node_modules/x/index.js", "ignored")
	if hash() != h0 {
		t.Error("a file under node_modules/ changed the hash")
	}
	write("src/main.js", "b")
	h1 := hash()
	if h1 == h0 {
		t.Error("a changed source left the hash as it was")
	}
	write("src-extra.js", "")
	if hash() == h1 {
		t.Error("a new file left the hash as it was")
	}
}

func get(t *testing.T, h http.Handler, path string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestHandler_ServesThePageAndItsAssets(t *testing.T) {
	h := Handler()
	for _, p := range []string{Path, Path + "/"} {
		rec := get(t, h, p, nil)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/html; charset=utf-8" {
			t.Fatalf("GET %s = %d %q", p, rec.Code, rec.Header().Get("Content-Type"))
		}
		if csp := rec.Header().Get("Content-Security-Policy"); csp != CSP || strings.Contains(csp, "unsafe") || strings.Contains(csp, "http") {
			t.Errorf("GET %s: CSP %q", p, csp)
		}
	}
	page := get(t, h, Path, nil).Body.String()
	refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(page, -1)
	want := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
	assets := 0
	for _, r := range refs {
		ref := r[1]
		if ref == Path || ref == "/" { // links to the explorer itself and to the playground
			continue
		}
		if !strings.HasPrefix(ref, AssetsPath) {
			t.Errorf("the page refers to %q, outside %s", ref, AssetsPath)
			continue
		}
		assets++
		rec := get(t, h, ref, nil)
		ext := ref[strings.LastIndex(ref, "."):]
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != want[ext] || rec.Body.Len() == 0 {
			t.Errorf("GET %s = %d %q, %d bytes", ref, rec.Code, rec.Header().Get("Content-Type"), rec.Body.Len())
		}
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" || rec.Header().Get("Content-Security-Policy") != CSP {
			t.Errorf("GET %s: headers %v", ref, rec.Header())
		}
		etag := rec.Header().Get("ETag")
		if again := get(t, h, ref, http.Header{"If-None-Match": {etag}}); etag == "" || again.Code != http.StatusNotModified {
			t.Errorf("GET %s with If-None-Match %q = %d, want 304", ref, etag, again.Code)
		}
	}
	if assets != 3 {
		t.Errorf("the page refers to %d assets, want the script, the stylesheet and the icon", assets)
	}
	// Leaflet's stylesheet names its images, which the build writes beside it.
	css := get(t, h, AssetsPath+"app.css", nil).Body.String()
	for _, u := range regexp.MustCompile(`url\(([^)]+)\)`).FindAllStringSubmatch(css, -1) {
		ref := strings.Trim(u[1], `"'`)
		if strings.HasPrefix(ref, "#") { // behavior: url(#default#VML), for old Internet Explorers
			continue
		}
		if strings.HasPrefix(ref, "data:") {
			t.Errorf("app.css embeds %q as data: the CSP allows images from the origin only", ref[:20])
			continue
		}
		if rec := get(t, h, ref, nil); rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/png" {
			t.Errorf("app.css names %s: GET = %d %q", ref, rec.Code, rec.Header().Get("Content-Type"))
		}
	}
}

func TestHandler_RefusesWhatItDoesNotServe(t *testing.T) {
	h := Handler()
	for _, p := range []string{"/explore/nothing", AssetsPath + "nothing.js", AssetsPath + "../index.html", AssetsPath, "/explorer", AssetsPath + "app.js.map"} {
		if rec := get(t, h, p, nil); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, rec.Code)
		}
	}
}

func TestHandler_GzipsForClientsThatAcceptIt(t *testing.T) {
	h := Handler()
	plain := get(t, h, AssetsPath+"app.js", nil)
	if plain.Header().Get("Content-Encoding") != "" || !strings.Contains(plain.Header().Get("Vary"), "Accept-Encoding") {
		t.Fatalf("without Accept-Encoding: headers %v", plain.Header())
	}
	for _, accept := range []string{"gzip", "deflate, gzip;q=0.5", "br, GZIP"} {
		rec := get(t, h, AssetsPath+"app.js", http.Header{"Accept-Encoding": {accept}})
		if rec.Header().Get("Content-Encoding") != "gzip" || rec.Body.Len() >= plain.Body.Len() {
			t.Errorf("Accept-Encoding %q: %q, %d bytes of %d", accept, rec.Header().Get("Content-Encoding"), rec.Body.Len(), plain.Body.Len())
			continue
		}
		zr, err := gzip.NewReader(rec.Body)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(b, plain.Body.Bytes()) {
			t.Errorf("Accept-Encoding %q: the gzipped body is not the file (%v)", accept, err)
		}
	}
	for _, accept := range []string{"gzip;q=0", "br", "gzip; q=0.000"} {
		if rec := get(t, h, AssetsPath+"app.js", http.Header{"Accept-Encoding": {accept}}); rec.Header().Get("Content-Encoding") != "" {
			t.Errorf("Accept-Encoding %q: gzipped all the same", accept)
		}
	}
}
