// Athar playground bootstrap: mounts GraphiQL into #graphiql.
//
// This file is served from the same origin as the page so that the page's
// Content-Security-Policy can forbid inline scripts. Its settings come from
// data-* attributes on the #graphiql element, written by the Go handler.
(function () {
  'use strict';

  var root = document.getElementById('graphiql');
  var endpoint = root.getAttribute('data-endpoint') || '/graphql';
  var defaultQuery = root.getAttribute('data-default-query') || '';
  var styleNonce = root.getAttribute('data-style-nonce');
  // A link may bring a query to open (the explorer's evidence card links its own query so):
  // /?query=<the query text, URL-encoded>.
  var sharedQuery = new URLSearchParams(window.location.search).get('query');

  // Some GraphiQL dependencies (react-remove-scroll, used by its dialogs and
  // menus) inject <style> elements at run time and tag them with this nonce,
  // which the page's CSP allows for this response only.
  if (styleNonce) {
    window.__webpack_nonce__ = styleNonce;
  }

  var fetcher = GraphiQL.createFetcher({ url: endpoint });

  root.textContent = '';
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      query: sharedQuery || undefined,
      defaultEditorToolsVisibility: false,
      shouldPersistHeaders: false
    })
  );
})();
