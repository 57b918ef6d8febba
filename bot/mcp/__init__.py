"""The MCP server: the publications as tools and resources for MCP clients.

- `bot.mcp.server.build_mcp_server(runtime)`: the tools `search_publications`, `ask`,
  `get_publication`, `case_timeline` and the resource template `publication://{id}`, on
  the official `mcp` SDK, over the answerer the HTTP API shares (`bot.api.runtime.Runtime`).
- `bot.mcp.http.mount_mcp(app)`: the streamable HTTP transport at `/mcp` on the API,
  behind the API's keys (`create_app` mounts it).
- `bot.mcp.stdio.run_stdio(settings)`: the stdio transport, for `policing-qa mcp`.
"""
