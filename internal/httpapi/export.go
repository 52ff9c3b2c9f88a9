package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/export"
)

// exportHandler serves every attack a filter in the URL query matches, in one export format. It
// reads the store a page of pageSize attacks at a time (each read bounded by queryTimeout) and
// writes and flushes each page before reading the next, so that an export of any size holds one
// page in memory and the client sees rows as they come. The whole export is bounded by the
// request's deadline (exportTimeout, set by NewServer), and the connection's write deadline is
// moved to match it.
//
// Problems found before the first byte (a bad parameter, a database that does not answer) get a
// status and a JSON body naming the parameter. A failure once rows have been sent cannot change
// the status: the transfer is broken off (the client sees an incomplete chunked response, not a
// file that looks whole) and the failure logged.
func exportHandler(x athar.Explorer, cfg Config, format export.Format) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		q := r.URL.Query()
		opts, err := exportOptions(q, format)
		if err != nil {
			writeError(w, r, cfg.Logger, err)
			return
		}
		f, err := attackFilter(q)
		if err != nil {
			writeError(w, r, cfg.Logger, err)
			return
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

// exportOptions reads the parameters of the format beyond the filter: excel (CSV only; true or
// false, 1 or 0). Errors: EINVALID naming the parameter.
func exportOptions(q map[string][]string, format export.Format) (export.Options, error) {
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
