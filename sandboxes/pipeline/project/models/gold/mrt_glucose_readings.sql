-- Gold: the row-level readings the marts read from, merged on entry_id.
{{ config(materialized='incremental', unique_key='entry_id', tags=['nightscout', 'curated']) }}

select
    entry_id,
    glucose_mg_dl,
    reading_timestamp,
    reading_date,
    hour_of_day,
    day_of_week,
    day_name,
    glucose_category,
    is_in_range,
    glucose_change_mg_dl,
    direction,
    trend,
    device
from {{ ref('fct_glucose_readings') }}
{% if is_incremental() %}
{% if var('partition_dates', '') %}
where reading_date in ({{ var('partition_dates') }})
{% else %}
where reading_timestamp > (select coalesce(max(reading_timestamp), TIMESTAMP '1900-01-01') from {{ this }})
{% endif %}
{% endif %}
