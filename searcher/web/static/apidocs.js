// Starts Swagger UI (served from /docs/assets/) on this server's OpenAPI document. A file of
// its own, not an inline script: the Content-Security-Policy allows scripts from here only.
window.addEventListener("DOMContentLoaded", () => {
  window.SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
