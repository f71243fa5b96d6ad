-- A sensor reads every five minutes: a day can hold at most 288 readings. More means
-- duplicates slipped past the merge on _id. Returns the offending days (none = pass).
select reading_date, reading_count
from {{ ref('fct_daily_glucose_metrics') }}
where reading_count > 288
