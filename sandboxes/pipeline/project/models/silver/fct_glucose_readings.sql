-- Silver: one row per reading with time dimensions, the ADA glucose category and the change
-- since the previous reading from the same device. Rebuilt in full each run, so the lag
-- window always sees the reading before midnight.
{{ config(materialized='table', tags=['nightscout', 'int']) }}

with readings as (
    select * from {{ ref('stg_glucose_entries') }}
)
select
    entry_id,
    glucose_mg_dl,
    reading_timestamp,
    timestamp_iso,
    direction,
    trend,
    device,
    cast(reading_timestamp as date) as reading_date,
    extract(hour from reading_timestamp) as hour_of_day,
    isodow(reading_timestamp) as day_of_week,
    dayname(reading_timestamp) as day_name,
    case
        when glucose_mg_dl < 70 then 'hypoglycemia'
        when glucose_mg_dl <= 180 then 'in_range'
        when glucose_mg_dl <= 250 then 'hyperglycemia_mild'
        else 'hyperglycemia_severe'
    end as glucose_category,
    case when glucose_mg_dl between 70 and 180 then 1 else 0 end as is_in_range,
    glucose_mg_dl - lag(glucose_mg_dl) over (partition by device order by reading_timestamp) as glucose_change_mg_dl,
    date_diff('minute', lag(reading_timestamp) over (partition by device order by reading_timestamp), reading_timestamp) as minutes_since_last_reading
from readings
order by reading_timestamp desc
