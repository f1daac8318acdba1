/**
 * GET /cloudapi/openapi.json — the OpenAPI 3.1 description of every route, generated from the
 * functions' declarations (summary, path parameters, query and body schemas, auth). 200 JSON.
 * No authentication: it describes the API, it holds no data.
 */
import { defineRoute } from '#lib/http/route.ts';
import { openApiFor } from '#lib/openapi.ts';

export default defineRoute({ summary: 'OpenAPI 3.1 description of this API', auth: false }, function getOpenApi(c) {
  return c.json(openApiFor(c.var.routes));
});
