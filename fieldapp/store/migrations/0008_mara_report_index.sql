-- The MARA quarterly report (docs/DESIGN.md 2.7) reads every figure from this index alone: without it,
-- each of its queries fetched every incident row of both periods from the table (the rows are
-- wide: their texts), and a quarter of 23 000 incidents took 6 s; with it, under 2 s.
-- (Benchmarks: `bash dev.sh bench --only mara`, docs/PERFORMANCE.md.)
CREATE INDEX IF NOT EXISTS incidents_report_figures ON incidents(
    deleted, share_with_mara, coalesce(occurred_on, learned_on), verification, location_pcode,
    occurred_on, learned_on, occurred_precision,
    victims_girls, victims_boys, victims_women, victims_men, victims_unknown);
