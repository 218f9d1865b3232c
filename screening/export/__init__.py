"""Writers for record exports: RIS, BibTeX, CSV."""
