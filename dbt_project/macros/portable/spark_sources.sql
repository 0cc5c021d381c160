{#- on-run-start (dbt_project.yml). On Spark, the sources are Parquet folders written by
    assets/spark_layer.py: declare each as a table of the session's catalog under its
    source schema (raw, ledger, ref, config), so models and macros name them as on DuckDB.
    On DuckDB the sources are the warehouse's own tables and this renders nothing. -#}
{% macro spark_source_tables() %}
{%- if target.type == 'spark' and execute -%}
    {%- set root = env_var('OUTREACH_SPARK_DIR', '') -%}
    {%- if not root -%}
        {{ exceptions.raise_compiler_error("OUTREACH_SPARK_DIR is not set: run the Spark target through `outreach run --engine spark`") }}
    {%- endif -%}
    {%- set schemas = [] -%}
    {%- for source in graph.sources.values() -%}
        {%- if source.schema not in schemas -%}
            {%- do schemas.append(source.schema) -%}
            {%- do run_query('create database if not exists ' ~ source.schema) -%}
        {%- endif -%}
        {%- do run_query('create table if not exists ' ~ source.schema ~ '.' ~ source.identifier
            ~ " using parquet location '" ~ root ~ '/sources/' ~ source.schema ~ '/' ~ source.identifier ~ "'") -%}
    {%- endfor -%}
{%- endif -%}
select 1
{% endmacro %}
