// The reference page of the REST layer: Swagger UI over the router's own
// OpenAPI document. Nothing leaves the router's origin (no validator badge,
// no outside fonts or images).
window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: "/v1/openapi.json",
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true,
    persistAuthorization: true,
    tryItOutEnabled: true,
  });
};
