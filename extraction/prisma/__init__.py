"""The PRISMA 2020 flow diagram: its counts from the review (counts.py), the PRISMA2020 R
package's data template filled in (template.py), and the diagram drawn (diagram.py)."""
