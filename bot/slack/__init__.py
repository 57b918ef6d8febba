"""The Slack app: factory, listeners, Block Kit, threads, feedback, Web API client, HTTP mode."""
