"""What logs may say about questions, history and answers.

Their text is logged only with POLICING_QA_LOG_QUESTIONS (`settings.log_questions`);
otherwise a log line keeps what is useful without it: the length.
"""

from __future__ import annotations


def shown(text: str, log_text: bool, limit: int = 300) -> str:
    """`text` quoted (its first `limit` characters) when logging text is allowed, else
    only how long it is."""
    return repr(text[:limit]) if log_text else f"<{len(text)} chars>"
