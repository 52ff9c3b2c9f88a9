package athar

import (
	"context"
	"math"
)

// This file holds the map's server-side clustering (issue 13): the attacks whose mapped point
// (MappedLocation) lies in a box, grouped by the cells of a grid whose size follows the map's zoom,
// so that a map of 100,000 attacks receives a few hundred clusters rather than every point.

// BBox is a box on the map in WGS84 degrees: South and North are latitudes (-90 to 90, South not
// above North), West and East longitudes (-180 to 180, West not east of East; a box across the
// antimeridian is two boxes).
type BBox struct {
	South float64 `json:"south"`
	West  float64 `json:"west"`
	North float64 `json:"north"`
	East  float64 `json:"east"`
}

// AttackCluster is the attacks of one cell of the grid: how many, the mean of their mapped points
// (degrees), the sum of their highest killed figures (each attack's killedHigh, 0 for one with
// none, saturating at MaxInt32 as the timeline's sums do), how many of them are mapped at an EXACT
// point, and, when the cell holds one attack, its id.
type AttackCluster struct {
	Count      int     `json:"count"`
	Latitude   float64 `json:"latitude"`
	Longitude  float64 `json:"longitude"`
	KilledHigh int     `json:"killedHigh"`
	Exact      int     `json:"exact"`
	AttackID   *string `json:"attackId"`
}

// MapClusters groups the attacks on a map.
type MapClusters interface {
	// AttackClusters returns the clusters of the attacks f matches whose mapped point lies in box
	// (edges included), on the grid of zoom (ClusterCellDegrees), in no set order. The caller
	// checks box and zoom (CheckClusters). Errors: EUNAVAILABLE.
	AttackClusters(ctx context.Context, f AttackFilter, box BBox, zoom int) ([]AttackCluster, error)
}

// MaxClusterZoom is the deepest zoom the clusters take: web maps' tiles go to about 22, where a
// cell is a few metres.
const MaxClusterZoom = 22

// MaxClusterCells is the most cells of the grid a box may span: a full-screen map spans a few
// hundred (a 1920×1080 window at 64-pixel cells, 510), so 4,096 leaves room for larger screens,
// bounds an answer's size, and keeps a request of every field of every cluster (6 × 4,096 plus its
// round trip) within the default cost limit (resolvers.DefaultComplexityLimit, 50,000).
const MaxClusterCells = 4096

// ClusterCellDegrees is the side of a cell of the grid at zoom, in degrees of longitude and of
// latitude: a quarter of a web map tile's width, 360/2^(zoom+2) (64 pixels of a 256-pixel tile).
// Latitude is cut in the same degrees, so cells are taller on screen away from the equator
// (Web Mercator stretches latitude): near Syria, at about 35°N, by about a fifth.
func ClusterCellDegrees(zoom int) float64 {
	return 360 / math.Exp2(float64(zoom+2))
}

// ClusterCells returns how many cells of the grid of zoom the box spans (at most MaxInt32, for a
// box too large for the grid): the columns its longitudes span times the rows its latitudes span.
// The cost limit counts a query's clusters by it.
func ClusterCells(box BBox, zoom int) int {
	size := ClusterCellDegrees(zoom)
	cols := math.Floor(box.East/size) - math.Floor(box.West/size) + 1
	rows := math.Floor(box.North/size) - math.Floor(box.South/size) + 1
	n := cols * rows
	if math.IsNaN(n) || n < 1 {
		return 1
	}
	if n > math.MaxInt32 {
		return math.MaxInt32
	}
	return int(n)
}

// CheckClusters checks a request of clusters: finite coordinates within their ranges, South not
// above North, West not east of East, zoom from 0 to MaxClusterZoom, and a box spanning at most
// MaxClusterCells cells at that zoom. Problems name "bbox.south" … and "zoom".
func CheckClusters(box BBox, zoom int) error {
	var p Problems
	for _, c := range []struct {
		field string
		v     float64
		limit float64
	}{{"bbox.south", box.South, 90}, {"bbox.west", box.West, 180}, {"bbox.north", box.North, 90}, {"bbox.east", box.East, 180}} {
		if math.IsNaN(c.v) || math.IsInf(c.v, 0) || c.v < -c.limit || c.v > c.limit {
			p.Add(c.field, "must be a number from %v to %v", -c.limit, c.limit)
		}
	}
	if len(p) == 0 {
		if box.South > box.North {
			p.Add("bbox.north", "must not be below bbox.south")
		}
		if box.West > box.East {
			p.Add("bbox.east", "must not be west of bbox.west (split a box across the antimeridian in two)")
		}
	}
	if zoom < 0 || zoom > MaxClusterZoom {
		p.Add("zoom", "must be from 0 to %d", MaxClusterZoom)
	} else if len(p) == 0 {
		if n := ClusterCells(box, zoom); n > MaxClusterCells {
			p.Add("bbox", "spans %d cells at zoom %d, more than %d: zoom out, or ask for a smaller box", n, zoom, MaxClusterCells)
		}
	}
	return p.Err()
}
