// The docs page at /api/docs/: Swagger UI on the service's own OpenAPI document.
// A file of its own (no inline script) so the page works under a strict CSP.
"use strict";

(function () {
  if (typeof window.SwaggerUIBundle !== "function") {
    // swagger-ui-bundle.js didn't load: the Swagger UI package is not installed where
    // nginx looks for it (see conf/nginx/auth-fcgi/docs-locations.conf).
    var message = document.createElement("p");
    message.textContent =
      "Swagger UI's files are missing on this server. The OpenAPI document is at /api/openapi.json.";
    document.getElementById("swagger-ui").appendChild(message);
    return;
  }
  window.ui = window.SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    // Never contact validator.swagger.io (or anything else off this server).
    validatorUrl: null,
    displayOperationId: false,
    displayRequestDuration: true,
    defaultModelsExpandDepth: 0,
    docExpansion: "list",
    // Tokens typed into "Authorize" stay in this tab's memory only.
    persistAuthorization: false,
  });
})();
