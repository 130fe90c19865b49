// Renders /openapi.json with the vendored Swagger UI (docs/vendored.md). A file of its own, not an inline script:
// the page's Content-Security-Policy allows scripts from this origin only.
window.addEventListener('DOMContentLoaded', () => {
  window.SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#api-reference',
    deepLinking: true,
    // "Try it out" sends real requests with the token a person types into "Authorize"
    tryItOutEnabled: false,
    // no call to the public validator badge: the page works without the network
    validatorUrl: null,
  });
});
