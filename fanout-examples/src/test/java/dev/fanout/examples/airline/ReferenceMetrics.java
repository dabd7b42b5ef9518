package dev.fanout.examples.airline;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The metrics of every day at once, with one set-based SQL query and no fanout: written independently of
 * {@link DailyMetrics} (SQL text rather than the DataFrame API, grouping by day instead of filtering to one) so
 * that the two agree only if both are right.
 */
public final class ReferenceMetrics {
    private ReferenceMetrics() {}

    public static Dataset<Row> all(SparkSession spark, Warehouse w) {
        String sql = """
                WITH legs AS (
                  SELECT f.flight_day, f.flight_number, f.origin, f.destination, f.tail_number, f.aircraft_model, f.seats,
                         f.scheduled_departure, f.scheduled_arrival, o.status, o.actual_departure, o.actual_arrival,
                         o.status = 'CANCELLED' AS is_cancelled, o.status = 'LANDED' AS is_landed,
                         (unix_timestamp(o.actual_departure) - unix_timestamp(f.scheduled_departure)) DIV 60 AS dep_delay,
                         (unix_timestamp(o.actual_arrival) - unix_timestamp(f.scheduled_arrival)) DIV 60 AS arr_delay,
                         b.sold, b.revenue
                  FROM delta.`%1$s` f
                  LEFT JOIN delta.`%2$s` o ON o.flight_day = f.flight_day AND o.flight_number = f.flight_number
                  LEFT JOIN (SELECT flight_day, flight_number, SUM(seats) AS sold, SUM(fare) AS revenue
                             FROM delta.`%3$s` WHERE status = 'CONFIRMED' GROUP BY flight_day, flight_number) b
                         ON b.flight_day = f.flight_day AND b.flight_number = f.flight_number
                ),
                route AS (
                  SELECT flight_day, 'route' AS grain, origin, destination, CAST(NULL AS STRING) AS airport, aircraft_model,
                         COUNT(*) AS flights,
                         COUNT_IF(is_cancelled) AS cancelled_flights,
                         COALESCE(SUM(seats) FILTER (WHERE is_cancelled IS NOT TRUE), 0) AS capacity,
                         SUM(COALESCE(sold, 0)) FILTER (WHERE is_cancelled IS NOT TRUE) AS seats_sold,
                         SUM(revenue) FILTER (WHERE is_cancelled IS NOT TRUE) AS rev,
                         COUNT_IF(is_landed) AS flown,
                         COUNT_IF(is_landed AND dep_delay < 15) AS dep_on_time,
                         COUNT_IF(is_landed AND arr_delay < 15) AS arr_on_time,
                         SUM(GREATEST(dep_delay, 0)) FILTER (WHERE is_landed) AS dep_delay_total,
                         SUM(GREATEST(arr_delay, 0)) FILTER (WHERE is_landed) AS arr_delay_total
                  FROM legs GROUP BY flight_day, origin, destination, aircraft_model
                ),
                turns AS (
                  SELECT flight_day, destination AS airport, aircraft_model,
                         (unix_timestamp(LEAD(COALESCE(actual_departure, scheduled_departure))
                            OVER (PARTITION BY flight_day, tail_number ORDER BY scheduled_departure))
                          - unix_timestamp(COALESCE(actual_arrival, scheduled_arrival))) DIV 60 AS idle
                  FROM legs WHERE is_cancelled IS NOT TRUE
                )
                SELECT flight_day, grain, origin, destination, airport, aircraft_model, flights, cancelled_flights, capacity,
                       seats_sold,
                       ROUND(IF(capacity > 0, seats_sold / capacity, NULL), 4) AS load_factor,
                       CAST(COALESCE(rev, 0) AS DECIMAL(20,2)) AS revenue,
                       flown,
                       ROUND(IF(flown > 0, dep_on_time / flown, NULL), 4) AS on_time_departure_rate,
                       ROUND(IF(flown > 0, arr_on_time / flown, NULL), 4) AS on_time_arrival_rate,
                       ROUND(IF(flown > 0, dep_delay_total / flown, NULL), 2) AS avg_departure_delay_min,
                       ROUND(IF(flown > 0, arr_delay_total / flown, NULL), 2) AS avg_arrival_delay_min,
                       CAST(NULL AS BIGINT) AS turns, CAST(NULL AS BIGINT) AS idle_minutes, CAST(NULL AS DOUBLE) AS avg_idle_minutes
                FROM route
                UNION ALL
                SELECT flight_day, 'ground', NULL, NULL, airport, aircraft_model, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                       NULL, NULL, NULL, COUNT(*), SUM(idle), ROUND(SUM(idle) / COUNT(*), 2)
                FROM turns WHERE idle IS NOT NULL GROUP BY flight_day, airport, aircraft_model
                """.formatted(w.flights(), w.flightOps(), w.bookings());
        return spark.sql(sql);
    }
}
