package neo4jstore

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/athar-project/athar/internal/athar"
)

// Access levels in the graph. Every Source and Claim node keeps its effective rank (accessRank:
// athar.AccessLevel.Rank of its own level, and for a claim the higher of its own and its
// source's), and labels that say who may read it: ReadPublic on rank 0, ReadRestricted on ranks 0
// and 1. Each write of sources or claims sets them in its transaction (rankQueries); a source's
// change of level re-ranks its claims there too. An attack is ranked and labelled the same way, at
// the lowest rank of its claims (public when it has none), by the refresh every write of its
// claims runs (refreshAttacksQuery): an attack only hidden claims tell of is hidden with them.
//
// Reads are made to see only what their reader may, in one place (readerView): every query a read
// helper (read, readTx) runs is rewritten for the request's clearance, so that a query cannot
// forget it. Below confidential clearance, a node pattern or label check on :Claim, :Source or
// :Attack becomes :Claim&ReadPublic (or &ReadRestricted), one on :Entity (a lookup by id alone)
// excludes claims, sources and attacks without the label, the full-text index read is the one of the reader's level
// (whose scores are computed over the visible texts only), and the casualty figures kept on each
// attack (killedLow, killedHigh, killedSort, killedCountedLow, killedCountedHigh) are read from
// the copies computed from the visible claims only (refreshAttacksQuery). Every read also has the
// parameter $clearance (the reader's rank), for the queries that test accessRank themselves. A
// label written quoted (:`Attack`) is left as it is: a query that must read past the rewrite (a
// count from Neo4j's count store, which counts one label alone, less the hidden ones by accessRank)
// says so that way, and tests accessRank against $clearance itself.
const (
	labelReadPublic     = "ReadPublic"
	labelReadRestricted = "ReadRestricted"
)

// The full-text indexes of the levels below confidential: over the same texts as searchIndex, of
// the nodes a reader of the level may see.
const (
	searchIndexPublic     = "search_folded_public"
	searchIndexRestricted = "search_folded_restricted"
)

// figureMark follows the name of each casualty figure kept on an attack in a read query
// (a.killedHigh§): readerView replaces it with the suffix of the reader's copy (figureSuffix). A
// query that is not rewritten fails to parse instead of reading another reader's figures.
const figureMark = "§"

// figureSuffix is the suffix, by clearance rank, of the copies of the figures an attack keeps.
var figureSuffix = [3]string{"Public", "Restricted", ""}

// visibleLabel is the label of the nodes a reader of each rank below confidential may see.
var visibleLabel = [2]string{labelReadPublic, labelReadRestricted}

// figure is the read of the figure name kept on the attack in v, for readerView to name the
// reader's copy: figure("a", "killedHigh") is a.killedHigh§.
func figure(v, name string) string { return v + "." + name + figureMark }

// figureOf is the name of the reader's copy of the figure name, for a figure read from a map of
// the attack's properties.
func figureOf(ctx context.Context, name string) string {
	return name + figureSuffix[athar.ClearanceOf(ctx).Rank()]
}

var labelUse = regexp.MustCompile(`:(Claim|Source|Attack|Entity)\b(\()?`)

// readerView returns query and params as the reader of ctx may run them (see the comment at the
// top of this file). params is copied, never changed.
func readerView(ctx context.Context, query string, params map[string]any) (string, map[string]any) {
	rank := athar.ClearanceOf(ctx).Rank()
	p := make(map[string]any, len(params)+1)
	for k, v := range params {
		p[k] = v
	}
	p["clearance"] = int64(rank)
	query = strings.ReplaceAll(query, figureMark, figureSuffix[rank])
	if rank >= 2 {
		return query, p
	}
	label := visibleLabel[rank]
	query = labelUse.ReplaceAllStringFunc(query, func(m string) string {
		if strings.HasSuffix(m, "(") {
			return m // USING INDEX c:Claim(id): the index, not a pattern
		}
		if m == ":Entity" {
			return fmt.Sprintf(":Entity&(%s|!(Claim|Source|Attack))", label)
		}
		return m + "&" + label
	})
	index := searchIndexPublic
	if rank == 1 {
		index = searchIndexRestricted
	}
	query = strings.ReplaceAll(query, "'"+searchIndex+"'", "'"+index+"'")
	return query, p
}

// viewingTx is a read transaction whose queries readerView rewrites for the reader of ctx.
type viewingTx struct {
	neo4j.ManagedTransaction
	ctx context.Context
}

// Run implements neo4j.ManagedTransaction.
func (t viewingTx) Run(ctx context.Context, query string, params map[string]any) (neo4j.ResultWithContext, error) {
	q, p := readerView(t.ctx, query, params)
	return t.ManagedTransaction.Run(ctx, q, p)
}

// rankCase is the rank of the access level in the property accessLevel of v.
func rankCase(v string) string {
	return fmt.Sprintf("CASE %s.accessLevel WHEN '%s' THEN 1 WHEN '%s' THEN 2 ELSE 0 END", v, athar.Restricted, athar.Confidential)
}

