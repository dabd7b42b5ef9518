-- The demo's DailyMetrics (dev.fanout.examples.airline.DailyMetrics) as one SQL file.
-- Parameters: :day (a DATE from --range day=..., or a string: it is cast) and :warehouse (the data directory).
--   fanout foreach daily_metrics.sql --range day=2026-01-01..2026-01-31 -p warehouse=/data/airline
-- Tables are named by path with IDENTIFIER(...), so the values stay values. Re-running a day replaces exactly that
-- day (REPLACE WHERE on the partition column): idempotent, and days in parallel do not conflict.

CREATE OR REPLACE TEMP VIEW legs AS
WITH f AS (
  SELECT * FROM IDENTIFIER('delta.`' :warehouse '/flights`') WHERE flight_day = CAST(:day AS DATE)
), o AS (
  SELECT flight_number, status, actual_departure, actual_arrival
  FROM IDENTIFIER('delta.`' :warehouse '/flight_ops`') WHERE flight_day = CAST(:day AS DATE)
), sold AS (
  SELECT flight_number, SUM(seats) AS booked_seats, SUM(fare) AS booked_revenue
  FROM IDENTIFIER('delta.`' :warehouse '/bookings`')
  WHERE flight_day = CAST(:day AS DATE) AND status = 'CONFIRMED'
  GROUP BY flight_number
)
SELECT f.*, o.status, o.actual_departure, o.actual_arrival, sold.booked_seats, sold.booked_revenue,
       COALESCE(o.status = 'CANCELLED', false) AS cancelled,
       COALESCE(o.status = 'LANDED', false) AS landed,
       CAST((unix_timestamp(o.actual_departure) - unix_timestamp(f.scheduled_departure)) / 60 AS BIGINT) AS departure_delay,
       CAST((unix_timestamp(o.actual_arrival) - unix_timestamp(f.scheduled_arrival)) / 60 AS BIGINT) AS arrival_delay
FROM f
LEFT JOIN o ON f.flight_number = o.flight_number
LEFT JOIN sold ON f.flight_number = sold.flight_number;

INSERT INTO IDENTIFIER('delta.`' :warehouse '/daily_metrics`')
REPLACE WHERE flight_day = CAST(:day AS DATE)
SELECT flight_day, 'route' AS grain, origin, destination, CAST(NULL AS STRING) AS airport, aircraft_model,
       COUNT(1) AS flights,
       CAST(SUM(CASE WHEN cancelled THEN 1 ELSE 0 END) AS BIGINT) AS cancelled_flights,
       CAST(SUM(CASE WHEN NOT cancelled THEN seats ELSE 0 END) AS BIGINT) AS capacity,
       CAST(SUM(CASE WHEN NOT cancelled THEN COALESCE(booked_seats, 0) END) AS BIGINT) AS seats_sold,
       ROUND(CASE WHEN SUM(CASE WHEN NOT cancelled THEN seats ELSE 0 END) > 0
             THEN CAST(SUM(CASE WHEN NOT cancelled THEN COALESCE(booked_seats, 0) END) AS DOUBLE)
                  / CAST(SUM(CASE WHEN NOT cancelled THEN seats ELSE 0 END) AS DOUBLE) END, 4) AS load_factor,
       CAST(COALESCE(SUM(CASE WHEN NOT cancelled THEN booked_revenue END), 0) AS DECIMAL(20, 2)) AS revenue,
       CAST(SUM(CASE WHEN landed THEN 1 ELSE 0 END) AS BIGINT) AS flown,
       ROUND(CASE WHEN SUM(CASE WHEN landed THEN 1 ELSE 0 END) > 0
             THEN SUM(CASE WHEN landed AND departure_delay < 15 THEN 1 ELSE 0 END)
                  / CAST(SUM(CASE WHEN landed THEN 1 ELSE 0 END) AS DOUBLE) END, 4) AS on_time_departure_rate,
       ROUND(CASE WHEN SUM(CASE WHEN landed THEN 1 ELSE 0 END) > 0
             THEN SUM(CASE WHEN landed AND arrival_delay < 15 THEN 1 ELSE 0 END)
                  / CAST(SUM(CASE WHEN landed THEN 1 ELSE 0 END) AS DOUBLE) END, 4) AS on_time_arrival_rate,
       ROUND(CASE WHEN SUM(CASE WHEN landed THEN 1 ELSE 0 END) > 0
             THEN CAST(SUM(CASE WHEN landed THEN GREATEST(departure_delay, 0) END) AS DOUBLE)
                  / SUM(CASE WHEN landed THEN 1 ELSE 0 END) END, 2) AS avg_departure_delay_min,
       ROUND(CASE WHEN SUM(CASE WHEN landed THEN 1 ELSE 0 END) > 0
             THEN CAST(SUM(CASE WHEN landed THEN GREATEST(arrival_delay, 0) END) AS DOUBLE)
                  / SUM(CASE WHEN landed THEN 1 ELSE 0 END) END, 2) AS avg_arrival_delay_min,
       CAST(NULL AS BIGINT) AS turns, CAST(NULL AS BIGINT) AS idle_minutes, CAST(NULL AS DOUBLE) AS avg_idle_minutes
FROM legs
GROUP BY flight_day, origin, destination, aircraft_model
UNION ALL
SELECT flight_day, 'ground', NULL, NULL, airport, aircraft_model,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       COUNT(1) AS turns, CAST(SUM(idle) AS BIGINT) AS idle_minutes,
       ROUND(CASE WHEN COUNT(1) > 0 THEN CAST(SUM(idle) AS DOUBLE) / COUNT(1) END, 2) AS avg_idle_minutes
FROM (
  SELECT flight_day, destination AS airport, aircraft_model,
         CAST((unix_timestamp(next_departure) - unix_timestamp(COALESCE(actual_arrival, scheduled_arrival))) / 60 AS BIGINT) AS idle
  FROM (
    SELECT *, LEAD(COALESCE(actual_departure, scheduled_departure), 1)
                OVER (PARTITION BY tail_number ORDER BY scheduled_departure) AS next_departure
    FROM legs WHERE NOT cancelled
  ) WHERE next_departure IS NOT NULL
)
GROUP BY flight_day, airport, aircraft_model;

-- The exit value: the day and how many rows it has now.
SELECT CAST(:day AS DATE) AS day, COUNT(1) AS rows
FROM IDENTIFIER('delta.`' :warehouse '/daily_metrics`') WHERE flight_day = CAST(:day AS DATE);
