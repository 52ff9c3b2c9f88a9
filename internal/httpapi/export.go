package httpapi

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/export"
)

// exportHandler serves the attacks a filter in the URL query matches in one export format, at most
// export.MaxFeatures of them; X-Athar-Truncated says whether there were more.
func exportHandler(x athar.Explorer, logger *slog.Logger, format export.Format) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		f, err := attackFilter(r.URL.Query())
		if err != nil {
			writeError(w, r, logger, err)
			return
		}
		features, more, err := x.AttackFeatures(ctx, f, export.MaxFeatures)
		if err != nil {
			writeError(w, r, logger, err)
			return
		}
		w.Header().Set("X-Athar-Truncated", strconv.FormatBool(more))
		w.Header().Set("Content-Type", format.ContentType)
		w.Header().Set("Content-Disposition", `attachment; filename="`+format.FileName+`"`)
		if err := format.Encode(w, features, more); err != nil {
			// The status is sent; the client most likely went away.
			logger.WarnContext(ctx, "export cut short", "request_id", RequestID(ctx), "format", format.Name, "err", err)
		}
	})
}
