-- Gold: one row per day. Time in range is the share of readings in 70-180 mg/dL; the
-- estimated A1C is the glucose management indicator (GMI) 3.31 + 0.02392 x mean.
-- Incremental: a partitioned run recomputes only the days it loaded (including a late
-- reading's day) and merges them on reading_date.
{{ config(materialized='incremental', unique_key='reading_date', tags=['nightscout', 'curated']) }}

select
    reading_date,
    any_value(day_name) as day_name,
    any_value(day_of_week) as day_of_week,
    week(reading_date) as week_of_year,
    month(reading_date) as month,
    year(reading_date) as year,
    count(*) as reading_count,
    round(avg(glucose_mg_dl), 1) as avg_glucose_mg_dl,
    min(glucose_mg_dl) as min_glucose_mg_dl,
    max(glucose_mg_dl) as max_glucose_mg_dl,
    round(stddev_samp(glucose_mg_dl), 1) as stddev_glucose_mg_dl,
    round(100.0 * avg(case when glucose_mg_dl between 70 and 180 then 1 else 0 end), 1) as time_in_range_pct,
    round(100.0 * avg(case when glucose_mg_dl < 70 then 1 else 0 end), 1) as time_below_range_pct,
    round(100.0 * avg(case when glucose_mg_dl > 180 then 1 else 0 end), 1) as time_above_range_pct,
    round(3.31 + 0.02392 * avg(glucose_mg_dl), 2) as estimated_a1c_pct
from {{ ref('fct_glucose_readings') }}
{% if is_incremental() %}
{% if var('partition_dates', '') %}
where reading_date in ({{ var('partition_dates') }})
{% else %}
where reading_date > (select coalesce(max(reading_date), DATE '1900-01-01') from {{ this }})
{% endif %}
{% endif %}
group by reading_date
