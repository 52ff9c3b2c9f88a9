// Package playground serves an in-browser GraphQL IDE (GraphiQL) for Athar's
// GraphQL endpoint.
//
// Athar is meant to run on machines without internet access, so the
// playground never loads anything from a CDN: every script and stylesheet the
// page uses is vendored into assets/ and embedded into the binary with
// embed.FS. The vendored third-party files are
//
//   - graphiql 3.9.0 (graphiql.min.js, graphiql.min.css; MIT),
//   - react 18.3.1 (umd/react.production.min.js; MIT),
//   - react-dom 18.3.1 (umd/react-dom.production.min.js; MIT),
//
// copied unchanged from the npm registry together with their LICENSE files.
// GraphiQL 3.x is the last major version with a browser UMD build usable from
// a plain <script> tag, and it needs React 18's UMD builds (React 19 ships
// none). update-assets.sh re-fetches exactly these pinned versions and
// rewrites assets/SHA256SUMS, which the tests check. assets/playground.js and
// assets/playground.css are Athar's own.
//
// The HTML page is served with a strict Content-Security-Policy: scripts,
// styles and fetches from the same origin only, no inline scripts, and inline
// <style> elements only with a per-response nonce (GraphiQL's dialogs inject
// one at run time).
package playground

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// AssetsPath is the URL path prefix under which Handler serves the
// playground's static assets. A server mux must route both "/" and
// AssetsPath to the Handler.
const AssetsPath = "/playground/assets/"

// DefaultEndpoint is the GraphQL endpoint the playground talks to when
// Handler is given an empty endpoint.
const DefaultEndpoint = "/graphql"

// DefaultTitle is the page title used when Handler is given an empty title.
const DefaultTitle = "Athar GraphQL playground"

// defaultQuery is shown in the editor on first use (GraphiQL then remembers
// the user's own tabs in the browser's local storage).
const defaultQuery = `# Welcome to the Athar GraphQL playground.
#
# Run a query: Ctrl-Enter or the ▶ button.
# Autocomplete: Ctrl-Space.
# Schema docs: the book icon on the left.

{
  facility(id: "facility:ain-jalout-school") {
    id
    name
    type
    attacks {
      totalCount
      nodes {
        id
        title
        date {
          start
          end
          precision
        }
      }
    }
  }
}
`

//go:embed page.html assets
var content embed.FS

// asset is one embedded static file.
type asset struct {
	name        string
	contentType string
	body        []byte
	version     string // short content hash, used as ?v= cache buster
	compress    bool

	gzOnce sync.Once
	gzBody []byte
}

var (
	assets   map[string]*asset
	pageTmpl *template.Template
)

func init() {
	assets = make(map[string]*asset)
	entries, err := fs.ReadDir(content, "assets")
	if err != nil {
		panic("playground: reading embedded assets: " + err.Error())
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		body, err := content.ReadFile("assets/" + e.Name())
		if err != nil {
			panic("playground: reading embedded asset: " + err.Error())
		}
		sum := sha256.Sum256(body)
		ct := contentType(e.Name())
		assets[e.Name()] = &asset{
			name:        e.Name(),
			contentType: ct,
			body:        body,
			version:     hex.EncodeToString(sum[:])[:16],
			compress:    len(body) > 1024,
		}
	}

	pageTmpl = template.Must(template.New("page.html").Funcs(template.FuncMap{
		"asset": assetURL,
	}).ParseFS(content, "page.html"))
}

// contentType returns the Content-Type for an embedded asset file name.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	default: // LICENSE-*.txt, SHA256SUMS
		return "text/plain; charset=utf-8"
	}
}

// assetURL returns the versioned URL of an embedded asset. It fails (and so
// makes template execution fail) for unknown assets.
func assetURL(name string) (string, error) {
	a, ok := assets[name]
	if !ok {
		return "", fs.ErrNotExist
	}
	return AssetsPath + a.name + "?v=" + a.version, nil
}

