{# CONTRACT rule 10: the residence ZIP code's zone, else the area code's zone when it has
   just one; NULL (unknown, so the unknown-zone window) when an area code spans zones. #}
{% macro contact_time_zone(zip_time_zone, area_code_time_zones) -%}
coalesce({{ zip_time_zone }}, case when {{ list_size(area_code_time_zones) }} = 1 then {{ list_at(area_code_time_zones, 1) }} end)
{%- endmacro %}
