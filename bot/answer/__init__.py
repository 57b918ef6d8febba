"""The answerer: retrieve, pick the sentences that answer, refuse or cite."""