// gzipped returns the asset's body compressed with gzip, computing it once.
func (a *asset) gzipped() []byte {
	a.gzOnce.Do(func() {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(a.body)
		_ = zw.Close()
		a.gzBody = buf.Bytes()
	})
	return a.gzBody
}

type handler struct {
	title      string
	endpoint   string
	connectSrc string
}

// Handler returns an http.Handler for the GraphQL playground.
//
// It serves the GraphiQL page at "/" and its embedded assets under
// AssetsPath; every other path gets 404. The page's GraphiQL sends its
// queries as POST requests to endpoint, normally a same-origin path such as
// "/graphql" (DefaultEndpoint when empty). An absolute http(s) endpoint URL
// on another origin is added to the page's CSP connect-src. title is the
// HTML page title (DefaultTitle when empty).
func Handler(title, endpoint string) http.Handler {
	if title == "" {
		title = DefaultTitle
	}
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	h := &handler{title: title, endpoint: endpoint, connectSrc: "'self'"}
	if u, err := url.Parse(endpoint); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		h.connectSrc += " " + u.Scheme + "://" + u.Host
	}
	// Fail at construction rather than on the first request if the embedded
	// template does not render.
	if err := h.render(&bytes.Buffer{}, "nonce"); err != nil {
		panic("playground: rendering page: " + err.Error())
	}
	return h
}

func (h *handler) render(w *bytes.Buffer, nonce string) error {
	return pageTmpl.Execute(w, struct {
		Title, Endpoint, DefaultQuery, StyleNonce string
	}{h.title, h.endpoint, defaultQuery, nonce})
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	switch p := r.URL.Path; {
	case p == "/":
		if !allowGet(w, r) {
			return
		}
		h.servePage(w, r)
	case strings.HasPrefix(p, AssetsPath):
		a, ok := assets[strings.TrimPrefix(p, AssetsPath)]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if !allowGet(w, r) {
			return
		}
		serveAsset(w, r, a)
	default:
		http.NotFound(w, r)
	}
}

// allowGet answers 405 to anything but GET and HEAD and reports whether the
// request may go on.
func allowGet(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
	return false
}

func (h *handler) servePage(w http.ResponseWriter, r *http.Request) {
	nonce := rand.Text()
	var buf bytes.Buffer
	if err := h.render(&buf, nonce); err != nil {
		http.Error(w, "rendering playground page failed", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Security-Policy", "default-src 'none'; "+
		"script-src 'self'; "+
		"style-src 'self' 'nonce-"+nonce+"'; "+
		"img-src 'self' data:; "+
		"font-src 'self' data:; "+
		"connect-src "+h.connectSrc+"; "+
		"base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	if r.Method == http.MethodHead {
		hd.Set("Content-Length", strconv.Itoa(buf.Len()))
		w.WriteHeader(http.StatusOK)
		return
	}
	_, _ = w.Write(buf.Bytes())
}

func serveAsset(w http.ResponseWriter, r *http.Request, a *asset) {
	hd := w.Header()
	hd.Set("Content-Type", a.contentType)
	if r.URL.Query().Get("v") == a.version {
		// The URL names this exact content, so it can be cached for good.
		hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hd.Set("Cache-Control", "no-cache")
	}
	body, etag := a.body, `"`+a.version+`"`
	if a.compress {
		hd.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Values("Accept-Encoding")) {
			body, etag = a.gzipped(), `"`+a.version+`-gz"`
			hd.Set("Content-Encoding", "gzip")
		}
	}
	hd.Set("ETag", etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reports whether an Accept-Encoding header lists gzip (or *)
// without q=0.
func acceptsGzip(values []string) bool {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding != "gzip" && coding != "*" {
				continue
			}
			q := strings.ReplaceAll(strings.ToLower(params), " ", "")
			if q == "q=0" || strings.HasPrefix(q, "q=0.") && strings.Trim(q[len("q=0."):], "0") == "" {
				continue
			}
			return true
		}
	}
	return false
}
