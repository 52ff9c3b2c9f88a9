package neo4jstore

// migrations are every change Athar has made to a database's schema and data, in the order they
// apply. Append a new migration with the next version; never edit or reorder one that has shipped: a
// database that recorded it will not run it again. A changed index is a new migration that drops the
// old one (DROP INDEX name IF EXISTS) and creates the new one under a new name; a changed rule is a
// new migration whose backfill rewrites the data it affects. Every query runs unchanged on Neo4j
// Community and Enterprise 5.26.
var migrations = []migration{
	{
		// The schema of the releases before versioned migrations: a unique id on every label, and an
		// index behind every lookup and sort the queries make. A database those releases created
		// already has all of it, so there every statement is a no-op and the migration is only
		// recorded.
		version: 1,
		name:    "initial schema",
		schema: []string{
			"CREATE CONSTRAINT place_id IF NOT EXISTS FOR (n:Place) REQUIRE n.id IS UNIQUE",
			"CREATE CONSTRAINT actor_id IF NOT EXISTS FOR (n:Actor) REQUIRE n.id IS UNIQUE",
			"CREATE CONSTRAINT facility_id IF NOT EXISTS FOR (n:Facility) REQUIRE n.id IS UNIQUE",
			"CREATE CONSTRAINT source_id IF NOT EXISTS FOR (n:Source) REQUIRE n.id IS UNIQUE",
			"CREATE CONSTRAINT event_id IF NOT EXISTS FOR (n:Event) REQUIRE n.id IS UNIQUE",
			"CREATE CONSTRAINT attack_id IF NOT EXISTS FOR (n:Attack) REQUIRE n.id IS UNIQUE",
			"CREATE CONSTRAINT claim_id IF NOT EXISTS FOR (n:Claim) REQUIRE n.id IS UNIQUE",
			"CREATE CONSTRAINT year_id IF NOT EXISTS FOR (n:Year) REQUIRE n.id IS UNIQUE",
			"CREATE CONSTRAINT month_id IF NOT EXISTS FOR (n:Month) REQUIRE n.id IS UNIQUE",
			"CREATE CONSTRAINT day_id IF NOT EXISTS FOR (n:Day) REQUIRE n.id IS UNIQUE",
			"CREATE CONSTRAINT timenode_id IF NOT EXISTS FOR (n:TimeNode) REQUIRE n.id IS UNIQUE",
			"CREATE RANGE INDEX attack_start IF NOT EXISTS FOR (n:Attack) ON (n.startDate)",
			"CREATE RANGE INDEX attack_end IF NOT EXISTS FOR (n:Attack) ON (n.endDate)",
			"CREATE RANGE INDEX event_start IF NOT EXISTS FOR (n:Event) ON (n.startDate)",
			"CREATE RANGE INDEX facility_type IF NOT EXISTS FOR (n:Facility) ON (n.type)",
			"CREATE RANGE INDEX place_kind IF NOT EXISTS FOR (n:Place) ON (n.kind)",
			"CREATE RANGE INDEX claim_kind IF NOT EXISTS FOR (n:Claim) ON (n.kind)",
			"CREATE RANGE INDEX day_date IF NOT EXISTS FOR (n:Day) ON (n.date)",
			// Every node of the graph carries :Entity with a unique id, so that a lookup by id alone (a
			// network view's neighbourhood) is an index seek whatever the node's kind.
			"CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE",
			"CREATE CONSTRAINT weapon_id IF NOT EXISTS FOR (n:Weapon) REQUIRE n.id IS UNIQUE",
			"CREATE CONSTRAINT attacktype_id IF NOT EXISTS FOR (n:AttackType) REQUIRE n.id IS UNIQUE",
			"CREATE RANGE INDEX attack_killed_high IF NOT EXISTS FOR (n:Attack) ON (n.killedHigh)",
			"CREATE RANGE INDEX attack_killed_sort IF NOT EXISTS FOR (n:Attack) ON (n.killedSort)",
			"CREATE RANGE INDEX facility_name IF NOT EXISTS FOR (n:Facility) ON (n.name)",
			"CREATE RANGE INDEX place_name IF NOT EXISTS FOR (n:Place) ON (n.name)",
			"CREATE RANGE INDEX actor_name IF NOT EXISTS FOR (n:Actor) ON (n.name)",
			"CREATE RANGE INDEX actor_kind IF NOT EXISTS FOR (n:Actor) ON (n.kind)",
			"CREATE RANGE INDEX source_title IF NOT EXISTS FOR (n:Source) ON (n.title)",
			"CREATE RANGE INDEX source_kind IF NOT EXISTS FOR (n:Source) ON (n.kind)",
			"CREATE POINT INDEX facility_location IF NOT EXISTS FOR (n:Facility) ON (n.location)",
			"CREATE POINT INDEX place_location IF NOT EXISTS FOR (n:Place) ON (n.location)",
			// One full-text index over every text a user may search: names and their aliases, titles,
			// summaries, and the words of claims.
			"CREATE FULLTEXT INDEX search_text IF NOT EXISTS FOR (n:Facility|Place|Actor|Source|Event|Attack|Claim) " +
				"ON EACH [n.name, n.aliasText, n.title, n.summary, n.description, n.quote, n.text]",
		},
	},
	{
		// A claim's figures are low, best and high, as UCDP's estimates are (the API and the bundle
		// format say so from version 2 on): a claim's min and max become its low and high. Its
		// content hash goes, since the claim's description changed its words: the next import of
		// an unchanged file rewrites each such claim once, and then knows it again. It touches only
		// claims that still have a min or a max, so it is safe to run again.
		version: 2,
		name:    "figures as low, best and high",
		batched: []string{`
MATCH (c:Claim)
WHERE c.killedMin IS NOT NULL OR c.killedMax IS NOT NULL
   OR c.childrenKilledMin IS NOT NULL OR c.childrenKilledMax IS NOT NULL
   OR c.injuredMin IS NOT NULL OR c.injuredMax IS NOT NULL
CALL (c) {
  SET c.killedLow = c.killedMin, c.killedHigh = c.killedMax,
      c.childrenKilledLow = c.childrenKilledMin, c.childrenKilledHigh = c.childrenKilledMax,
      c.injuredLow = c.injuredMin, c.injuredHigh = c.injuredMax
  REMOVE c.killedMin, c.killedMax, c.childrenKilledMin, c.childrenKilledMax, c.injuredMin, c.injuredMax,
      c.contentHash
} IN TRANSACTIONS OF 2000 ROWS`},
	},
	{
		// Text as people write it (athar.SearchKey): every searched text is also kept folded, and the
		// full-text index reads the folded copies, so that مدرسة النور finds مَدْرَسَةُ النُّورِ and "Ecole"
		// finds "École". The old index, over the texts as given, is dropped; the analyzer is named,
		// so that a server whose default differs indexes the same way. The folded names of the types
		// with an identity (athar.IdentityOf) are range-indexed for the check of duplicates, whose
		// creates take turns on one AtharLock node per type. The backfill folds every entity's texts
		// in batches and removes aliasText, the joined aliases the old index read; it recomputes
		// from the texts as given, so it is safe to run again.
		version: 3,
		name:    "folded search text",
		schema: []string{
			"DROP INDEX search_text IF EXISTS",
			"CREATE FULLTEXT INDEX search_folded IF NOT EXISTS FOR (n:Facility|Place|Actor|Source|Event|Attack|Claim) " +
				"ON EACH [n.nameFolded, n.aliasTextFolded, n.titleFolded, n.summaryFolded, n.descriptionFolded, n.quoteFolded, n.textFolded] " +
				"OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-no-stop-words', `fulltext.eventually_consistent`: false}}",
			"CREATE RANGE INDEX facility_name_folded IF NOT EXISTS FOR (n:Facility) ON (n.nameFolded)",
			"CREATE RANGE INDEX place_name_folded IF NOT EXISTS FOR (n:Place) ON (n.nameFolded)",
			"CREATE RANGE INDEX actor_name_folded IF NOT EXISTS FOR (n:Actor) ON (n.nameFolded)",
			"CREATE CONSTRAINT athar_lock_id IF NOT EXISTS FOR (l:AtharLock) REQUIRE l.id IS UNIQUE",
		},
		rewrite: refoldTexts,
	},
	{
		// Event datasets beside curated records (issue 10): a unique id on datasets; the lookups
		// of a dataset's records by their id there (externalId) and of those a release left out
		// (withdrawnIn); a dataset's records are found from its node, through the relationships
		// of their datasetId. The matches of a dataset's places and actors to shared nodes
		// (MATCHED) are looked up by the dataset's record id, and the attack's own point serves
		// distance filters that need no facility.
		version: 4,
		name:    "datasets",
		schema: []string{
			"CREATE CONSTRAINT dataset_id IF NOT EXISTS FOR (n:Dataset) REQUIRE n.id IS UNIQUE",
			"CREATE RANGE INDEX attack_external IF NOT EXISTS FOR (n:Attack) ON (n.externalId)",
			"CREATE RANGE INDEX claim_external IF NOT EXISTS FOR (n:Claim) ON (n.externalId)",
			"CREATE RANGE INDEX source_external IF NOT EXISTS FOR (n:Source) ON (n.externalId)",
			"CREATE RANGE INDEX event_external IF NOT EXISTS FOR (n:Event) ON (n.externalId)",
			"CREATE RANGE INDEX facility_external IF NOT EXISTS FOR (n:Facility) ON (n.externalId)",
			"CREATE RANGE INDEX attack_withdrawn IF NOT EXISTS FOR (n:Attack) ON (n.withdrawnIn)",
			"CREATE RANGE INDEX claim_withdrawn IF NOT EXISTS FOR (n:Claim) ON (n.withdrawnIn)",
			"CREATE RANGE INDEX matched_record IF NOT EXISTS FOR ()-[r:MATCHED]-() ON (r.recordId)",
			"CREATE POINT INDEX attack_location IF NOT EXISTS FOR (n:Attack) ON (n.location)",
		},
	},
	{
		// Accounts and change records (issue 12): an account is found by its unique name and by
		// the public id of its token (unique, the index every authenticated request uses); a
		// change record by its unique id (which sorts by time), by the entity it is about
		// (history), and by when and by whom it was made (changes).
		version: 5,
		name:    "accounts and changes",
		schema: []string{
			"CREATE CONSTRAINT account_name IF NOT EXISTS FOR (a:Account) REQUIRE a.name IS UNIQUE",
			"CREATE CONSTRAINT account_token IF NOT EXISTS FOR (a:Account) REQUIRE a.tokenId IS UNIQUE",
			"CREATE CONSTRAINT change_id IF NOT EXISTS FOR (c:Change) REQUIRE c.id IS UNIQUE",
			"CREATE RANGE INDEX change_entity IF NOT EXISTS FOR (c:Change) ON (c.entityId)",
			"CREATE RANGE INDEX change_at IF NOT EXISTS FOR (c:Change) ON (c.at)",
			"CREATE RANGE INDEX change_by IF NOT EXISTS FOR (c:Change) ON (c.by)",
		},
	},
	{
		// Access levels on material (issue 12): every source and claim is public until set
		// otherwise; each keeps its effective rank (accessRank) and the labels of the readers who
		// may see it (ReadPublic, ReadRestricted; access.go). Each attack keeps its casualty
		// figures also as public and restricted readers see them (killedLowPublic…), indexed as
		// the figures every reader sees are; each of those two levels has its own full-text index,
		// over the nodes its readers may see, so that their scores count only visible texts. An
		// attack is read at the lowest level of its claims (public with none), so that an attack
		// only hidden claims tell of is hidden with them.
		// The content hashes of sources and claims go, since their description gained fields: the
		// next import of an unchanged file rewrites each once. Safe to run again.
		version: 6,
		name:    "access levels",
		schema: []string{
			"CREATE RANGE INDEX attack_killed_high_public IF NOT EXISTS FOR (n:Attack) ON (n.killedHighPublic)",
			"CREATE RANGE INDEX attack_killed_sort_public IF NOT EXISTS FOR (n:Attack) ON (n.killedSortPublic)",
			"CREATE RANGE INDEX attack_killed_high_restricted IF NOT EXISTS FOR (n:Attack) ON (n.killedHighRestricted)",
			"CREATE RANGE INDEX attack_killed_sort_restricted IF NOT EXISTS FOR (n:Attack) ON (n.killedSortRestricted)",
			"CREATE FULLTEXT INDEX " + searchIndexPublic + " IF NOT EXISTS FOR (n:Facility|Place|Actor|Event|" + labelReadPublic + ") " +
				"ON EACH [n.nameFolded, n.aliasTextFolded, n.titleFolded, n.summaryFolded, n.descriptionFolded, n.quoteFolded, n.textFolded] " +
				"OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-no-stop-words', `fulltext.eventually_consistent`: false}}",
			"CREATE FULLTEXT INDEX " + searchIndexRestricted + " IF NOT EXISTS FOR (n:Facility|Place|Actor|Event|" + labelReadRestricted + ") " +
				"ON EACH [n.nameFolded, n.aliasTextFolded, n.titleFolded, n.summaryFolded, n.descriptionFolded, n.quoteFolded, n.textFolded] " +
				"OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-no-stop-words', `fulltext.eventually_consistent`: false}}",
		},
		batched: []string{`
MATCH (n:Source) WHERE n.accessRank IS NULL
CALL (n) {
  SET n.accessLevel = coalesce(n.accessLevel, 'PUBLIC'), n.accessRank = 0, n:` + labelReadPublic + `:` + labelReadRestricted + `
  REMOVE n.contentHash
} IN TRANSACTIONS OF 2000 ROWS`, `
MATCH (n:Claim) WHERE n.accessRank IS NULL
CALL (n) {
  SET n.accessLevel = coalesce(n.accessLevel, 'PUBLIC'), n.accessRank = 0, n:` + labelReadPublic + `:` + labelReadRestricted + `
  REMOVE n.contentHash
} IN TRANSACTIONS OF 2000 ROWS`, `
MATCH (a:Attack) WHERE a.killedSortPublic IS NULL
CALL (a) {
  SET a.killedLowPublic = a.killedLow, a.killedHighPublic = a.killedHigh, a.killedSortPublic = a.killedSort,
      a.killedCountedLowPublic = a.killedCountedLow, a.killedCountedHighPublic = a.killedCountedHigh,
      a.killedLowRestricted = a.killedLow, a.killedHighRestricted = a.killedHigh, a.killedSortRestricted = a.killedSort,
      a.killedCountedLowRestricted = a.killedCountedLow, a.killedCountedHighRestricted = a.killedCountedHigh,
      a.accessRank = 0, a:` + labelReadPublic + `:` + labelReadRestricted + `
} IN TRANSACTIONS OF 2000 ROWS`},
	},
	{
		// Each attack keeps where a map puts it (mappedLocation) as mapPoint, mapPrecision and
		// mapFrom, with a point index of its own (issue 13): the map of 100,000 attacks is one
		// index seek and a grouping, instead of working out each attack's point from its
		// facilities and places. The backfill works it out once for the attacks that have none.
		version: 7,
		name:    "mapped points",
		schema: []string{
			"CREATE POINT INDEX attack_map_point IF NOT EXISTS FOR (n:Attack) ON (n.mapPoint)",
		},
		batched: []string{"MATCH (a:Attack) WHERE a.mapFrom IS NULL\nCALL (a) {\n" + mappedLocation("a", "loc") +
			"\n  SET a.mapPoint = loc.p, a.mapPrecision = loc.precision, a.mapFrom = loc.from\n} IN TRANSACTIONS OF 2000 ROWS"},
	},
	{
		// Deletion and merge (issue 12): a deleted entity keeps its id under :Deleted (unique, so
		// that a create cannot take it, and the lookup of restore and of aliases); the entities
		// deleted with one are found by its id (deletedWith), the aliases of a kept entity by its
		// id (mergedInto), the list of deletions by the time of their change record
		// (deletedChange). A merge's change record names the kept entity (otherId), whose history
		// reads it through its own index.
		version: 8,
		name:    "deletion and merge",
		schema: []string{
			"CREATE CONSTRAINT deleted_id IF NOT EXISTS FOR (n:Deleted) REQUIRE n.id IS UNIQUE",
			"CREATE RANGE INDEX deleted_with IF NOT EXISTS FOR (n:Deleted) ON (n.deletedWith)",
			"CREATE RANGE INDEX deleted_merged_into IF NOT EXISTS FOR (n:Deleted) ON (n.mergedInto)",
			"CREATE RANGE INDEX deleted_change IF NOT EXISTS FOR (n:Deleted) ON (n.deletedChange)",
			"CREATE RANGE INDEX change_other IF NOT EXISTS FOR (c:Change) ON (c.otherId)",
		},
	},
	{
		// A count of every attack a reader below confidential may see is Neo4j's count of :Attack
		// less the attacks ranked above the reader (countDated), found through this index: a few,
		// where a check of the readers' label on every attack reads them all.
		version: 9,
		name:    "attacks by access rank",
		schema: []string{
			"CREATE RANGE INDEX attack_access_rank IF NOT EXISTS FOR (n:Attack) ON (n.accessRank)",
		},
	},
}
