package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/athar-project/athar/internal/athar"
)

// ImportFunc writes a bundle as `athar import` does (validated whole first; then in batches, one
// transaction and one change record each), or with dryRun only validates it against the database
// and counts what would change. It returns the import's summary, encoded as the answer's JSON.
type ImportFunc func(ctx context.Context, b *athar.Bundle, dryRun bool) (summary any, err error)

// DefaultMaxImportBytes is the largest bundle POST /import takes unless configured: 64 MiB holds
// some 100,000 records of an event dataset's release.
const DefaultMaxImportBytes = 64 << 20

// ConfigMaxImportBytes is the environment variable that sets it (Config.MaxImportBytes).
const ConfigMaxImportBytes = "ATHAR_MAX_IMPORT_BYTES"

// importHandler serves POST /import: the body is a bundle (JSON or NDJSON, docs/bundle-format.md),
// imported by the request's account, which must be an editor's or an admin's (or the single local
// user): an anonymous reader gets 401, a viewer 403. ?dryRun=true validates and counts only. The
// answer is the summary (200), or the problems, each naming its record and field (400), or a body
// over the limit (413, naming ATHAR_MAX_IMPORT_BYTES).
func importHandler(cfg Config) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if err := sameSiteBundle(r); err != nil {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(err.status)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": err.message, "parameter": err.parameter})
			return
		}
		p, _ := athar.PrincipalOf(ctx)
		switch {
		case p.Role.Allows(athar.RoleEditor):
		case p.Name == athar.AnonymousName || p.Name == "":
			w.Header().Set("WWW-Authenticate", `Bearer realm="athar"`)
			writeError(w, r, cfg.Logger, athar.Errorf(athar.EUNAUTHORIZED, "importing needs the token of an editor's account: send it as Authorization: Bearer <token>"))
			return
		default:
			writeError(w, r, cfg.Logger, athar.Errorf(athar.EFORBIDDEN, "importing needs an editor's or an admin's account; %s is a %s", p.Name, p.Role))
			return
		}
		dryRun := false
		if v := r.URL.Query().Get("dryRun"); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				writeError(w, r, cfg.Logger, athar.Invalid("dryRun", "must be true or false"))
				return
			}
			dryRun = b
		}
		if r.ContentLength > cfg.MaxImportBytes {
			writeImportTooLarge(w, r, cfg)
			return
		}
		b, err := athar.ReadBundleWith(http.MaxBytesReader(w, r.Body, cfg.MaxImportBytes), athar.ReadOptions{})
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			writeImportTooLarge(w, r, cfg)
			return
		case b == nil && err != nil:
			writeError(w, r, cfg.Logger, athar.Errorf(athar.EINVALID, "the bundle could not be read: the request body broke off"))
			return
		case err != nil:
			writeError(w, r, cfg.Logger, err)
			return
		}
		summary, err := cfg.Import(ctx, b, dryRun)
		if err != nil {
			writeError(w, r, cfg.Logger, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"dryRun": dryRun, "summary": summary})
	})
}

func writeImportTooLarge(w http.ResponseWriter, r *http.Request, cfg Config) {
	w.Header().Set("Connection", "close")
	writeJSON(w, http.StatusRequestEntityTooLarge, map[string]any{
		"error":   "the bundle is larger than the limit of " + strconv.FormatInt(cfg.MaxImportBytes, 10) + " bytes (" + ConfigMaxImportBytes + "); import it with athar import",
		"setting": ConfigMaxImportBytes,
	})
}

// refusal is a request refused before it is read: its status, what is wrong and the header at fault.
type refusal struct {
	status             int
	message, parameter string
}

// bundleTypes are the media types a bundle is sent as (docs/bundle-format.md).
var bundleTypes = []string{"application/json", "application/x-ndjson", "application/ndjson"}

// sameSiteBundle refuses what a page of another site could make a browser send to POST /import
// without asking Athar first (CSRF against an instance that needs no token, such as a single-user
// local one): a body of another media type than a bundle's (text/plain, a form; 415), and a
// request whose Origin is another site than the one it is sent to (403).
func sameSiteBundle(r *http.Request) *refusal {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	known := false
	for _, t := range bundleTypes {
		known = known || err == nil && mt == t
	}
	if !known {
		return &refusal{http.StatusUnsupportedMediaType, "a bundle is sent as Content-Type: application/json or application/x-ndjson", "Content-Type"}
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		u, err := url.Parse(origin)
		if err != nil || u.Host != r.Host {
			return &refusal{http.StatusForbidden, "an import from a page of another site is refused", "Origin"}
		}
	}
	return nil
}
