"""Stand-ins for what lives outside this machine, speaking the real wire protocols on
127.0.0.1: an OpenAI-compatible LLM (`llm`), a publisher's website (`site`), Slack's Web
API (`slack`); plus uvicorn in a thread (`server`) and the headless browser (`browser`)."""
