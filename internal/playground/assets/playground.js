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

  // The API token: kept in this tab's sessionStorage only (gone when the tab closes, never sent
  // to another origin), and sent with every request as "Authorization: Bearer <token>".
  var tokenKey = 'athar.token';
  var tokenForm = document.getElementById('athar-token');
  var tokenInput = document.getElementById('athar-token-input');
  var tokenState = document.getElementById('athar-token-state');
  function storedToken() {
    try {
      return window.sessionStorage.getItem(tokenKey) || '';
    } catch (e) {
      return '';
    }
  }
  function showTokenState() {
    tokenState.textContent = storedToken() ? 'requests carry this token' : 'no token: requests are sent without one';
  }
  tokenForm.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var t = tokenInput.value.trim();
    try {
      if (t) {
        window.sessionStorage.setItem(tokenKey, t);
      }
    } catch (e) {
      tokenState.textContent = 'this browser keeps no session storage';
      return;
    }
    tokenInput.value = '';
    showTokenState();
  });
  document.getElementById('athar-token-forget').addEventListener('click', function () {
    try {
      window.sessionStorage.removeItem(tokenKey);
    } catch (e) {}
    tokenInput.value = '';
    showTokenState();
  });
  showTokenState();

  var fetcher = GraphiQL.createFetcher({
    url: endpoint,
    fetch: function (input, init) {
      init = init || {};
      var t = storedToken();
      if (t) {
        var headers = {};
        var given = init.headers || {};
        Object.keys(given).forEach(function (k) {
          headers[k] = given[k];
        });
        headers.Authorization = 'Bearer ' + t;
        init.headers = headers;
      }
      return window.fetch(input, init);
    }
  });

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
