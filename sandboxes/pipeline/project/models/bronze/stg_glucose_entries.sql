-- Bronze: rename the raw Nightscout fields to readable names and keep only readings inside
-- the physiological range (20-600 mg/dL). A view in Phlo, so nothing is stored here.
{{ config(materialized='view', tags=['nightscout', 'stg']) }}

select
    _id as entry_id,
    sgv as glucose_mg_dl,
    coalesce(date_string, epoch_ms(date)) as reading_timestamp,
    strftime(date_string, '%Y-%m-%dT%H:%M:%S.%gZ') as timestamp_iso,
    direction,
    trend,
    device,
    type as reading_type,
    utc_offset as utc_offset_minutes,
    sys_time,
    -- Phlo's example project also uses the uploader's sys_time as the ingestion-time proxy.
    sys_time as _cascade_ingested_at,
    _dlt_load_id,
    _dlt_id
from {{ source('dagster_assets', 'glucose_entries') }}
where sgv is not null
  and sgv between 20 and 600
