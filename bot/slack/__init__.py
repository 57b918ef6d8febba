"""The Slack app: factory, listeners, Block Kit, threads and feedback."""
