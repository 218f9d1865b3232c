"""Reports and studies: which clusters reached full text, how reports group into studies,
their full texts, and the studies extraction works on.

- reports.py: a report (a cluster sought at full text) with its full-text outcome, as
  screening hands it over; the review as extraction's commands open it;
- grouping.py: studies from reports and study links; included_studies for extraction;
- suggestions.py: reports that look like one trial (a shared registration number, or first
  author and title words);
- full_texts.py: attaching PDFs and links, one at a time or a folder matched by DOI or PMID;
- opening.py: opening a PDF or link with the system's viewer.
"""
