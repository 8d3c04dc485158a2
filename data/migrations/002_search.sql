-- Placeholder: migration 002 belongs to the search branch (002_search.sql there). This file only keeps the
-- numbering gap-free on the feeds branch until search lands on main; merging takes search's version.
SELECT 1;
