// Package lucene builds the full-text queries Athar gives Neo4j's full-text index (Lucene's classic
// query syntax) from what a user typed. It is apart from the store so that its fuzz test runs
// without a database.
package lucene

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/athar-project/athar/internal/athar"
)

// Fuzzy matching (Lucene's ~) of a word: words of up to fuzzyShortRunes letters may differ by one
// edit, longer ones by two (Lucene's most); a word longer than maxFuzzyRunes is matched exactly or
// as a prefix only, since a Levenshtein automaton grows with the word and no name has such words.
const (
	fuzzyShortRunes = 5
	maxFuzzyRunes   = 32
)

// Query turns text into a full-text query over folded texts: the words of the text
// (athar.SearchTerms: folded, and only letters, digits and marks, so that no Lucene syntax the user
// types, such as wildcards, regular expressions, fuzzy operators, fields, ranges or boosts, reaches
// Lucene) must each match, ranked by how: exactly (boosted 4), as the start of a word (2), or, for
// words of three letters or more, within a small edit distance (1). A one-letter word matches
// exactly only. Only the first maxTerms words are used (the domain refuses more). A text without
// words gives the empty phrase, "", which matches nothing.
//
// The result is one clause per word, joined by " AND ": the word alone, "(w^4 OR w*^2)", or
// "(w^4 OR w*^2 OR w~1)" ("~2" for words of more than five letters).
func Query(text string, maxTerms int) string {
	words := athar.SearchTerms(text)
	if len(words) > maxTerms {
		words = words[:max(maxTerms, 0)]
	}
	terms := make([]string, 0, len(words))
	for _, w := range words {
		switch n := utf8.RuneCountInString(w); {
		case n == 1:
			terms = append(terms, w)
		case n == 2 || n > maxFuzzyRunes:
			terms = append(terms, fmt.Sprintf("(%[1]s^4 OR %[1]s*^2)", w))
		case n <= fuzzyShortRunes:
			terms = append(terms, fmt.Sprintf("(%[1]s^4 OR %[1]s*^2 OR %[1]s~1)", w))
		default:
			terms = append(terms, fmt.Sprintf("(%[1]s^4 OR %[1]s*^2 OR %[1]s~2)", w))
		}
	}
	if len(terms) == 0 {
		return `""`
	}
	return strings.Join(terms, " AND ")
}
