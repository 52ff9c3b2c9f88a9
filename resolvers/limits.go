package resolvers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/athar-project/athar/internal/metrics"
)

// Defaults of the document limits (Limits). Each is several times what the largest document Athar
// is sent in normal use needs: the playground's schema query (graphql-js's getIntrospectionQuery
// with every option on, resolvers/testdata/introspection.graphql: 1,627 bytes, 181 tokens, 227
// fields with its fragments written out, 10 fragment spreads) and the README's examples (the
// largest: 839 bytes, 122 tokens, 62 fields, nesting 7 deep; none uses an alias).
// TestLimits_DefaultsLetEveryExampleRun measures them and checks they stay within half of each
// limit. For comparison, GraphQL Armor (Escape's hardening middleware for GraphQL servers) defaults
// to 1,000 tokens and 15 aliases.
const (
	// DefaultMaxQueryBytes is the longest query text, in bytes: 16 KiB.
	DefaultMaxQueryBytes = 16 << 10
	// DefaultMaxTokens is the most lexical tokens (names, punctuators, values) a query text may have.
	DefaultMaxTokens = 2_000
	// DefaultMaxAliases is the most aliased fields a query may have, counting a fragment's at each
	// place it is spread: enough to set a few dozen facilities or searches side by side.
	DefaultMaxAliases = 30
	// DefaultMaxFields is the most fields a query may select, counting a fragment's at each place it
	// is spread (the size of the query with its fragments written out).
	DefaultMaxFields = 1_000
	// DefaultMaxFragmentSpreads is the most fragment spreads a query may have, counting the spreads
	// inside a fragment at each place it is spread.
	DefaultMaxFragmentSpreads = 100
	// DefaultDepthLimit is the deepest a query may nest: the README's deepest example nests 7 levels.
	DefaultDepthLimit = 12
)

// Limits bound the work a GraphQL request may ask for, beyond its depth and cost (Config.DepthLimit
// and Config.ComplexityLimit). A zero field takes its default. Each is refused with a
// BAD_USER_INPUT error whose extensions name the limit and its value (extensions.limit, e.g.
// "maxAliases", and extensions.max) and, for an argument, the argument (extensions.field).
type Limits struct {
	// MaxQueryBytes is the longest query text, in bytes (DefaultMaxQueryBytes).
	MaxQueryBytes int
	// MaxTokens is the most lexical tokens a query text may have (DefaultMaxTokens).
	MaxTokens int
	// MaxAliases is the most aliased fields, fragments counted where spread (DefaultMaxAliases).
	MaxAliases int
	// MaxFields is the most selected fields, fragments counted where spread (DefaultMaxFields).
	MaxFields int
	// MaxFragmentSpreads is the most fragment spreads, counted where spread (DefaultMaxFragmentSpreads).
	MaxFragmentSpreads int
	// MaxStringLength is the longest String argument or variable, in characters (Unicode code points)
	// (DefaultMaxStringLength).
	MaxStringLength int
	// MaxIDLength is the longest ID argument or variable, in bytes (DefaultMaxIDLength).
	MaxIDLength int
	// RoundTripCost is what each field that costs a round trip to Neo4j adds to a query's cost
	// (DefaultRoundTripCost).
	RoundTripCost int
	// SearchCost is what each full-text lookup (a search, a text filter) adds to a query's cost
	// (DefaultSearchCost).
	SearchCost int
}

func (l *Limits) defaults() {
	set := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	set(&l.MaxQueryBytes, DefaultMaxQueryBytes)
	set(&l.MaxTokens, DefaultMaxTokens)
	set(&l.MaxAliases, DefaultMaxAliases)
	set(&l.MaxFields, DefaultMaxFields)
	set(&l.MaxFragmentSpreads, DefaultMaxFragmentSpreads)
	set(&l.MaxStringLength, DefaultMaxStringLength)
	set(&l.MaxIDLength, DefaultMaxIDLength)
	set(&l.RoundTripCost, DefaultRoundTripCost)
	set(&l.SearchCost, DefaultSearchCost)
}

// validate reports a limit below 1.
func (l Limits) validate() error {
	for name, v := range map[string]int{
		"maxQueryBytes": l.MaxQueryBytes, "maxTokens": l.MaxTokens, "maxAliases": l.MaxAliases,
		"maxFields": l.MaxFields, "maxFragmentSpreads": l.MaxFragmentSpreads,
		"maxStringLength": l.MaxStringLength, "maxIDLength": l.MaxIDLength,
	} {
		if v < 1 {
			return fmt.Errorf("%s must be at least 1, not %d", name, v)
		}
	}
	if l.SearchCost < 0 {
		return fmt.Errorf("searchCost must not be negative, not %d", l.SearchCost)
	}
	if l.RoundTripCost < 0 {
		return fmt.Errorf("roundTripCost must not be negative, not %d", l.RoundTripCost)
	}
	return nil
}

