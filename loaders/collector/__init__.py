"""The Event API collector: events POSTed by sites and apps, spooled durably, landed like files.

`retail-imports serve` runs app.py on uvicorn; spool.py keeps the events in
segments on local disk; a closed segment is one delivery of its source,
which `land` lists through discovery.KINDS["event_api"].
"""
