package neo4jstore

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/athar"
)

// bboxFilter matches the attacks whose mapped point lies within the box $bboxLL–$bboxUR (edges
// included), from the point indexes of attacks, facilities and places (mappedPointFilter).
func bboxFilter() filter {
	return mappedPointFilter(true, func(v string) string {
		return fmt.Sprintf("point.withinBBox(%s, $bboxLL, $bboxUR)", v)
	})
}

// attackClustersQuery builds the query of AttackClusters: the attacks f matches whose mapped point
// is in the box, grouped by the cell of the grid of side $cell degrees that holds the point.
//
// Without a text, it starts from the box (mappedInBox), which binds each attack in it with its
// mapped point, and checks f's other filters on the attack. A text's full-text lookup comes first
// (attackScope), and the kept point of each attack it finds is read then (storedMapped).
func attackClustersQuery(f athar.AttackFilter, box athar.BBox, zoom int) (string, map[string]any) {
	var q string
	var params map[string]any
	if f.Text != "" {
		sc := attackScope(f, athar.OrderDateAsc, bboxFilter())
		q, params = sc.cypher+storedMapped("a", "loc")+"\nWITH a, loc.p AS p, loc.precision AS prec WHERE p IS NOT NULL\n", sc.params
	} else {
		filters, p := attackFilters(f)
		var checks []string
		for _, x := range filters {
			if x.on {
				checks = append(checks, x.check("a"))
			}
		}
		q, params = mappedInBox+"WITH a, p, prec", p
		if len(checks) > 0 {
			q += " WHERE " + strings.Join(checks, "\n  AND ")
		}
		q += "\n"
	}
	params["bboxLL"] = neo4j.Point2D{X: box.West, Y: box.South, SpatialRefId: 4326}
	params["bboxUR"] = neo4j.Point2D{X: box.East, Y: box.North, SpatialRefId: 4326}
	params["cell"] = athar.ClusterCellDegrees(zoom)
	return q + `WITH a, p, prec WHERE point.withinBBox(p, $bboxLL, $bboxUR)
WITH a, p, prec, toInteger(floor(p.x / $cell)) AS cx, toInteger(floor(p.y / $cell)) AS cy
WITH cx, cy, count(a) AS n, avg(p.y) AS lat, avg(p.x) AS lon, sum(coalesce(a.killedHigh§, 0)) AS killed,
     sum(CASE WHEN prec = 'EXACT' THEN 1 ELSE 0 END) AS exact, min(a.id) AS first
RETURN n, lat, lon, killed, exact, CASE WHEN n = 1 THEN first END AS id`, params
}

// mappedInBox binds a to each attack whose mapped point (mapPoint, kept by refreshMapped) is in the
// box $bboxLL–$bboxUR, p to that point and prec to its precision, one row per attack, from the point
// index on mapPoint.
const mappedInBox = `MATCH (a:Attack) WHERE point.withinBBox(a.mapPoint, $bboxLL, $bboxUR)
WITH a, a.mapPoint AS p, a.mapPrecision AS prec
`

// AttackClusters implements athar.MapClusters.
func (s *Store) AttackClusters(ctx context.Context, f athar.AttackFilter, box athar.BBox, zoom int) ([]athar.AttackCluster, error) {
	q, params := attackClustersQuery(f, box, zoom)
	recs, err := s.read(ctx, q, params)
	if err != nil {
		return nil, err
	}
	out := make([]athar.AttackCluster, 0, len(recs))
	for _, rec := range recs {
		m := rowOf(rec)
		c := athar.AttackCluster{
			Count:      int(field[int64](m, "n")),
			Latitude:   field[float64](m, "lat"),
			Longitude:  field[float64](m, "lon"),
			KilledHigh: int(min(field[int64](m, "killed"), math.MaxInt32)),
			Exact:      int(field[int64](m, "exact")),
		}
		if id, ok := m["id"].(string); ok {
			c.AttackID = &id
		}
		out = append(out, c)
	}
	return out, nil
}
