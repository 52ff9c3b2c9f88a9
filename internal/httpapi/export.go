package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/export"
)

// exportHandler serves every attack a filter in the URL query matches, in one export format. It
// reads the store a page of pageSize attacks at a time (each read bounded by queryTimeout) and
// writes and flushes each page before reading the next, so that an export of any size holds one
// page in memory and the client sees rows as they come. The whole export is bounded by the
// request's deadline (exportTimeout, set by NewServer), and the connection's write deadline is
// moved to match it. The export is recorded (Config.Changes: who, when, which, its parameters)
// once its parameters are checked and before its first row is read; an export that cannot be
// recorded is not sent.
//
// Problems found before the first byte (a bad parameter, a database that does not answer) get a
// status and a JSON body naming the parameter. A failure once rows have been sent cannot change
// the status: the transfer is broken off (the client sees an incomplete chunked response, not a
// file that looks whole) and the failure logged.
func exportHandler(x athar.Explorer, cfg Config, format export.Format) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		f, opts, err := ParseExportQuery(r.URL.RawQuery, format)
		if err != nil {
			writeError(w, r, cfg.Logger, err)
			return
		}
		if cfg.Changes != nil {
			if err := cfg.Changes.RecordExport(ctx, format.FileName, exportFilterJSON(r.URL.Query())); err != nil {
				writeError(w, r, cfg.Logger, err)
				return
			}
		}
		if deadline, ok := ctx.Deadline(); ok {
			// The server's write timeout suits a GraphQL answer, not a long export.
			_ = http.NewResponseController(w).SetWriteDeadline(deadline.Add(10 * time.Second))
		}
		var enc export.Encoder
		var after *athar.FeatureCursor
		rows := 0
		for {
			page, more, err := readExportPage(ctx, x, f, after, cfg.ExportPageSize, cfg.QueryTimeout)
			if err != nil {
				if enc == nil {
					writeError(w, r, cfg.Logger, err)
					return
				}
				cfg.Logger.WarnContext(ctx, "export cut short", "request_id", RequestID(ctx), "format", format.Name,
					"rows", rows, "err", err)
				panic(http.ErrAbortHandler)
			}
			if enc == nil {
				w.Header().Set("Content-Type", format.ContentType)
				w.Header().Set("Content-Disposition", `attachment; filename="`+format.FileName+`"`)
				enc = format.NewEncoder(w, opts)
			}
			if err := enc.Write(page); err != nil {
				// The client went away: nothing to answer, and no failure of Athar's.
				cfg.Logger.InfoContext(ctx, "export not read to its end", "request_id", RequestID(ctx), "format", format.Name, "rows", rows)
				return
			}
			rows += len(page)
			_ = http.NewResponseController(w).Flush()
			if !more || len(page) == 0 {
				break
			}
			after = page[len(page)-1].Cursor()
		}
		if err := enc.Close(); err != nil {
			cfg.Logger.InfoContext(ctx, "export not read to its end", "request_id", RequestID(ctx), "format", format.Name, "rows", rows)
		}
	})
}

// readExportPage reads one page of an export within its own deadline, what is left of the export's
// or queryTimeout, whichever ends first, so that one slow page fails as a query would.
func readExportPage(ctx context.Context, x athar.Explorer, f athar.AttackFilter, after *athar.FeatureCursor, size int,
	queryTimeout time.Duration) ([]athar.AttackFeature, bool, error) {
	pctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	return x.AttackFeatures(pctx, f, after, size)
}

// ParseExportQuery reads the URL query of an export in format (rawQuery, without its "?"): the
// attack filter (attackFilter) and the format's own parameters (exportOptions). A query that is
// not well formed is refused whole rather than read in part, as net/http's Request.URL.Query
// would: dropping a pair it cannot read (or every pair, beyond net/url's limit of 10,000) would
// widen the export. Errors: EINVALID naming the parameter at fault, a parameter neither knows
// among them (checkParameters), or no parameter for a malformed query; the exports answer them
// with 400.
func ParseExportQuery(rawQuery string, format export.Format) (athar.AttackFilter, export.Options, error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return athar.AttackFilter{}, export.Options{}, athar.Invalid("",
			"the query string is not well formed: want name=value pairs joined by &, each %% followed by two hex digits, at most 10,000 pairs")
	}
	opts, err := exportOptions(q, format)
	if err != nil {
		return athar.AttackFilter{}, opts, err
	}
	f, err := attackFilter(q)
	return f, opts, err
}

// exportOptions reads the parameters of the format beyond the filter: excel (CSV only; true or
// false, 1 or 0). Errors: EINVALID naming the parameter.
func exportOptions(q url.Values, format export.Format) (export.Options, error) {
	var o export.Options
	if err := checkParameters(q, format.Params); err != nil {
		return o, err
	}
	if vs, ok := q["excel"]; ok {
		switch vs[0] {
		case "true", "1", "":
			o.Excel = true
		case "false", "0":
		default:
			return o, athar.Invalid("excel", "is true or false")
		}
	}
	return o, nil
}

// exportFilterJSON is an export's query parameters as a JSON object (each a list of the values
// given), for its change record.
func exportFilterJSON(q url.Values) string {
	b, err := json.Marshal(q)
	if err != nil || len(q) == 0 {
		return "{}"
	}
	return string(b)
}