// limitError is the error of a request over a limit: BAD_USER_INPUT, with the limit's name and
// value in extensions.limit and extensions.max. It is counted in internal/metrics' rejected
// documents by the limit's name.
func limitError(limit string, maxValue int, format string, args ...any) *gqlerror.Error {
	metrics.RejectedDocument(limit)
	err := gqlerror.Errorf(format, args...)
	err.Extensions = map[string]any{"code": CodeBadUserInput, "limit": limit, "max": maxValue}
	return err
}

// documentLimits checks a query text against Limits and the depth limit before gqlgen parses and
// validates it, in time linear in the text: its bytes, its tokens (counted by gqlparser's lexer),
// then, over the document parsed once without validation, its aliases, fields, fragment spreads and
// depth, where each fragment is counted once and its counts are added at each place it is spread. A
// document of 40 fragments each spreading the one before twice (2^40 fields written out) is counted
// in 80 steps and refused.
type documentLimits struct {
	limits Limits
	depth  int
	// passed holds the documents gqlgen has parsed and validated: they passed these checks before.
	passed graphql.Cache[*ast.QueryDocument]
	// inputs checks the variables against the operation's definitions of them.
	inputs inputLimits
}

// ExtensionName implements graphql.HandlerExtension.
func (documentLimits) ExtensionName() string { return "DocumentLimits" }

// Validate implements graphql.HandlerExtension.
func (d documentLimits) Validate(graphql.ExecutableSchema) error {
	if d.depth < 1 {
		return errors.New("depth limit must be at least 1")
	}
	return d.limits.validate()
}

// MutateOperationParameters implements graphql.OperationParameterMutator: it runs on the raw
// request, before gqlgen parses the query, and checks the variables too (see inputLimits), so that
// every wrong one is refused with its path.
func (d documentLimits) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if err := checkDeadline(ctx); err != nil {
		return err
	}
	var doc *ast.QueryDocument
	if d.passed != nil {
		doc, _ = d.passed.Get(ctx, p.Query)
	}
	if doc == nil {
		var err *gqlerror.Error
		if doc, err = d.check(p.Query); err != nil {
			return err
		}
	}
	if doc != nil && d.inputs.schema != nil {
		if op := doc.Operations.ForName(p.OperationName); op != nil {
			if err := d.inputs.variables(op, p.Variables); err != nil {
				return err
			}
		}
	}
	return checkDeadline(ctx)
}

// check checks a query text against the limits, and returns it parsed (not validated). A text that
// does not lex or parse passes, with no document: gqlgen parses it next and reports where it is
// wrong.
//
// One pass of gqlgen's lexer counts the tokens and the aliases written (a name followed by a colon
// outside parentheses, where arguments, variables and their values are), over at most MaxQueryBytes
// of the text, so that a long document of many aliases is refused for its aliases, and the work
// stays bounded by the limit whatever the text's length.
func (d documentLimits) check(query string) (*ast.QueryDocument, *gqlerror.Error) {
	l := d.limits
	text := query
	if len(text) > l.MaxQueryBytes {
		text = text[:l.MaxQueryBytes]
	}
	tooLong := func() *gqlerror.Error {
		return limitError("maxQueryBytes", l.MaxQueryBytes, "the query is %d bytes long; the limit is %d bytes", len(query), l.MaxQueryBytes)
	}
	lex := lexer.New(&ast.Source{Input: text})
	var tokens, aliases, parens int
	var previous lexer.Type
	for ; ; tokens++ {
		tok, err := lex.ReadToken()
		if err != nil {
			if len(query) > len(text) {
				return nil, tooLong()
			}
			return nil, nil
		}
		switch tok.Kind {
		case lexer.EOF:
			if len(query) > len(text) {
				return nil, tooLong()
			}
		case lexer.ParenL:
			parens++
		case lexer.ParenR:
			parens--
		case lexer.Colon:
			if parens == 0 && previous == lexer.Name {
				aliases++
			}
		}
		if tok.Kind == lexer.EOF {
			break
		}
		previous = tok.Kind
		if aliases > l.MaxAliases {
			return nil, limitError("maxAliases", l.MaxAliases, "the query has more than %d aliases", l.MaxAliases)
		}
		if tokens >= l.MaxTokens {
			return nil, limitError("maxTokens", l.MaxTokens, "the query has more than %d tokens", l.MaxTokens)
		}
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return nil, nil
	}
	n := countDocument(doc)
	switch {
	case n.aliases > l.MaxAliases:
		return nil, limitError("maxAliases", l.MaxAliases, "the query has %s aliases (fragments counted where they are spread); the limit is %d", counted(n.aliases), l.MaxAliases)
	case n.fields > l.MaxFields:
		return nil, limitError("maxFields", l.MaxFields, "the query selects %s fields (fragments counted where they are spread); the limit is %d", counted(n.fields), l.MaxFields)
	case n.spreads > l.MaxFragmentSpreads:
		return nil, limitError("maxFragmentSpreads", l.MaxFragmentSpreads, "the query spreads fragments %s times (counted where they are spread); the limit is %d", counted(n.spreads), l.MaxFragmentSpreads)
	case n.depth > d.depth:
		return nil, limitError("depthLimit", d.depth, "the query nests %d levels deep; the limit is %d", n.depth, d.depth)
	}
	return doc, nil
}

