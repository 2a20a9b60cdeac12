// Starts the vendored Swagger UI on the API's own OpenAPI document (no inline script: see CSP).
window.addEventListener('DOMContentLoaded', function () {
  window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#swagger-ui', deepLinking: false })
})
