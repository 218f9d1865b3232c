"""Harvesting PubMed through NCBI E-utilities: complete, resumable and polite.

- client.py: the E-utilities client (one requests.Session, the process-wide rate limit, retries);
- credentials.py: the user's NCBI API key and email (environment or their own config file);
- windows.py: splitting a search into date windows (then PMID ranges) under the 9,999 cap;
- harvest.py: the harvest into a review, planned once, fetched in batches, resumable;
- fetching.py: the fetch pipeline (a fetcher thread, a spool on disk, batches committed in order).
"""
