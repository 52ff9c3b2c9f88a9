// Package docs holds Athar's format documents. bundle.schema.json is generated from the entities'
// descriptions; its tests keep it true to them, to the data and to what export writes.
package docs

//go:generate go run ./genschema bundle.schema.json