// counted writes a count, or "over a trillion" for one that saturated.
func counted(n int) string {
	if n >= countCeiling {
		return "over a trillion"
	}
	return fmt.Sprint(n)
}

// countCeiling is where the counts of a document stop growing: far above any limit, far below
// overflow.
const countCeiling = 1 << 40

// satAdd adds two non-negative counts, saturating at countCeiling.
func satAdd(a, b int) int { return min(a+b, countCeiling) }

// satMul multiplies two non-negative counts, saturating at countCeiling.
func satMul(a, b int) int {
	if a == 0 || b == 0 {
		return 0
	}
	if a >= countCeiling/b {
		return countCeiling
	}
	return a * b
}

// documentCounts is what a selection set holds, its fragments written out.
type documentCounts struct {
	fields, aliases, spreads, depth int
}

func (c documentCounts) add(o documentCounts) documentCounts {
	return documentCounts{
		fields: satAdd(c.fields, o.fields), aliases: satAdd(c.aliases, o.aliases),
		spreads: satAdd(c.spreads, o.spreads), depth: max(c.depth, o.depth),
	}
}

// countDocument counts the operations of an unvalidated document: the sums of their counts, and
// the deepest of their depths. Each fragment is counted once; a spread of a fragment that does not
// exist, or of one being counted (a cycle), counts nothing, as validation refuses both.
func countDocument(doc *ast.QueryDocument) documentCounts {
	c := documentCounter{
		fragments: map[string]*ast.FragmentDefinition{},
		memo:      map[string]documentCounts{},
		busy:      map[string]bool{},
	}
	for _, f := range doc.Fragments {
		if _, ok := c.fragments[f.Name]; !ok {
			c.fragments[f.Name] = f
		}
	}
	var total documentCounts
	for _, op := range doc.Operations {
		total = total.add(c.selections(op.SelectionSet))
	}
	return total
}

type documentCounter struct {
	fragments map[string]*ast.FragmentDefinition
	memo      map[string]documentCounts
	busy      map[string]bool
}

func (c *documentCounter) selections(set ast.SelectionSet) documentCounts {
	var out documentCounts
	for _, sel := range set {
		var n documentCounts
		switch s := sel.(type) {
		case *ast.Field:
			n = c.selections(s.SelectionSet)
			n.fields = satAdd(n.fields, 1)
			if s.Alias != "" && s.Alias != s.Name {
				n.aliases = satAdd(n.aliases, 1)
			}
			if strings.HasPrefix(s.Name, "__") {
				// Introspection (__schema, __type) nests deep by its nature, costs no database
				// work, and is how the playground learns the schema: it counts for its fields, not
				// for depth.
				n.depth = 0
			} else {
				n.depth++
			}
		case *ast.InlineFragment:
			n = c.selections(s.SelectionSet)
		case *ast.FragmentSpread:
			n = c.fragment(s.Name)
			n.spreads = satAdd(n.spreads, 1)
		}
		out = out.add(n)
	}
	return out
}

func (c *documentCounter) fragment(name string) documentCounts {
	if n, ok := c.memo[name]; ok {
		return n
	}
	def := c.fragments[name]
	if def == nil || c.busy[name] {
		return documentCounts{}
	}
	c.busy[name] = true
	n := c.selections(def.SelectionSet)
	delete(c.busy, name)
	c.memo[name] = n
	return n
}

// checkDeadline refuses to go on with a request whose deadline has passed or whose client has gone:
// the stages before the database (parsing, validation, counting the cost) check it between them, so
// that a request past its deadline stops there rather than running on.
func checkDeadline(ctx context.Context) *gqlerror.Error {
	msg, code := "", CodeTimeout
	switch err := ctx.Err(); {
	case err == nil:
		return nil
	case errors.Is(err, context.DeadlineExceeded):
		msg = "the request ran past its time limit before it reached the database"
	default:
		msg, code = "the request was cancelled before it reached the database", CodeClientClosed
	}
	e := gqlerror.Errorf("%s", msg)
	e.Extensions = map[string]any{"code": code}
	return e
}
