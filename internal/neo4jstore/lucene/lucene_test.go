package lucene_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/athar-project/athar/internal/athar"
	"github.com/athar-project/athar/internal/neo4jstore/lucene"
)

func TestQuery(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"Ain Jalout", "(ain^4 OR ain*^2 OR ain~1) AND (jalout^4 OR jalout*^2 OR jalout~2)"},
		{"UN", "(un^4 OR un*^2)"},
		{"a", "a"},
		{`title:"x*" AND /.*/~`, "(title^4 OR title*^2 OR title~1) AND x AND (and^4 OR and*^2 OR and~1)"},
		{"مَدْرَسَةُ", "(مدرسه^4 OR مدرسه*^2 OR مدرسه~1)"},
		{"*?~", `""`},
		{strings.Repeat("x", 40), "(" + strings.Repeat("x", 40) + "^4 OR " + strings.Repeat("x", 40) + "*^2)"},
	} {
		if got := lucene.Query(tc.text, athar.MaxSearchTerms); got != tc.want {
			t.Errorf("Query(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
	if got := lucene.Query("a b c", 2); got != "a AND b" {
		t.Errorf("two terms of three: %q", got)
	}
}

// luceneClause is one clause the query builder makes of a word: the word alone, or exactly, as a
// prefix and, for longer words, within an edit distance.
var luceneClause = regexp.MustCompile(`^(?:([\pL\pN\pM]+)|\(([\pL\pN\pM]+)\^4 OR ([\pL\pN\pM]+)\*\^2(?: OR ([\pL\pN\pM]+)~([12]))?\))$`)

// The full-text query is always one clause per searched word (at most the search limit's number),
// joined by AND, made only of the folded word and fixed operators; or the empty phrase.
func FuzzLuceneQuery(f *testing.F) {
	for _, s := range []string{"Ain Jalout", `title:"x" AND y~2`, "/.*/", "مَدْرَسَةُ النُّورِ", "", "a b c d e f g h i j k l m n", "ﷺ ﷺ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		q := lucene.Query(text, athar.MaxSearchTerms)
		words := athar.SearchTerms(text)
		if len(words) == 0 {
			if q != `""` {
				t.Fatalf("%q: %q, want the empty phrase", text, q)
			}
			return
		}
		clauses := strings.Split(q, " AND ")
		if len(clauses) != min(len(words), athar.MaxSearchTerms) {
			t.Fatalf("%q: %d clauses for %d words", text, len(clauses), len(words))
		}
		for i, c := range clauses {
			m := luceneClause.FindStringSubmatch(c)
			if m == nil {
				t.Fatalf("%q: clause %q is not of the expected shape", text, c)
			}
			for _, w := range m[1:5] {
				if w != "" && w != words[i] {
					t.Fatalf("%q: clause %q does not search the word %q", text, c, words[i])
				}
			}
		}
	})
}
