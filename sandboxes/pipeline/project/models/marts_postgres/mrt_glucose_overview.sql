-- Mart (published to Postgres): the last 90 days of daily metrics with a 7-day A1C average,
-- the change from the previous day and the coefficient of variation (100 x sd / mean).
-- Phlo measures the 90 days from current_date; the miniature measures them from the run's
-- partition day so that a rebuild gives the same rows.
{{ config(materialized='incremental', unique_key='reading_date', tags=['nightscout', 'mart', 'api', 'analyst']) }}

with daily as (
    select
        reading_date,
        day_name,
        week_of_year,
        month,
        year,
        reading_count,
        avg_glucose_mg_dl,
        min_glucose_mg_dl,
        max_glucose_mg_dl,
        stddev_glucose_mg_dl,
        time_in_range_pct,
        time_below_range_pct,
        time_above_range_pct,
        estimated_a1c_pct,
        round(avg(estimated_a1c_pct) over (order by reading_date rows between 6 preceding and current row), 2) as estimated_a1c_7d_avg,
        round(avg_glucose_mg_dl - lag(avg_glucose_mg_dl) over (order by reading_date), 1) as glucose_change_from_prev_day,
        case when avg_glucose_mg_dl = 0 then null
             else round(100.0 * stddev_glucose_mg_dl / avg_glucose_mg_dl, 1) end as coefficient_of_variation
    from {{ ref('fct_daily_glucose_metrics') }}
    where reading_date >= {{ var('run_date', 'current_date') }} - interval 90 day
)
select * from daily
{% if is_incremental() %}
{% if var('partition_start', '') %}
where reading_date >= {{ var('partition_start') }}
{% else %}
where reading_date >= (select coalesce(max(reading_date), DATE '1900-01-01') from {{ this }})
{% endif %}
{% endif %}
