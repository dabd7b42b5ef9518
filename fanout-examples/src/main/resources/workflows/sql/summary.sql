-- The totals of the flight days a booking batch touched, from the daily_metrics table: one row for the touched days
-- already flown, one for those ahead (a day with no landed flight), and one for all of them ('all'). A period with no
-- touched day has no row. The last task of workflows/airline.yml; its rows are the task's value.
-- Parameters: :days (a JSON array of dates: ApplyBatch's value) and :warehouse (the data directory).
--   fanout run summary.sql -p 'days=["2026-10-14","2026-10-20"]' -p warehouse=fanout-demo

WITH per_day AS (
  SELECT flight_day,
         SUM(flights) AS flights,
         SUM(cancelled_flights) AS cancelled,
         SUM(capacity) AS capacity,
         SUM(seats_sold) AS seats_sold,
         SUM(revenue) AS revenue,
         SUM(flown) AS flown,
         -- the rate is rounded to 4 digits per route: times a route's few flights it rounds back to the exact count
         SUM(CAST(ROUND(on_time_arrival_rate * flown) AS BIGINT)) AS arrived_on_time
  FROM IDENTIFIER('delta.`' :warehouse '/daily_metrics`')
  WHERE grain = 'route' AND array_contains(from_json(:days, 'array<date>'), flight_day)
  GROUP BY flight_day
), periods AS (
  SELECT CASE WHEN flown > 0 THEN 'flown' ELSE 'ahead' END AS kind, * FROM per_day
)
SELECT COALESCE(kind, 'all') AS period,
       COUNT(1) AS days,
       MIN(flight_day) AS first_day,
       MAX(flight_day) AS last_day,
       SUM(flights) AS flights,
       SUM(cancelled) AS cancelled,
       SUM(seats_sold) AS seats_sold,
       SUM(capacity) AS capacity,
       ROUND(SUM(seats_sold) / NULLIF(SUM(capacity), 0), 4) AS load_factor,
       SUM(revenue) AS revenue,
       SUM(flown) AS flown,
       ROUND(SUM(arrived_on_time) / NULLIF(SUM(flown), 0), 4) AS on_time_arrival_rate
FROM periods
GROUP BY ROLLUP(kind)
ORDER BY CASE WHEN kind IS NULL THEN 3 WHEN kind = 'flown' THEN 1 ELSE 2 END;
