-- Mart (published to Postgres): glucose by hour of day and weekday over the last 30 days,
-- the heatmap that shows the dawn rise and post-meal peaks. Phlo uses approx_percentile in
-- Trino; DuckDB's exact quantile_cont gives the same idea without approximation.
{{ config(materialized='table', tags=['nightscout', 'mart', 'api', 'analyst']) }}

select
    hour_of_day,
    day_of_week,
    day_name,
    count(*) as reading_count,
    round(avg(glucose_mg_dl), 1) as avg_glucose_mg_dl,
    quantile_cont(glucose_mg_dl, 0.5) as median_glucose_mg_dl,
    quantile_cont(glucose_mg_dl, 0.25) as p25_glucose_mg_dl,
    quantile_cont(glucose_mg_dl, 0.75) as p75_glucose_mg_dl,
    round(100.0 * avg(is_in_range), 1) as time_in_range_pct,
    round(stddev_samp(glucose_mg_dl), 1) as stddev_glucose_mg_dl
from {{ ref('mrt_glucose_readings') }}
where reading_timestamp >= cast({{ var('run_date', 'current_date') }} as timestamp) + interval 1 day - interval 30 day
group by hour_of_day, day_of_week, day_name
order by day_of_week, hour_of_day