// setRankLabels sets the labels of the node v from its rank r.
func setRankLabels(v, r string) string {
	return fmt.Sprintf(`FOREACH (_ IN CASE WHEN %[2]s = 0 THEN [1] ELSE [] END | SET %[1]s:%[3]s)
FOREACH (_ IN CASE WHEN %[2]s > 0 THEN [1] ELSE [] END | REMOVE %[1]s:%[3]s)
FOREACH (_ IN CASE WHEN %[2]s <= 1 THEN [1] ELSE [] END | SET %[1]s:%[4]s)
FOREACH (_ IN CASE WHEN %[2]s > 1 THEN [1] ELSE [] END | REMOVE %[1]s:%[4]s)`, v, r, labelReadPublic, labelReadRestricted)
}

// rankSourcesQuery ranks the sources of $ids and the claims read in them, and returns the ids of
// the attacks those claims are about, whose figures depend on who may read the claims.
var rankSourcesQuery = fmt.Sprintf(`UNWIND $ids AS id
MATCH (s:Source {id: id})
WITH s, %[1]s AS r
SET s.accessRank = r
%[2]s
WITH s, r
OPTIONAL MATCH (s)<-[:%[3]s]-(c:Claim)
WITH c, r WHERE c IS NOT NULL
WITH c, CASE WHEN r > %[4]s THEN r ELSE %[4]s END AS cr
SET c.accessRank = cr
%[5]s
WITH c
MATCH (c)-[:%[6]s]->(a:Attack)
RETURN DISTINCT a.id AS id`, rankCase("s"), setRankLabels("s", "r"), relReportedIn, rankCase("c"), setRankLabels("c", "cr"), relAbout)

// rankClaimsQuery ranks the claims of $ids: the higher of their own level and their source's.
var rankClaimsQuery = fmt.Sprintf(`UNWIND $ids AS id
MATCH (c:Claim {id: id})
OPTIONAL MATCH (c)-[:%[1]s]->(s:Source)
WITH c, %[2]s AS own, coalesce(s.accessRank, 0) AS sr
WITH c, CASE WHEN sr > own THEN sr ELSE own END AS cr
SET c.accessRank = cr
%[3]s`, relReportedIn, rankCase("c"), setRankLabels("c", "cr"))

// rank sets the ranks and labels of the sources or claims of ids, written in tx (see the comment
// at the top of this file), and returns the attacks whose figures the ranks of sources' claims
// change.
func rank(ctx context.Context, tx neo4j.ManagedTransaction, t athar.EntityType, ids []string) ([]string, error) {
	switch t {
	case athar.TypeSource:
		recs, err := collect(ctx, tx, rankSourcesQuery, map[string]any{"ids": ids})
		if err != nil {
			return nil, err
		}
		var attacks []string
		for _, rec := range recs {
			if id := str(rowOf(rec), "id"); id != "" {
				attacks = append(attacks, id)
			}
		}
		return attacks, nil
	case athar.TypeClaim:
		_, err := collect(ctx, tx, rankClaimsQuery, map[string]any{"ids": ids})
		return nil, err
	}
	return nil, nil
}

// hiddenIDs returns those of ids that name a source or claim the reader of ctx may not see,
// read in tx: a write names them as if they did not exist.
func hiddenIDs(ctx context.Context, tx neo4j.ManagedTransaction, ids []string) ([]string, error) {
	if athar.ClearanceOf(ctx).Rank() >= 2 || len(ids) == 0 {
		return nil, nil
	}
	recs, err := collect(ctx, tx, "UNWIND $ids AS id MATCH (n:Entity {id: id}) WHERE n.accessRank > $clearance RETURN n.id AS id",
		map[string]any{"ids": ids, "clearance": int64(athar.ClearanceOf(ctx).Rank())})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, rec := range recs {
		out = append(out, str(rowOf(rec), "id"))
	}
	return out, nil
}

// keepUnseen keeps, in an import's records of existing sources and claims (those state names
// "updated"), what their importer may not see and so could not give: a source's citations of
// sources above their clearance, and, below the identities clearance, a source's author and a
// claim's protectedText where the record gives none. A record replaces the entity it names, and
// an importer must not erase, unknowing, what was kept from them (an export made for them leaves
// those out).
func keepUnseen(ctx context.Context, tx neo4j.ManagedTransaction, t athar.EntityType, es []athar.Entity, state map[string]string) error {
	identities := athar.IdentitiesVisible(ctx)
	if (t != athar.TypeSource && t != athar.TypeClaim) || (identities && athar.ClearanceOf(ctx).Rank() >= 2) {
		return nil
	}
	var ids []string
	for _, e := range es {
		if state[e.EntityID()] == "updated" {
			ids = append(ids, e.EntityID())
		}
	}
	if len(ids) == 0 {
		return nil
	}
	current, err := getTx(ctx, tx, t, ids)
	if err != nil {
		return err
	}
	was := map[string]athar.Entity{}
	for _, e := range current {
		was[e.EntityID()] = e
	}
	for _, e := range es {
		before, ok := was[e.EntityID()]
		if !ok {
			continue
		}
		switch x := e.(type) {
		case *athar.Source:
			b := before.(*athar.Source)
			if !identities && x.Author == "" {
				x.Author = b.Author
			}
			if err := keepHiddenCitations(ctx, tx, b, x); err != nil {
				return err
			}
		case *athar.Claim:
			if b := before.(*athar.Claim); !identities && x.ProtectedText == "" {
				x.ProtectedText = b.ProtectedText
			}
		}
	}
	return nil
}
