package resolvers

import (
	"context"
	"encoding/json"

	"github.com/athar-project/athar/graph/model"
	"github.com/athar-project/athar/internal/athar"
)

// attackClusters answers Query.attackClusters: the filter and the box checked (problems name
// "filter.…", "bbox.…" and "zoom"), then the store's clusters.
func attackClusters(ctx context.Context, x athar.Explorer, box athar.BBox, zoom int, filter *model.AttackFilter) ([]*athar.AttackCluster, error) {
	f, err := attackFilter(ctx, filter)
	if err != nil {
		return nil, err
	}
	if err := athar.CheckClusters(box, zoom); err != nil {
		return nil, err
	}
	cs, err := x.AttackClusters(ctx, f, box, zoom)
	if err != nil {
		return nil, err
	}
	return pointers(cs), nil
}

// clusterCount is how many clusters an attackClusters field may return, for the cost limit: the
// cells of the grid its box spans at its zoom (athar.ClusterCells), at most athar.MaxClusterCells
// (the field refuses a box of more); 1 when the box or the zoom cannot be read (the field refuses
// them too).
func clusterCount(args map[string]any) int {
	box, _ := args["bbox"].(map[string]any)
	zoom, ok := intArg(args["zoom"])
	if box == nil || !ok || zoom < 0 || zoom > athar.MaxClusterZoom {
		return 1
	}
	var b athar.BBox
	for _, c := range []struct {
		key string
		to  *float64
	}{{"south", &b.South}, {"west", &b.West}, {"north", &b.North}, {"east", &b.East}} {
		v, ok := floatArg(box[c.key])
		if !ok {
			return 1
		}
		*c.to = v
	}
	return min(athar.ClusterCells(b, zoom), athar.MaxClusterCells)
}

// floatArg reads a Float argument, which may come as a float or an integer, Go's or JSON's.
func floatArg(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	if n, ok := intArg(v); ok {
		return float64(n), true
	}
	return 0, false
}
