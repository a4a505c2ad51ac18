"""Threads profiles through Meta's Threads API (graph.threads.net): publishing (containers,
then threads_publish; text in one request), threads of replies, deletion, and reading
replies, mentions and insights."""
