/** The page served at `/` until the web UI is built (`apps/ui/dist`). */
export const PLACEHOLDER_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>opamp-server</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>opamp-server</h1>
<p>The control plane is running. The web UI is not built yet.</p>
<ul>
<li>REST API: <code>/api/v1</code> (send <code>Authorization: Bearer &lt;admin token&gt;</code>)</li>
<li>OpenAPI document: <code>/api/v1/openapi.json</code></li>
<li>Live events: <code>/api/v1/events</code></li>
<li>Prometheus metrics: <code>/metrics</code></li>
</ul>
</body>
</html>
`;
