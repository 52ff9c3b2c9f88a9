// Package resolvers is Athar's GraphQL adapter: thin resolvers over the domain services, per-request
// dataloaders, the error presenter, query limits, and the GraphQL endpoint (NewGraphQLHandler), which
// internal/httpapi serves.
package resolvers

//go:generate sh -c "cd .. && go tool gqlgen generate --config gqlgen.yml"

import "github.com/athar-project/athar/internal/athar"

// Resolver is the root of the resolvers; it holds the domain services and nothing else.
type Resolver struct {
	Reader       athar.Reader
	Curator      athar.Curator
	Explorer     athar.Explorer
	ChangeLog    athar.Changes  // change records: history and changes
	AccountStore athar.Accounts // accounts, for the admins' operations
	Remover      athar.Remover  // deletion, restore and merge
}
